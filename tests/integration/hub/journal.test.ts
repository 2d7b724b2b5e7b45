/**
 * The access journal's HMAC chain on the engine of the run (SQLite here,
 * PostgreSQL with CABINE_TEST_HUB_STORE=postgresql): appends that verify,
 * and each way of tampering with it named by verify — a line edited, a line
 * removed, the last lines removed (against the exported head), the whole
 * chain rewritten with another key (against the exported head).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HubConfig } from '../../../src/hub/directory';
import type { ChainJournal } from '../../../src/hub/journal/journal';
import { headDirOf, openJournal } from '../../../src/hub/journal/journal';
import type { JournalEvent } from '../../../src/hub/journal/types';
import { FileKeyProvider } from '../../../src/node/keys';
import { codeOf } from '../../../src/shared/errors';
import { freshDataDir } from '../../helpers/hub';
import { journalConfig, ON_PG, openTestJournal, rawJournalSql } from '../../helpers/journal';

const opened: ChainJournal[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((j) => j.close().catch(() => undefined)));
});

async function journal(config: HubConfig, node?: string): Promise<ChainJournal> {
  const j = await openTestJournal(config, node ? { node } : {});
  opened.push(j);
  return j;
}

function read(i: number, extra: Partial<JournalEvent> = {}): JournalEvent {
  return {
    actor: { role: 'specialist', id: 'dr-martin' }, action: 'read', resource: 'photo', resourceId: `photo-${i}`,
    sessionId: `session-${i % 2}`, boothId: 'demo-booth-1', outcome: 'allowed', from: '127.0.0.1', ...extra,
  };
}

async function fill(j: ChainJournal, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await j.record(read(i));
}

describe('the access journal', () => {
  it('appends entries 1, 2, 3… linked by their MACs, and verify walks them clean', async () => {
    const config = await journalConfig();
    const j = await journal(config);
    await fill(j, 5);
    const entries = await j.list({});
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries[0]!.prev).toBe('0'.repeat(64));
    for (let i = 1; i < 5; i++) expect(entries[i]!.prev).toBe(entries[i - 1]!.mac);
    expect(entries[2]).toMatchObject({ actor: { role: 'specialist', id: 'dr-martin' }, resourceId: 'photo-3', sessionId: 'session-1', keyId: 1 });
    const head = await j.head();
    expect(head).toMatchObject({ seq: 5, mac: entries[4]!.mac });
    expect(await j.verify()).toEqual({ ok: true, entries: 5, head });
  });

  it('keeps the order of record() calls made without waiting, each resolved once written', async () => {
    const config = await journalConfig();
    const j = await journal(config);
    await Promise.all(Array.from({ length: 30 }, (_, i) => j.record(read(i + 1))));
    const entries = await j.list({});
    expect(entries.map((e) => e.resourceId)).toEqual(Array.from({ length: 30 }, (_, i) => `photo-${i + 1}`));
    expect((await j.verify()).ok).toBe(true);
  });

  it('lists a patient\'s accesses by session, case, account and period', async () => {
    const config = await journalConfig();
    const j = await journal(config);
    await fill(j, 4);
    await j.record({ actor: { role: 'staff', id: 'marie' }, action: 'read', resource: 'case', caseId: 'case-7', resourceId: 'case-7', outcome: 'allowed' });
    await j.record({ actor: { role: 'anonymous' }, action: 'read', resource: 'photo', sessionId: 'session-0', outcome: 'refused', reason: 'FORBIDDEN' });
    expect((await j.list({ sessionIds: ['session-0'] })).map((e) => e.seq)).toEqual([2, 4, 6]);
    expect((await j.list({ sessionIds: ['session-0', 'session-1'], limit: 3 })).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect((await j.list({ sessionIds: [] }))).toEqual([]);
    expect((await j.list({ caseIds: ['case-7'] })).map((e) => e.actor)).toEqual([{ role: 'staff', id: 'marie' }]);
    expect((await j.list({ actorId: 'marie' })).map((e) => e.seq)).toEqual([5]);
    const all = await j.list({});
    expect((await j.list({ since: all[5]!.at, until: all[5]!.at })).map((e) => e.seq)).toContain(6);
    expect((await j.list({ until: all[0]!.at - 1 }))).toEqual([]);
    expect(all[5]).toMatchObject({ actor: { role: 'anonymous' }, outcome: 'refused', reason: 'FORBIDDEN' });
    expect(all[5]!.actor).not.toHaveProperty('id');
  });

  it('stores ids only: the row is the event\'s ids and the chain, whatever else the caller\'s object carries', async () => {
    const config = await journalConfig();
    const j = await journal(config);
    // A careless caller passing a patient's details along: they must not reach the table.
    const careless = { ...read(1), patient: { lastName: 'Lemaire', nir: '2850775123456' }, values: { spo2: 97.3 } } as JournalEvent;
    await j.record(careless);
    const rows = await rawJournalSql(config, 'SELECT * FROM journal');
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!).sort()).toEqual([
      'action', 'actor_id', 'actor_role', 'at', 'booth_id', 'case_id', 'from_addr', 'key_id', 'mac', 'node', 'outcome',
      'prev', 'reason', 'resource', 'resource_id', 'seq', 'session_id',
    ]);
    const text = JSON.stringify(rows[0]);
    for (const clear of ['Lemaire', '2850775123456', 'spo2', '97.3']) expect(text).not.toContain(clear);
    expect(rows[0]).toMatchObject({ actor_id: 'dr-martin', resource_id: 'photo-1', session_id: 'session-1', booth_id: 'demo-booth-1', case_id: null });
    expect((await j.verify()).ok).toBe(true);
  });

  it('names the entry edited by hand in the database: its MAC no longer matches', async () => {
    const config = await journalConfig();
    const j = await journal(config);
    await fill(j, 6);
    await rawJournalSql(config, "UPDATE journal SET actor_id = 'dr-durand' WHERE seq = 4");
    const r = await j.verify();
    expect(r).toMatchObject({ ok: false, brokenAt: 4, problem: 'mac' });
    expect(r.ok === false && r.message).toBe('entry 4 was altered: its MAC does not match its content');
  });

  it('names the entry deleted in the middle of the chain as a gap', async () => {
    const config = await journalConfig();
    const j = await journal(config);
    await fill(j, 6);
    await rawJournalSql(config, 'DELETE FROM journal WHERE seq = 3');
    const r = await j.verify();
    expect(r).toMatchObject({ ok: false, brokenAt: 3, problem: 'gap' });
    expect(r.ok === false && r.message).toContain('entry 3 is missing');
  });

  it('finds the last entries deleted by holding the chain against the exported head', async () => {
    const config = await journalConfig();
    const j = await journal(config);
    await fill(j, 6);
    const exported = await j.exportHead();
    expect(exported).toMatchObject({ seq: 6 });
    const line = JSON.parse(readFileSync(join(headDirOf(config), `heads-${exported!.node}.jsonl`), 'utf8').trim()) as unknown;
    expect(line).toEqual(exported);
    expect((await j.verify()).ok).toBe(true);
    await rawJournalSql(config, 'DELETE FROM journal WHERE seq >= 5');
    const r = await j.verify();
    expect(r).toMatchObject({ ok: false, brokenAt: 5, problem: 'behind-head' });
    expect(r.ok === false && r.message).toContain('entries 5 to 6 are missing');
  });

  it('finds the whole chain rewritten with another key: it holds together but not with the exported head', async () => {
    const config = await journalConfig();
    const first = await journal(config);
    await fill(first, 5);
    await first.exportHead();
    await first.close();
    // Someone with the database and the key folder: every row gone, a key of their own, a chain recomputed.
    await rawJournalSql(config, 'DELETE FROM journal');
    rmSync(join(config.keyDir ?? config.dataDir, 'journal.key'));
    const forger = await journal(config);
    await fill(forger, 5);
    const r = await forger.verify();
    expect(r).toMatchObject({ ok: false, brokenAt: 5, problem: 'head-mismatch' });
    expect(r.ok === false && r.message).toContain('entry 5 differs from the head exported');
  });

  it('exports the head on the config\'s schedule (journal.exportHeadEveryMinutes)', async () => {
    const config = { ...(await journalConfig()), journal: { exportHeadEveryMinutes: 15 } };
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const j = await openJournal(config, undefined, { node: 'scheduled' });
      opened.push(j);
      await fill(j, 3);
      const file = join(headDirOf(config), 'heads-scheduled.jsonl');
      vi.advanceTimersByTime(14 * 60_000);
      for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
      expect(existsSync(file)).toBe(false);
      vi.advanceTimersByTime(60_000);
      // The export runs on its own: let it reach the disk (bounded in count, not in time).
      for (let i = 0; i < 5000 && !existsSync(file); i++) await new Promise((r) => setImmediate(r));
      expect(JSON.parse(readFileSync(file, 'utf8').trim())).toMatchObject({ seq: 3, node: 'scheduled' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('verifies entries made before and after a key rotation, each with its key id', async () => {
    const config = await journalConfig();
    const before = await journal(config);
    await fill(before, 3);
    await before.close();
    new FileKeyProvider(join(config.keyDir ?? config.dataDir, 'journal.key')).rotate();
    const after = await journal(config);
    await fill(after, 2);
    expect((await after.list({})).map((e) => e.keyId)).toEqual([1, 1, 1, 2, 2]);
    expect(await after.verify()).toMatchObject({ ok: true, entries: 5 });
    // The old key removed from the file: its entries can no longer be checked, and verify says so.
    const file = join(config.keyDir ?? config.dataDir, 'journal.key');
    const keys = JSON.parse(readFileSync(file, 'utf8')) as { current: number; keys: { id: number }[] };
    writeFileSync(file, JSON.stringify({ ...keys, keys: keys.keys.filter((k) => k.id !== 1) }));
    const later = await journal(config);
    expect(await later.verify()).toMatchObject({ ok: false, brokenAt: 1, problem: 'mac' });
  });

  it('refuses to record once closed (JOURNAL_UNAVAILABLE), nothing appended', async () => {
    const config = await journalConfig();
    const j = await journal(config);
    await fill(j, 2);
    await j.close();
    await expect(j.record(read(3))).rejects.toMatchObject({ code: 'JOURNAL_UNAVAILABLE' });
    expect(await rawJournalSql(config, 'SELECT seq FROM journal')).toHaveLength(2);
  });

  it.runIf(!ON_PG)('does not open on a data folder it cannot write (JOURNAL_UNAVAILABLE naming the file)', async () => {
    const config = await journalConfig();
    const blocked = { ...config, keyDir: freshDataDir(), dataDir: join(config.dataDir, 'not-a-folder') };
    writeFileSync(blocked.dataDir, 'a file where the data folder should be');
    const error = await openJournal(blocked).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('JOURNAL_UNAVAILABLE');
    expect((error as Error).message).toContain('journal.db');
  });

  it.runIf(ON_PG)('rejects record() with JOURNAL_UNAVAILABLE once its database is gone', async () => {
    const config = await journalConfig();
    const j = await journal(config);
    await fill(j, 2);
    const url = config.store.engine === 'postgresql' ? config.store.url : '';
    const name = new URL(url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: url.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
    const error = await j.record(read(3)).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('JOURNAL_UNAVAILABLE');
    expect((error as Error).message).toMatch(/PostgreSQL at 127\.0\.0\.1:\d+/);
  });

  it.runIf(ON_PG)('does not open on a PostgreSQL server nobody answers at (JOURNAL_UNAVAILABLE)', async () => {
    const config = await journalConfig();
    const unreachable = { ...config, store: { engine: 'postgresql' as const, url: 'postgresql://cabine@127.0.0.1:1/nowhere' } };
    const error = await openJournal(unreachable, undefined, { exportOnSchedule: false, pg: { connectTimeoutMs: 2000 } }).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('JOURNAL_UNAVAILABLE');
  });

  it.runIf(ON_PG)('two nodes appending at once on one database write one gapless chain that verifies', async () => {
    const config = await journalConfig();
    const a = await journal(config, 'node-a');
    const b = await journal(config, 'node-b');
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => a.record(read(i, { resourceId: `a-${i}` }))),
      ...Array.from({ length: 40 }, (_, i) => b.record(read(i, { resourceId: `b-${i}` }))),
    ]);
    const entries = await a.list({});
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect(new Set(entries.map((e) => e.node))).toEqual(new Set(['node-a', 'node-b']));
    // Each node's own appends kept their call order.
    const ofA = entries.filter((e) => e.node === 'node-a').map((e) => e.resourceId);
    expect(ofA).toEqual(Array.from({ length: 40 }, (_, i) => `a-${i}`));
    expect(await b.verify()).toMatchObject({ ok: true, entries: 80 });
  });
});
