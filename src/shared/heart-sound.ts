/**
 * What the console reads from a stethoscope's sound, and how the bench
 * compares what arrived with what was sent. Pure DSP, no Web Audio: the
 * console feeds it the blocks its audio callback gets, the bench and the
 * tests feed it generated or decoded samples, so all three use one estimate.
 *
 * Heart rate: band-pass 25–150 Hz (where S1 and S2 are loudest; breath and
 * room noise mostly lie above), RMS per 10 ms block as the envelope, then the
 * envelope's autocorrelation over the last seconds: the strongest repeat
 * between 40 and 200 /min is the beat. S1→S2 repeats once a beat and S1→S1,
 * S2→S2 twice, so the full period wins over the systole.
 */

/** The bands the fidelity bench compares (Hz): the heart's, then the lungs'. */
export const FIDELITY_BANDS: readonly (readonly [number, number])[] = [
  [20, 50], [50, 100], [100, 200], [200, 500], [500, 1000], [1000, 2000],
];

const MIN_BPM = 40;
const MAX_BPM = 200;
/** Below this normalised autocorrelation the envelope does not repeat: no rate is given rather than a guess. */
const MIN_CORRELATION = 0.3;

/** One RBJ biquad section, direct form I, state kept across blocks. */
class Biquad {
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;
  private readonly b0: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly a1: number;
  private readonly a2: number;

  constructor(type: 'lowpass' | 'highpass', frequency: number, sampleRate: number, q = Math.SQRT1_2) {
    const w = (2 * Math.PI * frequency) / sampleRate;
    const alpha = Math.sin(w) / (2 * q);
    const cos = Math.cos(w);
    const a0 = 1 + alpha;
    const k = type === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2;
    this.b0 = k / a0;
    this.b1 = (type === 'lowpass' ? 1 - cos : -(1 + cos)) / a0;
    this.b2 = k / a0;
    this.a1 = (-2 * cos) / a0;
    this.a2 = (1 - alpha) / a0;
  }

  step(x: number): number {
    const y = this.b0 * x + this.b1 * this.x1 + this.b2 * this.x2 - this.a1 * this.y1 - this.a2 * this.y2;
    this.x2 = this.x1;
    this.x1 = x;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

/**
 * The envelope of a heart sound, fed block by block, and the raw signal's
 * peak per block (what a phonocardiogram draws). Keeps the last `seconds`.
 */
export class EnvelopeTracker {
  /** Envelope samples per second (10 ms blocks). */
  readonly envelopeRate = 100;
  private readonly block: number;
  private readonly size: number;
  private readonly env: Float32Array;
  private readonly peak: Float32Array;
  private count = 0;
  private sum = 0;
  private max = 0;
  private filled = 0;
  private head = 0;
  private readonly high: Biquad;
  private readonly low: Biquad;

  constructor(readonly sampleRate: number, readonly seconds = 8) {
    this.block = Math.round(sampleRate / this.envelopeRate);
    this.size = Math.round(seconds * this.envelopeRate);
    this.env = new Float32Array(this.size);
    this.peak = new Float32Array(this.size);
    this.high = new Biquad('highpass', 25, sampleRate);
    this.low = new Biquad('lowpass', 150, sampleRate);
  }

  push(samples: ArrayLike<number>): void {
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i]!;
      const y = this.low.step(this.high.step(x));
      this.sum += y * y;
      const a = Math.abs(x);
      if (a > this.max) this.max = a;
      if (++this.count === this.block) {
        this.env[this.head] = Math.sqrt(this.sum / this.block);
        this.peak[this.head] = this.max;
        this.head = (this.head + 1) % this.size;
        this.filled = Math.min(this.size, this.filled + 1);
        this.count = 0;
        this.sum = 0;
        this.max = 0;
      }
    }
  }

  private ordered(ring: Float32Array): Float32Array {
    const out = new Float32Array(this.filled);
    const start = (this.head - this.filled + this.size) % this.size;
    for (let i = 0; i < this.filled; i++) out[i] = ring[(start + i) % this.size]!;
    return out;
  }

  /** The band-passed RMS per block, oldest first. */
  envelope(): Float32Array {
    return this.ordered(this.env);
  }

  /** The raw signal's peak per block, oldest first (0..1 for a full-scale signal). */
  peaks(): Float32Array {
    return this.ordered(this.peak);
  }

