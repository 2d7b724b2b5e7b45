/**
 * The call's figures from the browser's own statistics (browser code, pure
 * so it is tested on recorded reports): a snapshot of the camera and the
 * microphone each way and of the transport's path, the per-direction sample
 * the line judge reads (./adaptation.ts), and the quality figures the
 * consultation's record keeps (CallQuality, src/shared/media-protocol.ts).
 */
import type { CallQuality } from '../shared/media-protocol';
import type { DirectionSample, LineState } from './adaptation';

type Stat = Record<string, unknown>;
/** An RTCStatsReport, or anything iterated the same way. */
export type StatsLike = { forEach(cb: (v: Stat) => void): void };

const num = (s: Stat, k: string): number => (typeof s[k] === 'number' && Number.isFinite(s[k]) ? s[k] : 0);
const maybe = (s: Stat, k: string): number | null => (typeof s[k] === 'number' && Number.isFinite(s[k]) ? s[k] : null);

export interface Inbound {
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  framesDecoded: number;
  freezeCount: number;
  totalFreezesDuration: number;
  frameWidth: number | null;
  frameHeight: number | null;
  concealedSamples: number;
  totalSamplesReceived: number;
}

export interface Outbound {
  packetsSent: number;
  bytesSent: number;
  /** Packets the far end (the SFU) says it lost, from its receiver reports. */
  remoteLost: number;
  frameWidth: number | null;
  frameHeight: number | null;
}

export interface PathFigures {
  rttMs: number | null;
  /** The sender's bandwidth estimate (kbit/s); null on a receive transport or before any. */
  outgoingKbps: number | null;
  path: CallQuality['path'];
}

export const emptyInbound = (): Inbound => ({ packetsReceived: 0, packetsLost: 0, bytesReceived: 0, framesDecoded: 0, freezeCount: 0, totalFreezesDuration: 0, frameWidth: null, frameHeight: null, concealedSamples: 0, totalSamplesReceived: 0 });
export const emptyOutbound = (): Outbound => ({ packetsSent: 0, bytesSent: 0, remoteLost: 0, frameWidth: null, frameHeight: null });

/** The inbound stream(s) of one receiver's report, summed. */
export function readInbound(report: StatsLike | null): Inbound {
  const r = emptyInbound();
  report?.forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    r.packetsReceived += num(s, 'packetsReceived');
    r.packetsLost += Math.max(0, num(s, 'packetsLost'));
    r.bytesReceived += num(s, 'bytesReceived');
    r.framesDecoded += num(s, 'framesDecoded');
    r.freezeCount += num(s, 'freezeCount');
    r.totalFreezesDuration += num(s, 'totalFreezesDuration');
    r.concealedSamples += num(s, 'concealedSamples');
    r.totalSamplesReceived += num(s, 'totalSamplesReceived');
    r.frameWidth = maybe(s, 'frameWidth') ?? r.frameWidth;
    r.frameHeight = maybe(s, 'frameHeight') ?? r.frameHeight;
  });
  return r;
}

/** One sender's outbound streams (every simulcast layer) and what the SFU reported back of them. */
export function readOutbound(report: StatsLike | null): Outbound {
  const r = emptyOutbound();
  report?.forEach((s) => {
    if (s.type === 'outbound-rtp') {
      r.packetsSent += num(s, 'packetsSent');
      r.bytesSent += num(s, 'bytesSent');
      const h = maybe(s, 'frameHeight');
      // The largest layer sent is the resolution the far end can get.
      if (h !== null && h >= (r.frameHeight ?? 0)) {
        r.frameHeight = h;
        r.frameWidth = maybe(s, 'frameWidth');
      }
    } else if (s.type === 'remote-inbound-rtp') {
      r.remoteLost += Math.max(0, num(s, 'packetsLost'));
    }
  });
  return r;
}

