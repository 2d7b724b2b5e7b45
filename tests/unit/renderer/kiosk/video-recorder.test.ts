/**
 * The exam video's take on its own, with a stand-in recorder (the browser's
 * MediaRecorder is exercised in the kiosk e2e): kept at the time limit,
 * stopped and refused before it crosses the size cap, stopped by the
 * patient, failed on a recorder error.
 */
import { describe, expect, it } from 'vitest';
import { MAX_VIDEO_BYTES, MAX_VIDEO_MS } from '../../../../src/shared/case-record';
import { startTake, VIDEO_MIME, type RecorderLike } from '../../../../src/renderer/kiosk/src/video-recorder';

/** A recorder whose pieces the test hands over, one per simulated second. */
class FakeRecorder implements RecorderLike {
  state: RecorderLike['state'] = 'inactive';
  ondataavailable: ((event: { data: Blob }) => void) | null = null;
  onstop: (() => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  options: unknown;
  start(): void {
    this.state = 'recording';
  }
  stop(): void {
    this.state = 'inactive';
    this.onstop?.();
  }
  piece(bytes: number): void {
    this.ondataavailable?.({ data: new Blob([new Uint8Array(bytes)]) });
  }
}

function take(opts: { maxBytes?: number } = {}) {
  let now = 0;
  const recorder = new FakeRecorder();
  const progress: number[] = [];
  const t = startTake({
    stream: {}, now: () => now, ...opts,
    recorder: (_, options) => {
      recorder.options = options;
      return recorder;
    },
    onProgress: (p) => progress.push(p.bytes),
  });
  const second = (bytes: number) => {
    now += 1000;
    recorder.piece(bytes);
  };
  return { t, recorder, second, progress };
}

describe('the exam video take', () => {
  it('records webm at a modest bitrate and ends by itself at the time limit, kept for the replay', async () => {
    const { t, recorder, second } = take();
    expect(recorder.options).toMatchObject({ mimeType: VIDEO_MIME, videoBitsPerSecond: 1_000_000 });
    for (let s = 0; s < MAX_VIDEO_MS / 1000; s++) second(130_000);
    const result = await t.done;
    expect(recorder.state).toBe('inactive');
    expect(result).toMatchObject({ ok: true, durationMs: MAX_VIDEO_MS });
    expect(result.ok && result.blob.size).toBe(60 * 130_000);
    expect(result.ok && result.blob.type).toBe(VIDEO_MIME);
  });

  it('stops and refuses the take before it crosses the size cap, while the patient is still speaking', async () => {
    const { t, recorder, second, progress } = take();
    // A runaway encoder: 5 MB a second would reach the 40 MB cap after 8 seconds.
    const piece = 5 * 1024 * 1024;
    let seconds = 0;
    while (recorder.state === 'recording' && seconds < 60) {
      second(piece);
      seconds += 1;
    }
    await expect(t.done).resolves.toEqual({ ok: false, code: 'TOO_LARGE' });
    // Stopped well before the time limit, and nothing over the cap was ever held.
    expect(seconds).toBeLessThan(MAX_VIDEO_MS / 1000);
    expect(Math.max(...progress)).toBeLessThanOrEqual(MAX_VIDEO_BYTES);
  });

  it('keeps a take the patient stops early', async () => {
    const { t, second } = take();
    second(100_000);
    second(100_000);
    t.stop();
    await expect(t.done).resolves.toMatchObject({ ok: true, durationMs: 2000 });
  });

  it('fails a take the recorder reports an error for, and a take with no bytes', async () => {
    const a = take();
    a.second(100);
    a.recorder.onerror?.(new Event('error'));
    await expect(a.t.done).resolves.toEqual({ ok: false, code: 'FAILED' });
    const b = take();
    b.t.stop();
    await expect(b.t.done).resolves.toEqual({ ok: false, code: 'FAILED' });
  });
});
