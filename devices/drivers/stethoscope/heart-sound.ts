/**
 * The stethoscope's simulator: heart sounds as a real audio signal, so the
 * whole live path (the browser's capture, Opus, the SFU, the console's
 * filters and its heart-rate estimate) is exercised with sound and not with
 * a flag. Synthetic S1 and S2 at a chosen rate (S1: low damped tones
 * 30–110 Hz, about 120 ms; S2: a little higher and shorter, at the end of
 * systole), an optional systolic murmur (band noise 150–600 Hz, crescendo–
 * decrescendo) and breath noise (150–1800 Hz, swelling with each
 * inspiration, 15 breaths a minute). Deterministic: the same options give
 * the same samples. Written as WAV with src/shared/wav.ts and fed to
 * Chromium's fake microphone (`--use-file-for-fake-audio-capture`).
 */
import { encodeWav } from '../../../src/shared/wav';
import { seededRandom } from '../../../src/shared/seeded-random';

export interface HeartSoundOptions {
  /** Beats per minute (40–200). */
  bpm: number;
  seconds: number;
  sampleRate?: number;
  /** A systolic murmur between S1 and S2. */
  murmur?: boolean;
  /** Breath noise (the lungs' band, 150–1800 Hz). */
  breath?: boolean;
  seed?: number;
}

const TWO_PI = 2 * Math.PI;

/** Noise band-passed by one-pole filters (enough for a broad band). */
function bandNoise(n: number, lo: number, hi: number, sampleRate: number, next: () => number): Float32Array {
  const out = new Float32Array(n);
  const aLow = Math.exp((-TWO_PI * hi) / sampleRate);
  const aHigh = Math.exp((-TWO_PI * lo) / sampleRate);
  let low = 0;
  let slow = 0;
  for (let i = 0; i < n; i++) {
    const white = next() * 2 - 1;
    low = (1 - aLow) * white + aLow * low;
    slow = (1 - aHigh) * low + aHigh * slow;
    out[i] = (low - slow) * 3;
  }
  return out;
}

function sound(t: number, duration: number, tones: readonly (readonly [hz: number, amplitude: number])[]): number {
  if (t < 0 || t >= duration) return 0;
  const attack = Math.sin((Math.PI * Math.min(t, duration * 0.2)) / (duration * 0.4)) ** 2;
  const decay = Math.exp(-t / (duration / 3.5));
  let s = 0;
  for (const [hz, a] of tones) s += a * Math.sin(TWO_PI * hz * t);
  return s * attack * decay;
}

const S1: readonly (readonly [number, number])[] = [[32, 0.3], [55, 0.45], [85, 0.3], [110, 0.2]];
const S2: readonly (readonly [number, number])[] = [[48, 0.2], [90, 0.35], [140, 0.3], [180, 0.15]];

/** One channel of heart (and breath) sounds in [-1, 1]. */
export function heartSounds({ bpm, seconds, sampleRate = 48_000, murmur = false, breath = false, seed = 17 }: HeartSoundOptions): Float32Array {
  if (!(bpm >= 40 && bpm <= 200)) throw new RangeError(`a heart rate between 40 and 200 /min, got ${bpm}`);
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n);
  const period = 60 / bpm;
  // Systole shortens less than diastole as the heart speeds up.
  const systole = Math.min(0.32, 0.42 * period);
  const next = seededRandom(seed);
  const murmurNoise = murmur ? bandNoise(n, 150, 600, sampleRate, next) : null;
  const breathNoise = breath ? bandNoise(n, 150, 1800, sampleRate, next) : null;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const inBeat = t % period;
    let s = sound(inBeat, 0.12, S1) + 0.8 * sound(inBeat - systole, 0.09, S2);
    if (murmurNoise) {
      const from = 0.1;
      const to = systole - 0.01;
      if (inBeat > from && inBeat < to) {
        const x = (inBeat - from) / (to - from);
        s += murmurNoise[i]! * 0.12 * (1 - Math.abs(2 * x - 1));
      }
    }
    if (breathNoise) {
      // 15 breaths a minute; louder on the way in.
      const phase = Math.sin((TWO_PI * t) / 4);
      s += breathNoise[i]! * (0.02 + 0.06 * Math.max(0, phase));
    }
    out[i] = Math.max(-1, Math.min(1, s * 0.8));
  }
  return out;
}

/** The simulator's WAV: the same sound on both channels (a stereo device's capture). */
export function heartSoundWav(options: HeartSoundOptions): Uint8Array {
  const sampleRate = options.sampleRate ?? 48_000;
  const mono = heartSounds({ ...options, sampleRate });
  return encodeWav({ sampleRate, channels: [mono, mono] });
}