/** The selected candidate pair: round trip, the sender's estimate, and whether the media goes through a TURN relay. */
export function readPath(report: StatsLike | null): PathFigures {
  const out: PathFigures = { rttMs: null, outgoingKbps: null, path: 'unknown' };
  if (!report) return out;
  const byId = new Map<string, Stat>();
  let pairId: string | null = null;
  report.forEach((s) => {
    if (typeof s.id === 'string') byId.set(s.id, s);
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') pairId = s.selectedCandidatePairId;
  });
  let pair: Stat | undefined = pairId ? byId.get(pairId) : undefined;
  if (!pair) for (const s of byId.values()) if (s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded') pair = s;
  if (!pair) return out;
  const rtt = maybe(pair, 'currentRoundTripTime');
  out.rttMs = rtt === null ? null : Math.round(rtt * 1000);
  const bps = maybe(pair, 'availableOutgoingBitrate');
  out.outgoingKbps = bps === null ? null : bps / 1000;
  const local = typeof pair.localCandidateId === 'string' ? byId.get(pair.localCandidateId) : undefined;
  if (local) {
    const protocol = local.protocol === 'tcp' ? 'tcp' : 'udp';
    if (local.candidateType === 'relay') {
      const rp = local.relayProtocol;
      out.path = rp === 'tls' ? 'relay-tls' : rp === 'tcp' ? 'relay-tcp' : 'relay-udp';
    } else {
      out.path = protocol;
    }
  }
  return out;
}

/** Everything one stats round reads: the camera and microphone each way, and both transports' paths. */
export interface Snapshot {
  /** ms, any monotonic clock. */
  at: number;
  recvVideo: Inbound;
  recvAudio: Inbound;
  sendVideo: Outbound;
  sendAudio: Outbound;
  /** null: no camera is received (the other side turned it off, or none yet). */
  videoReceived: boolean;
  /** null: the camera is not being sent. */
  videoSent: boolean;
  recvPath: PathFigures;
  sendPath: PathFigures;
}

const lossOf = (lost: number, got: number): number => (lost + got > 0 ? lost / (lost + got) : 0);

/** What the far side's video and sound did since the previous snapshot: the receive direction's sample. */
export function receiveSample(prev: Snapshot, now: Snapshot): DirectionSample {
  const dt = (now.at - prev.at) / 1000;
  const got = now.recvVideo.packetsReceived - prev.recvVideo.packetsReceived + now.recvAudio.packetsReceived - prev.recvAudio.packetsReceived;
  const lost = now.recvVideo.packetsLost - prev.recvVideo.packetsLost + now.recvAudio.packetsLost - prev.recvAudio.packetsLost;
  return {
    fps: now.videoReceived && prev.videoReceived && dt > 0 ? (now.recvVideo.framesDecoded - prev.recvVideo.framesDecoded) / dt : null,
    // Nothing at all arrived (an outage, or the other side muted everything): no news for the judge; the transport's own state says the call is reconnecting.
    loss: got <= 0 ? Number.NaN : lossOf(lost, got),
    rttMs: now.recvPath.rttMs,
    estimateKbps: null,
  };
}

/** What the SFU received of ours since the previous snapshot (its receiver reports) and the sender's estimate: the send direction's sample. */
export function sendSample(prev: Snapshot, now: Snapshot): DirectionSample {
  const sent = now.sendVideo.packetsSent - prev.sendVideo.packetsSent + now.sendAudio.packetsSent - prev.sendAudio.packetsSent;
  const lost = now.sendVideo.remoteLost - prev.sendVideo.remoteLost + now.sendAudio.remoteLost - prev.sendAudio.remoteLost;
  return {
    // Frames sent say nothing of the line: the encoder keeps its rate on the smallest layer.
    fps: null,
    loss: sent > 0 ? Math.min(1, Math.max(0, lost / sent)) : 0,
    rttMs: now.sendPath.rttMs,
    estimateKbps: now.videoSent ? now.sendPath.outgoingKbps : null,
  };
}

/** The quality figures of a call from its first and latest snapshots and the time spent audio-only. */
export function callQuality(first: Snapshot, last: Snapshot, extra: { audioOnlySeconds: number; audioOnlyEpisodes: number; line: { receive: LineState; send: LineState }; videoFps: number | null }): CallQuality {
  const seconds = Math.max(0, (last.at - first.at) / 1000);
  const kbps = (bytes: number): number => (seconds > 0 ? Math.round((Math.max(0, bytes) * 8) / seconds / 100) / 10 : 0);
  const a = last.recvAudio;
  const v = last.recvVideo;
  const round = (n: number, d = 1000): number => Math.round(n * d) / d;
  const clampPx = (n: number | null): number | null => (n === null ? null : Math.max(0, Math.min(8192, Math.round(n))));
  return {
    durationSeconds: round(Math.min(86_400, seconds), 10),
    receive: {
      audioConcealedRatio: a.totalSamplesReceived > 0 ? round(Math.min(1, a.concealedSamples / a.totalSamplesReceived), 10_000) : 0,
      videoFreezeCount: v.freezeCount,
      videoFreezeSeconds: round(Math.min(86_400, v.totalFreezesDuration), 100),
      videoFps: extra.videoFps === null ? null : round(Math.max(0, Math.min(240, extra.videoFps)), 10),
      videoWidth: clampPx(v.frameWidth),
      videoHeight: clampPx(v.frameHeight),
      videoKbps: kbps(v.bytesReceived - first.recvVideo.bytesReceived),
      audioKbps: kbps(a.bytesReceived - first.recvAudio.bytesReceived),
    },
    send: {
      videoKbps: kbps(last.sendVideo.bytesSent - first.sendVideo.bytesSent),
      audioKbps: kbps(last.sendAudio.bytesSent - first.sendAudio.bytesSent),
      videoWidth: clampPx(last.sendVideo.frameWidth),
      videoHeight: clampPx(last.sendVideo.frameHeight),
    },
    rttMs: last.sendPath.rttMs ?? last.recvPath.rttMs,
    path: last.sendPath.path !== 'unknown' ? last.sendPath.path : last.recvPath.path,
    audioOnlySeconds: round(Math.min(86_400, extra.audioOnlySeconds), 10),
    audioOnlyEpisodes: extra.audioOnlyEpisodes,
    line: extra.line,
  };
}
