import { describe, expect, it } from 'vitest';
import { LineJudge } from '../../../src/media/adaptation';
import { callQuality, emptyInbound, emptyOutbound, readInbound, readOutbound, readPath, receiveSample, sendSample, type Snapshot } from '../../../src/media/call-figures';
import { CallQuality } from '../../../src/shared/media-protocol';

const report = (...stats: Record<string, unknown>[]) => ({ forEach: (cb: (s: Record<string, unknown>) => void) => stats.forEach(cb) });

function snap(at: number, over: Partial<Snapshot> = {}): Snapshot {
  return {
    at, recvVideo: emptyInbound(), recvAudio: emptyInbound(), sendVideo: emptyOutbound(), sendAudio: emptyOutbound(), videoReceived: true, videoSent: true,
    recvPath: { rttMs: 40, outgoingKbps: null, path: 'udp' }, sendPath: { rttMs: 40, outgoingKbps: 2500, path: 'udp' }, ...over,
  };
}

describe('the call\'s figures from the browser\'s statistics', () => {
  it('reads the path: a TURN relay over TLS, or straight over TCP, with round trip and estimate', () => {
    const relayed = report(
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
      { id: 'P', type: 'candidate-pair', localCandidateId: 'L', currentRoundTripTime: 0.084, availableOutgoingBitrate: 640_000 },
      { id: 'L', type: 'local-candidate', candidateType: 'relay', protocol: 'udp', relayProtocol: 'tls' },
    );
    expect(readPath(relayed)).toEqual({ rttMs: 84, outgoingKbps: 640, path: 'relay-tls' });
    const tcp = report({ id: 'P', type: 'candidate-pair', nominated: true, state: 'succeeded', localCandidateId: 'L' }, { id: 'L', type: 'local-candidate', candidateType: 'host', protocol: 'tcp' });
    expect(readPath(tcp)).toEqual({ rttMs: null, outgoingKbps: null, path: 'tcp' });
    expect(readPath(null).path).toBe('unknown');
  });

  it('sums the inbound streams and keeps the largest simulcast layer sent', () => {
    const inbound = readInbound(report({ type: 'inbound-rtp', packetsReceived: 100, packetsLost: 4, framesDecoded: 50, freezeCount: 1, totalFreezesDuration: 0.5, frameWidth: 640, frameHeight: 480 }));
    expect(inbound).toMatchObject({ packetsReceived: 100, packetsLost: 4, framesDecoded: 50, freezeCount: 1, frameHeight: 480 });
    const outbound = readOutbound(report(
      { type: 'outbound-rtp', packetsSent: 10, bytesSent: 1000, frameWidth: 160, frameHeight: 120 },
      { type: 'outbound-rtp', packetsSent: 30, bytesSent: 9000, frameWidth: 640, frameHeight: 480 },
      { type: 'remote-inbound-rtp', packetsLost: 3 },
    ));
    expect(outbound).toEqual({ packetsSent: 40, bytesSent: 10_000, remoteLost: 3, frameWidth: 640, frameHeight: 480 });
  });

  it('turns two snapshots into each direction\'s sample', () => {
    const a = snap(0);
    const b = snap(2000, {
      recvVideo: { ...emptyInbound(), packetsReceived: 180, packetsLost: 20, framesDecoded: 50 },
      sendVideo: { ...emptyOutbound(), packetsSent: 200, remoteLost: 2 },
    });
    expect(receiveSample(a, b)).toEqual({ fps: 25, loss: 0.1, rttMs: 40, estimateKbps: null });
    expect(sendSample(a, b)).toEqual({ fps: null, loss: 0.01, rttMs: 40, estimateKbps: 2500 });
  });

  it('takes an interval where nothing arrived at all as no news, not as a line that cannot carry video', () => {
    const judge = new LineJudge();
    const silent = receiveSample(snap(0), snap(2000));
    for (let i = 0; i < 5; i++) judge.next(silent);
    expect(judge.state).toBe('good');
  });

  it('makes quality figures the record accepts', () => {
    const first = snap(0);
    const last = snap(30_000, {
      recvAudio: { ...emptyInbound(), concealedSamples: 480, totalSamplesReceived: 1_440_000, bytesReceived: 150_000 },
      recvVideo: { ...emptyInbound(), freezeCount: 2, totalFreezesDuration: 1.25, frameWidth: 640, frameHeight: 480, bytesReceived: 3_000_000 },
      sendPath: { rttMs: 62, outgoingKbps: 900, path: 'relay-tls' },
    });
    const q = callQuality(first, last, { audioOnlySeconds: 4, audioOnlyEpisodes: 1, line: { receive: 'good', send: 'degraded' }, videoFps: 24.96 });
    expect(CallQuality.parse(q)).toEqual(q);
    expect(q).toMatchObject({
      durationSeconds: 30, path: 'relay-tls', rttMs: 62, audioOnlyEpisodes: 1,
      receive: { audioConcealedRatio: 0.0003, videoFreezeCount: 2, videoFreezeSeconds: 1.25, videoFps: 25, videoHeight: 480, videoKbps: 800, audioKbps: 40 },
    });
  });
});
