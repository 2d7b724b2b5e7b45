/**
 * The hub's record, one contract on both engines: a SQLite file (the
 * embedded default) and a PostgreSQL database (a network of hub nodes).
 * Each engine migrates from every earlier version keeping its rows, seals
 * bodies, notes, claims, prescriptions and chunks at rest, stores a batch
 * once, refuses a replayed batch and a duplicate prescription number.
 * PostgreSQL alone: two nodes on one database (migrating at once, ingesting
 * the same items at once), a server lost mid-run and back, a server that
 * cannot be reached at start.
 */
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import type { KeyProvider } from '../../../src/node/keys';
import { seal } from '../../../src/node/seal';
import { PG_RECORD_VERSION, migratePgRecord, openPgRecord } from '../../../src/hub/record/pg-repository';
import type { CallQualityRecord, ClaimRecord, RecordRepository } from '../../../src/hub/record/repository';
import { RECORD_MIGRATIONS, RECORD_VERSION, SqliteRecordRepository } from '../../../src/hub/record/sqlite-repository';
import type { Prescription } from '../../../src/shared/consult-protocol';
import type { CallQuality } from '../../../src/shared/media-protocol';
import type { RecordItem } from '../../../src/shared/record-protocol';
import { startPgCluster, type PgCluster } from '../../helpers/pg-cluster';
import { tempDir, temperature } from '../../helpers/store';
import { caseParts } from '../../helpers/cases';
import type { CaseAnswer } from '../../../src/shared/case-protocol';

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

/** The rows a store at version `version` may hold, written in that engine's own SQL. */
interface Seed {
  item: RecordItem;
  notes?: { sessionKey: string; boothId: string; authorId: string; at: string; text: string };
  claim?: ClaimRecord;
  prescription?: Prescription;
}

interface Engine {
  name: string;
  /** A new, empty store's address (a file path, a database URL). */
  fresh(): Promise<string>;
  open(where: string, keys: KeyProvider): Promise<RecordRepository>;
  /** Builds the schema up to `version` only and writes `seed` in it, as an older hub would have. */
  seedAt(where: string, version: number, keys: KeyProvider, seed: Seed): Promise<void>;
  version(where: string): Promise<number>;
  /** Every byte the store holds for its rows, for a search in clear. */
  rawBytes(where: string): Promise<Buffer>;
}

