/**
 * The patient's video of a forwarded case: the patient camera and
 * microphone through MediaRecorder (video/webm, a modest bitrate), at most
 * MAX_VIDEO_MS long and MAX_VIDEO_BYTES large. The recorder hands over a
 * piece every second; before each one is taken, the size the next second
 * would bring is projected, and a take that would cross the cap is stopped
 * there and refused (TOO_LARGE) — before the recording ends, never after
 * the patient has spoken for a minute. A take that reaches the time limit
 * ends by itself and is kept for the replay. Nothing is sent here: the
 * screen replays it, then `uploadVideo` sends the kept one.
 */
import { sendInChunks } from '../../../shared/binary-transfer';
import { MAX_VIDEO_BYTES, MAX_VIDEO_MS } from '../../../shared/case-record';
import type { KioskApi } from '../../../shared/kiosk-api';

/** Modest: about 8 MB a minute, far below the cap on any line (the cap is for a runaway encoder). */
export const VIDEO_BITS_PER_SECOND = 1_000_000;
export const AUDIO_BITS_PER_SECOND = 64_000;
export const VIDEO_MIME = 'video/webm';
/** How often the recorder hands over a piece (and the cap is checked). */
export const VIDEO_SLICE_MS = 1_000;

/** The part of MediaRecorder a take uses (the browser's, or a stand-in in tests). */
export interface RecorderLike {
  readonly state: 'inactive' | 'recording' | 'paused';
  start(timesliceMs: number): void;
  stop(): void;
  ondataavailable: ((event: { data: Blob }) => void) | null;
  onstop: (() => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type RecorderFactory<S> = (stream: S, options: { mimeType: string; videoBitsPerSecond: number; audioBitsPerSecond: number }) => RecorderLike;

export const browserRecorder: RecorderFactory<MediaStream> = (stream, options) => new MediaRecorder(stream, options) as unknown as RecorderLike;

/** How a take ended: kept for the replay (its bytes and length), or refused and why. */
export type VideoTake =
  | { ok: true; blob: Blob; durationMs: number }
  | { ok: false; code: 'TOO_LARGE' | 'FAILED' };

export interface TakeProgress {
  elapsedMs: number;
  bytes: number;
}

export interface TakeOptions<S> {
  stream: S;
  recorder: RecorderFactory<S>;
  now: () => number;
  maxMs?: number;
  maxBytes?: number;
  onProgress?: (p: TakeProgress) => void;
}

/** One take: `done` settles when it ends (time limit, "Arrêter", the cap, an error); `stop()` is the patient's "Arrêter". */
export function startTake<S>(o: TakeOptions<S>): { done: Promise<VideoTake>; stop(): void } {
  const maxMs = o.maxMs ?? MAX_VIDEO_MS;
  const maxBytes = o.maxBytes ?? MAX_VIDEO_BYTES;
  const recorder = o.recorder(o.stream, { mimeType: VIDEO_MIME, videoBitsPerSecond: VIDEO_BITS_PER_SECOND, audioBitsPerSecond: AUDIO_BITS_PER_SECOND });
  const pieces: Blob[] = [];
  let bytes = 0;
  let refused: VideoTake | null = null;
  const started = o.now();
  let ended = started;
  const stop = (): void => {
    if (recorder.state !== 'inactive') recorder.stop();
  };
  const done = new Promise<VideoTake>((resolve) => {
    recorder.ondataavailable = ({ data }) => {
      if (refused || data.size === 0) return;
      bytes += data.size;
      pieces.push(data);
      const elapsedMs = o.now() - started;
      o.onProgress?.({ elapsedMs, bytes });
      // Over the cap now, or the next slice at this pace would be: stop and refuse before it is crossed.
      const pace = elapsedMs > 0 ? (bytes / elapsedMs) * VIDEO_SLICE_MS : data.size;
      if (bytes > maxBytes || bytes + Math.max(pace, data.size) > maxBytes) {
        refused = { ok: false, code: 'TOO_LARGE' };
        stop();
        return;
      }
      if (elapsedMs >= maxMs) stop();
    };
    recorder.onerror = () => {
      refused ??= { ok: false, code: 'FAILED' };
      stop();
      resolve(refused);
    };
    recorder.onstop = () => {
      ended = o.now();
      if (refused) return resolve(refused);
      if (pieces.length === 0) return resolve({ ok: false, code: 'FAILED' });
      resolve({ ok: true, blob: new Blob(pieces, { type: VIDEO_MIME }), durationMs: Math.min(maxMs, Math.max(1, ended - started)) });
    };
  });
  recorder.start(VIDEO_SLICE_MS);
  return { done, stop };
}

/** Sends the kept take to the host by the binary call, then names it (`saveExamVideo`): the host stores it sealed. */
export async function uploadVideo(api: Pick<KioskApi, 'binaryBegin' | 'binaryChunk' | 'binaryEnd' | 'saveExamVideo'>, take: { blob: Blob; durationMs: number }, size: { width: number; height: number }): Promise<string> {
  const bytes = new Uint8Array(await take.blob.arrayBuffer());
  const { uploadId } = await sendInChunks({
    begin: (b) => api.binaryBegin(b),
    chunk: (h, chunk) => api.binaryChunk(h, chunk),
    end: (transferId) => api.binaryEnd({ transferId }),
  }, crypto.randomUUID(), VIDEO_MIME, bytes);
  const { videoId } = await api.saveExamVideo({ uploadId, durationMs: Math.round(take.durationMs), width: size.width, height: size.height });
  return videoId;
}
