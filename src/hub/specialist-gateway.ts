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
import { Peer, type Method } from './peer';

export const CONSOLE_PATH = '/console';

export interface SpecialistGatewayEvents {
  connected: [Peer];
  disconnected: [Peer];
}

export class SpecialistGateway extends EventEmitter<SpecialistGatewayEvents> {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  private readonly methods = new Map<string, Method>();
  private readonly peers = new Set<Peer>();

  constructor(
    private readonly auth: SpecialistAuth,
    private readonly allowedOrigins: () => string[],
    private readonly log: Logger,
  ) {
    super();
  }

  handle<P extends z.ZodType>(name: string, params: P, run: (peer: Peer, params: z.output<P>) => unknown): void {
    this.methods.set(name, { params, run: run as Method['run'] });
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const origin = String(req.headers.origin ?? '');
    if (!this.allowedOrigins().includes(origin)) {
      this.log.warn({ origin: origin.slice(0, 100) }, 'refused a console connection: origin not allowed');
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const session = this.auth.session(req);
    if (!session) {
      this.log.warn('refused a console connection: not logged in');
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const peer = new Peer({ ws, identity: { role: 'specialist', id: session.specialistId }, methods: this.methods, log: this.log, ratePerSecond: 50, burst: 200 });
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
  }
}
