/**
 * `npm run booth-store -- <command> [--config kiosk-config/x.json]` — the
 * operator's tools for the booth's store (issue #21), run with the host
 * stopped:
 * - `check`: whether the key file opens the store; on KEY_LOST, the report of
 *   what was never acknowledged by the hub (counts and times, never the data).
 *   Exit 0 when it opens, 3 on KEY_LOST.
 * - `archive-lost`: when the key file cannot be restored from backup, moves
 *   the unreadable store (and a wrong key file) into `<store>.lost-<time>/`
 *   with its report, so that the next start begins a new store with a new
 *   key. Refused for a store its key opens. What the report lists is lost.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadKioskConfig } from '../node/config-file';
import { FileKeyProvider } from '../node/keys';
import { KeyLostError } from '../node/store-errors';
import { CabineError } from '../shared/errors';
import { describeKeyLoss } from '../shared/key-loss';
import { archiveLostStore, checkStoreKeys } from './store/key-check';

const root = resolve(fileURLToPath(import.meta.url), '../../..');

export function runStoreCli(argv: string[], out: (line: string) => void): number {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { config: { type: 'string', default: resolve(root, 'kiosk-config/default.json') } },
  });
  const command = positionals[0];
  if (command !== 'check' && command !== 'archive-lost') {
    out('usage: npm run booth-store -- check|archive-lost [--config kiosk-config/<booth>.json]');
    return 2;
  }
  const config = loadKioskConfig(values.config);
  const path = resolve(config.store.path);
  const keyFile = resolve(config.store.keyFile);
  try {
    if (command === 'check') {
      checkStoreKeys(path, existsSync(keyFile) ? new FileKeyProvider(keyFile, { create: false }) : null, keyFile);
      out(`ok: ${keyFile} opens ${path}`);
      return 0;
    }
    const { archiveDir, report } = archiveLostStore({ path, keyFile });
    out(`archivé / archived: ${archiveDir}`);
    out(describeKeyLoss(report, 'fr'));
    out(describeKeyLoss(report, 'en'));
    out(JSON.stringify(report));
    out('La cabine démarrera avec une base et une clé neuves. / The booth will start with a new store and key.');
    return 0;
  } catch (error) {
    if (error instanceof KeyLostError) {
      out(`KEY_LOST: ${error.report.reason} (key ids ${error.report.keyIds.join(', ')})`);
      out(describeKeyLoss(error.report, 'fr'));
      out(describeKeyLoss(error.report, 'en'));
      out(JSON.stringify(error.report));
      return 3;
    }
    if (error instanceof CabineError) {
      out(`${error.code}: ${error.messageFor('fr')}\n${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = runStoreCli(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
}