const sqlite: Engine = {
  name: 'SQLite',
  async fresh() {
    const d = tempDir('cabine-record-');
    cleanups.push(d.cleanup);
    return join(d.dir, 'record.db');
  },
  async open(path, keys) {
    const repo = new SqliteRecordRepository(path, keys);
    cleanups.push(() => repo.close());
    return repo;
  },
  async seedAt(path, version, keys, seed) {
    const db = new Database(path);
    RECORD_MIGRATIONS.slice(0, version).forEach((sql) => db.exec(sql));
    db.pragma(`user_version = ${version}`);
    const { item, notes, claim, prescription: p } = seed;
    db.prepare('INSERT INTO items (id, booth_id, session_id, kind, seq, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(item.id, item.boothId, item.sessionId, item.kind, item.seq, '2026-03-02T09:00:00.000Z', seal(keys, `items:${item.id}`, Buffer.from(JSON.stringify(item))));
    if (notes) {
      db.prepare('INSERT INTO notes (session_key, booth_id, author_id, updated_at, body) VALUES (?, ?, ?, ?, ?)')
        .run(notes.sessionKey, notes.boothId, notes.authorId, notes.at, seal(keys, `notes:${notes.sessionKey}`, Buffer.from(notes.text, 'utf8')));
    }
    if (claim) {
      db.prepare('INSERT INTO claims (room_id, specialist_id, booth_id, session_id, claimed_at, body) VALUES (?, ?, ?, ?, ?, ?)')
        .run(claim.roomId, claim.specialistId, claim.boothId, claim.sessionId, claim.claimedAt, seal(keys, `claims:${claim.roomId}`, Buffer.from(JSON.stringify(claim.patient))));
    }
    if (p) {
      db.prepare('INSERT INTO prescriptions (number, booth_id, session_id, issued_at, body) VALUES (?, ?, ?, ?, ?)')
        .run(p.number, p.boothId, p.sessionId, p.issuedAt, seal(keys, `prescriptions:${p.number}`, Buffer.from(JSON.stringify(p))));
    }
    db.close();
  },
  async version(path) {
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      return db.pragma('user_version', { simple: true }) as number;
    } finally {
      db.close();
    }
  },
  async rawBytes(path) {
    return Buffer.concat([path, `${path}-wal`].map((p) => { try { return readFileSync(p); } catch { return Buffer.alloc(0); } }));
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
  async open(url, keys) {
    const repo = await openPgRecord(url, keys);
    cleanups.push(() => repo.close());
    return repo;
  },
  async seedAt(url, version, keys, seed) {
    await withPg(url, async (db) => {
      expect(await migratePgRecord(db, version)).toBe(version);
      const { item, notes, claim, prescription: p } = seed;
      await db.query('INSERT INTO items (id, booth_id, session_id, kind, seq, received_at, body) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [item.id, item.boothId, item.sessionId, item.kind, item.seq, '2026-03-02T09:00:00.000Z', seal(keys, `items:${item.id}`, Buffer.from(JSON.stringify(item)))]);
      if (notes) {
        await db.query('INSERT INTO notes (session_key, booth_id, author_id, updated_at, body) VALUES ($1, $2, $3, $4, $5)',
          [notes.sessionKey, notes.boothId, notes.authorId, notes.at, seal(keys, `notes:${notes.sessionKey}`, Buffer.from(notes.text, 'utf8'))]);
      }
      if (claim) {
        await db.query('INSERT INTO claims (room_id, specialist_id, booth_id, session_id, claimed_at, body) VALUES ($1, $2, $3, $4, $5, $6)',
          [claim.roomId, claim.specialistId, claim.boothId, claim.sessionId, claim.claimedAt, seal(keys, `claims:${claim.roomId}`, Buffer.from(JSON.stringify(claim.patient)))]);
      }
      if (p) {
        await db.query('INSERT INTO prescriptions (number, booth_id, session_id, issued_at, body) VALUES ($1, $2, $3, $4, $5)',
          [p.number, p.boothId, p.sessionId, p.issuedAt, seal(keys, `prescriptions:${p.number}`, Buffer.from(JSON.stringify(p)))]);
      }
    });
  },
  version: (url) => withPg(url, async (db) => (await db.query<{ version: number }>('SELECT version FROM record.schema_version')).rows[0]!.version),
  rawBytes: (url) => withPg(url, async (db) => {
    // Every value of every row of every table, as the server returns it: a bytea
    // column as its bytes, a text column as its characters.
    const tables = await db.query<{ table_schema: string; table_name: string }>(
      "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')");
    expect(tables.rows.length).toBeGreaterThan(0);
    const parts: Buffer[] = [];
    for (const { table_schema: schema, table_name: table } of tables.rows) {
      const rows = await db.query<{ [column: string]: unknown }>(`SELECT * FROM ${db.escapeIdentifier(schema)}.${db.escapeIdentifier(table)}`);
      for (const row of rows.rows) {
        for (const value of Object.values(row)) parts.push(Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8'));
      }
    }
    return Buffer.concat(parts);
  }),
};

const rx: Prescription = {
  number: 'CAB-2026-7K3F9Q2M-X', issuedAt: '2026-03-02T09:15:00.000Z', sessionId: 'session-1', boothId: 'A',
  prescriber: { id: 'dr-martin', name: 'Dr Claire Martin', specialty: 'Médecine générale' }, patient: { firstName: 'Jeanne', age: 81 },
  items: [{ name: 'Amoxicilline 1 g', dosage: '1 comprimé matin et soir' }], instructions: '', qr: 'CABRX1|…',
};

const claim: ClaimRecord = {
  roomId: 'room-1', specialistId: 'dr-martin', boothId: 'A', sessionId: 'session-1', claimedAt: '2026-03-02T09:10:00.000Z',
  patient: { firstName: 'Jeanne', age: 81, reason: 'Plaque rouge', pathway: null, exceptionReason: null },
};

let seq = 0;
function reading(boothId = 'A', sessionId: string | null = 'session-1', value = 37.9): RecordItem {
  const r = temperature(value, sessionId);
  return { id: r.id, boothId, sessionId, seq: ++seq, kind: 'reading', data: r };
}

function quality(over: Partial<CallQuality> = {}): CallQuality {
  return {
    durationSeconds: 42,
    receive: { audioConcealedRatio: 0.004, videoFreezeCount: 1, videoFreezeSeconds: 0.6, videoFps: 24.5, videoWidth: 640, videoHeight: 480, videoKbps: 850, audioKbps: 38 },
    send: { videoKbps: 900, audioKbps: 40, videoWidth: 640, videoHeight: 480 },
    rttMs: 48, path: 'udp', audioOnlySeconds: 0, audioOnlyEpisodes: 0, line: { receive: 'good', send: 'good' },
    ...over,
  };
}

it('keeps one migration history per engine, of the same length', () => {
  expect(PG_RECORD_VERSION).toBe(RECORD_VERSION);
});

describe.each([sqlite, postgres])('the record on $name', (engine) => {
  async function fresh(keys: KeyProvider = new FakeKeyProvider()): Promise<RecordRepository> {
    return engine.open(await engine.fresh(), keys);
  }

  for (let from = 1; from < RECORD_VERSION; from++) {
    it(`opens a store at version ${from}, keeps its rows and migrates to the latest`, async () => {
      const where = await engine.fresh();
      const keys = new FakeKeyProvider();
      const item = reading();
      const notes = { sessionKey: 'session-1', boothId: 'A', authorId: 'dr-martin', at: '2026-03-02T09:20:00.000Z', text: 'Angine probable' };
      const consultation = from >= 2 ? { notes, claim, prescription: rx } : {};
      await engine.seedAt(where, from, keys, { item, ...consultation });

      const repo = await engine.open(where, keys);
      expect(await engine.version(where)).toBe(RECORD_VERSION);
      expect((await repo.sessionItems('session-1')).map((s) => s.item)).toEqual([item]);
      expect(await repo.item(item.id)).toMatchObject({ boothId: 'A', item });
      if (from < 2) {
        await repo.saveNotes('session-1', 'A', { text: notes.text, authorId: notes.authorId, at: notes.at });
        await repo.saveClaim(claim);
        await repo.savePrescription(rx);
      }
      await repo.saveCallQuality('session-1', { side: 'booth', boothId: 'A', roomId: 'room-1', at: '2026-03-02T09:30:00.000Z', quality: quality() });
      await repo.close();

      const again = await engine.open(where, keys);
      expect(await again.notes('session-1')).toEqual({ text: 'Angine probable', authorId: 'dr-martin', at: '2026-03-02T09:20:00.000Z' });
      expect((await again.claimsOf('dr-martin', 'session-1')).map((c) => c.patient.firstName)).toEqual(['Jeanne']);
      expect(await again.claimsOf('dr-durand', 'session-1')).toEqual([]);
      expect(await again.pendingPrescriptions('A')).toEqual([rx]);
      expect((await again.callQuality('session-1')).map((q) => q.side)).toEqual(['booth']);
      expect((await again.boothItems('A')).map((s) => s.item)).toEqual([item]);
      // The case index (4) works on a store migrated from here.
      const c = caseParts('A');
      await again.ingest('A', uuidv7(), [c.manifest], 'pharmacie-a');
      expect(await again.caseRow(c.caseId)).toMatchObject({ state: 'incomplete', pharmacyId: 'pharmacie-a' });
    });
  }

  const answerOf = (caseId: string, name: string, over: Partial<CaseAnswer> = {}): CaseAnswer => ({
    caseId, kind: 'advice', advice: `Hydratation cutanée (${name})`, urgency: 'routine',
    answeredBy: { id: name.toLowerCase(), name, specialty: 'Dermatologie' }, answeredAt: '2026-03-03T10:00:00.000Z', signature: 'sig', ...over,
  });

  it('indexes a case when its manifest is stored, steps it to waiting once, and keeps one answer of two sent at once', async () => {
    const repo = await fresh();
    const c = caseParts('A', 'dermatology');
    await repo.ingest('A', uuidv7(), [c.manifest], 'pharmacie-a');
    // The same manifest again (an outbox resending it) indexes nothing more.
    await repo.ingest('A', uuidv7(), [c.manifest], 'pharmacie-a');
    expect(await repo.casesOfSession(c.sessionId)).toEqual([expect.objectContaining({
      caseId: c.caseId, boothId: 'A', pharmacyId: 'pharmacie-a', manifestId: c.manifest.id, specialty: 'dermatology', pickupCode: 'K7M4QP', state: 'incomplete', receivedAt: null, answer: null,
    })]);
    expect((await repo.incompleteCases()).map((r) => r.caseId)).toEqual([c.caseId]);
    expect(await repo.casesOfSpecialties(['dermatology'], '2026-01-01T00:00:00.000Z')).toEqual([]);
    // Not waiting yet: no answer can win.
    expect(await repo.answerCase(answerOf(c.caseId, 'Bernard'))).toEqual({ won: false, answeredBy: null });

    expect(await repo.markCaseWaiting(c.caseId, '2026-03-03T09:00:00.000Z')).toBe(true);
    expect(await repo.markCaseWaiting(c.caseId, '2026-03-03T09:05:00.000Z')).toBe(false);
    expect((await repo.casesOfSpecialties(['dermatology'], '2026-01-01T00:00:00.000Z')).map((r) => [r.caseId, r.state, r.receivedAt])).toEqual([[c.caseId, 'waiting', '2026-03-03T09:00:00.000Z']]);
    expect(await repo.casesOfSpecialties(['general'], '2026-01-01T00:00:00.000Z')).toEqual([]);

    const withRx = answerOf(c.caseId, 'Bernard', { prescription: { ...rx, number: 'CAB-2026-7K3F9Q2M-B', sessionId: c.sessionId } });
    const outcomes = await Promise.all([repo.answerCase(withRx), repo.answerCase(answerOf(c.caseId, 'Leroy'))]);
    expect(outcomes.filter((o) => o.won)).toHaveLength(1);
    const row = await repo.caseRow(c.caseId);
    const winner = row!.answer!.answeredBy.name;
    expect(outcomes.find((o) => !o.won)).toEqual({ won: false, answeredBy: winner });
    expect(row).toMatchObject({ state: 'answered', answeredBy: winner.toLowerCase(), answeredAt: '2026-03-03T10:00:00.000Z' });
    // The answer's prescription is handed over at the counter: in the session's record, never pending for the booth.
    expect(await repo.pendingPrescriptions('A')).toEqual([]);
    expect((await repo.sessionPrescriptions(c.sessionId)).map((p) => p.prescription.number)).toEqual(winner === 'Bernard' ? ['CAB-2026-7K3F9Q2M-B'] : []);
    expect(await repo.answerCase(answerOf(c.caseId, 'Durand'))).toEqual({ won: false, answeredBy: winner });

    const by = { staffId: 'marie', name: 'Marie Dubois', at: '2026-03-03T10:05:00.000Z' };
    expect(await repo.acknowledgeCase(c.caseId, by)).toBe(true);
    expect(await repo.acknowledgeCase(c.caseId, { ...by, staffId: 'paul' })).toBe(false);
    expect((await repo.casesOfPharmacy('pharmacie-a')).map((r) => r.acknowledgedBy)).toEqual([by]);
    expect(await repo.casesOfPharmacy('pharmacie-b')).toEqual([]);
  });

  it('refuses an answer whose prescription number exists, storing nothing of it', async () => {
    const repo = await fresh();
    const c = caseParts('A');
    await repo.ingest('A', uuidv7(), [c.manifest], 'pharmacie-a');
    await repo.markCaseWaiting(c.caseId, '2026-03-03T09:00:00.000Z');
    await repo.savePrescription(rx);
    await expect(repo.answerCase(answerOf(c.caseId, 'Bernard', { prescription: rx }))).rejects.toMatchObject({ code: 'DUPLICATE_NUMBER' });
    expect(await repo.caseRow(c.caseId)).toMatchObject({ state: 'waiting', answer: null });
  });

  it('holds a case\'s answer sealed at rest', async () => {
    const where = await engine.fresh();
    const repo = await engine.open(where, new FakeKeyProvider());
    const c = caseParts('A');
    await repo.ingest('A', uuidv7(), [c.manifest], 'pharmacie-a');
    await repo.markCaseWaiting(c.caseId, '2026-03-03T09:00:00.000Z');
    expect(await repo.answerCase(answerOf(c.caseId, 'Bernard', { advice: 'Crème-émolliente-quotidienne' }))).toEqual({ won: true });
    await repo.close();
    const raw = await engine.rawBytes(where);
    expect(raw.includes(Buffer.from(c.caseId))).toBe(true);
    for (const clear of ['Crème-émolliente-quotidienne', 'Cette lésion est-elle suspecte', '0612345678']) expect(raw.includes(Buffer.from(clear, 'utf8')), clear).toBe(false);
  });

  it('acknowledges new items, reports ids already held as duplicates, and orders arrival across booths', async () => {
    const repo = await fresh();
    const [a1, a2, b1] = [reading('A'), reading('A'), reading('B', 'session-b')];
    expect(await repo.ingest('A', uuidv7(), [a1, a2])).toEqual({ acked: [a1.id, a2.id], duplicates: [] });
    expect(await repo.ingest('B', uuidv7(), [b1])).toEqual({ acked: [b1.id], duplicates: [] });
    const a3 = reading('A');
    // A resent batch under a fresh id, plus one new item and an id twice: the first of the two is stored.
    expect(await repo.ingest('A', uuidv7(), [a2, a3, a3, a1])).toEqual({ acked: [a3.id], duplicates: [a2.id, a3.id, a1.id] });

    const items = await repo.boothItems('A');
    expect(items.map((s) => s.item)).toEqual([a1, a2, a3]);
    const arrivals = [...items, ...await repo.boothItems('B')].map((s) => s.arrival).sort((x, y) => x - y);
    expect(new Set(arrivals).size).toBe(4);
    expect((await repo.item(b1.id))!.arrival).toBeGreaterThan((await repo.item(a2.id))!.arrival);
    expect((await repo.item(a3.id))!.arrival).toBeGreaterThan((await repo.item(b1.id))!.arrival);
    expect((await repo.sessionItems('session-b')).map((s) => s.item)).toEqual([b1]);
    expect(await repo.item(b1.id)).toMatchObject({ boothId: 'B', item: b1, receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(await repo.item(uuidv7())).toBeNull();
  });

  it('refuses a replayed batch id and stores nothing of it', async () => {
    const repo = await fresh();
    const batchId = uuidv7();
    const first = reading();
    await repo.ingest('A', batchId, [first]);
    const fresher = reading();
    await expect(repo.ingest('A', batchId, [fresher])).rejects.toMatchObject({ code: 'REPLAYED_BATCH' });
    expect(await repo.item(fresher.id)).toBeNull();
    expect((await repo.boothItems('A')).map((s) => s.item)).toEqual([first]);
  });

  it('gathers a photo chunk by chunk, once each, and refuses a chunk that does not fit it', async () => {
    const repo = await fresh();
    const photo = uuidv7();
    const parts = [Buffer.from('first part of the picture'), Buffer.from('second part')];
    expect(await repo.putPhotoChunk('A', photo, 'f'.repeat(64), 2, 1, parts[1]!)).toBe(1);
    expect(await repo.photoBytes(photo)).toBeNull();
    expect(await repo.putPhotoChunk('A', photo, 'f'.repeat(64), 2, 1, parts[1]!)).toBe(1);
    await expect(repo.putPhotoChunk('B', photo, 'f'.repeat(64), 2, 0, parts[0]!)).rejects.toMatchObject({ code: 'PHOTO_MISMATCH' });
    await expect(repo.putPhotoChunk('A', photo, 'e'.repeat(64), 2, 0, parts[0]!)).rejects.toMatchObject({ code: 'PHOTO_MISMATCH' });
    await expect(repo.putPhotoChunk('A', photo, 'f'.repeat(64), 2, 2, parts[0]!)).rejects.toMatchObject({ code: 'INVALID_CHUNK' });
    expect(await repo.putPhotoChunk('A', photo, 'f'.repeat(64), 2, 0, parts[0]!)).toBe(2);
    expect(await repo.photoBytes(photo)).toEqual(Buffer.concat(parts));
    expect(await repo.photoBytes(uuidv7())).toBeNull();
  });

  it('keeps the latest notes, a claim once per room and each side\'s latest call quality', async () => {
    const repo = await fresh();
    expect(await repo.notes('session-1')).toBeNull();
    await repo.saveNotes('session-1', 'A', { text: 'Angine ?', authorId: 'dr-martin', at: '2026-03-02T09:20:00.000Z' });
    await repo.saveNotes('session-1', 'A', { text: 'Angine probable', authorId: 'dr-durand', at: '2026-03-02T09:21:00.000Z' });
    expect(await repo.notes('session-1')).toEqual({ text: 'Angine probable', authorId: 'dr-durand', at: '2026-03-02T09:21:00.000Z' });

    const later: ClaimRecord = { ...claim, roomId: 'room-2', claimedAt: '2026-03-02T09:40:00.000Z' };
    await repo.saveClaim(later);
    await repo.saveClaim(claim);
    await repo.saveClaim({ ...claim, specialistId: 'dr-durand' });
    expect((await repo.claimsOf('dr-martin', 'session-1')).map((c) => c.roomId)).toEqual(['room-1', 'room-2']);
    expect(await repo.claimsOf('dr-martin', 'session-1')).toContainEqual(claim);
    expect(await repo.claimsOf('dr-durand', 'session-1')).toEqual([]);

    const booth: CallQualityRecord = { side: 'booth', boothId: 'A', roomId: 'room-1', at: '2026-03-02T09:30:00.000Z', quality: quality() };
    const specialist: CallQualityRecord = { ...booth, side: 'specialist', quality: quality({ path: 'relay-tls' }) };
    await repo.saveCallQuality('session-1', specialist);
    await repo.saveCallQuality('session-1', booth);
    const latest = { ...booth, at: '2026-03-02T09:31:00.000Z', quality: quality({ durationSeconds: 60 }) };
    await repo.saveCallQuality('session-1', latest);
    expect(await repo.callQuality('session-1')).toEqual([latest, specialist]);
    expect(await repo.callQuality('session-2')).toEqual([]);
  });

  it('refuses a second prescription under the same number and marks delivery once', async () => {
    const repo = await fresh();
    const second: Prescription = { ...rx, number: 'CAB-2026-7K3F9Q2M-A', issuedAt: '2026-03-02T09:16:00.000Z' };
    await repo.savePrescription(second);
    await repo.savePrescription(rx);
    await expect(repo.savePrescription({ ...rx, items: [{ name: 'Autre', dosage: 'x' }] })).rejects.toMatchObject({ code: 'DUPLICATE_NUMBER' });
    expect(await repo.pendingPrescriptions('A')).toEqual([rx, second]);
    expect(await repo.markPrescriptionDelivered(rx.number, '2026-03-02T09:30:00.000Z', true)).toBe(true);
    expect(await repo.markPrescriptionDelivered(rx.number, '2026-03-02T09:31:00.000Z', false)).toBe(false);
    expect(await repo.markPrescriptionDelivered('CAB-UNKNOWN', '2026-03-02T09:31:00.000Z', false)).toBe(false);
    expect(await repo.sessionPrescriptions('session-1')).toEqual([
      { prescription: rx, deliveredAt: '2026-03-02T09:30:00.000Z', printed: true },
      { prescription: second, deliveredAt: null, printed: false },
    ]);
    expect(await repo.pendingPrescriptions('A')).toEqual([second]);
  });

  it('holds item bodies, notes, claims, prescriptions and chunks sealed at rest', async () => {
    const where = await engine.fresh();
    const repo = await engine.open(where, new FakeKeyProvider());
    const item = reading('A', 'session-1', 38.7);
    await repo.ingest('A', uuidv7(), [item]);
    await repo.putPhotoChunk('A', uuidv7(), 'f'.repeat(64), 1, 0, Buffer.from('RAW-PHOTO-BYTES-grain-de-beaute'));
    await repo.saveNotes('session-1', 'A', { text: 'Eczéma de contact probable', authorId: 'dr-martin', at: new Date().toISOString() });
    await repo.saveClaim(claim);
    await repo.savePrescription(rx);
    await repo.close();
    const raw = await engine.rawBytes(where);
    // Ids stay in clear for lookups: proof that the search reads the data.
    for (const clear of ['dr-martin', item.id]) expect(raw.includes(Buffer.from(clear))).toBe(true);
    for (const clear of ['Body temperature', '38.7', 'thermometer-1', 'RAW-PHOTO-BYTES', 'Eczéma de contact', 'Jeanne', 'Plaque rouge', 'Amoxicilline']) {
      expect(raw.includes(Buffer.from(clear, 'utf8')), clear).toBe(false);
    }
  });
});

describe('the record on PostgreSQL, several nodes', () => {
  it('opens a row SQLite sealed, moved as it is: same key, same binding', async () => {
    const keys = new FakeKeyProvider();
    const path = await sqlite.fresh();
    const lite = await sqlite.open(path, keys);
    const item = reading();
    await lite.ingest('A', uuidv7(), [item]);
    await lite.putPhotoChunk('A', item.id, 'f'.repeat(64), 1, 0, Buffer.from('chunk bytes'));
    await lite.close();
    const db = new Database(path, { readonly: true });
    const row = db.prepare<[], { id: string; booth_id: string; session_id: string | null; kind: string; seq: number; received_at: string; body: Buffer }>('SELECT id, booth_id, session_id, kind, seq, received_at, body FROM items').get()!;
    const chunk = db.prepare<[], { photo_id: string; booth_id: string; sha256: string; count: number; idx: number; data: Buffer }>('SELECT * FROM photo_chunks').get()!;
    db.close();

    const url = await postgres.fresh();
    const repo = await postgres.open(url, keys);
    await withPg(url, async (c) => {
      await c.query('INSERT INTO record.items (id, booth_id, session_id, kind, seq, received_at, body) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [row.id, row.booth_id, row.session_id, row.kind, row.seq, row.received_at, row.body]);
      await c.query('INSERT INTO record.photo_chunks (photo_id, booth_id, sha256, count, idx, data) VALUES ($1, $2, $3, $4, $5, $6)',
        [chunk.photo_id, chunk.booth_id, chunk.sha256, chunk.count, chunk.idx, chunk.data]);
    });
    expect(await repo.item(item.id)).toMatchObject({ boothId: 'A', item, receivedAt: row.received_at });
    expect(await repo.photoBytes(item.id)).toEqual(Buffer.from('chunk bytes'));
  });

  it('shares a database with other stores: its tables live in their own schema', async () => {
    const url = await postgres.fresh();
    // Another store's table of the same name (the live state's claims), already there.
    await withPg(url, (c) => c.query('CREATE TABLE claims (booth_id TEXT PRIMARY KEY, live BOOLEAN NOT NULL)'));
    const repo = await postgres.open(url, new FakeKeyProvider());
    await repo.saveClaim(claim);
    expect(await repo.claimsOf('dr-martin', 'session-1')).toEqual([claim]);
    await withPg(url, async (c) => {
      expect((await c.query('SELECT * FROM public.claims')).rows).toEqual([]);
      const tables = await c.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'record' ORDER BY table_name");
      expect(tables.rows.map((t) => t.table_name)).toEqual(['batches', 'call_quality', 'cases', 'claims', 'items', 'notes', 'patient_index', 'patient_index_backfill', 'photo_chunks', 'prescriptions', 'schema_version']);
    });
  });

  it('migrates once when two nodes open a new database at the same time', async () => {
    const url = await postgres.fresh();
    const keys = new FakeKeyProvider();
    const [a, b] = await Promise.all([postgres.open(url, keys), postgres.open(url, keys)]);
    expect(await postgres.version(url)).toBe(PG_RECORD_VERSION);
    const item = reading();
    await a.ingest('A', uuidv7(), [item]);
    expect(await b.item(item.id)).toMatchObject({ item });
  });

  it('stores once the same items ingested at once through two nodes; one of them reports them as duplicates', async () => {
    const url = await postgres.fresh();
    const keys = new FakeKeyProvider();
    const [a, b] = [await postgres.open(url, keys), await postgres.open(url, keys)];
    const items = Array.from({ length: 50 }, () => reading());
    // The booth resent its batch after a cut, under a fresh batch id, and the two copies reached two nodes.
    const outcomes = await Promise.all([a.ingest('A', uuidv7(), items), b.ingest('A', uuidv7(), items)]);
    const ids = items.map((i) => i.id);
    expect([...outcomes[0].acked, ...outcomes[1].acked].sort()).toEqual([...ids].sort());
    expect([...outcomes[0].duplicates, ...outcomes[1].duplicates].sort()).toEqual([...ids].sort());
    expect(outcomes.some((o) => o.duplicates.length > 0)).toBe(true);
    expect((await a.boothItems('A')).map((s) => s.item.id)).toEqual(ids);

    // The very same batch id on both: one stores it, the other refuses it as a replay.
    const more = Array.from({ length: 20 }, () => reading());
    const batchId = uuidv7();
    const settled = await Promise.allSettled([a.ingest('A', batchId, more), b.ingest('A', batchId, more)]);
    expect(settled.filter((s) => s.status === 'fulfilled').map((s) => s.value)).toEqual([{ acked: more.map((i) => i.id), duplicates: [] }]);
    expect(settled.filter((s) => s.status === 'rejected').map((s) => (s.reason as { code: string }).code)).toEqual(['REPLAYED_BATCH']);
    expect(await b.boothItems('A')).toHaveLength(ids.length + more.length);
  });

  it('refuses with RECORD_UNAVAILABLE, acknowledging nothing, while the server is down, and stores the batch once when it is back', async () => {
    const url = await postgres.fresh();
    const repo = await postgres.open(url, new FakeKeyProvider());
    const before = reading();
    await repo.ingest('A', uuidv7(), [before]);
    const batchId = uuidv7();
    const batch = [reading(), reading()];
    cluster.halt('immediate');
    try {
      const error = await repo.ingest('A', batchId, batch).then(() => null, (e: unknown) => e);
      expect(error).toMatchObject({ code: 'RECORD_UNAVAILABLE', message: expect.stringContaining(`127.0.0.1:${cluster.port}`) });
      expect((error as Error).message).toMatch(/nothing was stored or acknowledged/);
      await expect(repo.boothItems('A')).rejects.toMatchObject({ code: 'RECORD_UNAVAILABLE' });
    } finally {
      cluster.restart();
    }
    expect(await repo.ingest('A', batchId, batch)).toEqual({ acked: batch.map((i) => i.id), duplicates: [] });
    expect(await repo.ingest('A', uuidv7(), batch)).toEqual({ acked: [], duplicates: batch.map((i) => i.id) });
    expect((await repo.boothItems('A')).map((s) => s.item.id)).toEqual([before.id, ...batch.map((i) => i.id)]);
  });

  it('refuses with RECORD_UNAVAILABLE a request the server stops answering, and stores the batch once when it answers again', async () => {
    const url = await postgres.fresh();
    const proxy = await freezingProxy(cluster.port);
    cleanups.push(() => proxy.close());
    const repo = await openPgRecord(url.replace(`:${cluster.port}/`, `:${proxy.port}/`), new FakeKeyProvider(), undefined, { queryTimeoutMs: 400, connectTimeoutMs: 400 });
    cleanups.push(() => repo.close());
    const before = reading();
    await repo.ingest('A', uuidv7(), [before]);
    const batchId = uuidv7();
    const batch = [reading(), reading()];
    proxy.freeze();
    await expect(repo.ingest('A', batchId, batch)).rejects.toMatchObject({ code: 'RECORD_UNAVAILABLE', message: expect.stringContaining(`127.0.0.1:${proxy.port}`) });
    proxy.thaw();
    expect(await repo.ingest('A', batchId, batch)).toEqual({ acked: batch.map((i) => i.id), duplicates: [] });
    expect((await repo.boothItems('A')).map((s) => s.item.id)).toEqual([before.id, ...batch.map((i) => i.id)]);
  });

  it('refuses to open a database a newer hub has migrated past its own history', async () => {
    const url = await postgres.fresh();
    await postgres.open(url, new FakeKeyProvider());
    await withPg(url, (c) => c.query('UPDATE record.schema_version SET version = $1', [PG_RECORD_VERSION + 1]));
    await expect(openPgRecord(url, new FakeKeyProvider())).rejects.toMatchObject({ code: 'RECORD_SCHEMA_NEWER', message: expect.stringMatching(/upgrade this node/) });
  });

  it('fails to open with RECORD_UNAVAILABLE naming host and port on a database the server does not have', async () => {
    await expect(openPgRecord(`postgresql://cabine@127.0.0.1:${cluster.port}/no_such_record`, new FakeKeyProvider())).rejects.toMatchObject({
      code: 'RECORD_UNAVAILABLE', message: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${cluster.port}.*"no_such_record" does not exist`)),
    });
  });

  it('fails to open with RECORD_UNAVAILABLE naming host and port when nothing answers, or something answers nothing', async () => {
    const closed = await freePort();
    await expect(openPgRecord(`postgresql://cabine@127.0.0.1:${closed}/record`, new FakeKeyProvider())).rejects.toMatchObject({
      code: 'RECORD_UNAVAILABLE', message: expect.stringContaining(`127.0.0.1:${closed}`),
    });
    // A server that accepts the connection and never speaks: the connect timeout ends the wait.
    const silent = await silentServer();
    cleanups.push(() => silent.close());
    await expect(openPgRecord(`postgresql://cabine@127.0.0.1:${silent.port}/record`, new FakeKeyProvider(), undefined, { connectTimeoutMs: 300 })).rejects.toMatchObject({
      code: 'RECORD_UNAVAILABLE', message: expect.stringContaining(`127.0.0.1:${silent.port}`),
    });
  });
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** A TCP relay to the server that can stop passing bytes either way, as a cut network would (no reset, just silence). */
async function freezingProxy(target: number): Promise<{ port: number; freeze(): void; thaw(): void; close(): Promise<void> }> {
  let frozen = false;
  const sockets = new Set<Socket>();
  const srv = createServer((down) => {
    const up = connect(target, '127.0.0.1');
    for (const s of [down, up]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => { down.destroy(); up.destroy(); });
    }
    down.on('data', (b) => { if (!frozen) up.write(b); });
    up.on('data', (b) => { if (!frozen) down.write(b); });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  return {
    port,
    freeze: () => { frozen = true; },
    thaw: () => { frozen = false; },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      srv.close(() => resolve());
    }),
  };
}

async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => { sockets.add(s); });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      srv.close(() => resolve());
    }),
  };
}
