/**
 * Retention on the hub's record, on both engines (SQLite and PostgreSQL):
 * the sessions whose last activity is older than the period go — every row
 * of them, uploads' chunks included — the others stay readable; each purge
 * is journaled before its rows go; a journal out of reach stops the run; a
 * purge that fails halfway through a session's rows leaves it whole; across
 * PostgreSQL nodes one purges at a time. Rows are back-dated with the
 * record's own clock.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { MemoryJournal } from '../../../src/hub/journal/fake';
import type { JournalEvent } from '../../../src/hub/journal/types';
import { openPgRecord } from '../../../src/hub/record/pg-repository';
import type { RecordRepository } from '../../../src/hub/record/repository';
import { SqliteRecordRepository } from '../../../src/hub/record/sqlite-repository';
import { Retention, RetentionJournalUnavailable } from '../../../src/hub/retention/index';
import type { CaseAnswer } from '../../../src/shared/case-protocol';
import type { Prescription } from '../../../src/shared/consult-protocol';
import { FakeClock } from '../../../src/shared/fake-clock';
import { chunkCount } from '../../../src/shared/binary-transfer';
import { PHOTO_CHUNK_BYTES } from '../../../src/shared/record-protocol';
import { caseParts } from '../../helpers/cases';
import { startPgCluster, type PgCluster } from '../../helpers/pg-cluster';
import { tempDir } from '../../helpers/store';
import { ROOT } from '../../helpers/config';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T08:00:00.000Z');
const log = pino({ level: 'silent' });

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPgCluster();
});
afterAll(async () => {
  await cluster?.stop();
});
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Engine {
  name: string;
  fresh(): Promise<string>;
  open(where: string, clock: { now(): number }): Promise<RecordRepository>;
  /** Tables with a row that holds `text` in clear (any column). */
  tablesMentioning(where: string, text: string): Promise<string[]>;
  /** Makes every delete of a notes row fail (a disk or a server failing halfway through a purge); returns the undo. */
  breakNotesDeletes(where: string): Promise<() => Promise<void>>;
}

const keys = new FakeKeyProvider();

const sqlite: Engine = {
  name: 'SQLite',
  async fresh() {
    const d = tempDir('cabine-retention-');
    cleanups.push(d.cleanup);
    return join(d.dir, 'record.db');
  },
  async open(path, clock) {
    const repo = new SqliteRecordRepository(path, keys, clock);
    cleanups.push(() => repo.close());
    return repo;
  },
  async tablesMentioning(path, text) {
    const db = new Database(path, { readonly: true });
    try {
      const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all();
      return tables.filter(({ name }) => db.prepare(`SELECT * FROM "${name}"`).all().some((row) => Object.values(row as object).some((v) => String(v).includes(text)))).map((t) => t.name);
    } finally {
      db.close();
    }
  },
  async breakNotesDeletes(path) {
    const db = new Database(path);
    db.exec("CREATE TRIGGER notes_refuse BEFORE DELETE ON notes BEGIN SELECT RAISE(ABORT, 'disk failing'); END");
    return async () => {
      db.exec('DROP TRIGGER notes_refuse');
      db.close();
    };
  },
};

async function withPg<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const postgres: Engine = {
  name: 'PostgreSQL',
  fresh: () => cluster.createDatabase(),
  async open(url, clock) {
    const repo = await openPgRecord(url, keys, clock);
    cleanups.push(() => repo.close());
    return repo;
  },
  tablesMentioning: (url, text) => withPg(url, async (db) => {
    const tables = await db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'record'");
    const out: string[] = [];
    for (const { table_name: t } of tables.rows) {
      const rows = await db.query(`SELECT * FROM record.${db.escapeIdentifier(t)}`);
      if (rows.rows.some((row) => Object.values(row as object).some((v) => String(v).includes(text)))) out.push(t);
    }
    return out;
  }),
  async breakNotesDeletes(url) {
    await withPg(url, async (db) => {
      await db.query("CREATE FUNCTION record.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk failing'; END $$");
      await db.query('CREATE TRIGGER notes_refuse BEFORE DELETE ON record.notes FOR EACH ROW EXECUTE FUNCTION record.refuse()');
    });
    return () => withPg(url, async (db) => {
      await db.query('DROP TRIGGER notes_refuse ON record.notes');
      await db.query('DROP FUNCTION record.refuse()');
    });
  },
};

