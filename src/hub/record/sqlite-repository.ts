/**
 * The record on one SQLite file (WAL, synchronous=FULL, statements prepared
 * once). Item bodies and photo chunks are sealed with the hub's key
 * (AES-256-GCM, AAD bound to the row, as on the booth: docs/store.md); ids,
 * booth, session, kind and order stay in clear for lookups.
 */
import type Database from 'better-sqlite3';
import { openDatabase } from '../../node/sqlite';
import type { KeyProvider } from '../../node/keys';
import { open, seal } from '../../node/seal';
import type { PatientHasher, PatientQuery } from '../../node/search-key';
import { systemClock, type Clock } from '../../shared/clock';
import type { CaseAnswer } from '../../shared/case-protocol';
import type { Prescription } from '../../shared/consult-protocol';
import { CallQuality } from '../../shared/media-protocol';
import type { RecordItem } from '../../shared/record-protocol';
import { IDENTITY_KINDS, indexRowOf, type PatientSessions } from './patient-index';
import {
  searchUnavailable, RecordRefusal, type AnswerOutcome, type BoothItem, type CaseDbRow, type CaseRow, CASE_COLUMNS, caseFromRow, type CallQualityRecord, type ClaimRecord, type IngestOutcome, type RecordRepository, type SessionNotes, type StoredItem, type StoredPrescription,
} from './repository';
import { EXPIRED_SESSIONS_SQL, SESSION_LAST_ACTIVITY_SQL, SESSION_ROWS, bindPlan, type ExpiredSession, type PurgedRows } from './purge-plan';

/** Numbered from 1 (`user_version`); each applies in its own transaction. Exported for the migration tests. */
export const RECORD_MIGRATIONS = [
  `CREATE TABLE items (
     arrival INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     booth_id TEXT NOT NULL,
     session_id TEXT,
     kind TEXT NOT NULL,
     seq INTEGER NOT NULL,
     received_at TEXT NOT NULL,
     body BLOB NOT NULL
   );
   CREATE INDEX items_session ON items(session_id, arrival);
   CREATE INDEX items_booth ON items(booth_id, arrival);
   CREATE TABLE batches (batch_id TEXT PRIMARY KEY, booth_id TEXT NOT NULL, received_at TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE photo_chunks (
     photo_id TEXT NOT NULL, booth_id TEXT NOT NULL, sha256 TEXT NOT NULL, count INTEGER NOT NULL,
     idx INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (photo_id, idx)
   ) WITHOUT ROWID;`,
  // 2: the consultation (notes, claims, prescriptions). Bodies sealed like items'.
  `CREATE TABLE notes (
     session_key TEXT PRIMARY KEY, booth_id TEXT NOT NULL, author_id TEXT NOT NULL, updated_at TEXT NOT NULL, body BLOB NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE claims (
     room_id TEXT PRIMARY KEY, specialist_id TEXT NOT NULL, booth_id TEXT NOT NULL, session_id TEXT,
     claimed_at TEXT NOT NULL, body BLOB NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX claims_specialist ON claims(specialist_id, session_id);
   CREATE TABLE prescriptions (
     number TEXT PRIMARY KEY, booth_id TEXT NOT NULL, session_id TEXT, issued_at TEXT NOT NULL,
     delivered_at TEXT, printed INTEGER NOT NULL DEFAULT 0, body BLOB NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX prescriptions_pending ON prescriptions(booth_id, delivered_at, issued_at);
   CREATE INDEX prescriptions_session ON prescriptions(session_id, issued_at);`,
  // 3: each side's call quality figures (technical, no patient data: kept in clear).
  `CREATE TABLE call_quality (
     session_key TEXT NOT NULL, side TEXT NOT NULL, booth_id TEXT NOT NULL, room_id TEXT NOT NULL, updated_at TEXT NOT NULL, body TEXT NOT NULL,
     PRIMARY KEY (session_key, side)
   ) WITHOUT ROWID;`,
  // 4: forwarded cases (src/shared/case-protocol.ts): the index of each `case` item; the answer sealed.
  `CREATE TABLE cases (
     case_id TEXT PRIMARY KEY, booth_id TEXT NOT NULL, pharmacy_id TEXT, session_id TEXT NOT NULL, manifest_id TEXT NOT NULL,
     specialty TEXT NOT NULL, pickup_code TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'incomplete', received_at TEXT,
     answered_by TEXT, answered_at TEXT, answer BLOB, acknowledged_by TEXT
   ) WITHOUT ROWID;
   CREATE INDEX cases_session ON cases(session_id);
   CREATE INDEX cases_queue ON cases(specialty, state, received_at);
   CREATE INDEX cases_pharmacy ON cases(pharmacy_id, received_at);`,
  // 5: the patient index (./patient-index.ts): keyed hashes of the NIR and of birth name + date, never the values.
  // The marker asks the first hub that opens the file with its search key to index the items already held (once).
  `CREATE TABLE patient_index (
     item_id TEXT PRIMARY KEY, session_id TEXT NOT NULL, booth_id TEXT NOT NULL,
     nir_hash TEXT, name_hash TEXT, key_id INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX patient_index_nir ON patient_index(nir_hash);
   CREATE INDEX patient_index_name ON patient_index(name_hash);
   CREATE INDEX patient_index_session ON patient_index(session_id);
   CREATE TABLE patient_index_backfill (pending INTEGER PRIMARY KEY CHECK (pending = 1));
   INSERT INTO patient_index_backfill (pending) VALUES (1);`,
];
export const RECORD_VERSION = RECORD_MIGRATIONS.length;

