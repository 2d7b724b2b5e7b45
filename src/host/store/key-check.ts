/**
 * The booth store knows which keys sealed it (issue #21). A key file lost or
 * replaced used to be papered over: FileKeyProvider created a fresh key and
 * the store could no longer open what it held, silently. Now:
 * - each key that seals data leaves a check in the store (`key_checks`,
 *   migration 6): its id and an HMAC of a constant under it — it proves which
 *   key it was and reveals nothing of it;
 * - at open, before any migration or write, the store file is read (read-only)
 *   for its checks and for the key ids its sealed rows name. If it holds
 *   sealed data and the key file is missing, no key is created; if the file's
 *   key under a checked id is another one, or rows name an id the file lacks,
 *   the open fails with KEY_LOST and a report of what was never acknowledged
 *   by the hub (counts by kind, time range: plain metadata columns only).
 * - a fresh install (no database file, or one holding nothing sealed)
 *   creates its key as before.
 * The recovery is the key file from backup and a restart, or the operator's
 * `archiveLostStore`, which moves the unreadable store (and the wrong key)
 * aside so that the next start begins empty; what it held is then lost, as
 * its report said.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { KeyLossReason, KeyLossReport } from '../../shared/key-loss';
import { FileKeyProvider, type DataKey, type KeyProvider } from '../../node/keys';
import { open } from '../../node/seal';
import { KeyLostError, StoreError, toStoreError } from '../../node/store-errors';
import { BoothStore, type StoreOptions } from './store';

/** What the HMAC is taken over; the key id goes with it so that a check cannot stand for another id. */
const CHECK_LABEL = 'cabine booth store key check v1';

/** Tables whose rows are sealed whole under AAD `<table>:<id>` (chunks are sealed with their row, in its transaction). */
const SEALED_TABLES = ['sessions', 'readings', 'session_events', 'photos', 'clips', 'videos', 'cases'] as const;

export function keyCheckMac(key: DataKey): Buffer {
  return createHmac('sha256', key.key).update(`${CHECK_LABEL}:${key.id}`).digest();
}

interface KeyCheck {
  keyId: number;
  mac: Buffer;
}

/** What the store file says about its keys, read without writing a byte. */
interface StoreKeyState {
  checks: KeyCheck[];
  /** Key ids named by sealed rows, with one row of each to try a key on. */
  sealed: Map<number, { table: string; id: string; sealed: Buffer }>;
}

