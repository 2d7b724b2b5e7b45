/**
 * Where specialists' consoles connect (`/console`): the session cookie from
 * /api/login and an allowed Origin are required; each connection is one Peer
 * (validated frames, size cap, rate limit), identified by the session, never
 * by a param. Register console methods with `handle`.
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

  constructor(
    private readonly auth: SpecialistAuth,
    private readonly allowedOrigins: () => string[],
    private readonly log: Logger,
    /** Repeated warnings are written once per window with a count. */
    logWindowMs = 60_000,
  ) {
    super();
    this.floods = new FloodLog(log, { windowMs: logWindowMs });
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
    const session = await this.auth.session(req);
    if (!session) {
      this.floods.warn(`session:${address}`, { address }, 'refused a console connection: not logged in');
      return refuseUpgrade(socket, 401, 'Unauthorized');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const peer = new Peer({ ws, identity: { role: 'specialist', id: session.specialistId }, from: callerAddress(req), methods: this.methods, log: this.log, ratePerSecond: 50, burst: 200, floods: this.floods });
      this.peers.add(peer);
      ws.on('close', () => {
        this.peers.delete(peer);
        this.emit('disconnected', peer);
      });
      this.emit('connected', peer);
    });
  }

  close(): void {
    for (const p of this.peers) p.ws.terminate();
    this.wss.close();
    this.floods.close();
  }
}