/** A whole consultation of `boothId`, its every row written at the clock's time: a case with its chunks and answer, notes, a claim, a prescription, call quality. */
async function consultation(repo: RecordRepository, clock: FakeClock, boothId = 'A') {
  const parts = caseParts(boothId);
  const at = new Date(clock.now()).toISOString();
  const { sessionId, caseId } = parts;
  const put = async (id: string, sha: string, bytes: Buffer): Promise<void> => {
    const count = chunkCount(bytes.length, PHOTO_CHUNK_BYTES);
    for (let i = 0; i < count; i++) await repo.putPhotoChunk(boothId, id, sha, count, i, bytes.subarray(i * PHOTO_CHUNK_BYTES, (i + 1) * PHOTO_CHUNK_BYTES));
  };
  if (parts.photo.kind !== 'photo' || parts.video.kind !== 'video') throw new Error('caseParts changed');
  await put(parts.photo.data.id, parts.photo.data.sha256, parts.photoBytes);
  await put(parts.video.data.id, parts.video.data.sha256, parts.videoBytes);
  await repo.ingest(boothId, randomUUID(), [parts.reading, parts.photo, parts.video, parts.manifest], 'pharmacie-test-1');
  await repo.markCaseWaiting(caseId, at);
  const rx = (n: string): Prescription => ({
    number: `CAB-${n}`, issuedAt: at, sessionId, boothId,
    prescriber: { id: 'dr-martin', name: 'Dr Claire Martin', specialty: 'Médecine générale' }, patient: { firstName: 'Jeanne', age: 81 },
    items: [{ name: 'Amoxicilline 1 g', dosage: '1 comprimé matin et soir' }], instructions: '', qr: 'CABRX1|x',
  });
  const answer: CaseAnswer = {
    caseId, kind: 'advice', advice: 'Crème émolliente', urgency: 'routine', prescription: rx(`A-${randomUUID().slice(0, 8)}`),
    answeredBy: { id: 'dr-martin', name: 'Dr Claire Martin', specialty: 'Dermatologie' }, answeredAt: at, signature: 'sig',
  };
  expect(await repo.answerCase(answer)).toEqual({ won: true });
  await repo.saveNotes(sessionId, boothId, { text: 'Lésion stable', authorId: 'dr-martin', at });
  const roomId = `room-${randomUUID().slice(0, 8)}`;
  await repo.saveClaim({ roomId, specialistId: 'dr-martin', boothId, sessionId, claimedAt: at, patient: { firstName: 'Jeanne', age: 81, reason: null, pathway: null, exceptionReason: null } });
  await repo.savePrescription(rx(`L-${randomUUID().slice(0, 8)}`));
  await repo.saveCallQuality(sessionId, { side: 'booth', boothId, roomId, at, quality: { durationSeconds: 42, receive: {}, send: {}, rttMs: 40, path: 'udp', audioOnlySeconds: 0, audioOnlyEpisodes: 0, line: { receive: 'good', send: 'good' } } as never });
  return { ...parts, roomId };
}

function retention(repo: RecordRepository, journal: MemoryJournal, clock: FakeClock, recordDays = 30): Retention {
  return new Retention({ record: repo, journal, config: { retention: { recordDays, purgeEveryHours: 24 } }, log, clock });
}

