/**
 * One authenticated WebSocket peer of the hub (a booth or a specialist's
 * console): validated frames, requests both ways answered by id, a frame size
 * cap and a per-connection rate limit. A peer that floods or sends garbage
 * repeatedly is cut off; honest peers are unaffected.
 */
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import { z } from 'zod';
import { decodeBinaryFrame } from '../shared/binary-transfer';
import { codeOf } from '../shared/errors';
import { HubFrame, HubRequestError, settleResponse } from '../shared/hub-protocol';
import { RateLimiter } from '../shared/rate-limit';
import { PendingRequests } from '../shared/pending-requests';
import { FloodLog } from './flood-log';

export interface Method<P extends z.ZodType = z.ZodType> {
  params: P;
  /** A binary method's requests come as binary frames, raw bytes after the JSON header; others as JSON only. */
  binary?: boolean;
  run: (peer: Peer, params: z.output<P>, bytes?: Buffer) => unknown;
}

export const CLOSE_POLICY = 1008;

export type PeerRole = 'booth' | 'specialist' | 'staff';

export interface PeerOptions {
  ws: WebSocket;
  /** 'booth:<id>', 'specialist:<id>' or 'staff:<id>' (a counter page): who this is, for access checks. */
  identity: { role: PeerRole; id: string };
  /** The caller's address as the hub read it at connect (the access journal's `from`). */
  from?: string;
  methods: Map<string, Method>;
  log: Logger;
  ratePerSecond?: number;
  burst?: number;
  /** Invalid frames tolerated before the connection is cut. */
  maxInvalid?: number;
  /** Where repeated warnings are counted (the gateway's, shared by its peers); one of its own when absent. */
  floods?: FloodLog;
}

export class Peer {
  readonly ws: WebSocket;
  readonly role: PeerRole;
  readonly id: string;
  /** The caller's address at connect (the access journal's `from`), when known. */
  readonly from: string | undefined;
  private invalid = 0;
  /** Why the connection was cut: frames still arriving after it are dropped, only counted. */
  private cut: 'rate' | 'invalid' | null = null;
  private readonly limiter: RateLimiter;
  private readonly pending = new PendingRequests();
  private readonly floods: FloodLog;

  constructor(private readonly opts: PeerOptions) {
    this.ws = opts.ws;
    this.role = opts.identity.role;
    this.id = opts.identity.id;
    this.from = opts.from;
    this.limiter = new RateLimiter(opts.ratePerSecond ?? 100, opts.burst ?? 400);
    this.floods = opts.floods ?? new FloodLog(opts.log);
    opts.ws.on('message', (raw, isBinary) => this.onMessage(raw as Buffer, isBinary));
    // NOTE: ws reports an oversized or malformed frame as an 'error' on the socket (then closes
    // it with 1009/1002); without a listener that error would crash the whole hub.
    opts.ws.on('error', (error) => opts.log.warn({ peer: `${this.role}:${this.id}`, code: codeOf(error) }, 'connection error: cut off'));
    opts.ws.on('close', () => {
      this.pending.failAll(() => new HubRequestError('PEER_GONE', 'peer disconnected'));
    });
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  notify(method: string, params: unknown): void {
    if (this.open) this.ws.send(JSON.stringify({ t: 'note', m: method, p: params }));
  }

  request<T = unknown>(method: string, params: unknown, timeoutMs = 10_000): Promise<T> {
    if (!this.open) return Promise.reject(new HubRequestError('PEER_GONE', 'peer disconnected'));
    return this.pending.start<T>(
      (id) => this.ws.send(JSON.stringify({ t: 'req', id, m: method, p: params })),
      timeoutMs,
      () => new HubRequestError('TIMEOUT', `${method}: no answer`),
    );
  }

  close(code = 1000, reason = ''): void {
    this.ws.close(code, reason);
  }

  private get name(): string {
    return `${this.role}:${this.id}`;
  }

  private refuse(id: number | null, code: string, message: string): void {
    this.invalid += 1;
    this.floods.warn(`invalid:${this.name}:${code}`, { peer: this.name, code }, 'refused a frame');
    if (id !== null && this.open) this.ws.send(JSON.stringify({ t: 'res', id, ok: false, e: { code, message } }));
    if (this.invalid > (this.opts.maxInvalid ?? 20)) this.cutOff('invalid');
  }

  /** Closes with a policy violation; what the peer had already sent is dropped (and counted) as it arrives. */
  private cutOff(why: 'rate' | 'invalid'): void {
    this.cut = why;
    this.ws.close(CLOSE_POLICY, why === 'rate' ? 'rate limit exceeded' : 'too many invalid frames');
  }

  private onMessage(raw: Buffer, isBinary: boolean): void {
    // NOTE: ws keeps delivering the frames already received while its closing handshake runs.
    if (this.cut === 'rate' || (this.cut === null && !this.limiter.take())) {
      this.floods.warn(`rate:${this.name}`, { peer: this.name }, 'rate limit exceeded: connection cut');
      if (this.cut === null) this.cutOff('rate');
      return;
    }
    if (this.cut === 'invalid') {
      this.floods.warn(`invalid:${this.name}`, { peer: this.name }, 'frames after too many invalid ones: dropped');
      return;
    }
    let frame: HubFrame;
    let bytes: Buffer | undefined;
    try {
      if (isBinary) {
        const decoded = decodeBinaryFrame(raw);
        frame = HubFrame.parse(decoded.header);
        bytes = raw.subarray(raw.length - decoded.payload.length);
      } else {
        frame = HubFrame.parse(JSON.parse(raw.toString()));
      }
    } catch {
      return this.refuse(null, 'BAD_FRAME', 'malformed frame');
    }
    if (bytes && frame.t !== 'req') return this.refuse(null, 'BAD_FRAME', 'only a request may carry bytes');
    if (frame.t === 'res') {
      settleResponse(this.pending, frame);
      return;
    }
    const method = this.opts.methods.get(frame.m);
    const id = frame.t === 'req' ? frame.id : null;
    if (!method) return this.refuse(id, 'UNKNOWN_METHOD', `no method ${frame.m}`);
    if ((method.binary === true) !== (bytes !== undefined)) {
      return this.refuse(id, 'INVALID_PARAMS', method.binary ? `${frame.m} carries its bytes in a binary frame` : `${frame.m} takes no bytes`);
    }
    const parsed = method.params.safeParse(frame.p);
    if (!parsed.success) return this.refuse(id, 'INVALID_PARAMS', z.prettifyError(parsed.error).slice(0, 500));
    void (async () => {
      try {
        const r = await method.run(this, parsed.data, bytes);
        if (id !== null && this.open) this.ws.send(JSON.stringify({ t: 'res', id, ok: true, r: r ?? null }));
      } catch (error) {
        const code = codeOf(error) ?? 'INTERNAL';
        if (code === 'INTERNAL') this.opts.log.error({ err: error }, `method ${frame.m} failed`);
        const message = code === 'INTERNAL' ? 'internal error' : (error as Error).message;
        if (id !== null && this.open) this.ws.send(JSON.stringify({ t: 'res', id, ok: false, e: { code, message } }));
      }
    })();
  }
}

/** A method's failure that the caller may see (access refused, not found…). */
export function refused(code: string, message: string): HubRequestError {
  return new HubRequestError(code, message);
}
