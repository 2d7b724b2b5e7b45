/**
 * Re-sealing rows still on an old data key (issue #21, docs/store.md "Key
 * rotation"). For each sealed column, rows whose sealed value carries another
 * key id than the current one are read in small batches in primary-key order,
 * opened with their own key and sealed again with the current one under the
 * same AAD (the row does not move, so its AAD does not change), then written
 * in one short transaction per batch; the caller's `pause` runs between
 * batches, so the booth keeps serving sessions and the hub its requests.
 *
 * Crash safety: the key file is written (fsync, atomic rename) before any row
 * is re-sealed with the new key, and each row holds one whole sealed value
 * under the old key or the new one, both in the file. A SIGKILL at any point
 * leaves every row readable; the next run finds the rows still on the old key
 * and resumes. A write compares the stored value with the one it read, so a
 * row the application rewrote meanwhile (already under the current key) is
 * left as it is.
 *
 * The engine sits behind SealedRowsDb: SQLite here (booth store, hub record
 * and live state on one node), PostgreSQL in src/hub/keys (several nodes).
 */
import type Database from 'better-sqlite3';
import type { KeyProvider } from './keys';
import { open, seal, sealedKeyId } from './seal';
import { codeOf } from '../shared/errors';

/** One sealed column of one table, and how its AAD is made from the row's primary key. */
export interface SealedColumn {
  table: string;
  column: string;
  /** The primary key's columns, in order (the batches' cursor). */
  keyColumns: readonly string[];
  /** The AAD the value was sealed with, from the primary key's values (`readings:<id>`). */
  aad(key: readonly unknown[]): string;
}

export interface SealedRow {
  key: unknown[];
  sealed: Buffer;
}

/** The few statements re-sealing needs, on one engine. */
export interface SealedRowsDb {
  /** Up to `limit` rows of the column not sealed under `currentId`, after `after` (primary key order), null first. */
  oldRows(col: SealedColumn, currentId: number, after: readonly unknown[] | null, limit: number): Promise<SealedRow[]>;
  /** Writes the new values in one transaction, each only where the row still holds `old`; resolves to the rows written. */
  replace(col: SealedColumn, rows: readonly { key: unknown[]; old: Buffer; next: Buffer }[]): Promise<number>;
  /** How many rows of the column each key id seals. */
  keyIdCounts(col: SealedColumn): Promise<Map<number, number>>;
}

export interface ResealOptions {
  keys: KeyProvider;
  db: SealedRowsDb;
  columns: readonly SealedColumn[];
  /** Rows per batch (one transaction each); 100 by default. */
  batchSize?: number;
  /** Runs between batches: yields to the event loop by default; the booth waits for an idle moment. */
  pause?: () => Promise<void>;
  /** Stops between batches (the process is stopping); what is done stays done. */
  signal?: AbortSignal;
  /** After each batch committed (progress, tests). */
  onBatch?: (col: SealedColumn, written: number) => void;
}

