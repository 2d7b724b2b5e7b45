/**
 * A counting TCP proxy between a booth's hub link and the hub (benches): it
 * forwards both ways and counts every byte the booth sends, split by what
 * each WebSocket frame carries (the booth's frames are masked: unmasked here
 * to read the hub protocol's method and, for a binary call, its header).
 * - `refuse()`: new connections are refused and live ones destroyed (the line
 *   is down: the booth's link keeps retrying); `pass()` opens it again.
 * - `byKind()`: bytes on the wire per kind since the last `reset()`: the
 *   upgrade request and every frame whole (WebSocket header and mask
 *   included), so the kinds add up to the total.
 * Kinds: each blob chunk by its content type (`photos`, `clip`, `video`);
 * `record.ingest` frames split between `manifest` (the `case` item's JSON)
 * and `items` (the other items and the frame's own envelope); everything
 * else (upgrade, hello, pings, answers to the hub, session notes) `other`.
 * Listens on loopback only (127.0.0.1 unless told another loopback address);
 * the payload is read, never kept or logged.
 */
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

export type WireKind = 'photos' | 'clip' | 'video' | 'items' | 'manifest' | 'other';
export const WIRE_KINDS: readonly WireKind[] = ['photos', 'clip', 'video', 'items', 'manifest', 'other'];

const zero = (): Record<WireKind, number> => ({ photos: 0, clip: 0, video: 0, items: 0, manifest: 0, other: 0 });

/** Reads a booth → hub byte stream: the HTTP upgrade, then WebSocket frames, counted as they complete. */
class UpstreamReader {
  private buffer: Buffer = Buffer.alloc(0);
  private upgraded = false;

  constructor(private readonly count: (kind: WireKind, bytes: number) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (!this.upgraded) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        this.count('other', end + 4);
        this.buffer = this.buffer.subarray(end + 4);
        this.upgraded = true;
        continue;
      }
      const frame = this.frame();
      if (!frame) return;
      this.classify(frame.opcode, frame.payload, frame.total);
      this.buffer = this.buffer.subarray(frame.total);
    }
  }

  private frame(): { opcode: number; payload: Buffer; total: number } | null {
    const b = this.buffer;
    if (b.length < 2) return null;
    const opcode = b[0]! & 0x0f;
    const masked = (b[1]! & 0x80) !== 0;
    let length = b[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return null;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return null;
      length = Number(b.readBigUInt64BE(2));
      offset = 10;
    }
    const maskAt = offset;
    if (masked) offset += 4;
    const total = offset + length;
    if (b.length < total) return null;
    const payload = Buffer.from(b.subarray(offset, total));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= b[maskAt + (i % 4)]!;
    return { opcode, payload, total };
  }

  private classify(opcode: number, payload: Buffer, total: number): void {
    try {
      if (opcode === 0x2 && payload.length >= 4) {
        const headLength = payload.readUInt32BE(0);
        const head = JSON.parse(payload.subarray(4, 4 + headLength).toString('utf8')) as { m?: string; p?: { contentType?: string } };
        if (head.m === 'record.blobChunk') {
          const type = head.p?.contentType ?? '';
          this.count(type.startsWith('image/') ? 'photos' : type.startsWith('audio/') ? 'clip' : type.startsWith('video/') ? 'video' : 'other', total);
          return;
        }
      }
      if (opcode === 0x1) {
        const frame = JSON.parse(payload.toString('utf8')) as { m?: string; p?: { items?: { kind?: string }[] } };
        if (frame.m === 'record.ingest' && Array.isArray(frame.p?.items)) {
          const manifest = frame.p.items.filter((i) => i.kind === 'case').reduce((n, i) => n + Buffer.byteLength(JSON.stringify(i)), 0);
          this.count('manifest', Math.min(manifest, total));
          this.count('items', total - Math.min(manifest, total));
          return;
        }
      }
    } catch {
      // Not a frame of ours (or cut): counted as other, as it crossed the line all the same.
    }
    this.count('other', total);
  }
}

export class WireTap {
  private server: Server | null = null;
  private readonly live = new Set<Socket>();
  private refusing = false;
  private counts = zero();
  /** Bytes the hub sent back (acknowledgements, notes), whole. */
  down = 0;
  port = 0;

  constructor(private readonly targetPort: number, private readonly targetHost = '127.0.0.1') {}

  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    if (!host.startsWith('127.')) throw new Error(`the wire tap listens on loopback only, not ${host}`);
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  refuse(): void {
    this.refusing = true;
    for (const s of this.live) s.destroy();
    this.live.clear();
  }

  pass(): void {
    this.refusing = false;
  }

  reset(): void {
    this.counts = zero();
    this.down = 0;
  }

  byKind(): Record<WireKind, number> {
    return { ...this.counts };
  }

  total(): number {
    return WIRE_KINDS.reduce((n, k) => n + this.counts[k], 0);
  }

  private accept(client: Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    this.live.add(client).add(upstream);
    const close = (): void => {
      this.live.delete(client);
      this.live.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    upstream.connect(this.targetPort, this.targetHost);
    const reader = new UpstreamReader((kind, bytes) => (this.counts[kind] += bytes));
    client.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      this.down += chunk.length;
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
  }

  async stop(): Promise<void> {
    this.refuse();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = null;
  }
}
