/**
 * The record on PostgreSQL, for a network of booths served by several hub
 * nodes sharing one database. It behaves as the SQLite repository does, call
 * for call; what differs is what many nodes need:
 * - its own numbered migration history (PG_RECORD_MIGRATIONS, the SQLite
 *   history in PostgreSQL's dialect), a version table, each migration in a
 *   transaction, under an advisory lock so nodes starting together migrate once,
 *   its tables in their own schema (`record`) beside the hub's other stores;
 * - arrival order from an identity column (global and increasing);
 * - ingest as one transaction guarded by unique constraints and ON CONFLICT,
 *   so two nodes handed the same batch (a booth that resent it after a cut)
 *   store its items once;
 * - a database that cannot be reached is a typed refusal, RECORD_UNAVAILABLE,
 *   naming the server: nothing is acknowledged, the booth keeps its outbox.
 * Bodies and chunks are sealed exactly as on SQLite (same AADs), so a sealed
 * value moved between engines still opens with the same key.
 */
import pg from 'pg';
import { pgAddress } from '../pg-address';
import { durablePool, withPooledClient } from '../pg-pool';
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

/**
 * The record's tables live in their own schema, so that it can share a
 * database with the hub's other stores (the live state has its own `claims`),
 * as it shares nothing with them on SQLite. Connections find them through
 * their `search_path`.
 */
export const PG_RECORD_SCHEMA = 'record';

/**
 * Numbered from 1 in `record.schema_version`; each applies in its own transaction.
 * Never edit a released one, add the next (and its SQLite twin in
 * RECORD_MIGRATIONS). Ordering columns are `COLLATE "C"` so that rows sort
 * byte by byte as SQLite sorts them, whatever the server's locale.
 */
export const PG_RECORD_MIGRATIONS = [
  `CREATE TABLE items (
     arrival BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     booth_id TEXT NOT NULL,
     session_id TEXT,
     kind TEXT NOT NULL,
     seq BIGINT NOT NULL,
     received_at TEXT NOT NULL,
     body BYTEA NOT NULL
   );
   CREATE INDEX items_session ON items(session_id, arrival);
   CREATE INDEX items_booth ON items(booth_id, arrival);
   CREATE TABLE batches (batch_id TEXT PRIMARY KEY, booth_id TEXT NOT NULL, received_at TEXT NOT NULL);
   CREATE TABLE photo_chunks (
     photo_id TEXT NOT NULL, booth_id TEXT NOT NULL, sha256 TEXT NOT NULL, count INTEGER NOT NULL,
     idx INTEGER NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (photo_id, idx)
   );`,
  // 2: the consultation (notes, claims, prescriptions). Bodies sealed like items'.
  `CREATE TABLE notes (
     session_key TEXT PRIMARY KEY, booth_id TEXT NOT NULL, author_id TEXT NOT NULL, updated_at TEXT NOT NULL, body BYTEA NOT NULL
   );
   CREATE TABLE claims (
     room_id TEXT PRIMARY KEY, specialist_id TEXT NOT NULL, booth_id TEXT NOT NULL, session_id TEXT,
     claimed_at TEXT COLLATE "C" NOT NULL, body BYTEA NOT NULL
   );
   CREATE INDEX claims_specialist ON claims(specialist_id, session_id);
   CREATE TABLE prescriptions (
     number TEXT COLLATE "C" PRIMARY KEY, booth_id TEXT NOT NULL, session_id TEXT, issued_at TEXT COLLATE "C" NOT NULL,
     delivered_at TEXT, printed BOOLEAN NOT NULL DEFAULT FALSE, body BYTEA NOT NULL
   );
   CREATE INDEX prescriptions_pending ON prescriptions(booth_id, delivered_at, issued_at);
   CREATE INDEX prescriptions_session ON prescriptions(session_id, issued_at);`,
  // 3: each side's call quality figures (technical, no patient data: kept in clear).
  `CREATE TABLE call_quality (
     session_key TEXT NOT NULL, side TEXT COLLATE "C" NOT NULL, booth_id TEXT NOT NULL, room_id TEXT NOT NULL, updated_at TEXT NOT NULL, body TEXT NOT NULL,
     PRIMARY KEY (session_key, side)
   );`,
  // 4: forwarded cases (src/shared/case-protocol.ts): the index of each `case` item; the answer sealed.
  `CREATE TABLE cases (
     case_id TEXT COLLATE "C" PRIMARY KEY, booth_id TEXT NOT NULL, pharmacy_id TEXT, session_id TEXT NOT NULL, manifest_id TEXT NOT NULL,
     specialty TEXT NOT NULL, pickup_code TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'incomplete', received_at TEXT COLLATE "C",
     answered_by TEXT, answered_at TEXT COLLATE "C", answer BYTEA, acknowledged_by TEXT
   );
   CREATE INDEX cases_session ON cases(session_id);
   CREATE INDEX cases_queue ON cases(specialty, state, received_at);
   CREATE INDEX cases_pharmacy ON cases(pharmacy_id, received_at);`,
  // 5: the patient index (./patient-index.ts): keyed hashes of the NIR and of birth name + date, never the values.
  // The marker asks the first node that opens the database with the search key to index the items already held (once).
  `CREATE TABLE patient_index (
     item_id TEXT PRIMARY KEY, session_id TEXT COLLATE "C" NOT NULL, booth_id TEXT COLLATE "C" NOT NULL,
     nir_hash TEXT, name_hash TEXT, key_id INTEGER NOT NULL
   );
   CREATE INDEX patient_index_nir ON patient_index(nir_hash);
   CREATE INDEX patient_index_name ON patient_index(name_hash);
   CREATE INDEX patient_index_session ON patient_index(session_id);
   CREATE TABLE patient_index_backfill (pending BOOLEAN PRIMARY KEY CHECK (pending));
   INSERT INTO patient_index_backfill (pending) VALUES (TRUE);`,
];
export const PG_RECORD_VERSION = PG_RECORD_MIGRATIONS.length;