export class SqliteRecordRepository implements RecordRepository {
  private readonly db: Database.Database;
  private readonly st;
  private readonly txIngest: (boothId: string, batchId: string, items: RecordItem[], pharmacyId: string | null) => IngestOutcome;
  private readonly txAnswer: (answer: CaseAnswer) => AnswerOutcome;
  private readonly txPurge: Database.Transaction<(sessionId: string, before: string) => PurgedRows | null>;

  /** `search`: the patient index's hasher (search.key); without it nothing is indexed and lookups are refused. */
  constructor(path: string, private readonly keys: KeyProvider, private readonly clock: Pick<Clock, 'now'> = systemClock, private readonly search: PatientHasher | null = null) {
    this.db = openDatabase(path, RECORD_MIGRATIONS, { synchronous: 'FULL' });
    const db = this.db;
    this.st = {
      insertItem: db.prepare('INSERT INTO items (id, booth_id, session_id, kind, seq, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING'),
      insertBatch: db.prepare('INSERT INTO batches (batch_id, booth_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      insertChunk: db.prepare('INSERT INTO photo_chunks (photo_id, booth_id, sha256, count, idx, data) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      chunkOwner: db.prepare<[string], { booth_id: string; sha256: string; count: number }>('SELECT booth_id, sha256, count FROM photo_chunks WHERE photo_id = ? LIMIT 1'),
      chunkCount: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM photo_chunks WHERE photo_id = ?'),
      chunks: db.prepare<[string], { idx: number; data: Buffer; count: number }>('SELECT idx, data, count FROM photo_chunks WHERE photo_id = ? ORDER BY idx'),
      bySession: db.prepare<[string], { id: string; arrival: number; received_at: string; body: Buffer }>('SELECT id, arrival, received_at, body FROM items WHERE session_id = ? ORDER BY arrival'),
      byBooth: db.prepare<[string], { id: string; arrival: number; received_at: string; body: Buffer }>('SELECT id, arrival, received_at, body FROM items WHERE booth_id = ? ORDER BY arrival'),
      byId: db.prepare<[string], { id: string; booth_id: string; arrival: number; received_at: string; body: Buffer }>('SELECT id, booth_id, arrival, received_at, body FROM items WHERE id = ?'),
      putNotes: db.prepare('INSERT INTO notes (session_key, booth_id, author_id, updated_at, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT(session_key) DO UPDATE SET author_id = excluded.author_id, updated_at = excluded.updated_at, body = excluded.body'),
      getNotes: db.prepare<[string], { author_id: string; updated_at: string; body: Buffer }>('SELECT author_id, updated_at, body FROM notes WHERE session_key = ?'),
      putClaim: db.prepare('INSERT INTO claims (room_id, specialist_id, booth_id, session_id, claimed_at, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(room_id) DO NOTHING'),
      claims: db.prepare<[string, string], { room_id: string; specialist_id: string; booth_id: string; session_id: string | null; claimed_at: string; body: Buffer }>('SELECT room_id, specialist_id, booth_id, session_id, claimed_at, body FROM claims WHERE specialist_id = ? AND session_id = ? ORDER BY claimed_at'),
      putPrescription: db.prepare('INSERT INTO prescriptions (number, booth_id, session_id, issued_at, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT(number) DO NOTHING'),
      delivered: db.prepare('UPDATE prescriptions SET delivered_at = ?, printed = ? WHERE number = ? AND delivered_at IS NULL'),
      pending: db.prepare<[string], { number: string; body: Buffer; delivered_at: string | null; printed: number }>('SELECT number, body, delivered_at, printed FROM prescriptions WHERE booth_id = ? AND delivered_at IS NULL ORDER BY issued_at, number'),
      putQuality: db.prepare('INSERT INTO call_quality (session_key, side, booth_id, room_id, updated_at, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(session_key, side) DO UPDATE SET booth_id = excluded.booth_id, room_id = excluded.room_id, updated_at = excluded.updated_at, body = excluded.body'),
      quality: db.prepare<[string], { side: string; booth_id: string; room_id: string; updated_at: string; body: string }>('SELECT side, booth_id, room_id, updated_at, body FROM call_quality WHERE session_key = ? ORDER BY side'),
      insertCase: db.prepare('INSERT INTO cases (case_id, booth_id, pharmacy_id, session_id, manifest_id, specialty, pickup_code) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(case_id) DO NOTHING'),
      blobState: db.prepare<[string], { n: number; count: number | null }>('SELECT count(*) AS n, max(count) AS count FROM photo_chunks WHERE photo_id = ?'),
      caseById: db.prepare<[string], CaseDbRow>(`${CASE_COLUMNS} WHERE case_id = ?`),
      casesBySession: db.prepare<[string], CaseDbRow>(`${CASE_COLUMNS} WHERE session_id = ? ORDER BY case_id`),
      casesIncomplete: db.prepare<[], CaseDbRow>(`${CASE_COLUMNS} WHERE state = 'incomplete' ORDER BY case_id`),
      casesByPharmacy: db.prepare<[string], CaseDbRow>(`${CASE_COLUMNS} WHERE pharmacy_id = ? ORDER BY received_at, case_id`),
      caseWaiting: db.prepare("UPDATE cases SET state = 'waiting', received_at = ? WHERE case_id = ? AND state = 'incomplete'"),
      caseAnswer: db.prepare("UPDATE cases SET state = 'answered', answer = ?, answered_by = ?, answered_at = ? WHERE case_id = ? AND answer IS NULL AND state = 'waiting'"),
      caseAck: db.prepare('UPDATE cases SET acknowledged_by = ? WHERE case_id = ? AND acknowledged_by IS NULL AND answer IS NOT NULL'),
      putHandedRx: db.prepare('INSERT INTO prescriptions (number, booth_id, session_id, issued_at, delivered_at, printed, body) VALUES (?, ?, ?, ?, ?, 0, ?) ON CONFLICT(number) DO NOTHING'),
      sessionRx: db.prepare<[string], { number: string; body: Buffer; delivered_at: string | null; printed: number }>('SELECT number, body, delivered_at, printed FROM prescriptions WHERE session_id = ? ORDER BY issued_at, number'),
      putPatient: db.prepare('INSERT INTO patient_index (item_id, session_id, booth_id, nir_hash, name_hash, key_id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(item_id) DO NOTHING'),
    };
    this.txIngest = db.transaction((boothId: string, batchId: string, items: RecordItem[], pharmacyId: string | null) => {
      const at = new Date(this.clock.now()).toISOString();
      if (this.st.insertBatch.run(batchId, boothId, at).changes === 0) {
        throw new RecordRefusal('REPLAYED_BATCH', `batch ${batchId} was already received: send the items again under a new batch id`);
      }
      const acked: string[] = [];
      const duplicates: string[] = [];
      for (const item of items) {
        const r = this.st.insertItem.run(item.id, boothId, item.sessionId, item.kind, item.seq, at, seal(this.keys, `items:${item.id}`, Buffer.from(JSON.stringify(item))));
        (r.changes === 1 ? acked : duplicates).push(item.id);
        if (r.changes === 1) this.indexPatient(boothId, item);
        if (r.changes === 1 && item.kind === 'case') {
          const m = item.data;
          this.st.insertCase.run(m.caseId, boothId, pharmacyId, m.sessionId, item.id, m.specialty, m.pickupCode);
        }
      }
      return { acked, duplicates };
    });
    const sqlite = { session: '@session', before: '@before' };
    const expired = db.prepare<[{ before: string; limit: number }], { sid: string; booth: string; last_at: string }>(`${bindPlan(EXPIRED_SESSIONS_SQL, sqlite)} LIMIT @limit`);
    const lastActivity = db.prepare<[{ session: string }], { last_at: string | null }>(bindPlan(SESSION_LAST_ACTIVITY_SQL, sqlite));
    const deletes = SESSION_ROWS.map(({ table, where }) => ({ table, st: db.prepare<[{ session: string }]>(`DELETE FROM ${table} WHERE ${bindPlan(where, sqlite)}`) }));
    this.expired = (before, limit) => expired.all({ before, limit }).map((r) => ({ sessionId: r.sid, boothId: r.booth, lastActivity: r.last_at }));
    this.txPurge = db.transaction((sessionId: string, before: string): PurgedRows | null => {
      const last = lastActivity.get({ session: sessionId })?.last_at;
      if (!last || last >= before) return null;
      const removed: PurgedRows = {};
      for (const d of deletes) removed[d.table] = d.st.run({ session: sessionId }).changes;
      return removed;
    });
    this.txAnswer = db.transaction((answer: CaseAnswer): AnswerOutcome => {
      const sealed = seal(this.keys, `cases:${answer.caseId}`, Buffer.from(JSON.stringify(answer)));
      if (this.st.caseAnswer.run(sealed, answer.answeredBy.id, answer.answeredAt, answer.caseId).changes === 0) {
        const row = this.st.caseById.get(answer.caseId);
        return { won: false, answeredBy: row ? this.toCase(row).answer?.answeredBy.name ?? null : null };
      }
      const p = answer.prescription;
      if (p && this.st.putHandedRx.run(p.number, p.boothId, p.sessionId, p.issuedAt, answer.answeredAt, seal(this.keys, `prescriptions:${p.number}`, Buffer.from(JSON.stringify(p)))).changes === 0) {
        throw new RecordRefusal('DUPLICATE_NUMBER', `prescription ${p.number} already exists: issue it under a new number`);
      }
      return { won: true };
    });
    try {
      this.backfillPatientIndex();
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Indexes an item's identity (within the caller's transaction); nothing without the search key or an identity. */
  private indexPatient(boothId: string, item: RecordItem): void {
    const row = this.search ? indexRowOf(this.search, item) : null;
    if (row) this.st.putPatient.run(item.id, row.sessionId, boothId, row.nir, row.name, row.keyId);
  }

  /**
   * Migration 5's second step: opens once the items held before the index
   * existed and indexes those that carry an identity, in one transaction with
   * the marker's removal (a crash leaves the marker, the next start does it again).
   */
  private backfillPatientIndex(): void {
    if (!this.search) return;
    const db = this.db;
    if (!db.prepare('SELECT 1 FROM patient_index_backfill').get()) return;
    const page = db.prepare<[number], { id: string; booth_id: string; arrival: number; body: Buffer }>(
      `SELECT id, booth_id, arrival, body FROM items WHERE kind IN (${IDENTITY_KINDS.map((k) => `'${k}'`).join(', ')}) AND arrival > ? ORDER BY arrival LIMIT 500`);
    db.transaction(() => {
      for (let after = 0; ;) {
        const rows = page.all(after);
        if (rows.length === 0) break;
        for (const r of rows) this.indexPatient(r.booth_id, JSON.parse(open(this.keys, `items:${r.id}`, r.body).toString('utf8')) as RecordItem);
        after = rows.at(-1)!.arrival;
      }
      db.prepare('DELETE FROM patient_index_backfill').run();
    }).immediate();
  }

  async rehashPatientIndex(limit = 500): Promise<number> {
    if (!this.search) throw searchUnavailable();
    const search = this.search;
    // The rotation wrote the new key to search.key just before: hash under it, not under the key read up to a second ago.
    search.refresh();
    const current = search.keyId();
    const rows = this.db.prepare<[number, number], { item_id: string; booth_id: string; body: Buffer }>(
      'SELECT p.item_id, p.booth_id, i.body FROM patient_index p JOIN items i ON i.id = p.item_id WHERE p.key_id <> ? ORDER BY p.item_id LIMIT ?').all(current, limit);
    const update = this.db.prepare('UPDATE patient_index SET nir_hash = ?, name_hash = ?, key_id = ? WHERE item_id = ?');
    const drop = this.db.prepare('DELETE FROM patient_index WHERE item_id = ?');
    this.db.transaction(() => {
      for (const r of rows) {
        const row = indexRowOf(search, JSON.parse(open(this.keys, `items:${r.item_id}`, r.body).toString('utf8')) as RecordItem);
        if (row) update.run(row.nir, row.name, row.keyId, r.item_id);
        else drop.run(r.item_id);
      }
    })();
    return rows.length;
  }

  async patientIndexKeyIds(): Promise<Map<number, number>> {
    const rows = this.db.prepare<[], { key_id: number; n: number }>('SELECT key_id, COUNT(*) AS n FROM patient_index GROUP BY key_id').all();
    return new Map(rows.map((r) => [r.key_id, r.n]));
  }

  async sessionsOfPatient(query: PatientQuery): Promise<PatientSessions> {
    if (!this.search) throw searchUnavailable();
    const { column, hashes } = this.search.probes(query);
    if (hashes.length === 0) return { sessions: [], caseIds: [] };
    const marks = hashes.map(() => '?').join(', ');
    // One shape per number of keys in the search key file (a handful): prepared per call.
    const sessions = this.db.prepare<string[], { session_id: string; booth_id: string }>(
      `SELECT session_id, booth_id FROM patient_index WHERE ${column} IN (${marks}) GROUP BY session_id, booth_id ORDER BY session_id, booth_id`,
    ).all(...hashes);
    const caseIds = sessions.flatMap((s) => this.st.casesBySession.all(s.session_id).filter((c) => c.booth_id === s.booth_id).map((c) => c.case_id));
    return { sessions: sessions.map((s) => ({ sessionId: s.session_id, boothId: s.booth_id })), caseIds };
  }

  async ingest(boothId: string, batchId: string, items: RecordItem[], pharmacyId: string | null = null): Promise<IngestOutcome> {
    return this.txIngest(boothId, batchId, items, pharmacyId);
  }

  async blobComplete(blobId: string): Promise<boolean> {
    const r = this.st.blobState.get(blobId);
    return !!r && r.n > 0 && r.n === r.count;
  }

  private toCase(r: CaseDbRow): CaseRow {
    return caseFromRow(r, (body) => JSON.parse(open(this.keys, `cases:${r.case_id}`, body).toString('utf8')) as CaseAnswer);
  }

  async caseRow(caseId: string): Promise<CaseRow | null> {
    const r = this.st.caseById.get(caseId);
    return r ? this.toCase(r) : null;
  }

  async casesOfSession(sessionId: string): Promise<CaseRow[]> {
    return this.st.casesBySession.all(sessionId).map((r) => this.toCase(r));
  }

  async incompleteCases(): Promise<CaseRow[]> {
    return this.st.casesIncomplete.all().map((r) => this.toCase(r));
  }

  async casesOfSpecialties(specialties: readonly string[], answeredSince: string): Promise<CaseRow[]> {
    if (specialties.length === 0) return [];
    const marks = specialties.map(() => '?').join(', ');
    // The list of specialties is short and varies per doctor: prepared per call (a handful of shapes).
    const rows = this.db.prepare<unknown[], CaseDbRow>(
      `${CASE_COLUMNS} WHERE specialty IN (${marks}) AND (state = 'waiting' OR (state = 'answered' AND answered_at >= ?)) ORDER BY received_at, case_id`,
    ).all(...specialties, answeredSince);
    return rows.map((r) => this.toCase(r));
  }

  async casesOfPharmacy(pharmacyId: string): Promise<CaseRow[]> {
    return this.st.casesByPharmacy.all(pharmacyId).map((r) => this.toCase(r));
  }

  async markCaseWaiting(caseId: string, receivedAt: string): Promise<boolean> {
    return this.st.caseWaiting.run(receivedAt, caseId).changes === 1;
  }

  async answerCase(answer: CaseAnswer): Promise<AnswerOutcome> {
    return this.txAnswer(answer);
  }

  async acknowledgeCase(caseId: string, by: { staffId: string; name: string; at: string }): Promise<boolean> {
    return this.st.caseAck.run(JSON.stringify(by), caseId).changes === 1;
  }

  async putPhotoChunk(boothId: string, photoId: string, sha256: string, count: number, index: number, data: Buffer): Promise<number> {
    const owner = this.st.chunkOwner.get(photoId);
    if (owner && (owner.booth_id !== boothId || owner.sha256 !== sha256 || owner.count !== count)) {
      throw new RecordRefusal('PHOTO_MISMATCH', `photo ${photoId} is already being received with other properties`);
    }
    if (index >= count) throw new RecordRefusal('INVALID_CHUNK', `chunk ${index} of a photo of ${count} chunks`);
    this.st.insertChunk.run(photoId, boothId, sha256, count, index, seal(this.keys, `photo_chunks:${photoId}:${index}`, data));
    return this.st.chunkCount.get(photoId)!.n;
  }

  async photoBytes(photoId: string): Promise<Buffer | null> {
    const rows = this.st.chunks.all(photoId);
    if (rows.length === 0 || rows.length !== rows[0]!.count) return null;
    return Buffer.concat(rows.map((r) => open(this.keys, `photo_chunks:${photoId}:${r.idx}`, r.data)));
  }

  private toStored(rows: { id: string; arrival: number; received_at: string; body: Buffer }[]): StoredItem[] {
    return rows.map((r) => ({ arrival: r.arrival, receivedAt: r.received_at, item: JSON.parse(open(this.keys, `items:${r.id}`, r.body).toString('utf8')) as RecordItem }));
  }

  async sessionItems(sessionId: string): Promise<StoredItem[]> {
    return this.toStored(this.st.bySession.all(sessionId));
  }

  async boothItems(boothId: string): Promise<StoredItem[]> {
    return this.toStored(this.st.byBooth.all(boothId));
  }

  async item(id: string): Promise<BoothItem | null> {
    const row = this.st.byId.get(id);
    if (!row) return null;
    return { ...this.toStored([row])[0]!, boothId: row.booth_id };
  }

  async saveCallQuality(sessionKey: string, r: CallQualityRecord): Promise<void> {
    this.st.putQuality.run(sessionKey, r.side, r.boothId, r.roomId, r.at, JSON.stringify(r.quality));
  }

  async callQuality(sessionKey: string): Promise<CallQualityRecord[]> {
    return this.st.quality.all(sessionKey).map((row) => ({
      side: row.side === 'booth' ? 'booth' : 'specialist', boothId: row.booth_id, roomId: row.room_id, at: row.updated_at,
      quality: CallQuality.parse(JSON.parse(row.body)),
    }));
  }

  async saveNotes(sessionKey: string, boothId: string, notes: SessionNotes): Promise<void> {
    this.st.putNotes.run(sessionKey, boothId, notes.authorId, notes.at, seal(this.keys, `notes:${sessionKey}`, Buffer.from(notes.text, 'utf8')));
  }

  async notes(sessionKey: string): Promise<SessionNotes | null> {
    const row = this.st.getNotes.get(sessionKey);
    return row ? { text: open(this.keys, `notes:${sessionKey}`, row.body).toString('utf8'), authorId: row.author_id, at: row.updated_at } : null;
  }

  async saveClaim(c: ClaimRecord): Promise<void> {
    this.st.putClaim.run(c.roomId, c.specialistId, c.boothId, c.sessionId, c.claimedAt, seal(this.keys, `claims:${c.roomId}`, Buffer.from(JSON.stringify(c.patient))));
  }

  async claimsOf(specialistId: string, sessionId: string): Promise<ClaimRecord[]> {
    return this.st.claims.all(specialistId, sessionId).map((r) => ({
      roomId: r.room_id, specialistId: r.specialist_id, boothId: r.booth_id, sessionId: r.session_id, claimedAt: r.claimed_at,
      patient: JSON.parse(open(this.keys, `claims:${r.room_id}`, r.body).toString('utf8')) as ClaimRecord['patient'],
    }));
  }

  async savePrescription(p: Prescription): Promise<void> {
    const r = this.st.putPrescription.run(p.number, p.boothId, p.sessionId, p.issuedAt, seal(this.keys, `prescriptions:${p.number}`, Buffer.from(JSON.stringify(p))));
    if (r.changes === 0) throw new RecordRefusal('DUPLICATE_NUMBER', `prescription ${p.number} already exists: issue it under a new number`);
  }

  async markPrescriptionDelivered(number: string, at: string, printed: boolean): Promise<boolean> {
    return this.st.delivered.run(at, printed ? 1 : 0, number).changes === 1;
  }

  private toPrescriptions(rows: { number: string; body: Buffer; delivered_at: string | null; printed: number }[]): StoredPrescription[] {
    return rows.map((r) => ({
      prescription: JSON.parse(open(this.keys, `prescriptions:${r.number}`, r.body).toString('utf8')) as Prescription,
      deliveredAt: r.delivered_at,
      printed: r.printed === 1,
    }));
  }

  async pendingPrescriptions(boothId: string): Promise<Prescription[]> {
    return this.toPrescriptions(this.st.pending.all(boothId)).map((s) => s.prescription);
  }

  async sessionPrescriptions(sessionId: string): Promise<StoredPrescription[]> {
    return this.toPrescriptions(this.st.sessionRx.all(sessionId));
  }

  private readonly expired: (before: string, limit: number) => ExpiredSession[];

  async expiredSessions(before: string, limit: number): Promise<ExpiredSession[]> {
    return this.expired(before, limit);
  }

  async purgeSession(sessionId: string, before: string): Promise<PurgedRows | null> {
    // IMMEDIATE: the write lock first, so the re-read and the deletes see one state.
    return this.txPurge.immediate(sessionId, before);
  }

  async exclusivePurge<T>(work: () => Promise<T>): Promise<T | null> {
    return work();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

