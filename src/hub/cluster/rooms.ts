/**
 * Which node holds which room (its mediasoup router lives there), and the
 * fence every write about a room goes through.
 *
 * A room's holder is a (node id, epoch) pair. It is live while that node holds
 * an unexpired lease WITH THAT EPOCH: a node that lost its lease and took a new
 * one does not get its old rooms back by doing so; they are orphans, adopted
 * like a dead node's (possibly by itself).
 *
 * Adoption is one statement that compares and swaps each orphan's holder, so
 * when two survivors sweep at the same moment, the second one's update finds
 * the row changed (PostgreSQL re-checks a concurrently updated row against
 * the statement's conditions) and skips it: each orphan goes to exactly one.
 */
import type pg from 'pg';
import { fencedError, type Fence } from './errors';

export interface RoomHolder {
  nodeId: string;
  /** Where booths and consoles open this room's media. */
  url: string;
  epoch: number;
  /** Whether the holder's lease, with this epoch, is live by the database's clock. */
  live: boolean;
}

export type OwnResult = { owned: true } | { owned: false; holder: RoomHolder };

/** What the directory needs of this node's lease. */
export interface LeaseView {
  readonly nodeId: string;
  readonly epoch: number | null;
}

export interface RoomFence extends Fence {
  roomId: string;
}

/**
 * Runs `work` in a transaction that first checks, in one statement joining
 * the nodes, that `fence.nodeId` holds the room with `fence.epoch` on a live
 * lease, and keeps a share lock on the room's owner row until the commit: an
 * adoption waits for this write and never slips between the check and it.
 * Throws FENCED (nothing written) when the check fails.
 */
