/**
 * Records a stethoscope clip at the booth, on the host's `clipCommand`: the
 * stethoscope kiosk-config names (`media.stethoscope`; never another
 * microphone) is opened with the browser's voice processing off (echo
 * cancellation, noise suppression and gain control strip heart sounds),
 * CLIP_SECONDS of its raw PCM are taken at CLIP_SAMPLE_RATE from a Web
 * Audio graph, written as a 16-bit WAV and sent to the host by the binary
 * call. A track that ends midway (the stethoscope unplugged) stops the clip:
 * it is never sent as if complete.
 *
 * NOTE: a ScriptProcessorNode, not an AudioWorklet: a worklet needs its own
 * module URL, which this single-bundle page (and its CSP) does not serve.
 * The samples are the same; only the callback runs on the main thread.
 */
import { CLIP_SAMPLE_RATE } from '../../../shared/auscultation';
import { sendInChunks } from '../../../shared/binary-transfer';
import type { ClipRequested } from '../../../shared/clip-protocol';
import type { KioskApi } from '../../../shared/kiosk-api';
import { PcmCollector } from './clip-capture';
import { openStethoscope, type MediaDevicesLike } from './media-devices';

/** Why a clip stopped: its code is the one the host tells the hub. */
export class ClipStopped extends Error {
  constructor(readonly code: 'NO_STETHOSCOPE' | 'STETHOSCOPE_UNPLUGGED' | 'CAPTURE_FAILED', message: string) {
    super(message);
    this.name = 'ClipStopped';
  }
}

/** The part of a MediaStreamTrack a clip watches. */
export interface ClipTrack {
  readonly label: string;
  readonly readyState: string;
  stop(): void;
  addEventListener(type: 'ended', listener: () => void): void;
  removeEventListener(type: 'ended', listener: () => void): void;
}
export interface ClipStream {
  getTracks(): ClipTrack[];
  getAudioTracks(): ClipTrack[];
}

/**
 * Where the raw samples come from: a Web Audio graph in the page
 * ({@link webAudioTap}), a stand-in in tests. `onBuffer` gets each block
 * of mono samples at `sampleRate` (the array may be reused after the call).
 */
export type AudioTap<S> = (stream: S, onBuffer: (samples: Float32Array) => void) => { sampleRate: number; started: Promise<void>; close(): void };

/** The page's tap: an AudioContext at CLIP_SAMPLE_RATE, the stream's source into a ScriptProcessorNode. */
export const webAudioTap: AudioTap<MediaStream> = (stream, onBuffer) => {
  const ctx = new AudioContext({ sampleRate: CLIP_SAMPLE_RATE });
  const source = ctx.createMediaStreamSource(stream);
  const processor = ctx.createScriptProcessor(4096, 1, 1);
  // The node runs only when connected to the output; silence is what it sends there.
  const mute = ctx.createGain();
  mute.gain.value = 0;
  processor.onaudioprocess = (e) => onBuffer(e.inputBuffer.getChannelData(0));
  source.connect(processor);
  processor.connect(mute);
  mute.connect(ctx.destination);
  return {
    sampleRate: ctx.sampleRate,
    started: ctx.resume(),
    close: () => {
      processor.onaudioprocess = null;
      source.disconnect();
      processor.disconnect();
      void ctx.close().catch(() => undefined);
    },
  };
};

export interface ClipCapture {
  /** Resolves with the whole clip as a WAV; rejects with ClipStopped. */
  readonly done: Promise<Uint8Array>;
  /** Stops early (the page leaves): the clip is dropped. */
  cancel(): void;
}