function tableExists(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function readKeyState(db: Database.Database): StoreKeyState {
  const checks = tableExists(db, 'key_checks')
    ? db.prepare<[], { key_id: number; mac: Buffer }>('SELECT key_id, mac FROM key_checks ORDER BY key_id').all().map((r) => ({ keyId: r.key_id, mac: r.mac }))
    : [];
  const sealed = new Map<number, { table: string; id: string; sealed: Buffer }>();
  for (const table of SEALED_TABLES) {
    if (!tableExists(db, table)) continue;
    // One row per key id: the second byte pair of the sealed header (seal.ts) is the id.
    const rows = db.prepare<[], { id: string; sealed: Buffer }>(
      `SELECT id, sealed FROM ${table} WHERE sealed IS NOT NULL AND length(sealed) >= 3 GROUP BY substr(sealed, 2, 2)`,
    ).all();
    for (const r of rows) {
      const keyId = r.sealed.readUInt16BE(1);
      if (!sealed.has(keyId)) sealed.set(keyId, { table, id: r.id, sealed: r.sealed });
    }
  }
  return { checks, sealed };
}

/** What the hub never acknowledged, from the outbox's plain columns: kinds, counts, times — never the data. */
function lossReport(db: Database.Database, reason: KeyLossReason, keyIds: number[]): KeyLossReport {
  const byKind: Record<string, number> = {};
  let total = 0;
  let acknowledged = 0;
  let from: string | null = null;
  let to: string | null = null;
  if (tableExists(db, 'outbox')) {
    for (const r of db.prepare<[], { kind: string; n: number }>('SELECT kind, count(*) AS n FROM outbox WHERE acked_at IS NULL GROUP BY kind ORDER BY kind').all()) {
      byKind[r.kind] = r.n;
      total += r.n;
    }
    const range = db.prepare<[], { lo: number | null; hi: number | null }>('SELECT min(created_at) AS lo, max(created_at) AS hi FROM outbox WHERE acked_at IS NULL').get()!;
    from = range.lo === null ? null : new Date(range.lo).toISOString();
    to = range.hi === null ? null : new Date(range.hi).toISOString();
    acknowledged = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox WHERE acked_at IS NOT NULL').get()!.n;
  }
  return { reason, keyIds: [...new Set(keyIds)].sort((a, b) => a - b).slice(0, 64), unacknowledged: { total, byKind, from, to }, acknowledged };
}

function sameMac(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The keys a store needs that `keys` cannot give (null: all there, and right). */
function judgeKeys(state: StoreKeyState, keys: KeyProvider | null): { reason: KeyLossReason; keyIds: number[] } | null {
  const needed = [...new Set([...state.checks.map((c) => c.keyId), ...state.sealed.keys()])];
  if (!keys) return needed.length > 0 ? { reason: 'key-file-missing', keyIds: needed } : null;
  const mismatched = state.checks.filter((c) => {
    const key = keys.byId(c.keyId);
    return key !== undefined && !sameMac(keyCheckMac(key), c.mac);
  }).map((c) => c.keyId);
  // Rows sealed before key checks existed (a store migrated from version 5): the key must open one of them.
  const checked = new Set(state.checks.map((c) => c.keyId));
  for (const [keyId, row] of state.sealed) {
    const key = keys.byId(keyId);
    if (!key || checked.has(keyId)) continue;
    try {
      open(keys, `${row.table}:${row.id}`, row.sealed);
    } catch {
      mismatched.push(keyId);
    }
  }
  if (mismatched.length > 0) return { reason: 'key-mismatch', keyIds: mismatched };
  const unknown = [...state.sealed.keys()].filter((id) => !keys.byId(id));
  if (unknown.length > 0) return { reason: 'unknown-key-id', keyIds: unknown };
  return null;
}

/**
 * Reads the store file (read-only) and says whether `keys` can open it
 * (null keys: the key file is missing). Throws KEY_LOST with the report when
 * they cannot; returns whether the store holds anything sealed at all.
 */
export function checkStoreKeys(path: string, keys: KeyProvider | null, keyFile = '(key provider)'): { holdsSealedData: boolean } {
  if (!existsSync(path)) return { holdsSealedData: false };
  // A read-only connection to a WAL file makes its -wal and -shm and cannot remove them: the ones it made go again.
  const hadWal = existsSync(`${path}-wal`) || existsSync(`${path}-shm`);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const state = readKeyState(db);
    const verdict = judgeKeys(state, keys);
    if (verdict) {
      const report = lossReport(db, verdict.reason, verdict.keyIds);
      throw new KeyLostError(report, `${path}: ${verdict.reason} (key ids ${verdict.keyIds.join(', ')}; key file ${keyFile})`);
    }
    return { holdsSealedData: state.checks.length > 0 || state.sealed.size > 0 };
  } catch (error) {
    throw toStoreError(error);
  } finally {
    db?.close();
    if (!hadWal && existsSync(`${path}-wal`) && statSync(`${path}-wal`).size === 0) {
      rmSync(`${path}-wal`, { force: true });
      rmSync(`${path}-shm`, { force: true });
    }
  }
}

/** Writes the checks of the keys that sealed (or will seal) this store and that it does not hold yet. */
function recordKeyChecks(store: BoothStore, keys: KeyProvider, now: number): void {
  const ids = new Set<number>([keys.current().id]);
  for (const table of SEALED_TABLES) {
    for (const r of store.db.prepare<[], { k: Buffer }>(`SELECT DISTINCT substr(sealed, 2, 2) AS k FROM ${table} WHERE sealed IS NOT NULL AND length(sealed) >= 3`).all()) {
      ids.add(r.k.readUInt16BE(0));
    }
  }
  const insert = store.db.prepare('INSERT INTO key_checks (key_id, mac, created_at) VALUES (?, ?, ?) ON CONFLICT(key_id) DO NOTHING');
  store.db.transaction(() => {
    for (const id of ids) {
      const key = keys.byId(id);
      if (key) insert.run(id, keyCheckMac(key), now);
    }
  })();
}

export interface OpenCheckedOptions extends Omit<StoreOptions, 'keys'> {
  /** The booth's 0600 key file (created only for a store that holds nothing sealed). */
  keyFile: string;
  /** A ready provider instead of the file (tests); the same checks apply. */
  keys?: KeyProvider;
}

/**
 * Opens the booth store with its key file, refusing with KEY_LOST (the
 * database left byte for byte as it was, no key file created) when the key
 * cannot open what the store holds.
 */
export function openCheckedStore(opts: OpenCheckedOptions): { store: BoothStore; keys: KeyProvider } {
  const { keyFile, keys: given, ...rest } = opts;
  let keys: KeyProvider | null = given ?? null;
  if (!keys && existsSync(keyFile)) keys = new FileKeyProvider(keyFile, { create: false });
  const { holdsSealedData } = checkStoreKeys(opts.path, keys, keyFile);
  // Nothing sealed yet (a fresh install, or a store that never held personal data): a new key is safe.
  if (!keys && !holdsSealedData) keys = new FileKeyProvider(keyFile);
  const store = BoothStore.open({ ...rest, keys: keys! });
  try {
    recordKeyChecks(store, keys!, (opts.clock ?? { now: () => Date.now() }).now());
  } catch (error) {
    store.close();
    throw toStoreError(error);
  }
  return { store, keys: keys! };
}

export interface ArchiveResult {
  /** The folder the unreadable store (and the key file that could not open it) now lies in. */
  archiveDir: string;
  /** What is lost with it (the hub holds everything acknowledged). */
  report: KeyLossReport;
}

/**
 * The operator's way out when the key file cannot be restored: moves the
 * store's files (and a wrong key file) into `<store>.lost-<time>/` with the
 * report beside them, so that the next start begins a new, empty store with
 * a new key. Refuses a store its key opens (NOT KEY_LOST): nothing healthy
 * is ever moved aside by mistake.
 */
export function archiveLostStore(opts: { path: string; keyFile: string; now?: number }): ArchiveResult {
  let report: KeyLossReport;
  try {
    const keys = existsSync(opts.keyFile) ? new FileKeyProvider(opts.keyFile, { create: false }) : null;
    checkStoreKeys(opts.path, keys, opts.keyFile);
  } catch (error) {
    if (!(error instanceof KeyLostError)) throw error;
    report = error.report;
  }
  if (!report!) {
    throw new StoreError('STORE_FAILED', { detail: `${opts.path}: its key file opens it — nothing to archive (archive only a store that fails with KEY_LOST)` });
  }
  const stamp = new Date(opts.now ?? Date.now()).toISOString().replace(/[:.]/g, '-');
  const archiveDir = join(dirname(opts.path), `${basename(opts.path)}.lost-${stamp}`);
  mkdirSync(archiveDir, { mode: 0o700 });
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(opts.path + suffix)) renameSync(opts.path + suffix, join(archiveDir, basename(opts.path) + suffix));
  }
  // A replaced key file goes too: it opens nothing here, and a new store wants a key of its own.
  if (existsSync(opts.keyFile)) renameSync(opts.keyFile, join(archiveDir, basename(opts.keyFile)));
  writeFileSync(join(archiveDir, 'lost-report.json'), `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
  return { archiveDir, report };
}
