/**
 * Where specialists' consoles connect (`/console`): the session cookie from
 * /api/login and an allowed Origin are required; each connection is one Peer
 * (validated frames, size cap, rate limit), identified by the session, never
 * by a param. A console lives no longer than its session (./session-watch.ts).
 * Register console methods with `handle`.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { z } from 'zod';
import type { SpecialistAuth } from './auth';
import { refuseUpgrade } from './booth-gateway';
import { FloodLog } from './flood-log';
import { Peer, type Method } from './peer';
import { watchPeerSessions, type SessionWatch } from './session-watch';
import { callerAddress } from './journal/report';
import { addressKey } from './throttle';

export const CONSOLE_PATH = '/console';

export interface SpecialistGatewayEvents {
  connected: [Peer];
  disconnected: [Peer];
}

export class SpecialistGateway extends EventEmitter<SpecialistGatewayEvents> {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  private readonly methods = new Map<string, Method>();
  private readonly peers = new Set<Peer>();
  private readonly floods: FloodLog;

  private readonly watch: SessionWatch<Peer>;

  constructor(
    private readonly auth: SpecialistAuth,
    private readonly allowedOrigins: () => string[],
    private readonly log: Logger,
    opts: {
      /** Repeated warnings are written once per window with a count. */
      logWindowMs?: number;
      /** How often the open consoles' sessions are asked again (./session-watch.ts). */
      sessionCheckMs?: number;
      /** Whether a console holds a call (the media service's rooms): one whose session ended stays until its call ends. */
      inCall?: (peer: Peer) => boolean;
    } = {},
  ) {
    super();
    this.floods = new FloodLog(log, { windowMs: opts.logWindowMs ?? 60_000 });
    this.watch = watchPeerSessions(auth, { role: 'specialist', everyMs: opts.sessionCheckMs ?? 15_000, log, ...(opts.inCall ? { busy: opts.inCall } : {}) });
  }

  handle<P extends z.ZodType>(name: string, params: P, run: (peer: Peer, params: z.output<P>) => unknown): void {
    this.methods.set(name, { params, run: run as Method['run'] });
  }

  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const origin = String(req.headers.origin ?? '');
    const address = addressKey(req.socket.remoteAddress);
    if (!this.allowedOrigins().includes(origin)) {
      this.floods.warn(`origin:${address}`, { address, origin: origin.slice(0, 100) }, 'refused a console connection: origin not allowed');
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    const token = this.auth.tokenOf(req);
    const session = token ? await this.auth.sessionOfToken(token) : null;
    if (!token || !session) {
      this.floods.warn(`session:${address}`, { address }, 'refused a console connection: not logged in');
      return refuseUpgrade(socket, 401, 'Unauthorized');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const peer = new Peer({ ws, identity: { role: 'specialist', id: session.specialistId }, from: callerAddress(req), methods: this.methods, log: this.log, ratePerSecond: 50, burst: 200, floods: this.floods });
      this.peers.add(peer);
      this.watch.add(token, peer);
      ws.on('close', () => {
        this.peers.delete(peer);
        this.watch.remove(peer);
        this.emit('disconnected', peer);
      });
      this.emit('connected', peer);
    });
  }

  close(): void {
    this.watch.stop();
    for (const p of this.peers) p.ws.terminate();
    this.wss.close();
    this.floods.close();
  }
}
