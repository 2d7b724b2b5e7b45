/**
 * The hub node of bench/capacity.bench.ts, run as its own process (pinned
 * to one core by the bench): the real hub, started as src/hub/main.ts
 * starts it, plus one bench-only stand-in for the two browsers of each
 * consultation. When a doctor claims a booth (MediaService's `claimed`),
 * the room's own router gets what the kiosk and the console would have
 * made through their WebRTC transports: a plain-RTP ingress with the
 * booth's audio (Opus-shaped) and video (VP8-shaped) producers, fed by the
 * load generator, and an egress with one consumer of each, sending to the
 * load generator's sink. The ports and SSRCs go back over the IPC channel.
 *
 * Plain RTP has no DTLS/SRTP: the worker's cost per consultation here is
 * forwarding without the encryption a browser's transport adds.
 */
import { parseArgs } from 'node:util';
import type { types as ms } from 'mediasoup';
import { loadHubConfig } from '../src/hub/directory';
import type { Room } from '../src/hub/media/room';
import { startHub } from '../src/hub/server';

/** What the node tells the load generator (process.send). */
export type NodeMessage =
  | { t: 'ready'; url: string; workerPids: number[] }
  | { t: 'media'; boothId: string; ingressPort: number; audioSsrc: number; videoSsrc: number; consumerSsrcs: { audio: number; video: number } }
  | { t: 'mediaFailed'; boothId: string; error: string };

/** The booth's camera as a browser announces it: NACK, PLI and FIR, so the router asks the source for key frames. */
const VIDEO_CODEC: ms.RtpCodecParameters = {
  mimeType: 'video/VP8', payloadType: 101, clockRate: 90_000,
  rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
};
const AUDIO_CODEC: ms.RtpCodecParameters = { mimeType: 'audio/opus', payloadType: 100, clockRate: 48_000, channels: 2 };

function send(message: NodeMessage): void {
  process.send?.(message);
}

async function attach(room: Room, index: number, sinkPort: number): Promise<void> {
  const router = room.router;
  const listenInfo = { protocol: 'udp' as const, ip: '127.0.0.1' };
  const ingress = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
  const audioSsrc = 0x10000000 + index * 2;
  const videoSsrc = audioSsrc + 1;
  const audio = await ingress.produce({ kind: 'audio', rtpParameters: { codecs: [AUDIO_CODEC], encodings: [{ ssrc: audioSsrc }] } });
  const video = await ingress.produce({ kind: 'video', rtpParameters: { codecs: [VIDEO_CODEC], encodings: [{ ssrc: videoSsrc }] } });
  const egress = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false });
  await egress.connect({ ip: '127.0.0.1', port: sinkPort });
  const a = await egress.consume({ producerId: audio.id, rtpCapabilities: router.rtpCapabilities });
  const v = await egress.consume({ producerId: video.id, rtpCapabilities: router.rtpCapabilities });
  send({
    t: 'media', boothId: room.boothId, ingressPort: ingress.tuple.localPort, audioSsrc, videoSsrc,
    consumerSsrcs: { audio: a.rtpParameters.encodings![0]!.ssrc!, video: v.rtpParameters.encodings![0]!.ssrc! },
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, config: { type: 'string' }, 'sink-port': { type: 'string' } } });
  const sinkPort = Number(values['sink-port']);
  const hub = await startHub({ port: Number(values.port), consoleDir: '/nonexistent', config: loadHubConfig(values.config!) });
  let rooms = 0;
  hub.media!.service.on('claimed', (room) => {
    attach(room, ++rooms, sinkPort).catch((error: unknown) => send({ t: 'mediaFailed', boothId: room.boothId, error: (error as Error).message }));
  });
  send({ t: 'ready', url: hub.url, workerPids: hub.media!.pool.load().map((w) => w.pid) });
  const shutdown = async (): Promise<void> => { await hub.close(); process.exit(0); };
  process.once('SIGTERM', () => void shutdown());
  process.once('disconnect', () => void shutdown());
}

void main().catch((error: unknown) => {
  process.stderr.write(`capacity node did not start: ${(error as Error).stack}\n`);
  process.exit(2);
});
