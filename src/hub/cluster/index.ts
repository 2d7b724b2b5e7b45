/**
 * One hub node's membership of a cluster sharing one PostgreSQL: its lease
 * (lease.ts), the room directory fenced by it (rooms.ts) and the cross-node
 * event bus (bus.ts), started in order and stopped together, so a node is
 * either fully in the cluster or not started at all.
 *
 * Fencing: every write about a room carries `fence()` (node id and epoch)
 * and is checked against the lease in the statement that writes it: the
 * room directory's own writes, and the live state's claim and removal of a
 * claim (../state/pg-store.ts), which write the room's holder in that same
 * statement. A node whose lease lapsed, or an older epoch, changes nothing.
 *
 * After each of its own heartbeats the node sweeps for orphaned rooms (a dead
 * node's, or a stale epoch's) and emits `adopted` with their ids: the hub
 * rebuilds those rooms under the same ids. On `lost` the hub must drop every
 * room it holds (its writes are refused from now on); the node then takes a
 * new lease (`acquired`, a new epoch) unless `rejoin` is false or a newer
 * process took its node id over (that one is the node now).
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffPolicy } from '../../shared/backoff';
import { codeOf } from '../../shared/errors';
import { systemClock, type Clock } from '../../shared/clock';
import { createLogger } from '../../node/logger';
import { ClusterBus } from './bus';
import { ClusterError, unreachable, type Fence } from './errors';
import { pgAddress } from '../pg-address';
import { liveNodes, NodeLease, type LeaseLoss, type NodeRow } from './lease';
import { RoomDirectory } from './rooms';
import { migrateCluster } from './schema';

export { ClusterError } from './errors';
export type { ClusterErrorCode, Fence } from './errors';
export { CLUSTER_TOPICS, type ClusterEvent, type ClusterEventInput, type ClusterTopic } from './bus';
export { HEARTBEAT_MS, LEASE_MS, type LeaseLoss, type NodeRow } from './lease';
export { fenced, withFence, type OwnResult, type RoomFence, type RoomHolder } from './rooms';

export interface ClusterNodeOptions {
  /** The shared PostgreSQL's connection string (the node makes its own pool), or… */
  url?: string;
  /** …a pool the caller owns (then `connection` tells the bus how to open its listening connection). */
  pool?: pg.Pool;
  connection?: string | pg.ClientConfig;
  nodeId: string;
  /** Where booths and consoles reach this node. */
  nodeUrl: string;
  leaseMs?: number;
  heartbeatMs?: number;
  /** How long a connection attempt may take before the start fails (default 5 s): never a hang. */
  connectTimeoutMs?: number;
  /** Waits between reconnections of the bus and re-acquisitions of a lost lease. */
  retry?: BackoffPolicy;
  /** Takes a new lease after losing one (default true). */
  rejoin?: boolean;
  clock?: Clock;
  log?: Logger;
}

export interface ClusterNodeEvents {
  /** Rooms moved to this node: rebuild them under these ids. */
  adopted: [roomIds: string[]];
  /** This node lost its lease: drop every room; writes about them are refused. */
  lost: [reason: LeaseLoss];
  /** A new lease after a loss, with its epoch. */
  acquired: [epoch: number];
  /** The bus listens again after a drop: re-read what events may have announced. */
  resync: [];
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** How often the live nodes' addresses are read again (a node that joins is reachable by consoles within this). */
const NODES_REFRESH_MS = 2_000;
const DEFAULT_RETRY: BackoffPolicy = { baseMs: 200, maxMs: 5_000 };

export class ClusterNode extends EventEmitter<ClusterNodeEvents> {
  private closed = false;
  private sweeping = false;
  private rejoinTimer: unknown = null;
  /** The live nodes' addresses as origins, read again every NODES_REFRESH_MS by the heartbeat's sweep. */
  private origins: string[] = [];
  private originsReadAt = -Infinity;

  constructor(
    readonly nodeId: string,
    readonly db: pg.Pool,
    readonly lease: NodeLease,
    readonly rooms: RoomDirectory,
    readonly bus: ClusterBus,
    private readonly ownsPool: boolean,
    private readonly opts: { rejoin: boolean; retry: BackoffPolicy; clock: Clock; log: Logger },
  ) {
    super();
    lease.on('renewed', () => void this.sweep());
    lease.on('lost', (reason) => {
      this.emit('lost', reason);
      // Taken over: a newer process runs under this node id; taking it back would make the two flap.
      if (this.opts.rejoin && reason !== 'taken-over') this.rejoin(0);
    });
    bus.on('resync', () => this.emit('resync'));
  }

  /** This node's current epoch (the one its room writes carry). */
  get epoch(): number | null {
    return this.lease.epoch;
  }

  /** What this node's writes about a room carry: refused (FENCED) once its lease with this epoch is over. */
  fence(): Fence {
    // Never acquired: epoch 0 matches no lease, so the database refuses it like a lost one.
    return { nodeId: this.nodeId, epoch: this.lease.epoch ?? 0 };
  }

