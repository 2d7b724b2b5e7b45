/**
 * What the hub must not forget when it restarts (a flicker must not end
 * the consultation): the waiting queue, the claims (room id,
 * booth, specialist, the queue entry, when) and the specialists' login
 * sessions, plus the durations of the last ended rooms (the queue's ETA).
 *
 * One SQLite file `<dataDir>/hub-state.db` (WAL, synchronous=NORMAL: a
 * killed hub process loses nothing committed; only a power cut may lose the
 * last changes, which booths and consoles re-establish anyway). Queue
 * entries and claims carry the patient's first name, age, reason and
 * pathway: their bodies are sealed with AES-256-GCM under the hub state key
 * (`<dataDir>/hub-state.key`, 0600), the AAD binding each to its row. Login
 * sessions are kept by the SHA-256 of the cookie token only, so the file
 * alone cannot be replayed as a cookie; they carry no health data. The
 * last TOTP step each local account used is a bare number per account id;
 * a sign-in half done (TOTP, OIDC) is a sealed body under its token's hash.
 * Writes are small and synchronous inside (each queue change, claim and
 * login is one statement), behind the async HubStateRepository
 * (./repository.ts): a write is done when its promise is made, so writes
 * apply in the order they were called.
 */
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase } from '../../node/sqlite';
import type { Logger } from 'pino';
import { FileKeyProvider, type KeyProvider } from '../../node/keys';
import { sealJson } from '../../node/seal';
import { systemClock, type Clock } from '../../shared/clock';
import { DURATION_WINDOW, type QueueEntry } from '../media/queue';
import { PENDING_SIGN_INS_MAX, pendingAad, tokenHash, openStateRow, type HubStateRepository, type PendingSignInKind, type StoredClaim, type StoredSession, type StoredStaffSession } from './repository';

export const HUB_STATE_MIGRATIONS = [
  `CREATE TABLE queue (booth_id TEXT PRIMARY KEY, ord INTEGER NOT NULL, body BLOB NOT NULL) WITHOUT ROWID;
   CREATE TABLE claims (
     room_id TEXT PRIMARY KEY, booth_id TEXT NOT NULL UNIQUE, specialist_id TEXT NOT NULL, claimed_at TEXT NOT NULL, body BLOB NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, specialist_id TEXT NOT NULL, name TEXT NOT NULL, specialty TEXT NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID;
   CREATE TABLE durations (id INTEGER PRIMARY KEY AUTOINCREMENT, ended_at TEXT NOT NULL, ms INTEGER NOT NULL);`,
  // 2: the last TOTP step each local account used (replays refused, issue #21).
  `CREATE TABLE totp_steps (account TEXT PRIMARY KEY, step INTEGER NOT NULL) WITHOUT ROWID;`,
  // 3: sign-ins half done (TOTP code, OIDC callback), so the next step may land on any node.
  `CREATE TABLE pending_sign_ins (kind TEXT NOT NULL, token_hash TEXT NOT NULL, body BLOB NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (kind, token_hash)) WITHOUT ROWID;
   CREATE INDEX pending_sign_ins_expiry ON pending_sign_ins (kind, expires);`,
  // 4: the counter's staff sessions, so any node knows them (they lived in each node's memory).
  `CREATE TABLE staff_sessions (token_hash TEXT PRIMARY KEY, staff_id TEXT NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID;`,
];

export { tokenHash, type StoredClaim, type StoredSession } from './repository';

export class HubStateStore implements HubStateRepository {
  private readonly db: Database.Database;
  private readonly st;

