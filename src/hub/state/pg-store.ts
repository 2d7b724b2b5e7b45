/**
 * The hub's live state on PostgreSQL, for several hub nodes sharing one
 * database: the same contract as the SQLite file (./repository.ts), in its
 * own schema `hub_state` so the record's tables can share the database.
 *
 * - Migrations: numbered, each in its own transaction with its row in
 *   `hub_state.migrations`; nodes starting at once take an advisory lock
 *   first, so one migrates and the others find the work done. A database
 *   migrated by a newer release is refused (STATE_TOO_NEW) rather than
 *   written in a shape this release does not know.
 * - Writes: the rooms fire them without waiting, so one store chains them
 *   (each starts when the one before it has finished); a failed write does
 *   not hold up the next. A read waits for the writes called before it,
 *   then runs beside other reads on the pool.
 * - Sealing exactly as on SQLite: bodies under seal.ts with the same AADs,
 *   sessions by token hash only, expiry judged by the hub's clock.
 * - The claim of a waiting booth is one statement: the queue row's delete
 *   feeds the claim's insert, and the row lock taken by the delete makes a
 *   second node's statement find the row gone.
 * - Fencing: given a node's lease (a network), the claim and the removal of
 *   a claim write the room's holder in the cluster's tables (../cluster,
 *   same database) in the same statement, checked against that lease. Only
 *   then does this store touch those tables: without a fence it needs none.
 */
import pg from 'pg';
import { pgAddress } from '../pg-address';
import type { Logger } from 'pino';
import type { KeyProvider } from '../../node/keys';
import { sealJson } from '../../node/seal';
import { systemClock, type Clock } from '../../shared/clock';
import { codeOf } from '../../shared/errors';
import { DURATION_WINDOW, type QueueEntry } from '../media/queue';
import { fencedError } from '../cluster/errors';
import { HubStateError, PENDING_SIGN_INS_MAX, pendingAad, tokenHash, openStateRow, type HubStateRepository, type NodeFence, type PendingSignInKind, type StoredClaim, type StoredSession, type StoredStaffSession } from './repository';

