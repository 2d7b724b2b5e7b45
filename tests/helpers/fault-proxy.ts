/**
 * A loopback TCP proxy that misbehaves on demand, for network-fault tests
 * (reusable): put it between a client and a real server and switch modes
 * while traffic flows.
 * - `pass`: forward both ways;
 * - `drop`: refuse new connections and destroy live ones;
 * - `delay(ms)`: hold every chunk this long before forwarding;
 * - `cutResponses(bytes)`: let at most this many bytes of each server→client
 *   stream through, then destroy the connection (answers cut mid-stream);
 * - `reset()`: send TCP RST on every live connection now.
 * Listens on 127.0.0.1 only.
 */
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

export type FaultMode = { kind: 'pass' } | { kind: 'drop' } | { kind: 'delay'; ms: number } | { kind: 'cut'; afterBytes: number };

export class FaultProxy {
  private server: Server | null = null;
  private readonly live = new Set<{ client: Socket; upstream: Socket }>();
  private mode: FaultMode = { kind: 'pass' };
  port = 0;
  /** Connections accepted so far (tests check that faults really happened). */
  connections = 0;
  /** Chunks held back by `delay` so far (a test knows a request is held, not merely connected). */
  held = 0;

  constructor(private readonly targetPort: number, private readonly targetHost = '127.0.0.1') {}

  async start(port = 0): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  pass(): void { this.mode = { kind: 'pass' }; }
  delay(ms: number): void { this.mode = { kind: 'delay', ms }; }
  cutResponses(afterBytes: number): void { this.mode = { kind: 'cut', afterBytes }; }

  drop(): void {
    this.mode = { kind: 'drop' };
    for (const c of this.live) { c.client.destroy(); c.upstream.destroy(); }
    this.live.clear();
  }

  reset(): void {
    for (const c of this.live) { c.client.resetAndDestroy(); c.upstream.resetAndDestroy(); }
    this.live.clear();
  }

  private accept(client: Socket): void {
    if (this.mode.kind === 'drop') {
      client.destroy();
      return;
    }
    this.connections += 1;
    const upstream = new Socket();
    const pair = { client, upstream };
    this.live.add(pair);
    const close = () => {
      this.live.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    upstream.connect(this.targetPort, this.targetHost);
    let down = 0;
    const forward = (from: Socket, to: Socket, isResponse: boolean) => {
      from.on('data', (chunk: Buffer) => {
        const m = this.mode;
        if (m.kind === 'drop') return close();
        if (m.kind === 'cut' && isResponse) {
          const room = m.afterBytes - down;
          if (room <= 0) return close();
          down += Math.min(room, chunk.length);
          to.write(chunk.subarray(0, room));
          if (chunk.length >= room) close();
          return;
        }
        if (isResponse) down += chunk.length;
        if (m.kind === 'delay') {
          this.held += 1;
          from.pause();
          setTimeout(() => { if (!to.destroyed) to.write(chunk); from.resume(); }, m.ms);
          return;
        }
        to.write(chunk);
      });
    };
    forward(client, upstream, false);
    forward(upstream, client, true);
  }

  async stop(): Promise<void> {
    this.drop();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = null;
  }
}
