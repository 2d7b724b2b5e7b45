/**
 * Opens one of the hub's SQLite files (the record, the hub state): a 0700
 * folder, WAL, a busy timeout, and the numbered migrations not yet applied,
 * each in its own transaction with `user_version` moved with it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export function openHubDatabase(path: string, migrations: readonly string[], synchronous: 'FULL' | 'NORMAL'): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  const version = db.pragma('user_version', { simple: true }) as number;
  migrations.forEach((sql, i) => {
    if (i + 1 <= version) return;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${i + 1}`);
    })();
  });
  return db;
}