  constructor(path: string, private readonly keys: KeyProvider, private readonly log?: Logger, private readonly clock: Pick<Clock, 'now'> = systemClock) {
    this.db = openDatabase(path, HUB_STATE_MIGRATIONS, { synchronous: 'NORMAL' });
    const db = this.db;
    this.st = {
      putQueue: db.prepare('INSERT INTO queue (booth_id, ord, body) VALUES (?, coalesce((SELECT ord FROM queue WHERE booth_id = ?), (SELECT coalesce(max(ord), 0) + 1 FROM queue)), ?) ON CONFLICT(booth_id) DO UPDATE SET body = excluded.body'),
      delQueue: db.prepare('DELETE FROM queue WHERE booth_id = ?'),
      queue: db.prepare<[], { booth_id: string; body: Buffer }>('SELECT booth_id, body FROM queue ORDER BY ord'),
      putClaim: db.prepare('INSERT INTO claims (room_id, booth_id, specialist_id, claimed_at, body) VALUES (?, ?, ?, ?, ?)'),
      claimed: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM claims WHERE booth_id = ? OR room_id = ?'),
      delClaim: db.prepare('DELETE FROM claims WHERE room_id = ?'),
      claims: db.prepare<[], { room_id: string; booth_id: string; specialist_id: string; claimed_at: string; body: Buffer }>('SELECT room_id, booth_id, specialist_id, claimed_at, body FROM claims ORDER BY claimed_at'),
      putSession: db.prepare('INSERT OR REPLACE INTO sessions (token_hash, specialist_id, name, specialty, expires) VALUES (?, ?, ?, ?, ?)'),
      getSession: db.prepare<[string], { specialist_id: string; name: string; specialty: string; expires: number }>('SELECT specialist_id, name, specialty, expires FROM sessions WHERE token_hash = ?'),
      delSession: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
      purgeSessions: db.prepare('DELETE FROM sessions WHERE expires < ?'),
      putStaffSession: db.prepare('INSERT OR REPLACE INTO staff_sessions (token_hash, staff_id, expires) VALUES (?, ?, ?)'),
      getStaffSession: db.prepare<[string], { staff_id: string; expires: number }>('SELECT staff_id, expires FROM staff_sessions WHERE token_hash = ?'),
      delStaffSession: db.prepare('DELETE FROM staff_sessions WHERE token_hash = ?'),
      purgeStaffSessions: db.prepare('DELETE FROM staff_sessions WHERE expires < ?'),
      // One statement: the row is written only when its step is earlier, so `changes` is the verdict.
      useTotpStep: db.prepare('INSERT INTO totp_steps (account, step) VALUES (?, ?) ON CONFLICT(account) DO UPDATE SET step = excluded.step WHERE totp_steps.step < excluded.step'),
      dropExpiredPending: db.prepare('DELETE FROM pending_sign_ins WHERE expires < ?'),
      countPending: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM pending_sign_ins WHERE kind = ?'),
      dropSoonestPending: db.prepare('DELETE FROM pending_sign_ins WHERE kind = ? AND token_hash IN (SELECT token_hash FROM pending_sign_ins WHERE kind = ? ORDER BY expires LIMIT ?)'),
      putPending: db.prepare('INSERT OR REPLACE INTO pending_sign_ins (kind, token_hash, body, expires) VALUES (?, ?, ?, ?)'),
      takePending: db.prepare<[string, string], { body: Buffer; expires: number }>('DELETE FROM pending_sign_ins WHERE kind = ? AND token_hash = ? RETURNING body, expires'),
      putDuration: db.prepare('INSERT INTO durations (ended_at, ms) VALUES (?, ?)'),
      trimDurations: db.prepare(`DELETE FROM durations WHERE id NOT IN (SELECT id FROM durations ORDER BY id DESC LIMIT ${DURATION_WINDOW})`),
      durations: db.prepare<[], { ms: number }>(`SELECT ms FROM durations ORDER BY id DESC LIMIT ${DURATION_WINDOW}`),
    };
  }

  /** The store of a hub's data directory: `hub-state.db` with its key file beside it. */
  static inDir(dataDir: string, log?: Logger): HubStateStore {
    return new HubStateStore(join(dataDir, 'hub-state.db'), new FileKeyProvider(join(dataDir, 'hub-state.key')), log);
  }

  // ---- queue ----------------------------------------------------------------

  /** Adds or updates a waiting booth; a booth keeps its place when its entry changes. */
  async putQueueEntry(entry: QueueEntry): Promise<void> {
    this.st.putQueue.run(entry.boothId, entry.boothId, sealJson(this.keys, `queue:${entry.boothId}`, entry));
  }

  async removeQueueEntry(boothId: string): Promise<void> {
    this.st.delQueue.run(boothId);
  }

  /** The waiting queue in its order. A row that cannot be opened (key lost) is skipped and logged by code. */
  async queue(): Promise<QueueEntry[]> {
    const out: QueueEntry[] = [];
    for (const row of this.st.queue.all()) {
      const entry = openStateRow<QueueEntry>(this.keys, `queue:${row.booth_id}`, row.body, this.log);
      if (entry) out.push(entry);
    }
    return out;
  }

  // ---- claims -----------------------------------------------------------------

  async putClaim(claim: StoredClaim): Promise<void> {
    this.st.putClaim.run(claim.roomId, claim.boothId, claim.specialistId, claim.claimedAt, sealJson(this.keys, `claims:${claim.roomId}`, claim.entry));
  }

