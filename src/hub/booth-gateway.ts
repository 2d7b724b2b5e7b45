/**
 * Where booths connect (`/booth`): each authenticates with its own secret
 * (compared against a scrypt hash), gets one Peer, and reaches only the
 * methods registered here. Later parts (record ingest, rooms) register
 * their methods and listen for connect/disconnect.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { z } from 'zod';
import { BOOTH_ID_HEADER, HUB_MAX_FRAME_BYTES } from '../shared/hub-protocol';
import type { BoothDirectory } from './directory';
import { Peer, type Method } from './peer';

export interface BoothGatewayEvents {
  connected: [Peer];
  disconnected: [Peer];
}

export class BoothGateway extends EventEmitter<BoothGatewayEvents> {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: HUB_MAX_FRAME_BYTES });
  private readonly methods = new Map<string, Method>();
  private readonly peers = new Map<string, Peer>();

  constructor(private readonly directory: BoothDirectory, private readonly log: Logger) {
    super();
  }

  /** Registers a method booths may call. */
  handle<P extends z.ZodType>(name: string, params: P, run: (peer: Peer, params: z.output<P>) => unknown): void {
    this.methods.set(name, { params, run: run as Method['run'] });
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
    const ok = boothId !== '' && token !== '' && (await this.directory.verifyBooth(boothId, token));
    if (!ok) {
      this.log.warn({ boothId: boothId.slice(0, 64) }, 'refused a booth connection: bad credentials');
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const previous = this.peers.get(boothId);
      // A booth has one connection: a reconnect replaces a half-dead one.
      previous?.close(4000, 'replaced by a new connection');
      const peer = new Peer({ ws, identity: { role: 'booth', id: boothId }, methods: this.methods, log: this.log });
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
  }
}