export interface ResealResult {
  /** Rows sealed again under the current key. */
  resealed: number;
  /** Rows that could not be opened (key unknown, altered value): left as they are, counted by column, never logged with their content. */
  unreadable: { table: string; column: string; count: number; codes: string[] }[];
  /** Stopped by the signal before the end. */
  stopped: boolean;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Re-seals every row still on an old key, batch by batch; see the module's comment. */
export async function resealOldRows(opts: ResealOptions): Promise<ResealResult> {
  const batchSize = opts.batchSize ?? 100;
  const pause = opts.pause ?? yieldToLoop;
  const result: ResealResult = { resealed: 0, unreadable: [], stopped: false };
  for (const col of opts.columns) {
    let after: unknown[] | null = null;
    let unreadable = 0;
    const codes = new Set<string>();
    for (;;) {
      if (opts.signal?.aborted) {
        result.stopped = true;
        return result;
      }
      // Read the current id per batch: another process may have rotated again meanwhile.
      const currentId = opts.keys.current().id;
      const rows = await opts.db.oldRows(col, currentId, after, batchSize);
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.key;
      const updates: { key: unknown[]; old: Buffer; next: Buffer }[] = [];
      for (const row of rows) {
        const aad = col.aad(row.key);
        try {
          updates.push({ key: row.key, old: row.sealed, next: seal(opts.keys, aad, open(opts.keys, aad, row.sealed)) });
        } catch (error) {
          unreadable++;
          codes.add(codeOf(error) ?? 'DECRYPT_FAILED');
        }
      }
      const written = updates.length > 0 ? await opts.db.replace(col, updates) : 0;
      result.resealed += written;
      opts.onBatch?.(col, written);
      if (rows.length < batchSize) break;
      await pause();
    }
    if (unreadable > 0) result.unreadable.push({ table: col.table, column: col.column, count: unreadable, codes: [...codes] });
  }
  return result;
}

/** Rows per key id over all the columns (key id → rows). */
export async function rowsPerKey(db: SealedRowsDb, columns: readonly SealedColumn[]): Promise<Map<number, number>> {
  const total = new Map<number, number>();
  for (const col of columns) {
    for (const [id, n] of await db.keyIdCounts(col)) total.set(id, (total.get(id) ?? 0) + n);
  }
  return total;
}

function keyIdOf(head: Buffer | null): number | null {
  return head && head.length === 2 ? head.readUInt16BE(0) : null;
}

/**
 * The statements on a SQLite file (better-sqlite3: synchronous, so each
 * batch's transaction is one uninterrupted step). Row values compare the
 * primary key (`(a, b) > (?, ?)`), so WITHOUT ROWID tables page as well.
 */
export class SqliteSealedRows implements SealedRowsDb {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private stmt(sql: string): Database.Statement {
    let st = this.cache.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.cache.set(sql, st);
    }
    return st;
  }

  oldRows(col: SealedColumn, currentId: number, after: readonly unknown[] | null, limit: number): Promise<SealedRow[]> {
    const keys = col.keyColumns.join(', ');
    const cursor = after ? `AND (${keys}) > (${col.keyColumns.map(() => '?').join(', ')})` : '';
    const sql = `SELECT ${keys}, ${col.column} AS sealed FROM ${col.table}
      WHERE ${col.column} IS NOT NULL AND substr(${col.column}, 2, 2) <> ? ${cursor}
      ORDER BY ${keys} LIMIT ?`;
    const rows = this.stmt(sql).all(keyIdBytes(currentId), ...(after ?? []), limit) as Record<string, unknown>[];
    return Promise.resolve(rows.map((r) => ({ key: col.keyColumns.map((k) => r[k]), sealed: r.sealed as Buffer })));
  }

  replace(col: SealedColumn, rows: readonly { key: unknown[]; old: Buffer; next: Buffer }[]): Promise<number> {
    const where = col.keyColumns.map((k) => `${k} = ?`).join(' AND ');
    const st = this.stmt(`UPDATE ${col.table} SET ${col.column} = ? WHERE ${where} AND ${col.column} = ?`);
    const tx = this.db.transaction(() => rows.reduce((n, r) => n + st.run(r.next, ...r.key, r.old).changes, 0));
    return Promise.resolve(tx.immediate());
  }

  keyIdCounts(col: SealedColumn): Promise<Map<number, number>> {
    const rows = this.stmt(`SELECT substr(${col.column}, 2, 2) AS k, count(*) AS n FROM ${col.table} WHERE ${col.column} IS NOT NULL GROUP BY k`).all() as { k: Buffer | null; n: number }[];
    const out = new Map<number, number>();
    for (const r of rows) {
      const id = keyIdOf(r.k);
      if (id !== null) out.set(id, r.n);
    }
    return Promise.resolve(out);
  }
}

/** A key id as the two bytes after the version byte of a sealed value (seal.ts's layout). */
export function keyIdBytes(id: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(id, 0);
  return b;
}

/** The key id of a sealed value (re-exported for callers of this module). */
export { sealedKeyId };
