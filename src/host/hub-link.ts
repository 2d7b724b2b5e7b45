/**
 * The booth's one authenticated connection to the hub (DESIGN §6: the host
 * holds the booth secret; the renderer never sees it). Reconnects with
 * exponential backoff and jitter; requests time out instead of hanging; the
 * status is observable so the outbox drains on reconnect. Every frame it
 * sends is paced under the hub's rate limit (BOOTH_FRAME_PACE): past a burst
 * they wait their turn, in order, rather than get the booth cut off.
 *
 * A network runs several hub nodes on one database: the booth knows its
 * preferred node and others (kiosk config `hub.url`, `hub.fallbackUrls`).
 * When the node in use cannot be reached, drops, or falls silent (no pong to
 * its pings), the next attempt goes to the next node round the list, after
 * the same jittered wait, so a fleet leaving a dead node spreads over the
 * others instead of arriving at once. Online on a node, it stays there while
 * that node holds: going back to the preferred one would cut a call for
 * nothing. A call lives on one node: when the node in use says the booth's
 * room is on another (`room.moved`), the link goes there at once, only if
 * that node is one of its own list (a node it was not given is refused and
 * logged, whatever the hub says).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { backoffDelay } from '../shared/backoff';
import { encodeBinaryFrame } from '../shared/binary-transfer';
import { CabineError, codeOf } from '../shared/errors';
import { BOOTH_FRAME_PACE, BOOTH_ID_HEADER, HUB_MAX_FRAME_BYTES, HubFrame, HubRequestError, settleResponse } from '../shared/hub-protocol';
import { ROOM, RoomMoved } from '../shared/media-protocol';
import { PendingRequests } from '../shared/pending-requests';
import { RateLimiter } from '../shared/rate-limit';

export type LinkStatus = 'connecting' | 'online' | 'offline';

export interface HubLinkEvents {
  status: [LinkStatus];
  note: [method: string, params: unknown];
}

export type RequestHandler = (params: unknown) => unknown;

/** The link's small interface, for code that only needs to talk to the hub. */
export interface HubChannel extends EventEmitter<HubLinkEvents> {
  readonly status: LinkStatus;
  /** With `bytes`, a binary call: one binary frame, the request's JSON header then the raw bytes (never base64 in JSON). */
  request<T = unknown>(method: string, params: unknown, opts?: { timeoutMs?: number; bytes?: Uint8Array }): Promise<T>;
  notify(method: string, params: unknown): void;
  handle(method: string, handler: RequestHandler): void;
}

export class HubUnavailableError extends CabineError {
  constructor(detail: string) {
    super('HUB_UNAVAILABLE', {
      fr: 'Le serveur de téléconsultation est injoignable pour le moment. Les données sont gardées et seront envoyées dès le retour du réseau.',
      en: 'The teleconsultation server cannot be reached right now. Data is kept and will be sent when the network returns.',
    }, { detail });
  }
}

/** What the link needs of a WebSocket: `openWsSocket` gives a real one, unit tests a fake. */
export interface HubSocket {
  readonly isOpen: boolean;
  send(data: string | Uint8Array): void;
  ping(): void;
  /** Closes at once; resolves once closed (the `close` event has then been given). */
  terminate(): Promise<void>;
}

export interface HubSocketEvents {
  open(): void;
  /** The node answered the upgrade with an HTTP status instead: it refused this booth. */
  refused(status: number): void;
  message(text: string): void;
  pong(): void;
  error(message: string): void;
  /** Once per socket, whether it ever opened or not. */
  close(): void;
}

export type OpenHubSocket = (url: string, headers: Record<string, string>, on: HubSocketEvents) => HubSocket;

export const openWsSocket: OpenHubSocket = (url, headers, on) => openTrusting(undefined)(url, headers, on);

/**
 * Sockets that also trust `ca` (PEM) for the hub's certificate: a network
 * whose nodes carry certificates of its own authority (kiosk config
 * `hub.caFile`); the system's authorities when undefined. Certificates are
 * always checked: there is no way to turn that off.
 */
export const openTrusting = (ca: Buffer | undefined): OpenHubSocket => (url, headers, on) => {
  const ws = new WebSocket(url, { headers, maxPayload: HUB_MAX_FRAME_BYTES, handshakeTimeout: 10_000, ...(ca ? { ca } : {}) });
  ws.on('open', () => on.open());
  ws.on('unexpected-response', (_req: ClientRequest, res: IncomingMessage) => {
    on.refused(res.statusCode ?? 0);
    ws.terminate();
  });
  ws.on('message', (raw) => on.message(raw.toString()));
  ws.on('pong', () => on.pong());
  ws.on('error', (error) => on.error(error.message));
  ws.on('close', () => on.close());
  return {
    get isOpen() { return ws.readyState === WebSocket.OPEN; },
    send: (data) => ws.send(data),
    ping: () => ws.ping(),
    terminate: () => new Promise<void>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.once('close', () => resolve());
      ws.terminate();
    }),
  };
};

