/**
 * The cluster's own small schema in the shared PostgreSQL, apart from the
 * record's and the live state's: which nodes are up (their leases) and which
 * node holds which room. Numbered migrations, applied under a transaction-level
 * advisory lock so nodes starting together migrate once, one after another.
 * Tables are prefixed `cluster_` so they never meet the stores' tables.
 */
import type pg from 'pg';
import { ClusterError } from './errors';

/**
 * The advisory lock key of these migrations (any constant shared by every
 * node; ASCII "cbcl"), so they never wait on another store's migration lock.
 */
const MIGRATION_LOCK = 0x6362636c;

const MIGRATIONS: readonly string[] = [
  // 1: leases and room owners. Times are the database's (timestamptz from now()), never a node's.
  `CREATE TABLE cluster_nodes (
     node_id text PRIMARY KEY,
     url text NOT NULL,
     epoch integer NOT NULL CHECK (epoch > 0),
     lease_until timestamptz NOT NULL,
     started_at timestamptz NOT NULL
   );
   CREATE TABLE cluster_room_owners (
     room_id text PRIMARY KEY,
     node_id text NOT NULL,
     epoch integer NOT NULL,
     since timestamptz NOT NULL DEFAULT now()
   );
   CREATE INDEX cluster_room_owners_holder ON cluster_room_owners (node_id, epoch);`,
];

export const CLUSTER_SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the cluster schema up to date; returns the version it found. */
export async function migrateCluster(db: pg.Pool): Promise<number> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS cluster_schema_version (version integer NOT NULL)');
    const found = (await client.query<{ version: number }>('SELECT version FROM cluster_schema_version')).rows[0]?.version ?? 0;
    if (found > MIGRATIONS.length) {
      throw new ClusterError('CLUSTER_SCHEMA_NEWER', {
        fr: `Le schéma de coordination du cluster est en version ${found}, ce nœud ne connaît que la ${MIGRATIONS.length} : mettez ce nœud à jour comme les autres.`,
        en: `The cluster coordination schema is at version ${found}, this node knows only ${MIGRATIONS.length}: update this node like the others.`,
      });
    }
    for (let v = found; v < MIGRATIONS.length; v++) await client.query(MIGRATIONS[v]!);
    if (found === 0) await client.query('INSERT INTO cluster_schema_version (version) VALUES ($1)', [MIGRATIONS.length]);
    else await client.query('UPDATE cluster_schema_version SET version = $1', [MIGRATIONS.length]);
    await client.query('COMMIT');
    return found;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
