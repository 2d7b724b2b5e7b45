/**
 * A call-quality indicator from WebRTC stats (good / fair / poor), pure so it
 * can be tested on recorded stats. Thresholds follow common practice for
 * interactive video: loss above 2 % or RTT above 300 ms is noticeable, above
 * 8 % or 600 ms it breaks conversation.
 */
export type Quality = 'good' | 'fair' | 'poor' | 'unknown';

export interface StatsSample {
  packetsReceived: number;
  packetsLost: number;
  /** Seconds, from the remote-inbound / candidate-pair stats; null when unknown. */
  rtt: number | null;
  framesDecoded: number;
}

export interface CallStats {
  video: { framesDecoded: number; packetsReceived: number; packetsLost: number; framesSent: number };
  audio: { packetsReceived: number; packetsLost: number; packetsSent: number };
  rtt: number | null;
}

export function emptyStats(): CallStats {
  return { video: { framesDecoded: 0, packetsReceived: 0, packetsLost: 0, framesSent: 0 }, audio: { packetsReceived: 0, packetsLost: 0, packetsSent: 0 }, rtt: null };
}

/** Adds one RTCStatsReport (of a send or a receive transport) into a summary. */
export function accumulate(into: CallStats, report: Iterable<[string, Record<string, unknown>]> | { forEach(cb: (v: Record<string, unknown>) => void): void }): CallStats {
  const visit = (s: Record<string, unknown>): void => {
    const kind = s.kind as string | undefined;
    const n = (k: string): number => (typeof s[k] === 'number' ? (s[k] as number) : 0);
    if (s.type === 'inbound-rtp' && kind === 'video') {
      into.video.framesDecoded += n('framesDecoded');
      into.video.packetsReceived += n('packetsReceived');
      into.video.packetsLost += n('packetsLost');
    } else if (s.type === 'inbound-rtp' && kind === 'audio') {
      into.audio.packetsReceived += n('packetsReceived');
      into.audio.packetsLost += n('packetsLost');
    } else if (s.type === 'outbound-rtp' && kind === 'video') {
      into.video.framesSent += n('framesSent');
    } else if (s.type === 'outbound-rtp' && kind === 'audio') {
      into.audio.packetsSent += n('packetsSent');
    } else if (s.type === 'candidate-pair' && s.nominated === true && typeof s.currentRoundTripTime === 'number') {
      into.rtt = Math.max(into.rtt ?? 0, s.currentRoundTripTime);
    }
  };
  if ('forEach' in report) report.forEach(visit);
  else for (const [, s] of report) visit(s);
  return into;
}

/** Quality from the change between two samples (loss over the interval, latest RTT). */
export function qualityOf(previous: CallStats | null, current: CallStats): Quality {
  const received = current.video.packetsReceived + current.audio.packetsReceived - (previous ? previous.video.packetsReceived + previous.audio.packetsReceived : 0);
  const lost = current.video.packetsLost + current.audio.packetsLost - (previous ? previous.video.packetsLost + previous.audio.packetsLost : 0);
  if (received <= 0 && lost <= 0) return previous ? 'poor' : 'unknown';
  const loss = lost / Math.max(1, received + lost);
  const rtt = current.rtt ?? 0;
  if (loss > 0.08 || rtt > 0.6) return 'poor';
  if (loss > 0.02 || rtt > 0.3) return 'fair';
  return 'good';
}
