import { describe, expect, it } from 'vitest';
import { accumulate, emptyStats, qualityOf, type CallStats } from '../../../src/media/quality';

function sample(received: number, lost: number, rtt: number | null): CallStats {
  const s = emptyStats();
  s.video.packetsReceived = received;
  s.video.packetsLost = lost;
  s.rtt = rtt;
  return s;
}

describe('call quality indicator', () => {
  it('is good with no loss and a short round trip, fair at a few percent, poor beyond 8 %', () => {
    expect(qualityOf(sample(0, 0, null), sample(1000, 0, 0.02))).toBe('good');
    expect(qualityOf(sample(0, 0, null), sample(950, 50, 0.02))).toBe('fair');
    expect(qualityOf(sample(0, 0, null), sample(800, 200, 0.02))).toBe('poor');
  });

  it('judges the interval since the last sample, not the whole call', () => {
    const before = sample(1000, 300, 0.02);
    expect(qualityOf(before, sample(2000, 300, 0.02))).toBe('good');
  });

  it('degrades on a long round trip even without loss', () => {
    expect(qualityOf(null, sample(100, 0, 0.4))).toBe('fair');
    expect(qualityOf(null, sample(100, 0, 0.9))).toBe('poor');
  });

  it('is poor when nothing arrived since the last sample, unknown before any', () => {
    expect(qualityOf(sample(100, 0, 0.02), sample(100, 0, 0.02))).toBe('poor');
    expect(qualityOf(null, emptyStats())).toBe('unknown');
  });

  it('sums inbound and outbound RTP stats by kind from a WebRTC report', () => {
    const report = new Map<string, Record<string, unknown>>([
      ['a', { type: 'inbound-rtp', kind: 'video', framesDecoded: 12, packetsReceived: 40, packetsLost: 1 }],
      ['b', { type: 'inbound-rtp', kind: 'audio', packetsReceived: 90, packetsLost: 0 }],
      ['c', { type: 'outbound-rtp', kind: 'video', framesSent: 30 }],
      ['d', { type: 'candidate-pair', nominated: true, currentRoundTripTime: 0.004 }],
    ]);
    const s = accumulate(emptyStats(), report);
    expect(s).toEqual({ video: { framesDecoded: 12, packetsReceived: 40, packetsLost: 1, framesSent: 30 }, audio: { packetsReceived: 90, packetsLost: 0, packetsSent: 0 }, rtt: 0.004 });
  });
});
