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
import type { ClipRequested } from '../../../shared/clip-protocol';
import type { KioskApi } from '../../../shared/kiosk-api';
import { pickDevice, type MediaSelection } from '../../../shared/media-devices';
import { uploadBinary } from './api-client';
import { PcmCollector } from './clip-capture';
import { MediaDeviceMissing } from './media-devices';

/** Why a clip stopped: its code is the one the host tells the hub. */
export class ClipStopped extends Error {
  constructor(readonly code: 'NO_STETHOSCOPE' | 'STETHOSCOPE_UNPLUGGED' | 'CAPTURE_FAILED', message: string) {
    super(message);
    this.name = 'ClipStopped';
  }
}

/** The stethoscope, raw: one channel, nothing the browser adds for speech. */
export async function openClipStethoscope(selection: MediaSelection, md: MediaDevices = navigator.mediaDevices): Promise<MediaStream> {
  let listed = await md.enumerateDevices();
  if (listed.some((d) => d.kind === 'audioinput' && d.label === '')) {
    // Labels stay blank until the page has opened a microphone once.
    const probe = await md.getUserMedia({ audio: true });
    for (const track of probe.getTracks()) track.stop();
    listed = await md.enumerateDevices();
  }
  const pick = pickDevice(listed, selection.stethoscope, 'stethoscope');
  if (!pick.ok) throw new MediaDeviceMissing(pick);
  return md.getUserMedia({
    audio: {
      ...(pick.device ? { deviceId: { exact: pick.device.deviceId } } : {}),
      echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1,
    },
  });
}

export interface ClipCapture {
  /** Resolves with the whole clip as a WAV; rejects with ClipStopped. */
  readonly done: Promise<Uint8Array>;
  /** Stops early (the page leaves): the clip is dropped. */
  cancel(): void;
}

/** Takes `seconds` of the stream's first audio track at CLIP_SAMPLE_RATE; the stream is left to the caller. */
export function captureClip(stream: MediaStream, seconds: number, onProgress: (fraction: number) => void = () => {}): ClipCapture {
  const ctx = new AudioContext({ sampleRate: CLIP_SAMPLE_RATE });
  const collector = new PcmCollector(ctx.sampleRate, seconds);
  const track = stream.getAudioTracks()[0];
  const source = ctx.createMediaStreamSource(stream);
  const processor = ctx.createScriptProcessor(4096, 1, 1);
  // The node runs only when connected to the output; silence is what it sends there.
  const mute = ctx.createGain();
  mute.gain.value = 0;
  let settle: { resolve: (b: Uint8Array) => void; reject: (e: ClipStopped) => void } | null = null;
  const done = new Promise<Uint8Array>((resolve, reject) => { settle = { resolve, reject }; });
  const stop = (): void => {
    processor.onaudioprocess = null;
    track?.removeEventListener('ended', onEnded);
    source.disconnect();
    processor.disconnect();
    void ctx.close().catch(() => undefined);
  };
  const fail = (e: ClipStopped): void => {
    stop();
    settle?.reject(e);
    settle = null;
  };
  const onEnded = (): void => fail(new ClipStopped('STETHOSCOPE_UNPLUGGED', 'the stethoscope track ended during the recording'));
  if (!track || track.readyState === 'ended') {
    queueMicrotask(onEnded);
    return { done, cancel: () => undefined };
  }
  track.addEventListener('ended', onEnded);
  processor.onaudioprocess = (e) => {
    collector.push(e.inputBuffer.getChannelData(0));
    onProgress(collector.progress());
    if (!collector.done() || !settle) return;
    stop();
    settle.resolve(collector.wav());
    settle = null;
  };
  source.connect(processor);
  processor.connect(mute);
  mute.connect(ctx.destination);
  void ctx.resume().catch(() => fail(new ClipStopped('CAPTURE_FAILED', 'the audio context could not start')));
  return { done, cancel: () => fail(new ClipStopped('CAPTURE_FAILED', 'the recording was cancelled')) };
}

/**
 * The whole of one `clipCommand`: stethoscope opened (or the host told why
 * not), the host told it records, the clip taken, uploaded and named with
 * `saveClip`. Rejects with ClipStopped after telling the host.
 */
export async function runClipCommand(
  api: KioskApi, cmd: ClipRequested, hooks: { onProgress?: (fraction: number) => void; onCapture?: (c: ClipCapture) => void } = {},
): Promise<string> {
  let stream: MediaStream;
  try {
    const { media } = await api.getSettings({});
    stream = await openClipStethoscope(media);
  } catch (error) {
    await api.clipState({ state: 'failed', requestId: cmd.requestId, code: 'NO_STETHOSCOPE' }).catch(() => undefined);
    throw new ClipStopped('NO_STETHOSCOPE', (error as Error).message);
  }
  try {
    const capture = captureClip(stream, cmd.seconds, hooks.onProgress);
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
      const code = error instanceof ClipStopped ? error.code : 'CAPTURE_FAILED';
      await api.clipState({ state: 'failed', requestId: cmd.requestId, code: code === 'NO_STETHOSCOPE' ? 'STETHOSCOPE_UNPLUGGED' : code }).catch(() => undefined);
      throw error instanceof ClipStopped ? error : new ClipStopped('CAPTURE_FAILED', (error as Error).message);
    }
    for (const t of stream.getTracks()) t.stop();
    const { uploadId } = await uploadBinary(api, 'audio/wav', wav);
    const { clipId } = await api.saveClip({ requestId: cmd.requestId, uploadId });
    return clipId;
  } finally {
    for (const t of stream.getTracks()) t.stop();
  }
}