/** Advisory lock keys ('Cabi' and a number): the record's migrations, and the class of its per-photo locks. */
const LOCK_CLASS = 0x43616269;
const LOCK_MIGRATE = 1;
const LOCK_BACKFILL = 2;
const LOCK_CLASS_PHOTO = LOCK_CLASS + 1;
/** Held by the one node that purges (retention) while it does. */
const LOCK_PURGE = 2;

/**
 * The record's database cannot be reached (down, refusing, cut mid-request).
 * A refusal like the others: the booth sees its code and keeps its items,
 * since nothing it sent is acknowledged until a commit was confirmed.
 */
export class RecordUnavailable extends RecordRefusal {
  constructor(readonly server: string, detail: string, options?: { cause?: unknown }) {
    super('RECORD_UNAVAILABLE', `the record's PostgreSQL at ${server} cannot be reached (${detail}): nothing was stored or acknowledged, the booth keeps its items and sends them again; check that the database server runs and that this hub node can reach it`);
    this.name = 'RecordUnavailable';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export interface PgRecordOptions {
  /** How long opening a connection may take before RECORD_UNAVAILABLE (5 s by default): a silent network is not a hang. */
  connectTimeoutMs?: number;
  /**
   * How long one statement may wait for the server's answer before
   * RECORD_UNAVAILABLE (10 s by default, under the booth's own 15 s request
   * timeout): a server that stopped answering is reported, not waited on.
   */
  queryTimeoutMs?: number;
  /** Connections this node keeps to the database (10 by default). */
  maxConnections?: number;
  /** Stop migrating at this version (migration tests seed an older schema). */
  targetVersion?: number;
  /** The patient index's hasher (search.key); without it nothing is indexed and lookups are refused. */
  search?: PatientHasher | null;
}

/**
 * Migration 5's second step: opens once the items held before the patient
 * index existed and indexes those that carry an identity, in one transaction
 * with the marker's removal, under an advisory lock (nodes starting together
 * index once; a crash leaves the marker, the next start does it again).
 */
export async function backfillPgPatientIndex(client: pg.ClientBase, keys: KeyProvider, search: PatientHasher): Promise<number> {
  await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_CLASS, LOCK_BACKFILL]);
  try {
    const pending = await client.query('SELECT 1 FROM patient_index_backfill');
    if (pending.rowCount === 0) return 0;
    let indexed = 0;
    await client.query('BEGIN');
    try {
      for (let after = '0'; ;) {
        const { rows } = await client.query<{ id: string; booth_id: string; arrival: string; body: Buffer }>(
          'SELECT id, booth_id, arrival, body FROM items WHERE kind = ANY($1::text[]) AND arrival > $2 ORDER BY arrival LIMIT 500', [IDENTITY_KINDS, after]);
        if (rows.length === 0) break;
        for (const r of rows) {
          const row = indexRowOf(search, JSON.parse(open(keys, `items:${r.id}`, r.body).toString('utf8')) as RecordItem);
          if (!row) continue;
          await client.query('INSERT INTO patient_index (item_id, session_id, booth_id, nir_hash, name_hash, key_id) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (item_id) DO NOTHING',
            [r.id, row.sessionId, r.booth_id, row.nir, row.name, row.keyId]);
          indexed++;
        }
        after = rows.at(-1)!.arrival;
      }
      await client.query('DELETE FROM patient_index_backfill');
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    return indexed;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, LOCK_BACKFILL]).catch(() => undefined);
  }
}


