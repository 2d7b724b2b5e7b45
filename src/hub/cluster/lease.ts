/**
 * A hub node's lease in the shared PostgreSQL, measured by the DATABASE's
 * clock: `lease_until = now() + LEASE_MS` is computed and compared by the
 * server, never from a node's own time, so a node whose clock is hours off
 * is judged exactly like the others.
 *
 * Each `acquire()` takes a new epoch (the previous one plus one); every write
 * about a room carries it (rooms.ts), so a node that lost its lease, or an
 * older process under the same node id, can no longer change a room even if
 * it still believes it holds one.
 *
 * NOTE: the numbers. LEASE_MS = 3 s, HEARTBEAT_MS = 0.5 s.
 * - A busy node is not declared dead: its lease survives as long as one
 *   renewal lands within 3 s of the previous one, so it tolerates an event
 *   loop blocked ~2.4 s (3 s − one heartbeat − a round trip) — several times
 *   a V8 major GC on a hub's heap, and media never blocks it (mediasoup runs
 *   in worker processes).
 * - A dead node's rooms move within the failover goal (both sides decoding
 *   again < 5 s): its last renewal was at most 0.5 s before it died, so its
 *   lease lapses 2.5–3 s after the death; survivors sweep for orphans after
 *   each of their own heartbeats (≤ 0.5 s later), leaving ~1.5 s to rebuild
 *   the room and reconnect. The < 2 s aim cannot come from a lease alone
 *   without declaring a node dead after a 1 s stall; a clean stop releases
 *   the lease at once (`release()`), so planned restarts move rooms at once.
 * - At least three heartbeats per lease (`checkLeaseTiming`), so one lost or
 *   slow renewal never costs the lease.
 *
 * Locally the node keeps a conservative view (`held`): the lease ends, for
 * it, LEASE_MS after it SENT the last successful renewal (the database's
 * lease started later than that), counted as a difference on the injected
 * clock, so an offset clock changes nothing. When a renewal finds the lease
 * lapsed or taken over, or none is confirmed before that local end (the
 * database unreachable), the node emits `lost` and must stop changing rooms.
 */
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../shared/clock';
import { createLogger } from '../../node/logger';
import { ClusterError } from './errors';

export const LEASE_MS = 3_000;
export const HEARTBEAT_MS = 500;
/** Heartbeats per lease, at least: one lost or slow renewal never costs the lease. */
const MIN_BEATS_PER_LEASE = 3;

export interface LeaseTiming {
  leaseMs: number;
  heartbeatMs: number;
}

/** Throws LEASE_TIMING_INVALID unless both are positive whole ms and a lease holds at least three heartbeats. */
export function checkLeaseTiming(t: LeaseTiming): void {
  const whole = Number.isInteger(t.leaseMs) && Number.isInteger(t.heartbeatMs) && t.leaseMs > 0 && t.heartbeatMs > 0;
  if (whole && t.heartbeatMs * MIN_BEATS_PER_LEASE <= t.leaseMs) return;
  throw new ClusterError('LEASE_TIMING_INVALID', {
    fr: `Bail de ${t.leaseMs} ms et battement de ${t.heartbeatMs} ms : le bail doit durer au moins ${MIN_BEATS_PER_LEASE} battements (valeurs par défaut : ${LEASE_MS} et ${HEARTBEAT_MS} ms).`,
    en: `Lease of ${t.leaseMs} ms and heartbeat of ${t.heartbeatMs} ms: the lease must last at least ${MIN_BEATS_PER_LEASE} heartbeats (defaults: ${LEASE_MS} and ${HEARTBEAT_MS} ms).`,
  });
}

/** The local end of a lease renewed by a request sent at `sentAt` (local clock): never later than the database's end. */
export function localLeaseEnd(r: { sentAt: number; leaseMs: number }): number {
  return r.sentAt + r.leaseMs;
}

/** Why a node lost its lease: it lapsed, another process took its node id, or the database could not confirm it in time. */
export type LeaseLoss = 'lapsed' | 'taken-over' | 'unreachable';

export interface NodeLeaseEvents {
  renewed: [];
  lost: [reason: LeaseLoss];
}

export interface LeaseGrant {
  epoch: number;
  /** The database's time the lease ends, unless renewed. */
  leaseUntil: Date;
}

export interface NodeRow {
  nodeId: string;
  url: string;
  epoch: number;
  leaseUntil: Date;
  startedAt: Date;
}

export interface NodeLeaseOptions extends Partial<LeaseTiming> {
  db: pg.Pool;
  nodeId: string;
  /** Where booths and consoles reach this node (told to those connected elsewhere). */
  url: string;
  clock?: Clock;
  log?: Logger;
}

const ACQUIRE = `
  INSERT INTO cluster_nodes (node_id, url, epoch, lease_until, started_at)
  VALUES ($1, $2, 1, now() + $3::integer * interval '1 millisecond', now())
  ON CONFLICT (node_id) DO UPDATE
    SET url = EXCLUDED.url, epoch = cluster_nodes.epoch + 1, lease_until = EXCLUDED.lease_until, started_at = EXCLUDED.started_at
  RETURNING epoch, lease_until`;

// The outer SELECT reads the row as it was before the CTE's update: the epoch
// found there tells a lapsed lease from one taken by a newer process.
const RENEW = `
  WITH renewed AS (
    UPDATE cluster_nodes SET lease_until = now() + $3::integer * interval '1 millisecond'
    WHERE node_id = $1 AND epoch = $2 AND lease_until > now()
    RETURNING 1)
  SELECT (SELECT count(*) FROM renewed)::integer AS renewed,
         (SELECT epoch FROM cluster_nodes WHERE node_id = $1) AS current`;

