/**
 * Cross-node events over PostgreSQL's LISTEN/NOTIFY. An event names what
 * changed by ids only ({ kind, ids }): NOTIFY payloads are small, visible to
 * any session of the database and lost while a node is not listening, so the
 * state itself is always re-read from the stores, never carried here; no
 * patient data ever travels on the bus.
 *
 * One dedicated connection LISTENs (a pooled one would be recycled under it).
 * When it drops, the bus reconnects with the house backoff, LISTENs again and
 * emits `resync`: whatever was notified meanwhile is gone, so consumers
 * re-read what they keep. A notification for something that no longer exists
 * is harmless by construction: handlers get ids and look them up.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import { backoffDelay, type BackoffPolicy } from '../../shared/backoff';
import { systemClock, type Clock } from '../../shared/clock';
import { createLogger } from '../../node/logger';
import { ClusterError, unreachable } from './errors';
import { pgAddress } from '../pg-address';

/** Every topic nodes exchange events on; each is one NOTIFY channel. */
export const CLUSTER_TOPICS = ['rooms', 'queue', 'claims', 'alerts', 'readings', 'cases'] as const;
export type ClusterTopic = (typeof CLUSTER_TOPICS)[number];

/**
 * NOTE: PostgreSQL refuses a NOTIFY payload of 8000 bytes or more in the
 * default build ("must be shorter than 8000 bytes", docs: SQL command NOTIFY;
 * NOTIFY_PAYLOAD_MAX_LENGTH in src/backend/commands/async.c).
 */
export const NOTIFY_PAYLOAD_MAX_BYTES = 7_999;

const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/);
const Kind = z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/);
const EventInput = z.object({ kind: Kind, ids: z.array(Id) }).strict();
const Envelope = EventInput.extend({ from: Id }).strict();

export type ClusterEventInput = z.infer<typeof EventInput>;
/** An event as a subscriber receives it: what changed, and which node said so. */
export type ClusterEvent = z.infer<typeof Envelope>;
export type ClusterHandler = (event: ClusterEvent) => void | Promise<void>;

/**
 * NOTE: LISTEN takes its channel as an identifier, which no statement can
 * bind as a parameter; channels come only from CLUSTER_TOPICS and are quoted
 * with escapeIdentifier. NOTIFY goes through pg_notify($1, $2).
 */
export function channelOf(topic: ClusterTopic): string {
  return `cabine_${topic}`;
}

/** The NOTIFY payload of an event; throws NOTIFY_NOT_IDS or NOTIFY_PAYLOAD_TOO_LARGE instead of sending what must not go. */
export function encodeEvent(from: string, event: ClusterEventInput): string {
  const parsed = Envelope.safeParse({ ...event, from });
  if (!parsed.success) {
    throw new ClusterError(
      'NOTIFY_NOT_IDS',
      {
        fr: 'Événement de cluster refusé : il ne porte que des identifiants (lettres, chiffres, « _.:- », 128 au plus) et un type en minuscules, jamais de données.',
        en: 'Cluster event refused: it carries only ids (letters, digits, "_.:-", 128 at most) and a lower-case kind, never data.',
      },
      { detail: parsed.error.issues.map((i) => i.path.join('.')).join(', ') },
    );
  }
  const payload = JSON.stringify(parsed.data);
  const bytes = Buffer.byteLength(payload);
  if (bytes > NOTIFY_PAYLOAD_MAX_BYTES) {
    throw new ClusterError('NOTIFY_PAYLOAD_TOO_LARGE', {
      fr: `Événement de cluster refusé : ${bytes} octets, PostgreSQL n’en accepte que moins de 8000 bytes. Envoyez les identifiants en plusieurs événements.`,
      en: `Cluster event refused: ${bytes} bytes, PostgreSQL accepts fewer than 8000 bytes. Send the ids in several events.`,
    });
  }
  return payload;
}

/** The event in a payload, or null for anything else on the channel. */
export function decodeEvent(payload: string): ClusterEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return null;
  }
  const parsed = Envelope.safeParse(json);
  return parsed.success ? parsed.data : null;
}

export interface ClusterBusEvents {
  /** The listener came back after a drop: re-read the state events may have announced meanwhile. */
  resync: [];
}

export interface ClusterBusOptions {
  /** Publishes through it. */
  db: pg.Pool;
  /** How the dedicated listening connection reaches the database. */
  connection: string | pg.ClientConfig;
  nodeId: string;
  /** Waits between reconnection attempts (default 200 ms doubling to 5 s, jittered). */
  retry?: BackoffPolicy;
  connectTimeoutMs?: number;
  /**
   * How often the listening connection is asked a `SELECT 1` (default 5 s);
   * no answer within as long again and it is cut and opened anew. A LISTEN
   * connection otherwise sends nothing, so one silently dead (a crashed
   * router, a failed-over address) would wait for TCP keepalive: minutes.
   */
  pingMs?: number;
  clock?: Clock;
  random?: () => number;
  log?: Logger;
}

const DEFAULT_RETRY: BackoffPolicy = { baseMs: 200, maxMs: 5_000 };
const DEFAULT_PING_MS = 5_000;

export class ClusterBus extends EventEmitter<ClusterBusEvents> {
  private readonly handlers = new Map<ClusterTopic, Set<ClusterHandler>>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private listener: pg.Client | null = null;
  private attempt = 0;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private stopped = false;

