/**
 * The booths' media for bench/capacity.bench.ts, in a process of its own on
 * the load generator's core: per booth an Opus-shaped audio stream (a
 * packet every 20 ms, 32 kb/s) and a VP8-shaped video stream (30 packets/s,
 * 300 kb/s), sent to the room's plain-RTP ingress on the node; a key frame
 * when the router asks (PLI or FIR, as a browser answers) and every 3 s.
 * The consumers' packets come back to one sink socket: the first of each
 * consumer is reported (set-up time), and the bytes counted.
 */
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { vp8RtpPacket } from './rtp';

export type RtpCommand =
  | { t: 'add'; ingressPort: number; audioSsrc: number; videoSsrc: number; consumerSsrcs: { audio: number; video: number } }
  | { t: 'bytes'; id: number };

export type RtpMessage =
  | { t: 'ready'; sinkPort: number }
  /** A consumer's first packet, at epoch ms (performance.timeOrigin + now: comparable across processes). */
  | { t: 'first'; ssrc: number; epochMs: number }
  | { t: 'bytes'; id: number; total: number };

const VIDEO_PPS = 30;
const VIDEO_PACKET_BYTES = Math.round((300_000 / 8) / VIDEO_PPS);
const AUDIO_PACKET_BYTES = 12 + 80; // RTP header + 20 ms of Opus at 32 kb/s
const KEY_FRAME_EVERY_MS = 3000;

interface Stream { port: number; audioSsrc: number; videoSsrc: number; seqA: number; seqV: number; nextVideo: number; lastKey: number; keyDue: boolean }

const sender = dgram.createSocket('udp4');
const sink = dgram.createSocket('udp4');
const streams: Stream[] = [];
const byVideoSsrc = new Map<number, Stream>();
/** Consumer SSRC → whether its first packet came. */
const seen = new Map<number, boolean>();
let bytes = 0;
const t0 = performance.now();

function tell(m: RtpMessage): void {
  process.send?.(m);
}

sink.on('message', (b) => {
  // RTCP (the consumers' sender reports) shares the port: payload types 200-206 in byte 1.
  if (b.length < 12 || (b[1]! >= 192 && b[1]! <= 223)) return;
  const ssrc = b.readUInt32BE(8);
  const first = seen.get(ssrc);
  if (first === undefined) return;
  bytes += b.length;
  if (!first) {
    seen.set(ssrc, true);
    tell({ t: 'first', ssrc, epochMs: performance.timeOrigin + performance.now() });
  }
});

/** A compound RTCP packet from an ingress: a PLI (206/1) or FIR (206/4) for a video source sends a key frame next. */
sender.on('message', (b) => {
  for (let off = 0; off + 12 <= b.length;) {
    const fmt = b[off]! & 0x1f;
    const pt = b[off + 1]!;
    if (pt === 206 && (fmt === 1 || fmt === 4)) {
      const media = fmt === 1 ? b.readUInt32BE(off + 8) : off + 16 <= b.length ? b.readUInt32BE(off + 12) : 0;
      const s = byVideoSsrc.get(media);
      if (s) s.keyDue = true;
    }
    off += (b.readUInt16BE(off + 2) + 1) * 4;
  }
});

function tick(): void {
  const now = performance.now();
  const ms = now - t0;
  for (const s of streams) {
    const a = Buffer.alloc(AUDIO_PACKET_BYTES);
    a[0] = 0x80;
    a[1] = 100;
    a.writeUInt16BE(s.seqA++ & 0xffff, 2);
    a.writeUInt32BE(Math.round(ms * 48) >>> 0, 4);
    a.writeUInt32BE(s.audioSsrc, 8);
    sender.send(a, s.port, '127.0.0.1');
    // 30 frames/s from a 20 ms tick: each frame due is sent; a source that fell far behind starts again from now.
    if (s.nextVideo < now - 100) s.nextVideo = now;
    while (s.nextVideo <= now) {
      s.nextVideo += 1000 / VIDEO_PPS;
      const key = s.keyDue || now - s.lastKey > KEY_FRAME_EVERY_MS;
      if (key) {
        s.keyDue = false;
        s.lastKey = now;
      }
      sender.send(vp8RtpPacket(s.seqV++, Math.round(ms * 90), s.videoSsrc, key, VIDEO_PACKET_BYTES), s.port, '127.0.0.1');
    }
  }
}

process.on('message', (m: RtpCommand) => {
  if (m.t === 'bytes') {
    tell({ t: 'bytes', id: m.id, total: bytes });
    return;
  }
  seen.set(m.consumerSsrcs.audio, false);
  seen.set(m.consumerSsrcs.video, false);
  const s: Stream = { port: m.ingressPort, audioSsrc: m.audioSsrc, videoSsrc: m.videoSsrc, seqA: 0, seqV: 0, nextVideo: 0, lastKey: 0, keyDue: true };
  streams.push(s);
  byVideoSsrc.set(m.videoSsrc, s);
});
process.once('disconnect', () => process.exit(0));
process.once('SIGTERM', () => process.exit(0));

await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
await new Promise<void>((r) => sender.bind(0, '127.0.0.1', () => r()));
// A large receive buffer, so the sink (not the worker) is never what drops packets.
sink.setRecvBufferSize(32 * 1024 * 1024);
setInterval(tick, 20);
tell({ t: 'ready', sinkPort: sink.address().port });