  /**
   * Whether this node holds a lease, waiting up to `timeoutMs` for a new one
   * when it has just lost its own (the rejoin under way).
   */
  leased(timeoutMs: number): Promise<boolean> {
    if (this.lease.held) return Promise.resolve(true);
    if (this.closed || !this.opts.rejoin) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        this.opts.clock.clearTimeout(timer);
        this.off('acquired', onAcquired);
        resolve(ok);
      };
      const onAcquired = (): void => done(true);
      const timer = this.opts.clock.setTimeout(() => done(false), timeoutMs);
      this.on('acquired', onAcquired);
    });
  }

  liveNodes(): Promise<NodeRow[]> {
    return liveNodes(this.db);
  }

  /**
   * The origins (scheme://host:port) of the network's live nodes, this one
   * included, as last read: where a console may be sent for its call, so
   * each node's CSP and Origin check let it connect there.
   */
  nodeOrigins(): string[] {
    return this.origins;
  }

  private async readOrigins(): Promise<void> {
    const now = this.opts.clock.now();
    if (now - this.originsReadAt < NODES_REFRESH_MS) return;
    this.originsReadAt = now;
    const urls = (await this.liveNodes()).map((n) => n.url).filter((url) => url !== '');
    this.origins = [...new Set(urls.flatMap((url) => {
      try {
        return [new URL(url).origin];
      } catch {
        return [];
      }
    }))];
  }

  /** Leaves the cluster; by default ends the lease now so survivors adopt this node's rooms at once. */
  async close(opts: { releaseLease?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.opts.clock.clearTimeout(this.rejoinTimer);
    await this.bus.stop();
    if (opts.releaseLease ?? true) await this.lease.release().catch((error: unknown) => this.opts.log.warn({ err: error }, 'could not release the lease: it will lapse'));
    else this.lease.stop();
    if (this.ownsPool) await this.db.end();
  }

  private async sweep(): Promise<void> {
    if (this.sweeping || this.closed) return;
    this.sweeping = true;
    try {
      // The addresses are read on their own: a failed read must not hold up an adoption.
      await this.readOrigins().catch((error: unknown) => this.opts.log.warn({ err: error }, 'live nodes\' addresses not read'));
      const rooms = await this.rooms.adoptOrphans();
      if (rooms.length > 0 && !this.closed) {
        this.opts.log.info({ nodeId: this.nodeId, rooms: rooms.length }, 'adopted orphaned rooms');
        this.emit('adopted', rooms);
      }
    } catch (error) {
      // FENCED: the lease went meanwhile, and `lost` says so.
      if (codeOf(error) !== 'FENCED') this.opts.log.warn({ err: error }, 'orphan sweep failed');
    } finally {
      this.sweeping = false;
    }
  }

  private rejoin(attempt: number): void {
    const wait = backoffDelay(attempt, this.opts.retry);
    this.rejoinTimer = this.opts.clock.setTimeout(() => {
      if (this.closed) return;
      this.lease.acquire().then(
        (grant) => {
          if (this.closed) this.lease.stop();
          else this.emit('acquired', grant.epoch);
        },
        (error: unknown) => {
          this.opts.log.warn({ err: error, attempt }, 'could not take a new lease');
          this.rejoin(attempt + 1);
        },
      );
    }, wait);
  }
}

/**
 * Joins the cluster: checks the database answers (PG_UNREACHABLE with its
 * host:port otherwise, after at most `connectTimeoutMs`), migrates the
 * cluster schema, acquires the lease and starts listening. Anything that
 * fails undoes what was done.
 */
export async function startClusterNode(opts: ClusterNodeOptions): Promise<ClusterNode> {
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const connection = opts.connection ?? opts.url;
  if (!connection) throw new TypeError('startClusterNode needs `url`, or `pool` with `connection`');
  const address = typeof connection === 'string' ? pgAddress(connection) : `${connection.host ?? 'localhost'}:${connection.port ?? 5432}`;
  const ownsPool = !opts.pool;
  const db = opts.pool ?? new pg.Pool({ connectionString: opts.url, connectionTimeoutMillis: connectTimeoutMs, application_name: `cabine-hub:${opts.nodeId}` });
  const log = opts.log ?? createLogger('hub.cluster');
  // An idle pooled connection that dies must not crash the process; the next query reports it.
  if (ownsPool) db.on('error', (error) => log.warn({ err: error }, 'pooled connection lost'));
  const clock = opts.clock ?? systemClock;
  const retry = opts.retry ?? DEFAULT_RETRY;
  const lease = new NodeLease({ db, nodeId: opts.nodeId, url: opts.nodeUrl, leaseMs: opts.leaseMs, heartbeatMs: opts.heartbeatMs, clock, log: log.child({ part: 'lease' }) });
  const bus = new ClusterBus({ db, connection, nodeId: opts.nodeId, retry, connectTimeoutMs, clock, log: log.child({ part: 'bus' }) });
  try {
    await db.query('SELECT 1').catch((error: unknown) => {
      throw unreachable(address, error);
    });
    await migrateCluster(db);
    await lease.acquire();
    await bus.start();
  } catch (error) {
    lease.stop();
    await bus.stop();
    if (lease.epoch !== null) await lease.release().catch(() => undefined);
    if (ownsPool) await db.end().catch(() => undefined);
    throw error instanceof ClusterError ? error : unreachableOr(address, error);
  }
  return new ClusterNode(opts.nodeId, db, lease, new RoomDirectory(db, lease), bus, ownsPool, { rejoin: opts.rejoin ?? true, retry, clock, log });
}

/** A failure the database reported (an SQLSTATE) stays as it is; anything else means it could not be reached. */
function unreachableOr(address: string, error: unknown): unknown {
  const code = codeOf(error);
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? error : unreachable(address, error);
}