export async function withFence<T>(db: pg.Pool, fence: RoomFence, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const guard = await client.query(
      `SELECT 1 FROM cluster_room_owners r
         JOIN cluster_nodes n ON n.node_id = r.node_id AND n.epoch = r.epoch
        WHERE r.room_id = $1 AND r.node_id = $2 AND r.epoch = $3 AND n.lease_until > now()
          FOR SHARE OF r`,
      [fence.roomId, fence.nodeId, fence.epoch],
    );
    if (guard.rowCount === 0) throw fencedError(fence);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** One fenced statement about a room: see `withFence`. */
export async function fenced<R extends pg.QueryResultRow = pg.QueryResultRow>(db: pg.Pool, fence: RoomFence, sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
  return withFence(db, fence, (client) => client.query<R>(sql, params));
}

const LIVE_HOLDER = `EXISTS (SELECT 1 FROM cluster_nodes n WHERE n.node_id = r.node_id AND n.epoch = r.epoch AND n.lease_until > now())`;

const OWN = `
  WITH me AS MATERIALIZED (
    SELECT node_id, epoch FROM cluster_nodes WHERE node_id = $2 AND epoch = $3 AND lease_until > now()),
  taken AS (
    INSERT INTO cluster_room_owners AS r (room_id, node_id, epoch)
    SELECT $1, node_id, epoch FROM me
    ON CONFLICT (room_id) DO UPDATE
      SET node_id = EXCLUDED.node_id, epoch = EXCLUDED.epoch,
          since = CASE WHEN r.node_id = EXCLUDED.node_id AND r.epoch = EXCLUDED.epoch THEN r.since ELSE now() END
      WHERE (r.node_id = EXCLUDED.node_id AND r.epoch = EXCLUDED.epoch) OR NOT ${LIVE_HOLDER}
    RETURNING 1)
  SELECT (SELECT count(*) FROM me)::integer AS live, (SELECT count(*) FROM taken)::integer AS owned`;

// `orphan` is read once from the statement's snapshot; the UPDATE only swaps
// a row whose holder is still the one read there.
const ADOPT = `
  WITH me AS MATERIALIZED (
    SELECT 1 FROM cluster_nodes WHERE node_id = $1 AND epoch = $2 AND lease_until > now()),
  orphan AS MATERIALIZED (
    SELECT r.room_id, r.node_id, r.epoch FROM cluster_room_owners r
     WHERE EXISTS (SELECT 1 FROM me) AND NOT ${LIVE_HOLDER}
     ORDER BY r.room_id LIMIT $3),
  moved AS (
    UPDATE cluster_room_owners r SET node_id = $1, epoch = $2, since = now()
      FROM orphan o
     WHERE r.room_id = o.room_id AND r.node_id = o.node_id AND r.epoch = o.epoch
    RETURNING r.room_id)
  SELECT (SELECT count(*) FROM me)::integer AS live,
         COALESCE((SELECT array_agg(room_id ORDER BY room_id) FROM moved), '{}') AS rooms`;

export class RoomDirectory {
  constructor(
    private readonly db: pg.Pool,
    private readonly lease: LeaseView,
  ) {}

  /** Makes this node the room's holder, unless another node holds it on a live lease (then says which). */
  async own(roomId: string): Promise<OwnResult> {
    const fence = this.fence(roomId);
    for (;;) {
      const { rows } = await this.db.query<{ live: number; owned: number }>(OWN, [roomId, fence.nodeId, fence.epoch]);
      if (rows[0]!.live === 0) throw fencedError(fence);
      if (rows[0]!.owned === 1) return { owned: true };
      const holder = await this.locate(roomId);
      // Released between the two statements: try again.
      if (holder) return { owned: false, holder };
    }
  }

  /** Ends this node's hold on a room; false when no such room is held by anyone. FENCED when another holds it or this lease is gone. */
  async release(roomId: string): Promise<boolean> {
    const fence = this.fence(roomId);
    const { rowCount } = await this.db.query(
      `DELETE FROM cluster_room_owners r USING cluster_nodes n
        WHERE r.room_id = $1 AND r.node_id = $2 AND r.epoch = $3
          AND n.node_id = r.node_id AND n.epoch = r.epoch AND n.lease_until > now()`,
      [roomId, fence.nodeId, fence.epoch],
    );
    if (rowCount === 1) return true;
    if ((await this.locate(roomId)) === null) return false;
    throw fencedError(fence);
  }

  /** The room's holder and where to reach it, or null when no node holds that room. */
  async locate(roomId: string): Promise<RoomHolder | null> {
    const { rows } = await this.db.query<RoomHolder>(
      `SELECT r.node_id AS "nodeId", COALESCE(n.url, '') AS url, r.epoch,
              COALESCE(n.epoch = r.epoch AND n.lease_until > now(), false) AS live
         FROM cluster_room_owners r LEFT JOIN cluster_nodes n ON n.node_id = r.node_id
        WHERE r.room_id = $1`,
      [roomId],
    );
    return rows[0] ?? null;
  }

  /**
   * Moves to this node every room (at most `limit`) whose holder's lease has
   * lapsed or whose epoch is stale; returns their ids, which the caller
   * rebuilds under the same id. FENCED when this node's own lease is not live.
   */
  async adoptOrphans(opts: { limit?: number } = {}): Promise<string[]> {
    const fence = this.fence();
    const { rows } = await this.db.query<{ live: number; rooms: string[] }>(ADOPT, [fence.nodeId, fence.epoch, opts.limit ?? null]);
    if (rows[0]!.live === 0) throw fencedError(fence);
    return rows[0]!.rooms;
  }

  /** The rooms this node holds with its current epoch. */
  async held(): Promise<string[]> {
    const fence = this.fence();
    const { rows } = await this.db.query<{ room_id: string }>('SELECT room_id FROM cluster_room_owners WHERE node_id = $1 AND epoch = $2 ORDER BY room_id', [fence.nodeId, fence.epoch]);
    return rows.map((r) => r.room_id);
  }

  /** One statement about a room, fenced with this node's current epoch (see `fenced`). */
  async write<R extends pg.QueryResultRow = pg.QueryResultRow>(roomId: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return fenced<R>(this.db, this.fence(roomId), sql, params);
  }

  private fence(): Fence;
  private fence(roomId: string): RoomFence;
  private fence(roomId?: string): Fence {
    const { nodeId, epoch } = this.lease;
    // Never acquired: epoch 0 matches no lease, so the database refuses it like a lost one.
    return { nodeId, epoch: epoch ?? 0, ...(roomId === undefined ? {} : { roomId }) };
  }
}
