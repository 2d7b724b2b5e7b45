/**
 * The journal on PostgreSQL: a `journal` table in the hub's database, shared
 * by every node of a network, so the nodes write ONE chain.
 *
 * One writer at a time across nodes: the append is one transaction that
 * first takes `pg_advisory_xact_lock(JOURNAL_APPEND_LOCK)`, then reads the
 * last entry, computes the next and inserts it; the lock is released by the
 * commit, so the next writer (this node or another) reads the entry just
 * written. The primary key on seq is the backstop: two writers could never
 * both insert the same number. Commits wait for the disk
 * (`synchronous_commit` raised to `on` where the server's default is off).
 *
 * Migrations are numbered, applied under their own advisory lock so nodes
 * starting together migrate once; a database migrated by a newer release is
 * refused.
 */
import type pg from 'pg';
import { codeOf } from '../../shared/errors';
import { pgAddress } from '../pg-address';
import { durablePool, withPooledClient } from '../pg-pool';
import { JournalUnavailableError } from './errors';
import { COLUMNS, fromRow, toRow, whereOf, type ChainLink, type JournalRow, type JournalStore } from './store';
import type { JournalEntry, JournalQuery } from './types';

/** Migration n is `PG_JOURNAL_MIGRATIONS[n - 1]`; the twin of the SQLite history (./sqlite-store.ts). */
export const PG_JOURNAL_MIGRATIONS: readonly string[] = [
  `CREATE TABLE journal (
     seq BIGINT PRIMARY KEY,
     at BIGINT NOT NULL,
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

/** The append lock every node takes (ASCII "cbjournl"): one writer at a time across the network. */
export const JOURNAL_APPEND_LOCK = 0x63626a6f75726e6cn;
/** The migration lock (ASCII "cbjm"), apart from the append lock and the other stores' locks. */
const MIGRATION_LOCK = 0x63626a6d;

export interface PgJournalOptions {
  /** How long connecting may take before JOURNAL_UNAVAILABLE (5 s by default). */
  connectTimeoutMs?: number;
  /** How long one statement may wait for the server (10 s by default, the lock wait included). */
  queryTimeoutMs?: number;
  /** Connections of this node (4 by default: appends are serialised anyway). */
  maxConnections?: number;
}

export class PgJournalStore implements JournalStore {
  private closed = false;

  private constructor(private readonly pool: pg.Pool, private readonly server: string) {}

  /** Connects and migrates; JOURNAL_UNAVAILABLE naming host and port when the server cannot be reached. */
  static async open(url: string, options: PgJournalOptions = {}): Promise<PgJournalStore> {
    const server = pgAddress(url);
    const pool = durablePool({
      connectionString: url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      query_timeout: options.queryTimeoutMs ?? 10_000,
      max: options.maxConnections ?? 4,
    });
    const store = new PgJournalStore(pool, server);
    try {
      await store.withClient((client) => migratePgJournal(client));
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return store;
  }

  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new JournalUnavailableError({ detail: 'the journal is closed (the hub is stopping)' });
    // Whatever fails, the entry was not written: the access it stood for is refused.
    return withPooledClient(this.pool, work, {
      connect: (cause) => this.unavailable(cause),
      work: (cause) => ({ error: this.unavailable(cause), drop: true }),
    });
  }

  private unavailable(cause: unknown): JournalUnavailableError {
    if (cause instanceof JournalUnavailableError) return cause;
    return new JournalUnavailableError({ cause, detail: `PostgreSQL at ${this.server}: ${(cause as Error).message || codeOf(cause) || 'no answer'}` });
  }

  append(make: (last: ChainLink | null) => JournalEntry): Promise<JournalEntry> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [JOURNAL_APPEND_LOCK.toString()]);
        const last = (await client.query<{ seq: string; mac: string }>('SELECT seq, mac FROM journal ORDER BY seq DESC LIMIT 1')).rows[0];
        const entry = make(last ? { seq: Number(last.seq), mac: last.mac } : null);
        const values = toRow(entry);
        await client.query(`INSERT INTO journal (${COLUMNS}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`, values);
        await client.query('COMMIT');
        return entry;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  list(query: JournalQuery): Promise<JournalEntry[]> {
    return this.withClient(async (client) => {
      const { sql, params } = whereOf(query, (n) => `$${n}`);
      return (await client.query<JournalRow>(`SELECT ${COLUMNS} FROM journal ${sql}`, params)).rows.map(fromRow);
    });
  }

  last(): Promise<JournalEntry | null> {
    return this.withClient(async (client) => {
      const r = (await client.query<JournalRow>(`SELECT ${COLUMNS} FROM journal ORDER BY seq DESC LIMIT 1`)).rows[0];
      return r ? fromRow(r) : null;
    });
  }

  after(afterSeq: number, size: number): Promise<JournalEntry[]> {
    return this.withClient(async (client) =>
      (await client.query<JournalRow>(`SELECT ${COLUMNS} FROM journal WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, size])).rows.map(fromRow));
  }

  macAt(seq: number): Promise<string | undefined> {
    return this.withClient(async (client) => (await client.query<{ mac: string }>('SELECT mac FROM journal WHERE seq = $1', [seq])).rows[0]?.mac);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** Applies every migration above the database's version under the migration lock; returns the version reached. */
export async function migratePgJournal(client: pg.ClientBase): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS journal_schema_version (version INTEGER NOT NULL)');
    const found = (await client.query<{ version: number }>('SELECT version FROM journal_schema_version')).rows[0]?.version ?? 0;
    if (found > PG_JOURNAL_MIGRATIONS.length) {
      throw new JournalUnavailableError({ detail: `the journal's schema is at version ${found}, this hub knows only ${PG_JOURNAL_MIGRATIONS.length}: update this node like the others` });
    }
    for (let v = found; v < PG_JOURNAL_MIGRATIONS.length; v++) await client.query(PG_JOURNAL_MIGRATIONS[v]!);
    if (found === 0) await client.query('INSERT INTO journal_schema_version (version) VALUES ($1)', [PG_JOURNAL_MIGRATIONS.length]);
    else await client.query('UPDATE journal_schema_version SET version = $1', [PG_JOURNAL_MIGRATIONS.length]);
    await client.query('COMMIT');
    return PG_JOURNAL_MIGRATIONS.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
