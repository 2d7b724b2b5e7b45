import { describe, expect, it } from 'vitest';
import { bandEnergiesDb, EnvelopeTracker, estimateHeartRate, FIDELITY_BANDS } from '../../../src/shared/heart-sound';
import { heartSounds } from '../../../devices/drivers/stethoscope/heart-sound';

const RATE = 48_000;

function rateOf(samples: Float32Array): number | null {
  const tracker = new EnvelopeTracker(RATE);
  // Fed in blocks, as the console's audio callback does.
  for (let at = 0; at < samples.length; at += 2048) tracker.push(samples.subarray(at, at + 2048));
  return estimateHeartRate(tracker.envelope(), tracker.envelopeRate);
}

describe('heart rate from the sound', () => {
  for (const bpm of [48, 60, 72, 95, 120, 150]) {
    it(`finds ${bpm} /min within 2 /min in generated S1/S2`, () => {
      const bpmFound = rateOf(heartSounds({ bpm, seconds: 10, sampleRate: RATE }));
      expect(bpmFound).not.toBeNull();
      expect(Math.abs(bpmFound! - bpm)).toBeLessThanOrEqual(2);
    });
  }

  it('keeps the rate with a systolic murmur and breath noise', () => {
    const found = rateOf(heartSounds({ bpm: 80, seconds: 10, sampleRate: RATE, murmur: true, breath: true }));
    expect(Math.abs(found! - 80)).toBeLessThanOrEqual(2);
  });

  it('says nothing from silence or from noise alone', () => {
    expect(rateOf(new Float32Array(RATE * 8))).toBeNull();
    let state = 7;
    const noise = Float32Array.from({ length: RATE * 8 }, () => {
      // xorshift32: white, deterministic
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return ((state >>> 0) / 2 ** 32 - 0.5) * 0.2;
    });
    expect(rateOf(noise)).toBeNull();
  });

  it('keeps only the last seconds of envelope', () => {
    const tracker = new EnvelopeTracker(RATE, 4);
    tracker.push(new Float32Array(RATE * 10));
    expect(tracker.envelope().length).toBe(4 * tracker.envelopeRate);
  });
});

describe('energy per band', () => {
  it('puts a 75 Hz tone in the 50–100 Hz band and little elsewhere', () => {
    const tone = Float32Array.from({ length: RATE * 2 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 75 * i) / RATE));
    const db = bandEnergiesDb(tone, RATE);
    const [, inBand] = FIDELITY_BANDS.map((b, i) => [b, db[i]!] as const).find(([b]) => b[0] === 50)!;
    for (let i = 0; i < FIDELITY_BANDS.length; i++) if (FIDELITY_BANDS[i]![0] !== 50) expect(db[i]!).toBeLessThan(inBand - 30);
  });

  it('gives the generated heart and breath sounds energy in every band, and the same figures for the same sound', () => {
    const sound = heartSounds({ bpm: 72, seconds: 4, sampleRate: RATE, breath: true });
    const db = bandEnergiesDb(sound, RATE);
    expect(db.every((d) => Number.isFinite(d) && d > -90)).toBe(true);
    expect(bandEnergiesDb(sound, RATE)).toEqual(db);
  });
});