describe.each([sqlite, postgres])('retention on $name', (engine) => {
  it('purges every row of the sessions past the period, journals each first, and keeps the others readable', async () => {
    const where = await engine.fresh();
    const clock = new FakeClock(T0);
    const repo = await engine.open(where, clock);
    const old = await consultation(repo, clock);
    const refreshed = await consultation(repo, clock);
    // Room-keyed rows (a booth that gave no session id) are a session of their own.
    const roomKey = `room-${randomUUID().slice(0, 8)}`;
    await repo.saveNotes(roomKey, 'A', { text: 'sans session', authorId: 'dr-martin', at: new Date(T0).toISOString() });
    await clock.set(new Date(T0 + 25 * DAY));
    // New activity on an old session moves its last activity: it stays.
    await repo.saveNotes(refreshed.sessionId, 'A', { text: 'Revue', authorId: 'dr-martin', at: new Date(clock.now()).toISOString() });
    await clock.set(new Date(T0 + 40 * DAY));
    const recent = await consultation(repo, clock, 'B');
    await clock.set(new Date(T0 + 45 * DAY));

    const journal = new MemoryJournal();
    const before = journal.entries.length;
    const run = await retention(repo, journal, clock).purge({ role: 'system', id: 'retention' });

    expect(run.error).toBeNull();
    expect(run.purged.map((s) => s.sessionId).sort()).toEqual([old.sessionId, roomKey].sort());
    for (const id of [old.sessionId, old.caseId, old.photo.id, old.video.id, old.reading.id, old.manifest.id, old.roomId, roomKey]) {
      expect(await engine.tablesMentioning(where, id), id).toEqual([]);
    }
    expect(await repo.sessionItems(old.sessionId)).toEqual([]);
    expect(await repo.photoBytes(old.photo.id)).toBeNull();
    expect(await repo.photoBytes(old.video.id)).toBeNull();
    expect(await repo.caseRow(old.caseId)).toBeNull();
    expect(await repo.notes(old.sessionId)).toBeNull();
    expect(await repo.sessionPrescriptions(old.sessionId)).toEqual([]);
    expect(await repo.claimsOf('dr-martin', old.sessionId)).toEqual([]);
    expect(await repo.callQuality(old.sessionId)).toEqual([]);
    for (const kept of [refreshed, recent]) {
      expect(await repo.sessionItems(kept.sessionId)).toHaveLength(4);
      expect(await repo.photoBytes(kept.photo.id)).toEqual(kept.photoBytes);
      expect(await repo.photoBytes(kept.video.id)).toEqual(kept.videoBytes);
      expect((await repo.caseRow(kept.caseId))?.answer?.advice).toBe('Crème émolliente');
      expect(await repo.sessionPrescriptions(kept.sessionId)).toHaveLength(2);
      expect(await repo.claimsOf('dr-martin', kept.sessionId)).toHaveLength(1);
    }
    const purges = journal.entries.slice(before);
    expect(purges.map((e) => [e.action, e.resource, e.sessionId, e.actor.role, e.outcome]).sort()).toEqual(
      [old.sessionId, roomKey].sort().map((s) => ['purge', 'record', s, 'system', 'allowed']));
    expect(purges.find((e) => e.sessionId === old.sessionId)?.boothId).toBe('A');
    // Nothing more to do: a second run purges nothing and journals nothing.
    const again = await retention(repo, journal, clock).purge({ role: 'system', id: 'retention' });
    expect(again.purged).toEqual([]);
    expect(journal.entries).toHaveLength(before + 2);
  });

  it('stops at the first purge the journal cannot record, removing nothing it did not journal', async () => {
    const where = await engine.fresh();
    const clock = new FakeClock(T0);
    const repo = await engine.open(where, clock);
    const first = await consultation(repo, clock);
    await clock.set(new Date(T0 + DAY));
    const second = await consultation(repo, clock);
    await clock.set(new Date(T0 + 60 * DAY));
    const journal = new (class extends MemoryJournal {
      override async record(event: JournalEvent): Promise<void> {
        if (this.entries.length === 1) throw new Error('journal disk full');
        return super.record(event);
      }
    })();
    const run = await retention(repo, journal, clock).purge({ role: 'admin', id: 'ops' });
    expect(run.error).toBeInstanceOf(RetentionJournalUnavailable);
    expect((run.error as RetentionJournalUnavailable).code).toBe('RETENTION_JOURNAL_UNAVAILABLE');
    expect(run.purged.map((s) => s.sessionId)).toEqual([first.sessionId]);
    expect(journal.entries.map((e) => e.sessionId)).toEqual([first.sessionId]);
    expect(await repo.sessionItems(first.sessionId)).toEqual([]);
    // The second session, never journaled, is whole and readable.
    expect(await repo.sessionItems(second.sessionId)).toHaveLength(4);
    expect(await repo.photoBytes(second.video.id)).toEqual(second.videoBytes);
    expect(await repo.notes(second.sessionId)).not.toBeNull();
  });

  it('leaves a session whole when its purge fails halfway through its rows, and purges it on the next run', async () => {
    const where = await engine.fresh();
    const clock = new FakeClock(T0);
    const repo = await engine.open(where, clock);
    const s = await consultation(repo, clock);
    await clock.set(new Date(T0 + 60 * DAY));
    const journal = new MemoryJournal();
    // Chunks and items are deleted before notes: the failure comes after them, in the same transaction.
    const repair = await engine.breakNotesDeletes(where);
    const run = await retention(repo, journal, clock).purge({ role: 'system', id: 'retention' });
    expect(run.error?.message).toMatch(/disk failing/);
    expect(run.purged).toEqual([]);
    expect(await repo.sessionItems(s.sessionId)).toHaveLength(4);
    expect(await repo.photoBytes(s.photo.id)).toEqual(s.photoBytes);
    expect(await repo.photoBytes(s.video.id)).toEqual(s.videoBytes);
    expect(await repo.caseRow(s.caseId)).not.toBeNull();
    expect(await repo.sessionPrescriptions(s.sessionId)).toHaveLength(2);
    await repair();
    const next = await retention(repo, journal, clock).purge({ role: 'system', id: 'retention' });
    expect(next.purged.map((p) => p.sessionId)).toEqual([s.sessionId]);
    expect(await engine.tablesMentioning(where, s.sessionId)).toEqual([]);
    // Journaled at each attempt: the entry precedes the delete.
    expect(journal.entries.map((e) => e.sessionId)).toEqual([s.sessionId, s.sessionId]);
  });

  it('lists what a dry run would purge without removing it', async () => {
    const where = await engine.fresh();
    const clock = new FakeClock(T0);
    const repo = await engine.open(where, clock);
    const s = await consultation(repo, clock);
    await clock.set(new Date(T0 + 31 * DAY));
    const journal = new MemoryJournal();
    const r = retention(repo, journal, clock);
    expect((await r.expired()).map((e) => [e.sessionId, e.boothId, e.lastActivity])).toEqual([[s.sessionId, 'A', new Date(T0).toISOString()]]);
    expect(await repo.sessionItems(s.sessionId)).toHaveLength(4);
    expect(journal.entries).toEqual([]);
  });
});

