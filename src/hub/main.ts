/** `node --import tsx src/hub/main.ts [--port 8443]`: starts the hub. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { codeOf, ConfigError } from '../shared/errors';
import { loadHubConfig } from './directory';
import { startHub } from './server';

const root = resolve(fileURLToPath(import.meta.url), '../../..');

/** Start-up failures: HTTPS asked for but impossible (./tls.ts); the stores, the journal and the network (src/hub/stores.ts, src/hub/journal, src/hub/cluster): unreachable, newer than this node, keys unreadable. */
const STORE_FAILURE = /^(TLS_REQUIRED|TLS_UNREADABLE|RECORD_UNAVAILABLE|RECORD_SCHEMA_NEWER|STATE_UNAVAILABLE|STATE_TOO_NEW|KEY_UNAVAILABLE|PG_UNREACHABLE|CLUSTER_SCHEMA_NEWER|JOURNAL_UNAVAILABLE)$/;

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: process.env.CABINE_HUB_PORT ?? '8443' },
      /** Another interface than loopback only with a certificate (config "tls"): src/hub/tls.ts. */
      host: { type: 'string', default: process.env.CABINE_HUB_HOST ?? '127.0.0.1' },
      'console-dir': { type: 'string', default: resolve(root, 'dist/renderer/console') },
      config: { type: 'string', default: resolve(root, 'hub-config/default.json') },
    },
  });
  let config;
  try {
    config = loadHubConfig(values.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  let hub;
  try {
    hub = await startHub({ port: Number(values.port), host: values.host, consoleDir: values['console-dir'], config });
  } catch (error) {
    // Its database or keys out of reach: this node stops here, nothing half-started, and says where to look.
    if (STORE_FAILURE.test(codeOf(error) ?? '')) {
      process.stderr.write(`The hub did not start: ${(error as Error).message}\n`);
      process.exit(2);
    }
    throw error;
  }
  process.stdout.write(`HUB_URL=${hub.url}\n`);
  const shutdown = async (): Promise<void> => { await hub.close(); process.exit(0); };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}
