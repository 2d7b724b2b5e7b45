import { describe, expect, it } from 'vitest';
import { PcmCollector } from '../../../../src/renderer/kiosk/src/clip-capture';
import { decodeWav } from '../../../../src/shared/wav';

/** Buffers as an audio callback hands them: a fixed size, the same array reused between calls. */
function feed(collector: PcmCollector, total: number, size = 4096): number {
  const buffer = new Float32Array(size);
  let n = 0;
  let calls = 0;
  while (!collector.done()) {
    for (let i = 0; i < size; i++) buffer[i] = ((n + i) % 1000) / 1000;
    collector.push(buffer);
    n += size;
    calls++;
    if (n > total * 2) break;
  }
  return calls;
}

describe('a clip assembled from the audio callbacks', () => {
  it('keeps exactly the frames asked for, in order, copied out of the reused buffer', () => {
    const collector = new PcmCollector(48_000, 15);
    const calls = feed(collector, 48_000 * 15);
    expect(calls).toBe(Math.ceil((48_000 * 15) / 4096));
    expect(collector.progress()).toBe(1);
    const pcm = collector.pcm();
    expect(pcm.length).toBe(48_000 * 15);
    expect(pcm[0]).toBe(0);
    expect(pcm[4096]).toBeCloseTo(0.096, 6);
    expect(pcm[48_000 * 15 - 1]).toBeCloseTo(((48_000 * 15 - 1) % 1000) / 1000, 6);
  });

  it('encodes a 16-bit mono PCM WAV at the capture rate, 15 s long', () => {
    const collector = new PcmCollector(48_000, 15);
    feed(collector, 48_000 * 15, 128);
    const wav = decodeWav(collector.wav());
    expect(wav.sampleRate).toBe(48_000);
    expect(wav.channels).toHaveLength(1);
    expect(wav.channels[0]!.length).toBe(720_000);
    const bytes = collector.wav();
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint16(34, true)).toBe(16);
  });

  it('refuses to hand over a clip that is not complete', () => {
    const collector = new PcmCollector(48_000, 15);
    collector.push(new Float32Array(4096));
    expect(collector.progress()).toBeCloseTo(4096 / 720_000, 6);
    expect(() => collector.wav()).toThrow(expect.objectContaining({ code: 'CLIP_INCOMPLETE' }));
  });
});
