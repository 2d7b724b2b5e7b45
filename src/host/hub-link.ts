/**
 * The booth's one authenticated connection to the hub (DESIGN §6: the host
 * holds the booth secret; the renderer never sees it). Reconnects with
 * exponential backoff and jitter; requests time out instead of hanging; the
 * status is observable so the outbox drains on reconnect. Every frame it
 * sends is paced under the hub's rate limit (BOOTH_FRAME_PACE): past a burst
 * they wait their turn, in order, rather than get the booth cut off.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { backoffDelay } from '../shared/backoff';
import { encodeBinaryFrame } from '../shared/binary-transfer';
import { CabineError, codeOf } from '../shared/errors';
import { BOOTH_FRAME_PACE, BOOTH_ID_HEADER, HUB_MAX_FRAME_BYTES, HubFrame, HubRequestError, settleResponse } from '../shared/hub-protocol';
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

export interface HubLinkOptions {
  url: string;
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
}

export class HubLink extends EventEmitter<HubLinkEvents> implements HubChannel {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private readonly pending = new PendingRequests();
  private readonly handlers = new Map<string, RequestHandler>();
  private currentStatus: LinkStatus = 'offline';
  private readonly pace = new RateLimiter(BOOTH_FRAME_PACE.perSecond, BOOTH_FRAME_PACE.burst);
  /** Frames waiting for the pace, in order; those of a connection that closed are dropped with it (its requests failed). */
  private readonly outgoing: { ws: WebSocket; data: string | Uint8Array }[] = [];
  private paceTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: HubLinkOptions) {
    super();
  }

  get status(): LinkStatus {
    return this.currentStatus;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.dropOutgoing();
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.terminate();
      });
    }
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

  private send(ws: WebSocket, data: string | Uint8Array): void {
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
        if (ws === this.ws && ws.readyState === WebSocket.OPEN) ws.send(data);
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
    const ws = new WebSocket(this.opts.url, {
      headers: { authorization: `Bearer ${this.opts.token}`, [BOOTH_ID_HEADER]: this.opts.boothId },
      maxPayload: HUB_MAX_FRAME_BYTES,
      handshakeTimeout: 10_000,
    });
    this.ws = ws;
    ws.on('open', () => {
      this.attempt = 0;
      this.setStatus('online');
      this.opts.log.info('connected to the hub');
    });
    ws.on('unexpected-response', (_req, res) => {
      this.opts.log.error({ status: res.statusCode }, 'the hub refused this booth (check hub.token in kiosk-config)');
      ws.terminate();
    });
    ws.on('message', (raw) => this.onMessage(ws, raw.toString()));
    ws.on('error', (error) => this.opts.log.debug({ err: error.message }, 'hub connection error'));
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.dropOutgoing();
      this.failPending('connection lost');
      if (this.stopped) return;
      this.setStatus('offline');
      const baseMs = this.opts.minDelayMs ?? 500;
      const delay = backoffDelay(this.attempt++, { baseMs, maxMs: this.opts.maxDelayMs ?? 2_000, floorMs: baseMs / 2 }, this.opts.random);
      this.timer = setTimeout(() => this.connect(), delay);
    });
  }

  private onMessage(ws: WebSocket, text: string): void {
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
      this.emit('note', frame.m, frame.p);
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