/** Takes `seconds` of the stream's sound through `tap`; a track that ends first stops it. The stream is left to the caller. */
export function captureClip<S extends ClipStream>(stream: S, seconds: number, tap: AudioTap<S>, onProgress: (fraction: number) => void = () => {}): ClipCapture {
  let settle: { resolve: (b: Uint8Array) => void; reject: (e: ClipStopped) => void } | null = null;
  const done = new Promise<Uint8Array>((resolve, reject) => { settle = { resolve, reject }; });
  const track = stream.getAudioTracks()[0];
  let collector: PcmCollector | null = null;
  let close = (): void => {};
  const stop = (): void => {
    track?.removeEventListener('ended', onEnded);
    close();
  };
  const fail = (e: ClipStopped): void => {
    if (!settle) return;
    stop();
    settle.reject(e);
    settle = null;
  };
  const onEnded = (): void => fail(new ClipStopped('STETHOSCOPE_UNPLUGGED', 'the stethoscope track ended during the recording'));
  if (!track || track.readyState === 'ended') {
    queueMicrotask(onEnded);
    return { done, cancel: () => undefined };
  }
  track.addEventListener('ended', onEnded);
  const tapped = tap(stream, (samples) => {
    if (!collector || !settle) return;
    collector.push(samples);
    onProgress(collector.progress());
    if (!collector.done()) return;
    stop();
    settle.resolve(collector.wav());
    settle = null;
  });
  collector = new PcmCollector(tapped.sampleRate, seconds);
  close = tapped.close;
  tapped.started.catch(() => fail(new ClipStopped('CAPTURE_FAILED', 'the audio capture could not start')));
  return { done, cancel: () => fail(new ClipStopped('CAPTURE_FAILED', 'the recording was cancelled')) };
}

/** What a clip needs of the page: the KioskApi's calls, the media devices and the audio tap. */
export type ClipApi = Pick<KioskApi, 'getSettings' | 'clipState' | 'saveClip' | 'binaryBegin' | 'binaryChunk' | 'binaryEnd'>;
export interface ClipDeps<S extends ClipStream> {
  md: MediaDevicesLike<S>;
  tap: AudioTap<S>;
}

/**
 * The whole of one `clipCommand`: stethoscope opened (or the host told why
 * not), the host told it records, the clip taken, uploaded by the binary
 * call and named with `saveClip`. Rejects with ClipStopped after telling
 * the host; the stethoscope is released either way.
 */
export async function runClipCommand<S extends ClipStream>(
  api: ClipApi, cmd: ClipRequested, deps: ClipDeps<S>,
  hooks: { onProgress?: (fraction: number) => void; onCapture?: (c: ClipCapture) => void } = {},
): Promise<string> {
  let stream: S;
  try {
    const { media } = await api.getSettings({});
    // The same device, opened the same way, as the live listening (./media-devices.ts): never another microphone.
    stream = await openStethoscope(media, deps.md);
  } catch (error) {
    await api.clipState({ state: 'failed', requestId: cmd.requestId, code: 'NO_STETHOSCOPE' }).catch(() => undefined);
    throw new ClipStopped('NO_STETHOSCOPE', (error as Error).message);
  }
  try {
    const capture = captureClip(stream, cmd.seconds, deps.tap, hooks.onProgress);
    hooks.onCapture?.(capture);
    const { ok } = await api.clipState({ state: 'recording', requestId: cmd.requestId });
    if (!ok) {
      capture.cancel();
      throw new ClipStopped('CAPTURE_FAILED', 'the host no longer waits for this clip');
    }
    let wav: Uint8Array;
    try {
      wav = await capture.done;
    } catch (error) {
      const stopped = error instanceof ClipStopped ? error : new ClipStopped('CAPTURE_FAILED', (error as Error).message);
      await api.clipState({ state: 'failed', requestId: cmd.requestId, code: stopped.code === 'NO_STETHOSCOPE' ? 'STETHOSCOPE_UNPLUGGED' : stopped.code }).catch(() => undefined);
      throw stopped;
    }
    for (const t of stream.getTracks()) t.stop();
    const { uploadId } = await sendInChunks({
      begin: (b) => api.binaryBegin(b),
      chunk: (h, bytes) => api.binaryChunk(h, bytes),
      end: (transferId) => api.binaryEnd({ transferId }),
    }, crypto.randomUUID(), 'audio/wav', wav);
    const { clipId } = await api.saveClip({ requestId: cmd.requestId, uploadId });
    return clipId;
  } finally {
    for (const t of stream.getTracks()) t.stop();
  }
}
