/**
 * The journal on SQLite: `<dataDir>/journal.db`, a file of its own (WAL,
 * synchronous=FULL: an entry reported written survives a power cut).
 *
 * One writer: the append is a BEGIN IMMEDIATE transaction (read the last
 * entry, compute, insert), so it holds SQLite's write lock from its first
 * read. On SQLite the hub is one process; an admin command run beside it on
 * the same file waits on the busy timeout and appends after it, never beside.
 */
import type Database from 'better-sqlite3';
import { openDatabase } from '../../node/sqlite';
import { JournalUnavailableError } from './errors';
import { COLUMNS, fromRow, toRow, whereOf, type ChainLink, type JournalRow, type JournalStore } from './store';
import type { JournalEntry, JournalQuery } from './types';

/** Migration n is `JOURNAL_MIGRATIONS[n - 1]`; never edit a released one, add the next (and its PostgreSQL twin). */
export const JOURNAL_MIGRATIONS: readonly string[] = [
  `CREATE TABLE journal (
     seq INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     node TEXT NOT NULL,
     key_id INTEGER NOT NULL,
     prev TEXT NOT NULL,
     mac TEXT NOT NULL,
     actor_role TEXT NOT NULL,
     actor_id TEXT,
     action TEXT NOT NULL,
     resource TEXT NOT NULL,
     resource_id TEXT,
     session_id TEXT,
     booth_id TEXT,
     case_id TEXT,
     outcome TEXT NOT NULL,
     reason TEXT,
     from_addr TEXT
   );
   CREATE INDEX journal_session ON journal(session_id, seq);
   CREATE INDEX journal_case ON journal(case_id, seq);
   CREATE INDEX journal_actor ON journal(actor_id, seq);`,
];

function unavailable(file: string, cause: unknown): JournalUnavailableError {
  return cause instanceof JournalUnavailableError ? cause : new JournalUnavailableError({ cause, detail: `${file}: ${(cause as Error).message}` });
}

export class SqliteJournalStore implements JournalStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly lastStmt: Database.Statement;
  private readonly afterStmt: Database.Statement;
  private readonly macStmt: Database.Statement;
  private closed = false;

  constructor(private readonly file: string) {
    try {
      this.db = openDatabase(file, JOURNAL_MIGRATIONS, { synchronous: 'FULL' });
    } catch (cause) {
      throw unavailable(file, cause);
    }
    this.insert = this.db.prepare(`INSERT INTO journal (${COLUMNS}) VALUES (${COLUMNS.split(',').map(() => '?').join(', ')})`);
    this.lastStmt = this.db.prepare(`SELECT ${COLUMNS} FROM journal ORDER BY seq DESC LIMIT 1`);
    this.afterStmt = this.db.prepare(`SELECT ${COLUMNS} FROM journal WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.macStmt = this.db.prepare('SELECT mac FROM journal WHERE seq = ?');
  }

  private run<T>(work: () => T): Promise<T> {
    try {
      if (this.closed) throw new Error('the journal is closed (the hub is stopping)');
      return Promise.resolve(work());
    } catch (cause) {
      return Promise.reject(unavailable(this.file, cause));
    }
  }

  append(make: (last: ChainLink | null) => JournalEntry): Promise<JournalEntry> {
    return this.run(() => this.db.transaction(() => {
      const last = this.lastStmt.get() as JournalRow | undefined;
      const entry = make(last ? { seq: Number(last.seq), mac: last.mac } : null);
      this.insert.run(...toRow(entry));
      return entry;
    }).immediate());
  }

  list(query: JournalQuery): Promise<JournalEntry[]> {
    return this.run(() => {
      const { sql, params } = whereOf(query, () => '?');
      return (this.db.prepare(`SELECT ${COLUMNS} FROM journal ${sql}`).all(...params) as JournalRow[]).map(fromRow);
    });
  }

  last(): Promise<JournalEntry | null> {
    return this.run(() => {
      const r = this.lastStmt.get() as JournalRow | undefined;
      return r ? fromRow(r) : null;
    });
  }

  after(afterSeq: number, size: number): Promise<JournalEntry[]> {
    return this.run(() => (this.afterStmt.all(afterSeq, size) as JournalRow[]).map(fromRow));
  }

  macAt(seq: number): Promise<string | undefined> {
    return this.run(() => (this.macStmt.get(seq) as { mac: string } | undefined)?.mac);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