  reset(): void {
    this.filled = 0;
    this.head = 0;
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }
}

/**
 * The heart rate (/min) the envelope repeats at, or null when it does not
 * repeat clearly (silence, noise, under three seconds of sound).
 */
export function estimateHeartRate(envelope: Float32Array, envelopeRate: number): number | null {
  const n = envelope.length;
  if (n < envelopeRate * 3) return null;
  let mean = 0;
  for (const v of envelope) mean += v;
  mean /= n;
  const x = Float32Array.from(envelope, (v) => v - mean);
  let energy = 0;
  for (const v of x) energy += v * v;
  if (energy <= 1e-12 * n) return null;
  const minLag = Math.floor((envelopeRate * 60) / MAX_BPM);
  const maxLag = Math.min(n - 1, Math.ceil((envelopeRate * 60) / MIN_BPM));
  const r = new Float64Array(maxLag + 2);
  for (let k = Math.max(1, minLag - 1); k <= maxLag + 1 && k < n; k++) {
    let s = 0;
    for (let i = 0; i + k < n; i++) s += x[i]! * x[i + k]!;
    r[k] = s / energy;
  }
  const isPeak = (k: number): boolean => r[k]! >= r[k - 1]! && r[k]! >= r[k + 1]!;
  let best = -1;
  for (let k = Math.max(2, minLag); k <= maxLag; k++) if (isPeak(k) && (best < 0 || r[k]! > r[best]!)) best = k;
  if (best < 0 || r[best]! < MIN_CORRELATION) return null;
  // A multiple of the period can come out a little higher on a short window: the shortest lag nearly as strong is the beat.
  for (const m of [3, 2]) {
    const guess = Math.round(best / m);
    if (guess < minLag) continue;
    for (let k = Math.max(2, guess - 2); k <= guess + 2; k++) {
      if (isPeak(k) && r[k]! >= 0.8 * r[best]!) {
        best = k;
        break;
      }
    }
  }
  const a = r[best - 1]!;
  const b = r[best]!;
  const c = r[best + 1]!;
  const denom = a - 2 * b + c;
  const delta = denom === 0 ? 0 : (0.5 * (a - c)) / denom;
  return (60 * envelopeRate) / (best + delta);
}

/** In-place radix-2 FFT (length a power of two). */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(ang * k);
        const wi = Math.sin(ang * k);
        const xr = re[i + k + len / 2]! * wr - im[i + k + len / 2]! * wi;
        const xi = re[i + k + len / 2]! * wi + im[i + k + len / 2]! * wr;
        re[i + k + len / 2] = re[i + k]! - xr;
        im[i + k + len / 2] = im[i + k]! - xi;
        re[i + k] = re[i + k]! + xr;
        im[i + k] = im[i + k]! + xi;
      }
    }
  }
}

const SEGMENT = 8192;

/**
 * The mean power in each band (dB relative to a full-scale sine's half
 * power, per sample), from Hann-windowed segments averaged (Welch): the same
 * figure whatever the signal's length.
 */
export function bandEnergiesDb(samples: Float32Array, sampleRate: number, bands: readonly (readonly [number, number])[] = FIDELITY_BANDS): number[] {
  const window = Float64Array.from({ length: SEGMENT }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / SEGMENT));
  let windowPower = 0;
  for (const w of window) windowPower += w * w;
  const power = new Float64Array(SEGMENT / 2);
  let segments = 0;
  for (let start = 0; start + SEGMENT <= samples.length; start += SEGMENT / 2) {
    const re = new Float64Array(SEGMENT);
    const im = new Float64Array(SEGMENT);
    for (let i = 0; i < SEGMENT; i++) re[i] = samples[start + i]! * window[i]!;
    fft(re, im);
    for (let k = 0; k < SEGMENT / 2; k++) power[k] = power[k]! + (re[k]! ** 2 + im[k]! ** 2) / windowPower;
    segments++;
  }
  const binHz = sampleRate / SEGMENT;
  return bands.map(([lo, hi]) => {
    let sum = 0;
    for (let k = Math.ceil(lo / binHz); k < Math.min(SEGMENT / 2, hi / binHz); k++) sum += power[k]!;
    // Two-sided to one-sided: ×2; a full-scale sine then reads about 0 dB.
    const mean = segments ? (2 * sum) / segments / SEGMENT : 0;
    return 10 * Math.log10(mean + 1e-20);
  });
}
