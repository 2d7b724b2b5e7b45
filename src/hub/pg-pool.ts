/**
 * What the record and the access journal share on PostgreSQL: a pool whose
 * commits are durable, and one checked-out connection per unit of work that
 * the pool discards when it broke. Each store says how a failure reads to its
 * callers (RECORD_UNAVAILABLE, JOURNAL_UNAVAILABLE).
 */
import pg from 'pg';

/**
 * A pool for data the booth forgets once acknowledged: a commit must outlive
 * a server crash even where the server's default is `synchronous_commit = off`
 * (a stricter setting, waiting for standbys, is kept as it is). An idle
 * connection the server drops emits 'error' on the pool; unheard, it would end
 * the process: the pool discards it, and the next unit of work that needs the
 * server reports the failure itself.
 */
export function durablePool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool({ keepAlive: true, ...config });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.query("SELECT set_config('synchronous_commit', 'on', false) WHERE current_setting('synchronous_commit') = 'off'").catch(() => undefined);
  });
  return pool;
}

/** How a store's callers read a failure: `drop` when the connection itself may be broken (the pool then discards it). */
export interface PooledFailures {
  /** No connection could be had (server down, pool exhausted past its timeout). */
  connect(cause: unknown): Error;
  /** `work` threw. */
  work(cause: unknown): { error: unknown; drop: boolean };
}

/**
 * Runs `work` on one pooled connection. A connection the server drops while it
 * is checked out emits 'error' on the client, besides failing its query: heard
 * here, it only marks the connection for the pool to discard.
 */
export async function withPooledClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, failures: PooledFailures): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (cause) {
    throw failures.connect(cause);
  }
  let broken: Error | undefined;
  const onError = (error: Error): void => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } catch (cause) {
    const { error, drop } = failures.work(cause);
    if (drop) broken ??= cause as Error;
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
