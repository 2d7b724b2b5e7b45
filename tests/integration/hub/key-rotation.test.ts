/**
 * The hub's record key rotates by command and by schedule, on the engine the
 * run selects (SQLite, or PostgreSQL with CABINE_TEST_HUB_STORE=postgresql):
 * rows re-sealed, journal entries written, a second node's stores (their own
 * key provider on the shared key file) open rows sealed under the new key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryJournal } from '../../../src/hub/journal/fake';
import { openHubStores, type HubStores } from '../../../src/hub/stores';
import { commands } from '../../../src/hub/admin/keys';
import type { AdminContext } from '../../../src/hub/admin/types';
import type { HubConfig } from '../../../src/hub/directory';
import type { AccessJournal } from '../../../src/hub/journal/types';
import type { Hub } from '../../../src/hub/server';
import { HubKeyRotations, startHubKeyRotation, type SearchIndexRehash } from '../../../src/hub/keys/rotation';
import { FileKeyProvider, type KeyProvider } from '../../../src/node/keys';
import { FakeClock } from '../../../src/shared/fake-clock';
import { nirKey } from '../../../src/shared/intake';
import type { RecordItem } from '../../../src/shared/record-protocol';
import { freshDataDir, startTestHub, testHubConfig } from '../../helpers/hub';
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

const nir = (number13: string): string => `${number13}${String(nirKey(number13)).padStart(2, '0')}`;
const NIR_A = nir('2410375123456');
const NIR_B = nir('1410375654321');

/** A session event carrying an identity: the pharmacist's intake (with the NIR) or a name typed alone. */
function identityEvent(sessionId: string, seq: number, type: 'intake' | 'identity', identity: { birthName: string; birthDate: string; nir?: string }): RecordItem {
  const id = uuidv7();
  const data = type === 'intake'
    ? { by: { via: 'booth' }, intake: { identity: { ...identity, firstNames: 'Hélène', sex: 'F' }, reason: { code: 'skin', text: 'plaque' }, pathway: { pathway: 'gp-known' }, gp: null, reportToGp: false } }
    : { firstName: 'Hélène', lastName: identity.birthName, birthDate: identity.birthDate };
  return { id, boothId: 'demo-booth-1', sessionId, seq, kind: 'sessionEvent', data: { id, sessionId, type, at: new Date().toISOString(), data } };
}