  constructor(private readonly opts: ClusterBusOptions) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? createLogger('hub.cluster.bus');
  }

  /** Opens the listening connection; throws PG_UNREACHABLE when the first one cannot be made. */
  async start(): Promise<void> {
    this.listener = await this.listen();
  }

  /** Calls `handler` with every event on `topic`, from any node including this one; returns the unsubscribe. */
  subscribe(topic: ClusterTopic, handler: ClusterHandler): () => void {
    const channel = this.channel(topic);
    let set = this.handlers.get(topic);
    if (!set) {
      set = new Set();
      this.handlers.set(topic, set);
      // A failure here means the connection is going: the reconnection LISTENs again.
      this.listener?.query(`LISTEN ${pg.escapeIdentifier(channel)}`).catch((error: unknown) => this.log.warn({ err: error, topic }, 'LISTEN failed'));
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Tells every node (this one too) that `ids` changed; refuses what is not ids or too large for NOTIFY. */
  async publish(topic: ClusterTopic, event: ClusterEventInput): Promise<void> {
    const channel = this.channel(topic);
    await this.opts.db.query('SELECT pg_notify($1, $2)', [channel, encodeEvent(this.opts.nodeId, event)]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.retryTimer);
    this.clock.clearTimeout(this.pingTimer);
    const client = this.listener;
    this.listener = null;
    await client?.end().catch(() => undefined);
  }

  private channel(topic: ClusterTopic): string {
    if (!CLUSTER_TOPICS.includes(topic)) throw new TypeError(`not a cluster topic: ${String(topic)}`);
    return channelOf(topic);
  }

  private async listen(): Promise<pg.Client> {
    const base = typeof this.opts.connection === 'string' ? { connectionString: this.opts.connection } : this.opts.connection;
    const client = new pg.Client({
      ...base,
      application_name: `cabine-bus:${this.opts.nodeId}`,
      connectionTimeoutMillis: this.opts.connectTimeoutMs ?? 5_000,
      keepAlive: true,
    });
    let live = false;
    let settled = false;
    const dropped = (error?: Error): void => {
      if (settled) return;
      settled = true;
      client.removeAllListeners('notification');
      this.clock.clearTimeout(this.pingTimer);
      // end() alone would wait on a dead peer; the socket goes now.
      client.connection.stream.destroy();
      client.end().catch(() => undefined);
      if (this.listener === client) this.listener = null;
      if (this.stopped) return;
      this.log.warn({ err: error }, 'listening connection lost: reconnecting');
      this.reconnectLater();
    };
    // Until it listens, a failure is the caller's to report, not a drop.
    client.on('error', (error) => {
      if (live) dropped(error);
    });
    client.on('end', () => {
      if (live) dropped();
    });
    try {
      await client.connect();
      for (const topic of this.handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channelOf(topic))}`);
    } catch (error) {
      settled = true;
      client.end().catch(() => undefined);
      throw unreachable(pgAddress(base.connectionString ?? `postgresql://${base.host ?? 'localhost'}:${base.port ?? 5432}`), error);
    }
    client.on('notification', (n) => this.deliver(n.channel, n.payload ?? ''));
    live = true;
    this.ping(client, () => dropped(new Error('the listening connection did not answer a ping')));
    return client;
  }

  private ping(client: pg.Client, dead: () => void): void {
    const every = this.opts.pingMs ?? DEFAULT_PING_MS;
    this.pingTimer = this.clock.setTimeout(() => {
      let answered = false;
      const deadline = this.clock.setTimeout(() => {
        if (!answered) dead();
      }, every);
      client.query('SELECT 1').then(
        () => {
          answered = true;
          this.clock.clearTimeout(deadline);
          if (!this.stopped && this.listener === client) this.ping(client, dead);
        },
        () => {
          // The connection's own error or end event reports the drop.
          answered = true;
          this.clock.clearTimeout(deadline);
        },
      );
    }, every);
  }

  private reconnectLater(): void {
    const wait = backoffDelay(this.attempt++, this.opts.retry ?? DEFAULT_RETRY, this.opts.random);
    this.retryTimer = this.clock.setTimeout(() => void this.reconnect(), wait);
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    try {
      const client = await this.listen();
      if (this.stopped) {
        await client.end().catch(() => undefined);
        return;
      }
      this.listener = client;
      this.attempt = 0;
      this.log.info('listening again: consumers resync');
      this.emit('resync');
    } catch (error) {
      this.log.warn({ err: error, attempt: this.attempt }, 'reconnection failed');
      this.reconnectLater();
    }
  }

  private deliver(channel: string, payload: string): void {
    const topic = CLUSTER_TOPICS.find((t) => channelOf(t) === channel);
    const event = decodeEvent(payload);
    if (!topic || !event) {
      // Its content is not logged: whatever it is, it was not ours.
      this.log.warn({ channel, bytes: Buffer.byteLength(payload) }, 'dropped a notification that is not a cluster event');
      return;
    }
    for (const handler of this.handlers.get(topic) ?? []) {
      Promise.resolve()
        .then(() => handler(event))
        .catch((error: unknown) => this.log.error({ err: error, topic, kind: event.kind }, 'cluster event handler failed'));
    }
  }
}
