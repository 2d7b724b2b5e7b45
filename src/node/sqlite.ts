/**
 * Opens one SQLite file the way the booth store and the hub's files all want
 * it: a 0700 folder, WAL, a busy timeout, and the numbered migrations not yet
 * applied, each in its own transaction with `user_version` moved with it.
 * Migration n is `migrations[n - 1]`; never edit a released one, add the next.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface OpenDatabaseOptions {
  /** FULL where a write reported as saved must survive a power cut; NORMAL where WAL's own guarantee is enough. */
  synchronous: 'FULL' | 'NORMAL';
  /** How long a write waits for another connection's lock (5 s by default). */
  busyTimeoutMs?: number;
  foreignKeys?: boolean;
}

export function openDatabase(path: string, migrations: readonly string[], opts: OpenDatabaseOptions): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous}`);
    if (opts.foreignKeys) db.pragma('foreign_keys = ON');
    migrate(db, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Applies every migration above the file's version, up to `target` (tests stop early); returns the version reached. */
export function migrate(db: Database.Database, migrations: readonly string[], target = migrations.length): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  migrations.forEach((sql, i) => {
    const version = i + 1;
    if (version <= current || version > target) return;
    // IMMEDIATE takes the write lock up front: two processes opening the same
    // file wait on the busy timeout instead of failing on a lock upgrade.
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  });
  return db.pragma('user_version', { simple: true }) as number;
}