/** A node as logs and status name it: host and port, never the path or anything after it. */
export function nodeName(url: string): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'wss:' || u.protocol === 'https:' ? '443' : '80');
  return `${u.hostname}:${port}`;
}

export interface HubLinkOptions {
  /** The preferred node: the link starts there. */
  url: string;
  /** The network's other nodes, tried in turn after `url` when the node in use fails. */
  fallbackUrls?: readonly string[];
  boothId: string;
  token: string;
  log: Logger;
  /**
   * Backoff: first delay and ceiling, in ms (defaults 500 ms and 2 s). The
   * ceiling is low because a call waits on this link after a hub restart
   * (goal: the call resumes within 5 s; a restarted hub is up in about 2 s,
   * and a 5 s ceiling measured 6.2 s p50 under the demo); full jitter spreads
   * a fleet's reconnections (1,000 booths ≈ 800 attempts/s at the ceiling:
   * refused connections while the hub is down, counted before any hash once
   * it is up).
   */
  minDelayMs?: number;
  maxDelayMs?: number;
  requestTimeoutMs?: number;
  random?: () => number;
  /**
   * How often the link pings its node, in ms (default 10 s). A node that sent
   * nothing, not even the pong, in the period after a ping is given up (10 to
   * 20 s after it fell silent): its machine is gone without closing the
   * connection (a killed process closes it, and that is seen at once). The
   * period is long because a pong may wait behind a photo's chunks on a slow
   * uplink.
   */
  heartbeatMs?: number;
  openSocket?: OpenHubSocket;
}

export class HubLink extends EventEmitter<HubLinkEvents> implements HubChannel {
  private ws: HubSocket | null = null;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  /** Something came from the node since the last ping. */
  private heard = false;
  private readonly nodes: readonly string[];
  /** The node in use or being tried: an index into `nodes`. */
  private current = 0;
  private stopped = true;
  private readonly pending = new PendingRequests();
  private readonly handlers = new Map<string, RequestHandler>();
  private currentStatus: LinkStatus = 'offline';
  private readonly pace = new RateLimiter(BOOTH_FRAME_PACE.perSecond, BOOTH_FRAME_PACE.burst);
  /** Frames waiting for the pace, in order; those of a connection that closed are dropped with it (its requests failed). */
  private readonly outgoing: { ws: HubSocket; data: string | Uint8Array }[] = [];
  private paceTimer: NodeJS.Timeout | null = null;
  /** The node the link leaves the current one for, sent there by `room.moved`. */
  private movingTo: number | null = null;

  constructor(private readonly opts: HubLinkOptions) {
    super();
    this.nodes = [opts.url, ...(opts.fallbackUrls ?? [])];
  }

  get status(): LinkStatus {
    return this.currentStatus;
  }

  /** The node in use or being tried, as `host:port`. */
  get node(): string {
    return nodeName(this.nodes[this.current]!);
  }

