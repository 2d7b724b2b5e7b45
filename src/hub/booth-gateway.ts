/**
 * Where booths connect (`/booth`): each authenticates with its own secret
 * (compared against a scrypt hash), gets one Peer, and reaches only the
 * methods registered here (the record's, the queue's and the media path's,
 * the consultation's); those features also hear connects and disconnects.
 *
 * Wrong tokens are counted per (address, booth id) BEFORE the hash (booth
 * ids are not secret: a count per id alone would let anyone lock a
 * pharmacy's booth out), and the hash itself waits its turn at the hub-wide
 * gate. A booth whose own address keeps failing is refused with 429 and a
 * Retry-After, and accepted with its right token once that delay has passed:
 * the hub cannot tell it from a flood at the same address.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { z } from 'zod';
import { BOOTH_FRAME_LIMIT, BOOTH_ID_HEADER, HUB_MAX_FRAME_BYTES } from '../shared/hub-protocol';
import type { BoothDirectory } from './directory';
import { FloodLog } from './flood-log';
import { HubBusyError } from './hash-gate';
import { callerAddress } from './journal/report';
import { Peer, type Method } from './peer';
import type { HubLimits } from './limits';
import { AttemptThrottle, TooManyAttemptsError, addressKey, type Attempt } from './throttle';

export interface BoothGatewayEvents {
  connected: [Peer];
  disconnected: [Peer];
}

export class BoothGateway extends EventEmitter<BoothGatewayEvents> {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: HUB_MAX_FRAME_BYTES });
  private readonly methods = new Map<string, Method>();
  private readonly peers = new Map<string, Peer>();
  private readonly throttle: AttemptThrottle;
  private readonly floods: FloodLog;

  constructor(private readonly directory: BoothDirectory, private readonly log: Logger, limits: Pick<HubLimits, 'clock' | 'booth' | 'logWindowMs'>) {
    super();
    this.throttle = new AttemptThrottle(limits.booth, limits.clock);
    this.floods = new FloodLog(log, { windowMs: limits.logWindowMs });
  }

  /** Registers a method booths may call. */
  handle<P extends z.ZodType>(name: string, params: P, run: (peer: Peer, params: z.output<P>) => unknown): void {
    this.methods.set(name, { params, run: run as Method['run'] });
  }

  /** Registers a binary method: its requests come as binary frames, the raw bytes after the params. */
  handleBinary<P extends z.ZodType>(name: string, params: P, run: (peer: Peer, params: z.output<P>, bytes: Buffer) => unknown): void {
    this.methods.set(name, { params, binary: true, run: run as Method['run'] });
  }

  peer(boothId: string): Peer | undefined {
    return this.peers.get(boothId);
  }

  connectedBooths(): string[] {
    return [...this.peers.keys()];
  }

  /** Called by the hub's upgrade router for `/booth`. */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const boothId = String(req.headers[BOOTH_ID_HEADER] ?? '');
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const address = addressKey(req.socket.remoteAddress);
    const who = { address, boothId: boothId.slice(0, 64) };
    if (boothId === '' || token === '') {
      this.floods.warn(`missing:${address}`, who, 'refused a booth connection: no credentials');
      return refuseUpgrade(socket, 401, 'Unauthorized');
    }
    let attempt: Attempt;
    try {
      attempt = this.throttle.admit(address, boothId);
    } catch (error) {
      if (!(error instanceof TooManyAttemptsError)) throw error;
      this.floods.warn(`throttled:${address}`, { ...who, scope: error.scope }, 'refused a booth connection: too many failed attempts');
      return refuseUpgrade(socket, 429, 'Too Many Requests', error.retryAfterSeconds);
    }
    let ok: boolean;
    try {
      ok = await this.directory.verifyBooth(boothId, token, address, attempt.standing);
    } catch (error) {
      attempt.abandoned();
      if (!(error instanceof HubBusyError)) throw error;
      this.floods.warn('busy', {}, 'refused a booth connection: too many secret checks waiting');
      return refuseUpgrade(socket, 503, 'Service Unavailable', error.retryAfterSeconds);
    }
    if (!ok) {
      attempt.failed();
      this.floods.warn(`bad:${address}`, who, 'refused a booth connection: bad credentials');
      return refuseUpgrade(socket, 401, 'Unauthorized');
    }
    attempt.succeeded();
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const previous = this.peers.get(boothId);
      // A booth has one connection: a reconnect replaces a half-dead one.
      previous?.close(4000, 'replaced by a new connection');
      const peer = new Peer({ ws, identity: { role: 'booth', id: boothId }, from: callerAddress(req), methods: this.methods, log: this.log, floods: this.floods, ratePerSecond: BOOTH_FRAME_LIMIT.perSecond, burst: BOOTH_FRAME_LIMIT.burst });
      this.peers.set(boothId, peer);
      ws.on('close', () => {
        if (this.peers.get(boothId) === peer) this.peers.delete(boothId);
        this.emit('disconnected', peer);
      });
      this.log.info({ boothId }, 'booth connected');
      this.emit('connected', peer);
    });
  }

  close(): void {
    for (const p of this.peers.values()) p.ws.terminate();
    this.wss.close();
    this.floods.close();
  }
}

/** Answers an upgrade with an HTTP refusal (and when to retry) and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string, retryAfterSeconds?: number): void {
  const retry = retryAfterSeconds === undefined ? '' : `Retry-After: ${retryAfterSeconds}\r\n`;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${retry}Content-Length: 0\r\nConnection: close\r\n\r\n`);
}