  /** IMMEDIATE: another process on the same file waits for the write lock instead of deciding on a stale read. */
  async claimWaiting(claim: StoredClaim): Promise<boolean> {
    const body = sealJson(this.keys, `claims:${claim.roomId}`, claim.entry);
    return this.db.transaction(() => {
      if (this.st.claimed.get(claim.boothId, claim.roomId)) return false;
      if (this.st.delQueue.run(claim.boothId).changes === 0) return false;
      this.st.putClaim.run(claim.roomId, claim.boothId, claim.specialistId, claim.claimedAt, body);
      return true;
    }).immediate();
  }

  async removeClaim(roomId: string): Promise<void> {
    this.st.delClaim.run(roomId);
  }

  async claims(): Promise<StoredClaim[]> {
    const out: StoredClaim[] = [];
    for (const row of this.st.claims.all()) {
      const entry = openStateRow<QueueEntry | null>(this.keys, `claims:${row.room_id}`, row.body, this.log);
      if (entry === undefined) continue;
      out.push({ roomId: row.room_id, boothId: row.booth_id, specialistId: row.specialist_id, claimedAt: row.claimed_at, entry });
    }
    return out;
  }

  // ---- login sessions -----------------------------------------------------------

  async putSession(token: string, session: StoredSession): Promise<void> {
    this.st.putSession.run(tokenHash(token), session.specialistId, session.name, session.specialty, session.expires);
  }

  /** The session of a cookie token, or null when unknown or expired (an expired one is deleted). */
  async session(token: string): Promise<StoredSession | null> {
    const row = this.unexpired(token, this.st.getSession, this.st.delSession);
    return row && { specialistId: row.specialist_id, name: row.name, specialty: row.specialty, expires: row.expires };
  }

  /** The row of a token's hash, or null when there is none or it has expired (an expired one is deleted). */
  private unexpired<R extends { expires: number }>(token: string, get: Database.Statement<[string], R>, del: Database.Statement): R | null {
    const hash = tokenHash(token);
    const row = get.get(hash);
    if (!row) return null;
    if (row.expires >= this.clock.now()) return row;
    del.run(hash);
    return null;
  }

  async removeSession(token: string): Promise<void> {
    this.st.delSession.run(tokenHash(token));
  }

  /** Deletes expired sessions; returns how many. */
  async purgeExpiredSessions(): Promise<number> {
    const now = this.clock.now();
    return this.st.purgeSessions.run(now).changes + this.st.purgeStaffSessions.run(now).changes;
  }

  async putStaffSession(token: string, session: StoredStaffSession): Promise<void> {
    this.st.putStaffSession.run(tokenHash(token), session.staffId, session.expires);
  }

  async staffSession(token: string): Promise<StoredStaffSession | null> {
    const row = this.unexpired(token, this.st.getStaffSession, this.st.delStaffSession);
    return row && { staffId: row.staff_id, expires: row.expires };
  }

  async removeStaffSession(token: string): Promise<void> {
    this.st.delStaffSession.run(tokenHash(token));
  }

  // ---- TOTP replays ----------------------------------------------------------------

  async useTotpStep(account: string, step: number): Promise<boolean> {
    return this.st.useTotpStep.run(account, step).changes === 1;
  }

  // ---- sign-ins half done ----------------------------------------------------------

  async putPendingSignIn(kind: PendingSignInKind, token: string, body: unknown, expires: number): Promise<void> {
    const hash = tokenHash(token);
    const sealed = sealJson(this.keys, pendingAad(kind, hash), body);
    this.db.transaction(() => {
      this.st.dropExpiredPending.run(this.clock.now());
      const over = this.st.countPending.get(kind)!.n - PENDING_SIGN_INS_MAX + 1;
      if (over > 0) this.st.dropSoonestPending.run(kind, kind, over);
      this.st.putPending.run(kind, hash, sealed, expires);
    }).immediate();
  }

  async takePendingSignIn<T>(kind: PendingSignInKind, token: string): Promise<T | null> {
    const hash = tokenHash(token);
    const row = this.st.takePending.get(kind, hash);
    if (!row || row.expires < this.clock.now()) return null;
    return openStateRow<T>(this.keys, pendingAad(kind, hash), row.body, this.log) ?? null;
  }

  // ---- room durations (ETA) -------------------------------------------------------

  async recordDuration(ms: number): Promise<void> {
    this.db.transaction(() => {
      this.st.putDuration.run(new Date(this.clock.now()).toISOString(), Math.max(0, Math.round(ms)));
      this.st.trimDurations.run();
    })();
  }

  /** The last ended rooms' durations (ms), newest first, at most DURATION_WINDOW. */
  async recentDurations(): Promise<number[]> {
    return this.st.durations.all().map((r) => r.ms);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