describe('retention on PostgreSQL across nodes', () => {
  it('lets one node purge at a time', async () => {
    const url = await cluster.createDatabase();
    const clock = new FakeClock(T0);
    const a = await postgres.open(url, clock);
    const b = await postgres.open(url, clock);
    const s = await consultation(a, clock);
    await clock.set(new Date(T0 + 60 * DAY));
    const journal = new MemoryJournal();
    let inside: Awaited<ReturnType<Retention['purge']>> | null = null;
    await a.exclusivePurge(async () => {
      inside = await retention(b, journal, clock).purge({ role: 'system', id: 'retention' });
    });
    expect(inside!.busy).toBe(true);
    expect(journal.entries).toEqual([]);
    expect(await b.sessionItems(s.sessionId)).toHaveLength(4);
    // Released: the other node's turn.
    const run = await retention(b, journal, clock).purge({ role: 'system', id: 'retention' });
    expect(run.purged.map((p) => p.sessionId)).toEqual([s.sessionId]);
  });
});

describe('retention killed mid-run (SQLite)', () => {
  it('leaves the session whose entry was written but whose rows were not deleted whole, and the next run purges it', async () => {
    const where = await sqlite.fresh();
    const clock = new FakeClock(T0);
    const repo = await sqlite.open(where, clock);
    const first = await consultation(repo, clock);
    await clock.set(new Date(T0 + DAY));
    const second = await consultation(repo, clock);
    const now = T0 + 60 * DAY;
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/retention/purge-until-second-entry.ts', where, String(now)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    await expect.poll(() => out, { timeout: 20_000 }).toContain(`journaled ${second.sessionId}`);
    child.kill('SIGKILL');
    // Killed, not ended on its own: the purge was cut between the entry and the delete.
    expect(await exited).toBe('SIGKILL');
    expect(await repo.sessionItems(first.sessionId)).toEqual([]);
    expect(await sqlite.tablesMentioning(where, first.sessionId)).toEqual([]);
    expect(await repo.sessionItems(second.sessionId)).toHaveLength(4);
    expect(await repo.photoBytes(second.video.id)).toEqual(second.videoBytes);
    expect(await repo.sessionPrescriptions(second.sessionId)).toHaveLength(2);
    await clock.set(new Date(now));
    const journal = new MemoryJournal();
    const run = await retention(repo, journal, clock).purge({ role: 'system', id: 'retention' });
    expect(run.purged.map((p) => p.sessionId)).toEqual([second.sessionId]);
    expect(await sqlite.tablesMentioning(where, second.sessionId)).toEqual([]);
  });
});

describe('the retention timer', () => {
  it('purges shortly after start, then every purgeEveryHours', async () => {
    const where = await sqlite.fresh();
    const clock = new FakeClock(T0);
    const repo = await sqlite.open(where, clock);
    const first = await consultation(repo, clock);
    await clock.set(new Date(T0 + 30 * DAY - 60_000));
    const journal = new MemoryJournal();
    const r = new Retention({ record: repo, journal, config: { retention: { recordDays: 30, purgeEveryHours: 6 } }, log, clock, firstRunAfterMs: 120_000 });
    r.start();
    cleanups.push(() => r.stop());
    await clock.advance(120_000);
    await r.purge({ role: 'system', id: 'retention' }); // joins the timed run under way
    expect(journal.entries.map((e) => [e.sessionId, e.actor.id])).toEqual([[first.sessionId, 'retention']]);
    const second = await consultation(repo, clock);
    await clock.set(new Date(clock.now() + 30 * DAY));
    await clock.advance(6 * 3_600_000);
    await r.purge({ role: 'system', id: 'retention' });
    expect(journal.entries.map((e) => e.sessionId)).toEqual([first.sessionId, second.sessionId]);
  });
});
