/**
 * The hub's record key rotates by command and by schedule, on the engine the
 * run selects (SQLite, or PostgreSQL with CABINE_TEST_HUB_STORE=postgresql):
 * rows re-sealed, journal entries written, a second node's stores (their own
 * key provider on the shared key file) open rows sealed under the new key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryJournal } from '../../../src/hub/journal/fake';
import { openHubStores, type HubStores } from '../../../src/hub/stores';
import { commands } from '../../../src/hub/admin/keys';
import type { AdminContext } from '../../../src/hub/admin/types';
import type { HubConfig } from '../../../src/hub/directory';
import { HubKeyRotations, startHubKeyRotation, type SearchIndexRehash } from '../../../src/hub/keys/rotation';
import { FileKeyProvider, type KeyProvider } from '../../../src/node/keys';
import { FakeClock } from '../../../src/shared/fake-clock';
import type { RecordItem } from '../../../src/shared/record-protocol';
import { freshDataDir, testHubConfig } from '../../helpers/hub';
import { silentLog, temperature } from '../../helpers/store';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function hubWithRecord(n: number) {
  const config: HubConfig = await testHubConfig(freshDataDir());
  const nodeA = await openHubStores(config, silentLog);
  closers.push(() => nodeA.close());
  const items: RecordItem[] = Array.from({ length: n }, (_, i) => {
    const r = temperature(36 + (i % 10) / 10, 'session-k');
    return { id: r.id, boothId: 'demo-booth-1', sessionId: 'session-k', seq: i + 1, kind: 'reading', data: r };
  });
  for (let i = 0; i < items.length; i += 100) await nodeA.record.ingest('demo-booth-1', uuidv7(), items.slice(i, i + 100), 'pharmacie-test-1');
  await nodeA.record.saveNotes('session-k', 'demo-booth-1', { text: 'Toux depuis 3 jours', authorId: 'dr-1', at: new Date().toISOString() });
  return { config, nodeA, items };
}

function ctxOf(config: HubConfig, stores: HubStores, journal: MemoryJournal, out: string[]): AdminContext {
  return { config, stores, journal, log: silentLog, operator: 'ops-jeanne', out: (l) => void out.push(l) };
}

describe(`hub record key rotation (${process.env.CABINE_TEST_HUB_STORE ?? 'sqlite'})`, () => {
  it('`keys rotate record` re-seals every row under a new key, journals each step, and another node reads the rows', async () => {
    const { config, nodeA, items } = await hubWithRecord(260);
    // A second node: its own stores and key provider over the shared key folder.
    const nodeB = await openHubStores(config, silentLog);
    closers.push(() => nodeB.close());
    expect((await nodeB.record.sessionItems('session-k')).length).toBe(260);

    const journal = new MemoryJournal();
    const out: string[] = [];
    expect(await commands.rotate!.run(ctxOf(config, nodeA, journal, out), ['record'])).toBe(0);
    expect(out.join('\n')).toMatch(/record\.key: #1 0 d, 0 rows; #2 \(current\) 0 d, 261 rows; rows on old keys: 0/);

    const entries = await journal.list({});
    expect(entries.map((e) => [e.action, e.resource, e.resourceId, e.actor.role, e.actor.id, e.reason])).toEqual([
      ['key-rotation', 'key', 'record.key#2', 'admin', 'ops-jeanne', 'added'],
      ['key-rotation', 'key', 'record.key#2', 'admin', 'ops-jeanne', 'resealed 261 rows'],
    ]);
    // Node B had read the key file before the rotation: it meets key 2 and re-reads the file.
    const read = await nodeB.record.sessionItems('session-k');
    expect(read.map((s) => s.item)).toEqual(items);
    expect((await nodeB.record.notes('session-k'))?.text).toBe('Toux depuis 3 jours');

    // Past the grace, the next run retires key 1 (journaled by the system).
    const later = HubKeyRotations.open({ config, journal, actor: { role: 'system' }, log: silentLog, graceMs: 0 });
    try {
      const done = await later.exclusive('record.key', () => later.get('record')!.run());
      expect(done.ran).toBe(true);
    } finally {
      await later.close();
    }
    const keyFile = JSON.parse(readFileSync(join(config.keyDir ?? config.dataDir, 'record.key'), 'utf8')) as { keys: { id: number }[] };
    expect(keyFile.keys.map((k) => k.id)).toEqual([2]);
    expect((await journal.list({})).at(-1)).toMatchObject({ actor: { role: 'system' }, resourceId: 'record.key#1', reason: 'retired' });
    expect((await nodeA.record.sessionItems('session-k')).length).toBe(260);
  });

  it('`keys status` names each key, its age and the rows left; a bad target is refused with exit code 2', async () => {
    const { config, nodeA } = await hubWithRecord(10);
    const journal = new MemoryJournal();
    const out: string[] = [];
    expect(await commands.status!.run(ctxOf(config, nodeA, journal, out), [])).toBe(0);
    expect(out.join('\n')).toMatch(/record\.key: #1 \(current\) 0 d, 11 rows; rows on old keys: 0/);
    const bad: string[] = [];
    expect(await commands.rotate!.run(ctxOf(config, nodeA, journal, bad), ['records'])).toBe(2);
    expect(bad.join('\n')).toMatch(/Clé inconnue/);
    expect(await journal.list({})).toEqual([]);
  });

  it('the schedule rotates a record key older than keys.rotateEveryDays at its check, journaled as the system', async () => {
    const { config, nodeA, items } = await hubWithRecord(30);
    const journal = new MemoryJournal();
    const clock = new FakeClock(Date.now());
    const schedule = startHubKeyRotation({ config: { ...config, keys: { rotateEveryDays: 2 } }, journal, actor: { role: 'system' }, log: silentLog, clock, graceMs: 0 });
    closers.push(() => schedule.stop());
    await schedule.check();
    expect(await journal.list({})).toEqual([]);
    await clock.advance(86_400_000);
    await schedule.check();
    expect(await journal.list({})).toEqual([]);
    await clock.advance(86_400_000);
    await schedule.check();
    // On PostgreSQL the live state's key (opened with the stores) is as old and rotates too.
    const entries = (await journal.list({})).filter((e) => e.resourceId?.startsWith('record.key#'));
    expect(entries.map((e) => [e.actor.role, e.resourceId, e.reason])).toEqual([
      ['system', 'record.key#2', 'added'],
      ['system', 'record.key#2', 'resealed 31 rows'],
      ['system', 'record.key#1', 'retired'],
    ]);
    expect((await nodeA.record.sessionItems('session-k')).map((s) => s.item)).toEqual(items);
  });

  it('the journal key only gains a key (the chain keeps its old key ids); the search key re-hashes its index, then retires the old key', async () => {
    const { config } = await hubWithRecord(1);
    const keyDir = config.keyDir ?? config.dataDir;
    const journalKeys = new FileKeyProvider(join(keyDir, 'journal.key'));
    const searchKeys = new FileKeyProvider(join(keyDir, 'search.key'));
    // A stand-in for the search index (h21search's index exposes the same two calls): each entry's key id.
    const index = new Map<string, number>([['nir-1', 1], ['nir-2', 1], ['name-1', 1]]);
    const searchIndex: SearchIndexRehash = {
      rehash: (keys: KeyProvider) => {
        let n = 0;
        for (const [k, id] of index) {
          if (id === keys.current().id) continue;
          index.set(k, keys.current().id);
          n++;
        }
        return Promise.resolve(n);
      },
      keyIdCounts: () => {
        const out = new Map<number, number>();
        for (const id of index.values()) out.set(id, (out.get(id) ?? 0) + 1);
        return Promise.resolve(out);
      },
    };
    const journal = new MemoryJournal();
    const rotations = HubKeyRotations.open({ config, journal, actor: { role: 'admin', id: 'ops-jeanne' }, log: silentLog, searchIndex });
    try {
      await rotations.get('journal')!.rotate();
      await rotations.get('journal')!.run();
      await rotations.get('search')!.rotate();
    } finally {
      await rotations.close();
    }
    expect(journalKeys.list().map((k) => [k.id, k.current])).toEqual([[1, false], [2, true]]);
    expect(searchKeys.list().map((k) => k.id)).toEqual([2]);
    expect([...index.values()]).toEqual([2, 2, 2]);
    expect((await journal.list({})).map((e) => [e.resourceId, e.reason])).toEqual([
      ['journal.key#2', 'added'],
      ['search.key#2', 'added'],
      ['search.key#2', 'resealed 3 rows'],
      ['search.key#1', 'retired'],
    ]);
  });

  it.skipIf(process.env.CABINE_TEST_HUB_STORE !== 'postgresql')('one node rotates a key at a time across PostgreSQL nodes: the other skips it while the lock is held', async () => {
    const { config } = await hubWithRecord(1);
    const journal = new MemoryJournal();
    const a = HubKeyRotations.open({ config, journal, actor: { role: 'system' }, log: silentLog });
    const b = HubKeyRotations.open({ config, journal, actor: { role: 'system' }, log: silentLog });
    closers.push(() => a.close(), () => b.close());
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const first = a.exclusive('record.key', async () => {
      entered();
      await held;
      return 'a';
    });
    await inside;
    expect(await b.exclusive('record.key', () => Promise.resolve('b'))).toEqual({ ran: false });
    // Another key's lock is its own.
    expect(await b.exclusive('hub-state.key', () => Promise.resolve('b'))).toEqual({ ran: true, value: 'b' });
    release();
    expect(await first).toEqual({ ran: true, value: 'a' });
    expect(await b.exclusive('record.key', () => Promise.resolve('b'))).toEqual({ ran: true, value: 'b' });
  });
});