const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/** SQLSTATEs that mean the server is going or gone, not that the statement was wrong. */
const SERVER_GONE = new Set(['57P01', '57P02', '57P03', '53300']);

function sqlState(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Whether an error from the pg client is the connection's, not the
 * statement's. pg reports a dropped or timed-out connection as a plain Error
 * without a code ("Connection terminated unexpectedly"), so a codeless error
 * from the client that speaks of its connection counts as one.
 */
function isConnectionError(error: unknown): boolean {
  const code = sqlState(error);
  if (code === undefined) return error instanceof Error && /connection|terminated|timeout|not queryable/i.test(error.message);
  return NETWORK_CODES.has(code) || SERVER_GONE.has(code) || code.startsWith('08');
}

/** Deadlock or serialization failure: the transaction did nothing and may run again. */
function isRetryable(error: unknown): boolean {
  const code = sqlState(error);
  return code === '40P01' || code === '40001';
}

/**
 * Applies every migration above the database's version, up to `target`, under
 * a session advisory lock (a node that starts while another migrates waits,
 * then finds the work done); returns the version reached. Leaves the
 * session's `search_path` on the record's schema.
 */
export async function migratePgRecord(client: pg.ClientBase, target = PG_RECORD_VERSION): Promise<number> {
  await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_CLASS, LOCK_MIGRATE]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${PG_RECORD_SCHEMA}`);
    await client.query(`SET search_path TO ${PG_RECORD_SCHEMA}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_version (
      singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton), version INTEGER NOT NULL)`);
    await client.query('INSERT INTO schema_version (singleton, version) VALUES (TRUE, 0) ON CONFLICT DO NOTHING');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
    let version = rows[0]!.version;
    if (version > PG_RECORD_VERSION) {
      throw new RecordRefusal('RECORD_SCHEMA_NEWER', `the record's database is at schema version ${version}, newer than this hub's ${PG_RECORD_VERSION}: upgrade this node before starting it`);
    }
    for (let next = version + 1; next <= Math.min(target, PG_RECORD_VERSION); next++) {
      await client.query('BEGIN');
      try {
        await client.query(PG_RECORD_MIGRATIONS[next - 1]!);
        await client.query('UPDATE schema_version SET version = $1', [next]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      version = next;
    }
    return version;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, LOCK_MIGRATE]).catch(() => undefined);
  }
}

function unavailable(server: string, error: unknown): RecordUnavailable {
  // Node reports a refused connection to a name with several addresses as an AggregateError with an empty message.
  const detail = error instanceof AggregateError ? error.errors.map((e: Error) => e.message).join('; ') : (error as Error).message;
  return new RecordUnavailable(server, detail || sqlState(error) || 'connection failed', { cause: error });
}

type ItemRow = { id: string; arrival: string; received_at: string; body: Buffer };
type PrescriptionRow = { number: string; body: Buffer; delivered_at: string | null; printed: boolean };

export class PgRecordRepository implements RecordRepository {
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly server: string,
    private readonly keys: KeyProvider,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly search: PatientHasher | null,
  ) {}

  /**
   * Connects, migrates and returns the repository; RECORD_UNAVAILABLE (naming
   * host and port) when the server cannot be reached within the connect
   * timeout, so a node does not half-start on a database it cannot use.
   */
  static async open(url: string, keys: KeyProvider, clock: Pick<Clock, 'now'> = systemClock, options: PgRecordOptions = {}): Promise<PgRecordRepository> {
    const server = pgAddress(url);
    const connectionTimeoutMillis = options.connectTimeoutMs ?? 5000;
    // Migrating has no statement timeout: an index on a large table, or the wait
    // for another node's migration, may take longer than any request.
    const migrator = new pg.Client({ connectionString: url, connectionTimeoutMillis, keepAlive: true });
    migrator.on('error', () => undefined);
    try {
      await migrator.connect();
    } catch (error) {
      await migrator.end().catch(() => undefined);
      throw unavailable(server, error);
    }
    try {
      const version = await migratePgRecord(migrator, options.targetVersion);
      if (options.search && version >= 5) await backfillPgPatientIndex(migrator, keys, options.search);
    } catch (error) {
      throw isConnectionError(error) ? unavailable(server, error) : error;
    } finally {
      await migrator.end().catch(() => undefined);
    }
    const pool = durablePool({
      connectionString: url,
      connectionTimeoutMillis,
      query_timeout: options.queryTimeoutMs ?? 10_000,
      options: `-c search_path=${PG_RECORD_SCHEMA}`,
      max: options.maxConnections ?? 10,
    });
    return new PgRecordRepository(pool, server, keys, clock, options.search ?? null);
  }

  /** Runs `work` on one pooled connection; a connection's failure becomes RECORD_UNAVAILABLE and the connection is dropped. */
  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new RecordRefusal('RECORD_CLOSED', 'the record is closed (the hub is stopping): send again in a moment');
    return withPooledClient(this.pool, work, {
      connect: (cause) => unavailable(this.server, cause),
      work: (cause) => (isConnectionError(cause) ? { error: unavailable(this.server, cause), drop: true } : { error: cause, drop: false }),
    });
  }

  /** Runs `work` in one transaction (a deadlock between nodes runs it again); nothing of it stays when it throws. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.withClient(async (client) => {
          await client.query('BEGIN');
          try {
            const out = await work(client);
            await client.query('COMMIT');
            return out;
          } catch (error) {
            // A lost connection needs no rollback: the server drops an abandoned transaction.
            if (!isConnectionError(error)) await client.query('ROLLBACK').catch(() => undefined);
            throw error;
          }
        });
      } catch (error) {
        if (attempt >= 5 || !isRetryable(error)) throw error;
      }
    }
  }

  private query<R extends pg.QueryResultRow>(sql: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    return this.withClient((client) => client.query<R>(sql, values));
  }

  async ingest(boothId: string, batchId: string, items: RecordItem[], pharmacyId: string | null = null): Promise<IngestOutcome> {
    return this.transaction(async (client) => {
      const at = new Date(this.clock.now()).toISOString();
      // A concurrent insert of the same batch id waits here for the other's
      // commit, then finds it: one of two nodes stores the batch, the other refuses it.
      const batch = await client.query('INSERT INTO batches (batch_id, booth_id, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [batchId, boothId, at]);
      if (batch.rowCount === 0) {
        throw new RecordRefusal('REPLAYED_BATCH', `batch ${batchId} was already received: send the items again under a new batch id`);
      }
      if (items.length === 0) return { acked: [], duplicates: [] };
      // One statement for the batch, rows in batch order (arrival follows it);
      // an id already held, or held by another node's open transaction, is skipped.
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO items (id, booth_id, session_id, kind, seq, received_at, body)
         SELECT id, $2, session_id, kind, seq, $3, body
           FROM unnest($1::text[], $4::text[], $5::text[], $6::bigint[], $7::bytea[]) WITH ORDINALITY AS t(id, session_id, kind, seq, body, n)
          ORDER BY n
         ON CONFLICT (id) DO NOTHING
         RETURNING id`,
        [
          items.map((i) => i.id), boothId, at, items.map((i) => i.sessionId), items.map((i) => i.kind), items.map((i) => i.seq),
          items.map((i) => seal(this.keys, `items:${i.id}`, Buffer.from(JSON.stringify(i)))),
        ],
      );
      const stored = new Set(rows.map((r) => r.id));
      const acked: string[] = [];
      const duplicates: string[] = [];
      // The first of two items with one id in a batch is the one stored, as on SQLite.
      for (const item of items) {
        const fresh = stored.delete(item.id);
        (fresh ? acked : duplicates).push(item.id);
        const indexed = fresh && this.search ? indexRowOf(this.search, item) : null;
        if (indexed) {
          await client.query('INSERT INTO patient_index (item_id, session_id, booth_id, nir_hash, name_hash, key_id) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (item_id) DO NOTHING',
            [item.id, indexed.sessionId, boothId, indexed.nir, indexed.name, indexed.keyId]);
        }
        if (fresh && item.kind === 'case') {
          const m = item.data;
          await client.query('INSERT INTO cases (case_id, booth_id, pharmacy_id, session_id, manifest_id, specialty, pickup_code) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id) DO NOTHING',
            [m.caseId, boothId, pharmacyId, m.sessionId, item.id, m.specialty, m.pickupCode]);
        }
      }
      return { acked, duplicates };
    });
  }

  async blobComplete(blobId: string): Promise<boolean> {
    const r = (await this.query<{ n: number; count: number | null }>('SELECT count(*)::int AS n, max(count) AS count FROM photo_chunks WHERE photo_id = $1', [blobId])).rows[0];
    return !!r && r.n > 0 && r.n === r.count;
  }

  private toCase(r: CaseDbRow): CaseRow {
    return caseFromRow(r, (body) => JSON.parse(open(this.keys, `cases:${r.case_id}`, body).toString('utf8')) as CaseAnswer);
  }

  private async cases(where: string, values: unknown[]): Promise<CaseRow[]> {
    return (await this.query<CaseDbRow>(`${CASE_COLUMNS} ${where}`, values)).rows.map((r) => this.toCase(r));
  }

  async caseRow(caseId: string): Promise<CaseRow | null> {
    return (await this.cases('WHERE case_id = $1', [caseId]))[0] ?? null;
  }

  casesOfSession(sessionId: string): Promise<CaseRow[]> {
    return this.cases('WHERE session_id = $1 ORDER BY case_id', [sessionId]);
  }

  incompleteCases(): Promise<CaseRow[]> {
    return this.cases("WHERE state = 'incomplete' ORDER BY case_id", []);
  }

  casesOfSpecialties(specialties: readonly string[], answeredSince: string): Promise<CaseRow[]> {
    return this.cases("WHERE specialty = ANY($1::text[]) AND (state = 'waiting' OR (state = 'answered' AND answered_at >= $2)) ORDER BY received_at, case_id", [specialties, answeredSince]);
  }

  casesOfPharmacy(pharmacyId: string): Promise<CaseRow[]> {
    return this.cases('WHERE pharmacy_id = $1 ORDER BY received_at, case_id', [pharmacyId]);
  }

  async markCaseWaiting(caseId: string, receivedAt: string): Promise<boolean> {
    const r = await this.query("UPDATE cases SET state = 'waiting', received_at = $1 WHERE case_id = $2 AND state = 'incomplete'", [receivedAt, caseId]);
    return r.rowCount === 1;
  }

  async answerCase(answer: CaseAnswer): Promise<AnswerOutcome> {
    return this.transaction(async (client) => {
      // One statement decides between nodes: a concurrent one waits for this row's commit, then finds an answer.
      const won = await client.query("UPDATE cases SET state = 'answered', answer = $1, answered_by = $2, answered_at = $3 WHERE case_id = $4 AND answer IS NULL AND state = 'waiting'",
        [seal(this.keys, `cases:${answer.caseId}`, Buffer.from(JSON.stringify(answer))), answer.answeredBy.id, answer.answeredAt, answer.caseId]);
      if (won.rowCount !== 1) {
        const row = (await client.query<CaseDbRow>(`${CASE_COLUMNS} WHERE case_id = $1`, [answer.caseId])).rows[0];
        return { won: false, answeredBy: row ? this.toCase(row).answer?.answeredBy.name ?? null : null };
      }
      const p = answer.prescription;
      if (p) {
        const r = await client.query('INSERT INTO prescriptions (number, booth_id, session_id, issued_at, delivered_at, printed, body) VALUES ($1, $2, $3, $4, $5, FALSE, $6) ON CONFLICT (number) DO NOTHING',
          [p.number, p.boothId, p.sessionId, p.issuedAt, answer.answeredAt, seal(this.keys, `prescriptions:${p.number}`, Buffer.from(JSON.stringify(p)))]);
        if (r.rowCount === 0) throw new RecordRefusal('DUPLICATE_NUMBER', `prescription ${p.number} already exists: issue it under a new number`);
      }
      return { won: true };
    });
  }

  async acknowledgeCase(caseId: string, by: { staffId: string; name: string; at: string }): Promise<boolean> {
    const r = await this.query('UPDATE cases SET acknowledged_by = $1 WHERE case_id = $2 AND acknowledged_by IS NULL AND answer IS NOT NULL', [JSON.stringify(by), caseId]);
    return r.rowCount === 1;
  }

  async putPhotoChunk(boothId: string, photoId: string, sha256: string, count: number, index: number, data: Buffer): Promise<number> {
    return this.transaction(async (client) => {
      // Two nodes receiving the first chunks of one photo must agree on its owner and shape.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS_PHOTO, photoId]);
      const owner = (await client.query<{ booth_id: string; sha256: string; count: number }>('SELECT booth_id, sha256, count FROM photo_chunks WHERE photo_id = $1 LIMIT 1', [photoId])).rows[0];
      if (owner && (owner.booth_id !== boothId || owner.sha256 !== sha256 || owner.count !== count)) {
        throw new RecordRefusal('PHOTO_MISMATCH', `photo ${photoId} is already being received with other properties`);
      }
      if (index >= count) throw new RecordRefusal('INVALID_CHUNK', `chunk ${index} of a photo of ${count} chunks`);
      await client.query('INSERT INTO photo_chunks (photo_id, booth_id, sha256, count, idx, data) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
        [photoId, boothId, sha256, count, index, seal(this.keys, `photo_chunks:${photoId}:${index}`, data)]);
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM photo_chunks WHERE photo_id = $1', [photoId]);
      return rows[0]!.n;
    });
  }

  async photoBytes(photoId: string): Promise<Buffer | null> {
    const { rows } = await this.query<{ idx: number; data: Buffer; count: number }>('SELECT idx, data, count FROM photo_chunks WHERE photo_id = $1 ORDER BY idx', [photoId]);
    if (rows.length === 0 || rows.length !== rows[0]!.count) return null;
    return Buffer.concat(rows.map((r) => open(this.keys, `photo_chunks:${photoId}:${r.idx}`, r.data)));
  }

  private toStored(rows: ItemRow[]): StoredItem[] {
    return rows.map((r) => ({ arrival: Number(r.arrival), receivedAt: r.received_at, item: JSON.parse(open(this.keys, `items:${r.id}`, r.body).toString('utf8')) as RecordItem }));
  }

  async sessionItems(sessionId: string): Promise<StoredItem[]> {
    return this.toStored((await this.query<ItemRow>('SELECT id, arrival, received_at, body FROM items WHERE session_id = $1 ORDER BY arrival', [sessionId])).rows);
  }

  async boothItems(boothId: string): Promise<StoredItem[]> {
    return this.toStored((await this.query<ItemRow>('SELECT id, arrival, received_at, body FROM items WHERE booth_id = $1 ORDER BY arrival', [boothId])).rows);
  }

  async item(id: string): Promise<BoothItem | null> {
    const row = (await this.query<ItemRow & { booth_id: string }>('SELECT id, booth_id, arrival, received_at, body FROM items WHERE id = $1', [id])).rows[0];
    if (!row) return null;
    return { ...this.toStored([row])[0]!, boothId: row.booth_id };
  }

  async saveCallQuality(sessionKey: string, r: CallQualityRecord): Promise<void> {
    await this.query(
      `INSERT INTO call_quality (session_key, side, booth_id, room_id, updated_at, body) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (session_key, side) DO UPDATE SET booth_id = excluded.booth_id, room_id = excluded.room_id, updated_at = excluded.updated_at, body = excluded.body`,
      [sessionKey, r.side, r.boothId, r.roomId, r.at, JSON.stringify(r.quality)],
    );
  }

  async callQuality(sessionKey: string): Promise<CallQualityRecord[]> {
    const { rows } = await this.query<{ side: string; booth_id: string; room_id: string; updated_at: string; body: string }>(
      'SELECT side, booth_id, room_id, updated_at, body FROM call_quality WHERE session_key = $1 ORDER BY side', [sessionKey]);
    return rows.map((row) => ({
      side: row.side === 'booth' ? 'booth' : 'specialist', boothId: row.booth_id, roomId: row.room_id, at: row.updated_at,
      quality: CallQuality.parse(JSON.parse(row.body)),
    }));
  }

  async saveNotes(sessionKey: string, boothId: string, notes: SessionNotes): Promise<void> {
    await this.query(
      `INSERT INTO notes (session_key, booth_id, author_id, updated_at, body) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (session_key) DO UPDATE SET author_id = excluded.author_id, updated_at = excluded.updated_at, body = excluded.body`,
      [sessionKey, boothId, notes.authorId, notes.at, seal(this.keys, `notes:${sessionKey}`, Buffer.from(notes.text, 'utf8'))],
    );
  }

  async notes(sessionKey: string): Promise<SessionNotes | null> {
    const row = (await this.query<{ author_id: string; updated_at: string; body: Buffer }>('SELECT author_id, updated_at, body FROM notes WHERE session_key = $1', [sessionKey])).rows[0];
    return row ? { text: open(this.keys, `notes:${sessionKey}`, row.body).toString('utf8'), authorId: row.author_id, at: row.updated_at } : null;
  }

  async saveClaim(c: ClaimRecord): Promise<void> {
    await this.query('INSERT INTO claims (room_id, specialist_id, booth_id, session_id, claimed_at, body) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (room_id) DO NOTHING',
      [c.roomId, c.specialistId, c.boothId, c.sessionId, c.claimedAt, seal(this.keys, `claims:${c.roomId}`, Buffer.from(JSON.stringify(c.patient)))]);
  }

  async claimsOf(specialistId: string, sessionId: string): Promise<ClaimRecord[]> {
    const { rows } = await this.query<{ room_id: string; specialist_id: string; booth_id: string; session_id: string | null; claimed_at: string; body: Buffer }>(
      'SELECT room_id, specialist_id, booth_id, session_id, claimed_at, body FROM claims WHERE specialist_id = $1 AND session_id = $2 ORDER BY claimed_at', [specialistId, sessionId]);
    return rows.map((r) => ({
      roomId: r.room_id, specialistId: r.specialist_id, boothId: r.booth_id, sessionId: r.session_id, claimedAt: r.claimed_at,
      patient: JSON.parse(open(this.keys, `claims:${r.room_id}`, r.body).toString('utf8')) as ClaimRecord['patient'],
    }));
  }

  async savePrescription(p: Prescription): Promise<void> {
    const r = await this.query('INSERT INTO prescriptions (number, booth_id, session_id, issued_at, body) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (number) DO NOTHING',
      [p.number, p.boothId, p.sessionId, p.issuedAt, seal(this.keys, `prescriptions:${p.number}`, Buffer.from(JSON.stringify(p)))]);
    if (r.rowCount === 0) throw new RecordRefusal('DUPLICATE_NUMBER', `prescription ${p.number} already exists: issue it under a new number`);
  }

  async markPrescriptionDelivered(number: string, at: string, printed: boolean): Promise<boolean> {
    const r = await this.query('UPDATE prescriptions SET delivered_at = $1, printed = $2 WHERE number = $3 AND delivered_at IS NULL', [at, printed, number]);
    return r.rowCount === 1;
  }

  private toPrescriptions(rows: PrescriptionRow[]): StoredPrescription[] {
    return rows.map((r) => ({
      prescription: JSON.parse(open(this.keys, `prescriptions:${r.number}`, r.body).toString('utf8')) as Prescription,
      deliveredAt: r.delivered_at,
      printed: r.printed,
    }));
  }

  async pendingPrescriptions(boothId: string): Promise<Prescription[]> {
    const { rows } = await this.query<PrescriptionRow>('SELECT number, body, delivered_at, printed FROM prescriptions WHERE booth_id = $1 AND delivered_at IS NULL ORDER BY issued_at, number', [boothId]);
    return this.toPrescriptions(rows).map((s) => s.prescription);
  }

  async sessionPrescriptions(sessionId: string): Promise<StoredPrescription[]> {
    const { rows } = await this.query<PrescriptionRow>('SELECT number, body, delivered_at, printed FROM prescriptions WHERE session_id = $1 ORDER BY issued_at, number', [sessionId]);
    return this.toPrescriptions(rows);
  }

  async expiredSessions(before: string, limit: number): Promise<ExpiredSession[]> {
    const { rows } = await this.query<{ sid: string; booth: string; last_at: string }>(`${bindPlan(EXPIRED_SESSIONS_SQL, { before: '$1', text: ' COLLATE "C"' })} LIMIT $2`, [before, limit]);
    return rows.map((r) => ({ sessionId: r.sid, boothId: r.booth, lastActivity: r.last_at }));
  }

  async purgeSession(sessionId: string, before: string): Promise<PurgedRows | null> {
    return this.transaction(async (client) => {
      // The session's rows stay as they are until this commits: a node ingesting
      // into it meanwhile waits, then finds it gone or sees its own rows kept.
      const { rows } = await client.query<{ last_at: string | null }>(bindPlan(SESSION_LAST_ACTIVITY_SQL, { session: '$1', text: ' COLLATE "C"' }), [sessionId]);
      const last = rows[0]?.last_at;
      if (!last || last >= before) return null;
      const removed: PurgedRows = {};
      for (const { table, where } of SESSION_ROWS) {
        removed[table] = (await client.query(`DELETE FROM ${table} WHERE ${bindPlan(where, { session: '$1' })}`, [sessionId])).rowCount ?? 0;
      }
      return removed;
    });
  }

  async exclusivePurge<T>(work: () => Promise<T>): Promise<T | null> {
    // A session-level lock on a connection kept for the run: released with it, even if this node dies.
    return this.withClient(async (client) => {
      const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS got', [LOCK_CLASS, LOCK_PURGE]);
      if (!rows[0]?.got) return null;
      try {
        return await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, LOCK_PURGE]).catch(() => undefined);
      }
    });
  }

  async rehashPatientIndex(limit = 500): Promise<number> {
    if (!this.search) throw searchUnavailable();
    const search = this.search;
    // The rotation wrote the new key to search.key just before: hash under it, not under the key read up to a second ago.
    search.refresh();
    return this.transaction(async (client) => {
      // SKIP LOCKED: two nodes re-hashing at once take different rows.
      const { rows } = await client.query<{ item_id: string; body: Buffer }>(
        `SELECT p.item_id, i.body FROM patient_index p JOIN items i ON i.id = p.item_id
          WHERE p.key_id <> $1 ORDER BY p.item_id LIMIT $2 FOR UPDATE OF p SKIP LOCKED`, [search.keyId(), limit]);
      for (const r of rows) {
        const row = indexRowOf(search, JSON.parse(open(this.keys, `items:${r.item_id}`, r.body).toString('utf8')) as RecordItem);
        if (row) await client.query('UPDATE patient_index SET nir_hash = $1, name_hash = $2, key_id = $3 WHERE item_id = $4', [row.nir, row.name, row.keyId, r.item_id]);
        else await client.query('DELETE FROM patient_index WHERE item_id = $1', [r.item_id]);
      }
      return rows.length;
    });
  }

  async patientIndexKeyIds(): Promise<Map<number, number>> {
    const { rows } = await this.query<{ key_id: number; n: string }>('SELECT key_id, COUNT(*) AS n FROM patient_index GROUP BY key_id', []);
    return new Map(rows.map((r) => [Number(r.key_id), Number(r.n)]));
  }

  async sessionsOfPatient(query: PatientQuery): Promise<PatientSessions> {
    if (!this.search) throw searchUnavailable();
    const { column, hashes } = this.search.probes(query);
    if (hashes.length === 0) return { sessions: [], caseIds: [] };
    const { rows } = await this.query<{ session_id: string; booth_id: string }>(
      `SELECT DISTINCT session_id, booth_id FROM patient_index WHERE ${column} = ANY($1::text[]) ORDER BY session_id, booth_id`, [hashes]);
    const cases = rows.length === 0 ? [] : (await this.query<{ case_id: string; session_id: string; booth_id: string }>(
      'SELECT case_id, session_id, booth_id FROM cases WHERE session_id = ANY($1::text[]) ORDER BY case_id', [rows.map((r) => r.session_id)])).rows;
    const held = new Set(rows.map((r) => `${r.booth_id}\0${r.session_id}`));
    return {
      sessions: rows.map((r) => ({ sessionId: r.session_id, boothId: r.booth_id })),
      caseIds: cases.filter((c) => held.has(`${c.booth_id}\0${c.session_id}`)).map((c) => c.case_id),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** The record on PostgreSQL, connected and migrated (the hub's composition root awaits it before `createRecord`). */
export function openPgRecord(url: string, keys: KeyProvider, clock: Pick<Clock, 'now'> = systemClock, options?: PgRecordOptions): Promise<PgRecordRepository> {
  return PgRecordRepository.open(url, keys, clock, options);
}
