import { describe, expect, it } from 'vitest';
import { chooseLayers, LineJudge, parseLayers, verdictOf, type DirectionSample } from '../../../src/media/adaptation';

const fine: DirectionSample = { fps: 25, loss: 0, rttMs: 40, estimateKbps: null };
const strained: DirectionSample = { fps: 14, loss: 0.03, rttMs: 120, estimateKbps: null };
const broken: DirectionSample = { fps: 2, loss: 0.09, rttMs: 650, estimateKbps: 120 };

function run(judge: LineJudge, samples: DirectionSample[]): string[] {
  return samples.map((s) => judge.next(s));
}

describe('the line judge', () => {
  it('calls a clean line good and a line that carries no video audio-only', () => {
    expect(verdictOf(fine)).toBe('carries');
    expect(verdictOf(strained)).toBe('strained');
    expect(verdictOf(broken)).toBe('cannot');
    // Loss alone, or a round trip no conversation survives, is enough; a low estimate (it lags behind a line that came back)
    // or few frames (a busy processor is not a broken line) only strain.
    expect(verdictOf({ ...fine, loss: 0.1 })).toBe('cannot');
    expect(verdictOf({ ...fine, rttMs: 2000 })).toBe('cannot');
    expect(verdictOf({ ...fine, estimateKbps: 90 })).toBe('strained');
    expect(verdictOf({ ...fine, fps: 1 })).toBe('strained');
    // A camera the other side turned off is not a broken line.
    expect(verdictOf({ ...fine, fps: null })).toBe('carries');
  });

  it('drops to audio-only only after the line failed twice in a row', () => {
    const judge = new LineJudge();
    expect(run(judge, [fine, broken])).toEqual(['good', 'good']);
    expect(judge.next(broken)).toBe('audioOnly');
  });

  it('brings video back by itself once the line has carried it for a while, through degraded', () => {
    const judge = new LineJudge();
    run(judge, [broken, broken]);
    expect(judge.state).toBe('audioOnly');
    expect(judge.next(fine)).toBe('audioOnly');
    expect(judge.next(fine)).toBe('degraded');
    expect(run(judge, [fine, fine, fine])).toEqual(['degraded', 'degraded', 'good']);
  });

  it('counts the smallest layer arriving at a few frames per second with little loss as the line coming back', () => {
    const judge = new LineJudge();
    run(judge, [broken, broken]);
    // The probe: 60 kbit/s of the smallest layer, 6 frames/s, a little loss, a long round trip.
    const probe: DirectionSample = { fps: 6, loss: 0.02, rttMs: 620, estimateKbps: null };
    expect(run(judge, [probe, probe])).toEqual(['audioOnly', 'degraded']);
    // Degraded to good still needs a line that fully carries the video.
    expect(run(judge, [probe, probe, probe, probe])).toEqual(['degraded', 'degraded', 'degraded', 'degraded']);
  });

  it('does not flap on an estimate that swings between the extremes at every sample', () => {
    const judge = new LineJudge();
    const swinging = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? { ...fine, estimateKbps: 4000 } : { ...broken, estimateKbps: 60 }));
    const states = run(judge, swinging);
    const changes = states.filter((s, i) => i > 0 && s !== states[i - 1]).length;
    expect(changes).toBeLessThanOrEqual(1);
    expect(states).not.toContain('audioOnly');
  });

  it('stays audio-only while the recovering line relapses every other sample', () => {
    const judge = new LineJudge();
    run(judge, [broken, broken]);
    const states = run(judge, Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? fine : broken)));
    expect(new Set(states)).toEqual(new Set(['audioOnly']));
  });

  it('holds through two-out-of-three patterns around the thresholds without more than one change per hold period', () => {
    const judge = new LineJudge();
    const pattern = [strained, strained, fine, strained, strained, fine, fine, strained, fine, fine, fine];
    const states = run(judge, [...pattern, ...pattern, ...pattern]);
    for (let i = 1; i < states.length; i++) {
      if (states[i] !== states[i - 1]) {
        // After any change, the next two samples keep the new state.
        expect(states.slice(i, i + 2).every((s) => s === states[i])).toBe(true);
      }
    }
  });

  it('treats a sample it cannot read (not a number, out of range) as no news', () => {
    const judge = new LineJudge();
    run(judge, [broken]);
    const states = run(judge, [{ fps: Number.NaN, loss: -3, rttMs: Number.POSITIVE_INFINITY, estimateKbps: Number.NaN }, broken]);
    // The unreadable sample neither counted as failing nor broke the streak's reading.
    expect(states[0]).toBe('good');
    expect(judge.state).toBe('audioOnly');
  });
});

describe('the layers a video element asks for', () => {
  const heights = [120, 240, 480];

  it('is the smallest layer that fills the element, the top one for a large element', () => {
    expect(chooseLayers({ viewHeight: 100, layerHeights: heights, temporalLayers: 3, state: 'good' })).toEqual({ spatialLayer: 0, temporalLayer: 2 });
    expect(chooseLayers({ viewHeight: 200, layerHeights: heights, temporalLayers: 3, state: 'good' })).toEqual({ spatialLayer: 1, temporalLayer: 2 });
    expect(chooseLayers({ viewHeight: 700, layerHeights: heights, temporalLayers: 3, state: 'good' })).toEqual({ spatialLayer: 2, temporalLayer: 2 });
  });

  it('caps the layer by the bandwidth estimate, and leaves a degraded line to the SFU\'s own estimate (each switch costs a key frame)', () => {
    expect(chooseLayers({ viewHeight: 700, layerHeights: heights, temporalLayers: 3, state: 'good', estimateKbps: 600 })).toEqual({ spatialLayer: 1, temporalLayer: 2 });
    expect(chooseLayers({ viewHeight: 700, layerHeights: heights, temporalLayers: 3, state: 'degraded' })).toEqual({ spatialLayer: 2, temporalLayer: 2 });
  });

  it('keeps only the smallest layer on an audio-only line: a trickle that tells when the line carries video again', () => {
    expect(chooseLayers({ viewHeight: 700, layerHeights: heights, temporalLayers: 3, state: 'audioOnly' })).toEqual({ spatialLayer: 0, temporalLayer: 2 });
  });

  it('asks nothing of an element with no size yet beyond the smallest layer', () => {
    expect(chooseLayers({ viewHeight: 0, layerHeights: heights, temporalLayers: 3, state: 'good' })).toEqual({ spatialLayer: 0, temporalLayer: 2 });
  });
});

describe('a consumer\'s announced layers', () => {
  it('reads spatial and temporal layers from a scalability mode, and refuses what is not one', () => {
    expect(parseLayers('L3T3')).toEqual({ spatial: 3, temporal: 3 });
    expect(parseLayers('L1T3_KEY')).toEqual({ spatial: 1, temporal: 3 });
    expect(parseLayers('S2T1')).toEqual({ spatial: 2, temporal: 1 });
    expect(parseLayers(undefined)).toEqual({ spatial: 1, temporal: 1 });
    expect(parseLayers('L9T9')).toBeNull();
    expect(parseLayers('bogus')).toBeNull();
  });
});
