/**
 * Re-sealing's statements on PostgreSQL (src/node/reseal.ts's SealedRowsDb),
 * for the record (schema `record`) and the live state (schema `hub_state`)
 * shared by several hub nodes. Each batch is one short transaction; a row is
 * replaced only where it still holds the value read, so a row a node rewrote
 * meanwhile keeps its newer value.
 */
import type pg from 'pg';
import { keyIdBytes, type SealedColumn, type SealedRow, type SealedRowsDb } from '../../node/reseal';

export class PgSealedRows implements SealedRowsDb {
  constructor(private readonly pool: pg.Pool, private readonly schema: string) {}

  private table(col: SealedColumn): string {
    return `${this.schema}.${col.table}`;
  }

  async oldRows(col: SealedColumn, currentId: number, after: readonly unknown[] | null, limit: number): Promise<SealedRow[]> {
    const keys = col.keyColumns.join(', ');
    const params: unknown[] = [keyIdBytes(currentId)];
    let cursor = '';
    if (after) {
      cursor = `AND (${keys}) > (${after.map((v) => `$${params.push(v)}`).join(', ')})`;
    }
    const sql = `SELECT ${keys}, ${col.column} AS sealed FROM ${this.table(col)}
      WHERE ${col.column} IS NOT NULL AND substring(${col.column} from 2 for 2) <> $1 ${cursor}
      ORDER BY ${keys} LIMIT $${params.push(limit)}`;
    const { rows } = await this.pool.query<Record<string, unknown>>(sql, params);
    return rows.map((r) => ({ key: col.keyColumns.map((k) => r[k]), sealed: r.sealed as Buffer }));
  }

  async replace(col: SealedColumn, rows: readonly { key: unknown[]; old: Buffer; next: Buffer }[]): Promise<number> {
    const where = col.keyColumns.map((k, i) => `${k} = $${i + 2}`).join(' AND ');
    const sql = `UPDATE ${this.table(col)} SET ${col.column} = $1 WHERE ${where} AND ${col.column} = $${col.keyColumns.length + 2}`;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      let written = 0;
      for (const r of rows) written += (await client.query(sql, [r.next, ...r.key, r.old])).rowCount ?? 0;
      await client.query('COMMIT');
      return written;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async keyIdCounts(col: SealedColumn): Promise<Map<number, number>> {
    const { rows } = await this.pool.query<{ k: Buffer | null; n: number }>(
      `SELECT substring(${col.column} from 2 for 2) AS k, count(*)::int AS n FROM ${this.table(col)} WHERE ${col.column} IS NOT NULL GROUP BY 1`);
    const out = new Map<number, number>();
    for (const r of rows) if (r.k && r.k.length === 2) out.set(r.k.readUInt16BE(0), r.n);
    return out;
  }
}