/** Migration n is `PG_HUB_STATE_MIGRATIONS[n - 1]`; never edit a released one, add the next. */
export const PG_HUB_STATE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE hub_state.queue (booth_id TEXT PRIMARY KEY, ord BIGINT GENERATED ALWAYS AS IDENTITY, body BYTEA NOT NULL);
   CREATE TABLE hub_state.claims (
     room_id TEXT PRIMARY KEY, booth_id TEXT NOT NULL UNIQUE, specialist_id TEXT NOT NULL, claimed_at TEXT NOT NULL, body BYTEA NOT NULL
   );
   CREATE TABLE hub_state.sessions (token_hash TEXT PRIMARY KEY, specialist_id TEXT NOT NULL, name TEXT NOT NULL, specialty TEXT NOT NULL, expires BIGINT NOT NULL);
   CREATE TABLE hub_state.durations (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ended_at TEXT NOT NULL, ms BIGINT NOT NULL);`,
  // 2: the last TOTP step each local account used (replays refused across nodes, issue #21).
  `CREATE TABLE hub_state.totp_steps (account TEXT PRIMARY KEY, step BIGINT NOT NULL);`,
  // 3: sign-ins half done (TOTP code, OIDC callback), so the next step may land on any node.
  `CREATE TABLE hub_state.pending_sign_ins (kind TEXT NOT NULL, token_hash TEXT NOT NULL, body BYTEA NOT NULL, expires BIGINT NOT NULL, PRIMARY KEY (kind, token_hash));
   CREATE INDEX pending_sign_ins_expiry ON hub_state.pending_sign_ins (kind, expires);`,
  // 4: the counter's staff sessions, so any node knows them (they lived in each node's memory).
  `CREATE TABLE hub_state.staff_sessions (token_hash TEXT PRIMARY KEY, staff_id TEXT NOT NULL, expires BIGINT NOT NULL);`,
];

/** Any constant both releases agree on: the advisory lock held while migrating ("hub_state" in ASCII). */
const MIGRATION_LOCK = 0x6875625f7374;

export interface PgHubStateOptions {
  /** The hub's clock (session expiry); the system clock when absent. */
  clock?: Pick<Clock, 'now'>;
  /** How long to wait for the server when connecting (5 s by default): an address that never answers fails, it does not hang. */
  connectTimeoutMs?: number;
  /** Connections of this node (10 by default). */
  poolSize?: number;
}

/**
 * Opens the live state on the PostgreSQL server of `url` and brings its
 * schema up to date. Throws HubStateError STATE_UNAVAILABLE (naming host and
 * port) when the server cannot be reached, STATE_TOO_NEW when a newer
 * release migrated the database.
 */
export async function openPgHubState(url: string, keys: KeyProvider, log?: Logger, opts: PgHubStateOptions = {}): Promise<PgHubStateStore> {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10, connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000 });
  // An idle connection broken by the server (restart, failover) must not crash the hub; the next query opens a new one.
  pool.on('error', (error) => log?.warn({ code: codeOf(error) }, 'hub state: an idle database connection was lost'));
  try {
    const client = await connect(pool, url);
    try {
      await migratePgHubState(client);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PgHubStateStore(pool, keys, log, opts.clock ?? systemClock);
}


async function connect(pool: pg.Pool, url: string): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (cause) {
    throw new HubStateError('STATE_UNAVAILABLE', { cause, detail: `PostgreSQL at ${pgAddress(url)}: ${(cause as Error).message || codeOf(cause) || 'no answer'}` });
  }
}

/**
 * Applies every migration above the database's version, up to `target`
 * (tests stop early), under the migration lock; returns the version reached.
 */
export async function migratePgHubState(client: pg.ClientBase, target = PG_HUB_STATE_MIGRATIONS.length): Promise<number> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query('CREATE SCHEMA IF NOT EXISTS hub_state');
    await client.query('CREATE TABLE IF NOT EXISTS hub_state.migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    let current = await versionOf(client);
    if (current > PG_HUB_STATE_MIGRATIONS.length) {
      throw new HubStateError('STATE_TOO_NEW', { detail: `database at version ${current}, this hub knows up to ${PG_HUB_STATE_MIGRATIONS.length}` });
    }
    for (let version = current + 1; version <= target; version++) {
      await client.query('BEGIN');
      try {
        await client.query(PG_HUB_STATE_MIGRATIONS[version - 1]!);
        await client.query('INSERT INTO hub_state.migrations (version) VALUES ($1)', [version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      current = version;
    }
    return current;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}

async function versionOf(client: pg.ClientBase): Promise<number> {
  const r = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM hub_state.migrations');
  return r.rows[0]?.version ?? 0;
}

// NOTE: under READ COMMITTED a second statement deleting the same queue row
// waits for the first to commit, then finds the row gone: it deletes nothing,
// so it inserts nothing. A booth already claimed keeps its queue row (NOT
// EXISTS); ON CONFLICT guards a claim stored by putClaim meanwhile.
const CLAIM_WAITING = `
  WITH taken AS (
    DELETE FROM hub_state.queue
    WHERE booth_id = $2 AND NOT EXISTS (SELECT 1 FROM hub_state.claims WHERE booth_id = $2 OR room_id = $1)
    RETURNING booth_id
  )
  INSERT INTO hub_state.claims (room_id, booth_id, specialist_id, claimed_at, body)
  SELECT $1, booth_id, $3, $4, $5 FROM taken
  ON CONFLICT DO NOTHING
  RETURNING room_id`;

// The same claim in a network, fenced by the claiming node's lease ($6, $7),
// also writes the room's holder (the cluster's room directory, same database).
// `me` holds a share lock on the node's lease row until the commit, so the
// lease cannot be taken again under a new epoch in between. The holder's
// insert has no ON CONFLICT: a room id already held fails the statement, and
// the queue row and the claim stay as they were (room ids are new, so it
// means a bug, never a lost booth).
const CLAIM_WAITING_FENCED = `
  WITH me AS MATERIALIZED (
    SELECT node_id, epoch FROM cluster_nodes WHERE node_id = $6 AND epoch = $7 AND lease_until > now() FOR SHARE
  ),
  taken AS (
    DELETE FROM hub_state.queue
    WHERE booth_id = $2 AND EXISTS (SELECT 1 FROM me)
      AND NOT EXISTS (SELECT 1 FROM hub_state.claims WHERE booth_id = $2 OR room_id = $1)
    RETURNING booth_id
  ),
  claimed AS (
    INSERT INTO hub_state.claims (room_id, booth_id, specialist_id, claimed_at, body)
    SELECT $1, booth_id, $3, $4, $5 FROM taken
    ON CONFLICT DO NOTHING
    RETURNING room_id
  ),
  held AS (
    INSERT INTO cluster_room_owners (room_id, node_id, epoch)
    SELECT claimed.room_id, me.node_id, me.epoch FROM claimed, me
    RETURNING room_id
  )
  SELECT (SELECT count(*) FROM me)::integer AS live, (SELECT count(*) FROM held)::integer AS claimed`;

// A room's holder goes with its claim, and only the live holder removes them:
// the holder's delete re-checks a row another node adopted meanwhile (READ
// COMMITTED) and skips it, and then the claim stays too.
const REMOVE_CLAIM_FENCED = `
  WITH released AS (
    DELETE FROM cluster_room_owners r USING cluster_nodes n
     WHERE r.room_id = $1 AND r.node_id = $2 AND r.epoch = $3
       AND n.node_id = r.node_id AND n.epoch = r.epoch AND n.lease_until > now()
    RETURNING r.room_id
  ),
  removed AS (
    DELETE FROM hub_state.claims WHERE room_id IN (SELECT room_id FROM released)
  )
  SELECT (SELECT count(*) FROM released)::integer AS held`;

interface ClaimRow {
  room_id: string;
  booth_id: string;
  specialist_id: string;
  claimed_at: string;
  body: Buffer;
}

export class PgHubStateStore implements HubStateRepository {
  /** The last write called: the next one starts after it. */
  private tail: Promise<unknown> = Promise.resolve();
  private closed: Promise<void> | null = null;

  constructor(private readonly pool: pg.Pool, private readonly keys: KeyProvider, private readonly log?: Logger, private readonly clock: Pick<Clock, 'now'> = systemClock) {}

  // ---- queue ----------------------------------------------------------------

  putQueueEntry(entry: QueueEntry): Promise<void> {
    const body = sealJson(this.keys, `queue:${entry.boothId}`, entry);
    return this.write(async (db) => {
      // The identity column gives a new booth the next place; an update keeps the place it had.
      await db.query('INSERT INTO hub_state.queue (booth_id, body) VALUES ($1, $2) ON CONFLICT (booth_id) DO UPDATE SET body = excluded.body', [entry.boothId, body]);
    });
  }

  removeQueueEntry(boothId: string): Promise<void> {
    return this.write(async (db) => {
      await db.query('DELETE FROM hub_state.queue WHERE booth_id = $1', [boothId]);
    });
  }

  async queue(): Promise<QueueEntry[]> {
    const rows = await this.read((db) => db.query<{ booth_id: string; body: Buffer }>('SELECT booth_id, body FROM hub_state.queue ORDER BY ord'));
    const out: QueueEntry[] = [];
    for (const row of rows.rows) {
      const entry = openStateRow<QueueEntry>(this.keys, `queue:${row.booth_id}`, row.body, this.log);
      if (entry) out.push(entry);
    }
    return out;
  }

  // ---- claims -----------------------------------------------------------------

  putClaim(claim: StoredClaim): Promise<void> {
    const body = sealJson(this.keys, `claims:${claim.roomId}`, claim.entry);
    return this.write(async (db) => {
      await db.query('INSERT INTO hub_state.claims (room_id, booth_id, specialist_id, claimed_at, body) VALUES ($1, $2, $3, $4, $5)',
        [claim.roomId, claim.boothId, claim.specialistId, claim.claimedAt, body]);
    });
  }

  claimWaiting(claim: StoredClaim, fence?: NodeFence): Promise<boolean> {
    const body = sealJson(this.keys, `claims:${claim.roomId}`, claim.entry);
    const params = [claim.roomId, claim.boothId, claim.specialistId, claim.claimedAt, body];
    return this.write(async (db) => {
      if (!fence) return (await db.query(CLAIM_WAITING, params)).rowCount === 1;
      const r = await db.query<{ live: number; claimed: number }>(CLAIM_WAITING_FENCED, [...params, fence.nodeId, fence.epoch]);
      if (r.rows[0]!.live === 0) throw fencedError({ ...fence, roomId: claim.roomId });
      return r.rows[0]!.claimed === 1;
    });
  }

  removeClaim(roomId: string, fence?: NodeFence): Promise<void> {
    return this.write(async (db) => {
      if (!fence) {
        await db.query('DELETE FROM hub_state.claims WHERE room_id = $1', [roomId]);
        return;
      }
      const r = await db.query<{ held: number }>(REMOVE_CLAIM_FENCED, [roomId, fence.nodeId, fence.epoch]);
      if (r.rows[0]!.held === 0) throw fencedError({ ...fence, roomId });
    });
  }

  async claims(): Promise<StoredClaim[]> {
    const rows = await this.read((db) => db.query<ClaimRow>('SELECT room_id, booth_id, specialist_id, claimed_at, body FROM hub_state.claims ORDER BY claimed_at, room_id'));
    const out: StoredClaim[] = [];
    for (const row of rows.rows) {
      const entry = openStateRow<QueueEntry | null>(this.keys, `claims:${row.room_id}`, row.body, this.log);
      if (entry === undefined) continue;
      out.push({ roomId: row.room_id, boothId: row.booth_id, specialistId: row.specialist_id, claimedAt: row.claimed_at, entry });
    }
    return out;
  }

  // ---- login sessions -----------------------------------------------------------

  putSession(token: string, session: StoredSession): Promise<void> {
    const hash = tokenHash(token);
    return this.write(async (db) => {
      await db.query(
        `INSERT INTO hub_state.sessions (token_hash, specialist_id, name, specialty, expires) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (token_hash) DO UPDATE SET specialist_id = excluded.specialist_id, name = excluded.name, specialty = excluded.specialty, expires = excluded.expires`,
        [hash, session.specialistId, session.name, session.specialty, session.expires]);
    });
  }

  async session(token: string): Promise<StoredSession | null> {
    const hash = tokenHash(token);
    const r = await this.read((db) => db.query<{ specialist_id: string; name: string; specialty: string; expires: string }>(
      'SELECT specialist_id, name, specialty, expires FROM hub_state.sessions WHERE token_hash = $1', [hash]));
    const row = r.rows[0];
    if (!row) return null;
    // BIGINT arrives as a string (it may exceed a double); epoch milliseconds do not.
    const expires = Number(row.expires);
    if (expires < this.clock.now()) {
      await this.write(async (db) => {
        await db.query('DELETE FROM hub_state.sessions WHERE token_hash = $1', [hash]);
      });
      return null;
    }
    return { specialistId: row.specialist_id, name: row.name, specialty: row.specialty, expires };
  }

  removeSession(token: string): Promise<void> {
    const hash = tokenHash(token);
    return this.write(async (db) => {
      await db.query('DELETE FROM hub_state.sessions WHERE token_hash = $1', [hash]);
    });
  }

  purgeExpiredSessions(): Promise<number> {
    const now = this.clock.now();
    return this.write(async (db) => ((await db.query('DELETE FROM hub_state.sessions WHERE expires < $1', [now])).rowCount ?? 0)
      + ((await db.query('DELETE FROM hub_state.staff_sessions WHERE expires < $1', [now])).rowCount ?? 0));
  }

  putStaffSession(token: string, session: StoredStaffSession): Promise<void> {
    const hash = tokenHash(token);
    return this.write(async (db) => {
      await db.query(`INSERT INTO hub_state.staff_sessions (token_hash, staff_id, expires) VALUES ($1, $2, $3)
         ON CONFLICT (token_hash) DO UPDATE SET staff_id = excluded.staff_id, expires = excluded.expires`, [hash, session.staffId, session.expires]);
    });
  }

  async staffSession(token: string): Promise<StoredStaffSession | null> {
    const hash = tokenHash(token);
    const r = await this.read((db) => db.query<{ staff_id: string; expires: string }>('SELECT staff_id, expires FROM hub_state.staff_sessions WHERE token_hash = $1', [hash]));
    const row = r.rows[0];
    if (!row) return null;
    const expires = Number(row.expires);
    if (expires < this.clock.now()) {
      await this.removeStaffSession(token);
      return null;
    }
    return { staffId: row.staff_id, expires };
  }

  removeStaffSession(token: string): Promise<void> {
    const hash = tokenHash(token);
    return this.write(async (db) => {
      await db.query('DELETE FROM hub_state.staff_sessions WHERE token_hash = $1', [hash]);
    });
  }

  // ---- TOTP replays ----------------------------------------------------------------

  // NOTE: one statement. Two nodes inserting the same account at once: the
  // second waits on the first's row (unique index), then re-checks the WHERE
  // against the committed step (READ COMMITTED), so it updates nothing and
  // returns no row.
  useTotpStep(account: string, step: number): Promise<boolean> {
    return this.write(async (db) => (await db.query(
      `INSERT INTO hub_state.totp_steps (account, step) VALUES ($1, $2)
       ON CONFLICT (account) DO UPDATE SET step = excluded.step WHERE hub_state.totp_steps.step < excluded.step
       RETURNING account`, [account, step])).rowCount === 1);
  }

  // ---- sign-ins half done ----------------------------------------------------------

  putPendingSignIn(kind: PendingSignInKind, token: string, body: unknown, expires: number): Promise<void> {
    const hash = tokenHash(token);
    const sealed = sealJson(this.keys, pendingAad(kind, hash), body);
    const now = this.clock.now();
    return this.write(async (db) => {
      await db.query('DELETE FROM hub_state.pending_sign_ins WHERE expires < $1', [now]);
      // Past the cap, the soonest to expire go (nodes racing here may each drop a few: never more than they add).
      await db.query(
        `DELETE FROM hub_state.pending_sign_ins WHERE kind = $1 AND token_hash IN (
           SELECT token_hash FROM hub_state.pending_sign_ins WHERE kind = $1 ORDER BY expires
            LIMIT greatest(0, (SELECT count(*) FROM hub_state.pending_sign_ins WHERE kind = $1) - $2 + 1))`, [kind, PENDING_SIGN_INS_MAX]);
      await db.query(
        `INSERT INTO hub_state.pending_sign_ins (kind, token_hash, body, expires) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, token_hash) DO UPDATE SET body = excluded.body, expires = excluded.expires`, [kind, hash, sealed, expires]);
    });
  }

  // NOTE: DELETE … RETURNING is the single use: two nodes taking the same row, the second finds it gone.
  takePendingSignIn<T>(kind: PendingSignInKind, token: string): Promise<T | null> {
    const hash = tokenHash(token);
    return this.write(async (db) => {
      const r = await db.query<{ body: Buffer; expires: string }>('DELETE FROM hub_state.pending_sign_ins WHERE kind = $1 AND token_hash = $2 RETURNING body, expires', [kind, hash]);
      const row = r.rows[0];
      if (!row || Number(row.expires) < this.clock.now()) return null;
      return openStateRow<T>(this.keys, pendingAad(kind, hash), row.body, this.log) ?? null;
    });
  }

  // ---- room durations (ETA) -------------------------------------------------------

  recordDuration(ms: number): Promise<void> {
    const endedAt = new Date(this.clock.now()).toISOString();
    const value = Math.max(0, Math.round(ms));
    return this.write(async () => {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO hub_state.durations (ended_at, ms) VALUES ($1, $2)', [endedAt, value]);
        await client.query('DELETE FROM hub_state.durations WHERE id NOT IN (SELECT id FROM hub_state.durations ORDER BY id DESC LIMIT $1)', [DURATION_WINDOW]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    });
  }

  async recentDurations(): Promise<number[]> {
    const r = await this.read((db) => db.query<{ ms: string }>('SELECT ms FROM hub_state.durations ORDER BY id DESC LIMIT $1', [DURATION_WINDOW]));
    return r.rows.map((row) => Number(row.ms));
  }

  close(): Promise<void> {
    this.closed ??= this.tail.then(() => this.pool.end());
    return this.closed;
  }

  /** Runs after every write called before it; the next write waits for this one, failed or not. */
  private write<T>(run: (db: pg.Pool) => Promise<T>): Promise<T> {
    const done = this.tail.then(() => run(this.pool));
    this.tail = done.catch(() => undefined);
    return done;
  }

  /** Runs once the writes called before it are done (it sees them), beside other reads. */
  private async read<T>(run: (db: pg.Pool) => Promise<T>): Promise<T> {
    await this.tail;
    return run(this.pool);
  }
}