const searchKeyIds = (config: HubConfig): number[] =>
  (JSON.parse(readFileSync(join(config.keyDir ?? config.dataDir, 'search.key'), 'utf8')) as { keys: { id: number }[] }).keys.map((k) => k.id);

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
    // No grace: one process holds the key file here.
    const rotations = HubKeyRotations.open({ config, journal, actor: { role: 'admin', id: 'ops-jeanne' }, log: silentLog, searchIndex, graceMs: 0 });
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

  it('`keys rotate search` re-hashes the patient index under the new key; past the grace `keys finish search` retires the old key; the patient is still found by NIR and by name', async () => {
    // The wall clock stands still: the record's own reader of search.key (its once-a-second look) cannot pick the new
    // key up by itself, so the re-hash must re-read the file; the grace then passes by moving the clock.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const config: HubConfig = await testHubConfig(freshDataDir());
      const stores = await openHubStores(config, silentLog);
      closers.push(() => stores.close());
      await stores.record.ingest('demo-booth-1', uuidv7(), [
        identityEvent('sess-a1', 1, 'intake', { birthName: 'Le Goff-Dürand', birthDate: '1941-03-07', nir: NIR_A }),
        identityEvent('sess-a2', 2, 'identity', { birthName: 'LE GOFF DURAND', birthDate: '1941-03-07' }),
        identityEvent('sess-b1', 3, 'intake', { birthName: 'Martin', birthDate: '1950-01-02', nir: NIR_B }),
      ], 'pharmacie-test-1');
      expect(await stores.record.patientIndexKeyIds()).toEqual(new Map([[1, 3]]));

      const journal = new MemoryJournal();
      const out: string[] = [];
      expect(await commands.rotate!.run(ctxOf(config, stores, journal, out), ['search'])).toBe(0);
      expect(await stores.record.patientIndexKeyIds()).toEqual(new Map([[2, 3]]));
      expect(out.join('\n')).toMatch(/search\.key: #1 -?\d+ d, 0 rows; #2 \(current\) 0 d, 3 rows; rows on old keys: 0/);
      // (Key 1's age comes from the file's time, the clock stands still: shown -1 or 0 days.) Within the grace the old key stays (a node that read the file before may still hash under it for a second).
      expect(searchKeyIds(config)).toEqual([1, 2]);

      vi.setSystemTime(Date.now() + 10 * 60_000 + 1);
      const finish: string[] = [];
      expect(await commands.finish!.run(ctxOf(config, stores, journal, finish), ['search'])).toBe(0);
      expect(searchKeyIds(config)).toEqual([2]);
      expect(finish.join('\n')).toMatch(/search\.key: #2 \(current\) 0 d, 3 rows; rows on old keys: 0/);
      expect((await journal.list({})).map((e) => [e.actor.role, e.actor.id, e.resourceId, e.reason])).toEqual([
        ['admin', 'ops-jeanne', 'search.key#2', 'added'],
        ['admin', 'ops-jeanne', 'search.key#2', 'resealed 3 rows'],
        ['admin', 'ops-jeanne', 'search.key#1', 'retired'],
      ]);

      // Key 1 is gone from the file: only hashes made under key 2 can match.
      const sessions = async (q: Parameters<HubStores['record']['sessionsOfPatient']>[0]) => (await stores.record.sessionsOfPatient(q)).sessions.map((s) => s.sessionId).sort();
      expect(await sessions({ nir: NIR_A })).toEqual(['sess-a1']);
      expect(await sessions({ nir: NIR_B })).toEqual(['sess-b1']);
      expect(await sessions({ birthName: 'le goff durand', birthDate: '1941-03-07' })).toEqual(['sess-a1', 'sess-a2']);
      expect(await sessions({ birthName: 'Le Goff Durand', birthDate: '1941-03-08' })).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a hub finishes at start a search key rotation left halfway: the index re-hashed through its own record, the old key retired (journaled as the system), the patient still found', async () => {
    const config: HubConfig = await testHubConfig(freshDataDir());
    const before = await openHubStores(config, silentLog);
    await before.record.ingest('demo-booth-1', uuidv7(), [
      identityEvent('sess-a1', 1, 'intake', { birthName: 'Le Goff-Dürand', birthDate: '1941-03-07', nir: NIR_A }),
      identityEvent('sess-a2', 2, 'identity', { birthName: 'LE GOFF DURAND', birthDate: '1941-03-07' }),
    ], 'pharmacie-test-1');
    await before.close();
    // A node killed right after adding the key, 11 minutes ago (past the grace): nothing re-hashed yet.
    new FileKeyProvider(join(config.keyDir ?? config.dataDir, 'search.key')).rotate(Date.now() - 11 * 60_000);
    expect(searchKeyIds(config)).toEqual([1, 2]);

    const hub = await startTestHub({ consoleDir: '/nonexistent', media: false, config });
    closers.push(() => hub.close());
    await vi.waitFor(() => expect(searchKeyIds(config)).toEqual([2]), { timeout: 15_000 });
    expect(await hub.record.repo.patientIndexKeyIds()).toEqual(new Map([[2, 2]]));
    const hubJournal = (hub as Hub & { journal: AccessJournal }).journal;
    expect((await hubJournal.list({})).filter((e) => e.action === 'key-rotation').map((e) => [e.actor.role, e.resourceId, e.reason])).toEqual([
      ['system', 'search.key#2', 'resealed 2 rows'],
      ['system', 'search.key#1', 'retired'],
    ]);
    expect((await hub.record.repo.sessionsOfPatient({ nir: NIR_A })).sessions.map((x) => x.sessionId)).toEqual(['sess-a1']);
    expect((await hub.record.repo.sessionsOfPatient({ birthName: 'Le Goff Durand', birthDate: '1941-03-07' })).sessions.map((x) => x.sessionId).sort()).toEqual(['sess-a1', 'sess-a2']);
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