export class NodeLease extends EventEmitter<NodeLeaseEvents> {
  readonly nodeId: string;
  private address: string;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  private readonly db: pg.Pool;
  private readonly clock: Clock;
  private readonly log: Logger;
  private current: number | null = null;
  private localEnd = -Infinity;
  private running = false;
  /** Bumped whenever the heartbeat loop stops or restarts: an answer to an older loop is ignored. */
  private generation = 0;
  private beatTimer: unknown = null;
  private expiryTimer: unknown = null;

  constructor(opts: NodeLeaseOptions) {
    super();
    this.leaseMs = opts.leaseMs ?? LEASE_MS;
    this.heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
    checkLeaseTiming(this);
    this.db = opts.db;
    this.nodeId = opts.nodeId;
    this.address = opts.url;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? createLogger('hub.cluster.lease');
  }

  /** Where booths and consoles reach this node. */
  get url(): string {
    return this.address;
  }

  /**
   * Names this node's address once it is known (a node that listens on a
   * port chosen at start): rooms located here send their sides to it.
   */
  async setUrl(url: string): Promise<void> {
    this.address = url;
    await this.db.query('UPDATE cluster_nodes SET url = $2 WHERE node_id = $1 AND epoch = $3', [this.nodeId, url, this.current ?? 0]);
  }

  /** The epoch of the last acquired lease (null before the first). */
  get epoch(): number | null {
    return this.current;
  }

  /** Whether this node may still act on its lease, by its own conservative reckoning (the database has the last word). */
  get held(): boolean {
    return this.running && this.current !== null && this.clock.now() < this.localEnd;
  }

  /** Registers this node, or takes it again after losing it, with a new epoch; then heartbeats until stopped or lost. */
  async acquire(): Promise<LeaseGrant> {
    this.halt();
    const generation = this.generation;
    const sentAt = this.clock.now();
    const { rows } = await this.db.query<{ epoch: number; lease_until: Date }>(ACQUIRE, [this.nodeId, this.address, this.leaseMs]);
    const row = rows[0]!;
    if (generation !== this.generation) return { epoch: row.epoch, leaseUntil: row.lease_until };
    this.current = row.epoch;
    this.running = true;
    this.confirmed(sentAt);
    this.log.info({ nodeId: this.nodeId, epoch: row.epoch }, 'lease acquired');
    return { epoch: row.epoch, leaseUntil: row.lease_until };
  }

  /** Stops heartbeating; the lease lapses by itself (what a crash looks like to the others). */
  stop(): void {
    this.halt();
  }

  /** Stops heartbeating and ends the lease now, so survivors adopt this node's rooms at once (a clean stop). */
  async release(): Promise<void> {
    this.halt();
    if (this.current === null) return;
    await this.db.query('UPDATE cluster_nodes SET lease_until = now() WHERE node_id = $1 AND epoch = $2', [this.nodeId, this.current]);
  }

  private halt(): void {
    this.running = false;
    this.generation++;
    this.clock.clearTimeout(this.beatTimer);
    this.clock.clearTimeout(this.expiryTimer);
    this.beatTimer = this.expiryTimer = null;
  }

  private confirmed(sentAt: number): void {
    this.localEnd = localLeaseEnd({ sentAt, leaseMs: this.leaseMs });
    this.clock.clearTimeout(this.expiryTimer);
    const generation = this.generation;
    this.expiryTimer = this.clock.setTimeout(() => {
      if (generation === this.generation) this.lose('unreachable');
    }, this.localEnd - this.clock.now());
    this.beatTimer = this.clock.setTimeout(() => void this.beat(generation), this.heartbeatMs);
  }

  private async beat(generation: number): Promise<void> {
    const sentAt = this.clock.now();
    try {
      const { rows } = await this.db.query<{ renewed: number; current: number | null }>(RENEW, [this.nodeId, this.current, this.leaseMs]);
      if (generation !== this.generation) return;
      const row = rows[0]!;
      if (row.renewed === 1) {
        this.confirmed(sentAt);
        this.emit('renewed');
      } else {
        this.lose(row.current !== null && row.current !== this.current ? 'taken-over' : 'lapsed');
      }
    } catch (error) {
      if (generation !== this.generation) return;
      // The expiry timer decides when an unconfirmed lease is lost; until then, keep trying.
      this.log.warn({ nodeId: this.nodeId, err: error }, 'lease renewal failed');
      this.beatTimer = this.clock.setTimeout(() => void this.beat(generation), this.heartbeatMs);
    }
  }

  private lose(reason: LeaseLoss): void {
    this.halt();
    this.log.warn({ nodeId: this.nodeId, epoch: this.current, reason }, 'lease lost: this node must stop changing rooms');
    this.emit('lost', reason);
  }
}

const NODE_COLUMNS = 'node_id AS "nodeId", url, epoch, lease_until AS "leaseUntil", started_at AS "startedAt"';

/** Nodes whose lease is live by the database's clock. */
export async function liveNodes(db: pg.Pool): Promise<NodeRow[]> {
  return (await db.query<NodeRow>(`SELECT ${NODE_COLUMNS} FROM cluster_nodes WHERE lease_until > now() ORDER BY node_id`)).rows;
}

/** Nodes whose lease has lapsed by the database's clock. */
export async function lapsedNodes(db: pg.Pool): Promise<NodeRow[]> {
  return (await db.query<NodeRow>(`SELECT ${NODE_COLUMNS} FROM cluster_nodes WHERE lease_until <= now() ORDER BY node_id`)).rows;
}
