/**
 * Numbered migrations of the booth store (STYLE 7). `PRAGMA user_version`
 * holds the number of the last one applied; each runs in its own transaction.
 * Never edit a released migration: add the next one.
 */
import type Database from 'better-sqlite3';
import { migrate as migrateSql } from '../../node/sqlite';

export interface Migration {
  version: number;
  name: string;
  up: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'sessions, session events, readings, outbox',
    up: `
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        -- identity and notes, sealed (AAD sessions:<id>)
        sealed BLOB
      );
      CREATE TABLE session_events (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        sealed BLOB NOT NULL
      );
      CREATE INDEX session_events_session ON session_events(session_id);
      CREATE TABLE readings (
        id TEXT PRIMARY KEY,
        session_id TEXT,
        kind TEXT NOT NULL,
        taken_at TEXT NOT NULL,
        -- the whole reading (values, device, flags), sealed (AAD readings:<id>)
        sealed BLOB NOT NULL
      );
      CREATE INDEX readings_session ON readings(session_id);
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        item_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        session_id TEXT,
        created_at INTEGER NOT NULL,
        acked_at INTEGER
      );
      CREATE INDEX outbox_pending ON outbox(acked_at, seq);
    `,
  },
  {
    version: 2,
    name: 'photos and their sealed chunks',
    up: `
      CREATE TABLE photos (
        id TEXT PRIMARY KEY,
        session_id TEXT,
        mime TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        byte_length INTEGER NOT NULL,
        chunk_count INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        taken_at TEXT NOT NULL,
        -- body site, polarisation, device (AAD photos:<id>)
        sealed BLOB NOT NULL
      );
      CREATE TABLE photo_chunks (
        photo_id TEXT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        sealed BLOB NOT NULL,
        PRIMARY KEY (photo_id, idx)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'sync state and photo upload progress',
    up: `
      CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      ALTER TABLE photos ADD COLUMN uploaded_chunks INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 4,
    name: 'stethoscope clips and their sealed chunks',
    up: `
      CREATE TABLE clips (
        id TEXT PRIMARY KEY,
        session_id TEXT,
        byte_length INTEGER NOT NULL,
        chunk_count INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        -- point, format, duration (AAD clips:<id>)
        sealed BLOB NOT NULL,
        uploaded_chunks INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE clip_chunks (
        clip_id TEXT NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        sealed BLOB NOT NULL,
        PRIMARY KEY (clip_id, idx)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'forwarded cases: the patient video as sealed chunks, and the case manifest',
    up: `
      CREATE TABLE videos (
        id TEXT PRIMARY KEY,
        session_id TEXT,
        byte_length INTEGER NOT NULL,
        chunk_count INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        -- format, size, duration (AAD videos:<id>)
        sealed BLOB NOT NULL,
        uploaded_chunks INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE video_chunks (
        video_id TEXT NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        sealed BLOB NOT NULL,
        PRIMARY KEY (video_id, idx)
      ) WITHOUT ROWID;
      CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        completed_at TEXT NOT NULL,
        -- the whole manifest: patient, phone number, question, who compiled (AAD cases:<id>)
        sealed BLOB NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'key checks: which keys sealed this store (a lost or replaced key file is detected, issue #21)',
    up: `
      CREATE TABLE key_checks (
        key_id INTEGER PRIMARY KEY,
        -- HMAC-SHA256 under the key of a constant (key-check.ts): proves the key file's key is this one, reveals nothing
        mac BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Applies every migration above the file's version, up to `target` (tests stop early). */
export function migrate(db: Database.Database, target = LATEST_VERSION): number {
  return migrateSql(db, MIGRATIONS.map((m) => m.up), target);
}