  /** Starts on the preferred node. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.current = 0;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopHeartbeat();
    this.dropOutgoing();
    const ws = this.ws;
    this.ws = null;
    await ws?.terminate();
    this.failPending('link stopped');
    this.setStatus('offline');
  }

  handle(method: string, handler: RequestHandler): void {
    this.handlers.set(method, handler);
  }

  request<T = unknown>(method: string, params: unknown, opts: { timeoutMs?: number; bytes?: Uint8Array } = {}): Promise<T> {
    const ws = this.ws;
    if (!ws || this.currentStatus !== 'online') return Promise.reject(new HubUnavailableError(`${method}: not connected`));
    const { bytes } = opts;
    return this.pending.start<T>(
      (id) => this.send(ws, bytes ? encodeBinaryFrame({ t: 'req', id, m: method, p: params }, bytes) : JSON.stringify({ t: 'req', id, m: method, p: params })),
      opts.timeoutMs ?? this.opts.requestTimeoutMs ?? 10_000,
      () => new HubUnavailableError(`${method}: no answer in time`),
    );
  }

  notify(method: string, params: unknown): void {
    if (this.ws && this.currentStatus === 'online') this.send(this.ws, JSON.stringify({ t: 'note', m: method, p: params }));
  }

  private send(ws: HubSocket, data: string | Uint8Array): void {
    if (this.outgoing.length === 0 && this.pace.take()) {
      ws.send(data);
      return;
    }
    this.outgoing.push({ ws, data });
    this.schedulePace();
  }

  private schedulePace(): void {
    if (this.paceTimer) return;
    this.paceTimer = setTimeout(() => {
      this.paceTimer = null;
      while (this.outgoing.length > 0 && this.pace.take()) {
        const { ws, data } = this.outgoing.shift()!;
        if (ws === this.ws && ws.isOpen) ws.send(data);
      }
      if (this.outgoing.length > 0) this.schedulePace();
    }, this.pace.msUntilToken());
  }

  private dropOutgoing(): void {
    this.outgoing.length = 0;
    if (this.paceTimer) clearTimeout(this.paceTimer);
    this.paceTimer = null;
  }

  private setStatus(status: LinkStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.emit('status', status);
  }

  private failPending(reason: string): void {
    this.pending.failAll(() => new HubUnavailableError(reason));
  }

  private connect(): void {
    if (this.stopped) return;
    this.setStatus('connecting');
    const node = this.node;
    const log = this.opts.log;
    let opened = false;
    const open = this.opts.openSocket ?? openWsSocket;
    const ws: HubSocket = open(this.nodes[this.current]!, { authorization: `Bearer ${this.opts.token}`, [BOOTH_ID_HEADER]: this.opts.boothId }, {
      open: () => {
        if (this.ws !== ws) return;
        opened = true;
        this.attempt = 0;
        this.setStatus('online');
        this.startHeartbeat(ws);
        log.info({ node }, 'connected to the hub');
      },
      refused: (status) => log.error({ node, status }, 'the hub refused this booth (check hub.token in kiosk-config)'),
      message: (text) => {
        if (this.ws !== ws) return;
        this.heard = true;
        this.onMessage(ws, text);
      },
      pong: () => {
        if (this.ws === ws) this.heard = true;
      },
      error: (message) => log.debug({ node, err: message }, 'hub connection error'),
      close: () => {
        if (this.ws !== ws) return;
        this.ws = null;
        this.stopHeartbeat();
        this.dropOutgoing();
        this.failPending('connection lost');
        if (this.stopped) return;
        if (this.movingTo !== null) {
          this.current = this.movingTo;
          this.movingTo = null;
          this.attempt = 0;
          log.info({ node, next: this.node }, 'going to the hub node that holds this booth\'s call');
          this.connect();
          return;
        }
        this.setStatus('offline');
        this.current = (this.current + 1) % this.nodes.length;
        const baseMs = this.opts.minDelayMs ?? 500;
        const delay = backoffDelay(this.attempt++, { baseMs, maxMs: this.opts.maxDelayMs ?? 2_000, floorMs: baseMs / 2 }, this.opts.random);
        // Once per loss at warn; each further attempt at debug, so a long outage does not fill the log.
        if (opened) log.warn({ node, next: this.node, delayMs: Math.round(delay) }, 'lost the hub; trying the next node');
        else log.debug({ node, next: this.node, delayMs: Math.round(delay) }, 'could not reach the hub; trying the next node');
        this.timer = setTimeout(() => this.connect(), delay);
      },
    });
    this.ws = ws;
  }

  /** `room.moved`: leaves this node for the one that holds the call, if it is in the link's list. */
  private follow(ws: HubSocket, params: unknown): void {
    const moved = RoomMoved.safeParse(params);
    if (!moved.success) {
      this.opts.log.warn('ignored a malformed room.moved from the hub');
      return;
    }
    const target = nodeName(moved.data.url);
    const index = this.nodes.findIndex((url) => nodeName(url) === target);
    if (index < 0) {
      this.opts.log.error({ node: target }, 'the hub sends this booth\'s call to a node missing from hub.url and hub.fallbackUrls in kiosk-config: add that node there, or the call cannot start');
      return;
    }
    if (index === this.current) return;
    this.movingTo = index;
    void ws.terminate();
  }

  private startHeartbeat(ws: HubSocket): void {
    this.heard = true;
    this.heartbeat = setInterval(() => {
      if (!this.heard) {
        this.opts.log.warn({ node: this.node }, 'the hub stopped answering; leaving it');
        void ws.terminate();
        return;
      }
      this.heard = false;
      ws.ping();
    }, this.opts.heartbeatMs ?? 10_000);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private onMessage(ws: HubSocket, text: string): void {
    let frame: HubFrame;
    try {
      frame = HubFrame.parse(JSON.parse(text));
    } catch {
      this.opts.log.warn('ignored a malformed frame from the hub');
      return;
    }
    if (frame.t === 'res') {
      settleResponse(this.pending, frame);
    } else if (frame.t === 'note') {
      if (frame.m === ROOM.moved) this.follow(ws, frame.p);
      else this.emit('note', frame.m, frame.p);
    } else {
      const handler = this.handlers.get(frame.m);
      void (async () => {
        try {
          if (!handler) throw new HubRequestError('UNKNOWN_METHOD', `the booth has no method ${frame.m}`);
          const r = await handler(frame.p);
          this.send(ws, JSON.stringify({ t: 'res', id: frame.id, ok: true, r: r ?? null }));
        } catch (error) {
          const code = codeOf(error) ?? 'INTERNAL';
          this.send(ws, JSON.stringify({ t: 'res', id: frame.id, ok: false, e: { code, message: (error as Error).message } }));
        }
      })();
    }
  }
}
