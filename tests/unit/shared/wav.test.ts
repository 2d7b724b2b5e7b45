import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeWav, encodeWav, WavError } from '../../../src/shared/wav';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof WavError ? e.code : `not a WavError: ${String(e)}`;
  }
  return undefined;
}

describe('PCM WAV', () => {
  it('reads back what it wrote, within one 16-bit step, for any stereo signal', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.float({ min: -1, max: 1, noNaN: true }), fc.float({ min: -1, max: 1, noNaN: true })), { maxLength: 200 }), fc.constantFrom(8000, 44_100, 48_000), (frames, rate) => {
      const left = Float32Array.from(frames.map(([l]) => l));
      const right = Float32Array.from(frames.map(([, r]) => r));
      const back = decodeWav(encodeWav({ sampleRate: rate, channels: [left, right] }));
      expect(back.sampleRate).toBe(rate);
      expect(back.channels).toHaveLength(2);
      back.channels.forEach((c, i) => c.forEach((v, j) => expect(Math.abs(v - [left, right][i]![j]!)).toBeLessThanOrEqual(1 / 0x7fff + 1e-6)));
    }), { numRuns: 100 });
  });

  it('writes the canonical 44-byte header a player expects (48 kHz, 16-bit mono)', () => {
    const bytes = encodeWav({ sampleRate: 48_000, channels: [new Float32Array(480)] });
    const view = new DataView(bytes.buffer);
    expect(new TextDecoder().decode(bytes.slice(0, 4))).toBe('RIFF');
    expect(view.getUint32(24, true)).toBe(48_000);
    expect(view.getUint16(34, true)).toBe(16);
    expect(view.getUint32(40, true)).toBe(960);
    expect(bytes.length).toBe(44 + 960);
  });

  it('clips samples beyond full scale instead of wrapping them', () => {
    const back = decodeWav(encodeWav({ sampleRate: 8000, channels: [Float32Array.from([2, -2])] }));
    expect(back.channels[0]![0]).toBeGreaterThan(0.99);
    expect(back.channels[0]![1]).toBe(-1);
  });

  it('refuses a file that is not a WAV, a cut one, and a format it does not read, each with its own code', () => {
    const good = encodeWav({ sampleRate: 8000, channels: [new Float32Array(100)] });
    expect(codeOf(() => decodeWav(new TextEncoder().encode('<html>not a sound</html>')))).toBe('WAV_NOT_RIFF');
    expect(codeOf(() => decodeWav(good.slice(0, 60)))).toBe('WAV_TRUNCATED');
    expect(codeOf(() => decodeWav(good.slice(0, 5)))).toBe('WAV_TRUNCATED');
    const float = good.slice();
    new DataView(float.buffer).setUint16(20, 3, true);
    expect(codeOf(() => decodeWav(float))).toBe('WAV_UNSUPPORTED');
    expect(codeOf(() => decodeWav(good.slice(0, 36)))).toBe('WAV_NO_DATA');
  });
});
