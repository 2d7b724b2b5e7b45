/**
 * The journal as a hub node opens it: the real chain behind `hub.journal`
 * (on the run's engine), its head exported when the hub stops, and a hub
 * whose journal cannot be opened not starting at all.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headDirOf } from '../../../src/hub/journal/journal';
import { codeOf } from '../../../src/shared/errors';
import { freePort, freshDataDir, spawnHubProcess, startTestHub, testHubConfig } from '../../helpers/hub';
import { ON_PG, openTestJournal } from '../../helpers/journal';

describe('the hub\'s journal', () => {
  it('is the HMAC chain on the hub\'s store, and its head is exported when the hub stops', async () => {
    const config = { ...(await testHubConfig()), node: { id: 'node-journal' } };
    const hub = await startTestHub({ config, media: false });
    try {
      await hub.journal.record({ actor: { role: 'staff', id: 'marie' }, action: 'read', resource: 'counter.board', boothId: 'demo-booth-1', outcome: 'allowed' });
      await hub.journal.record({ actor: { role: 'anonymous' }, action: 'sign-in', resource: 'account', outcome: 'refused', reason: 'BAD_PASSWORD', from: '127.0.0.1' });
      expect(await hub.journal.verify()).toMatchObject({ ok: true, entries: 2, head: { seq: 2, node: 'node-journal' } });
    } finally {
      await hub.close();
    }
    const heads = readFileSync(join(headDirOf(config), 'heads-node-journal.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(heads.at(-1)!)).toMatchObject({ seq: 2, node: 'node-journal' });
    // The same store read again, apart from the hub: the chain it left verifies against that head.
    const again = await openTestJournal(config);
    try {
      expect((await again.list({})).map((e) => e.node)).toEqual(['node-journal', 'node-journal']);
      expect(await again.verify()).toMatchObject({ ok: true, entries: 2 });
    } finally {
      await again.close();
    }
  });

  it.runIf(!ON_PG)('does not start when its journal cannot be opened (JOURNAL_UNAVAILABLE), in process and as `npm run hub`', async () => {
    const base = await testHubConfig();
    const dataDir = join(base.dataDir, 'blocked');
    writeFileSync(dataDir, 'a file where the data folder should be');
    const config = { ...base, dataDir, keyDir: freshDataDir() };
    const error = await startTestHub({ config, media: false }).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('JOURNAL_UNAVAILABLE');
    const file = join(base.dataDir, 'blocked-config.json');
    writeFileSync(file, JSON.stringify(config));
    const exit = await spawnHubProcess(file, await freePort()).catch((e: unknown) => e);
    expect((exit as Error).message).toMatch(/the hub exited \(2\) before listening: The hub did not start: The access journal cannot be written/);
  });
});
