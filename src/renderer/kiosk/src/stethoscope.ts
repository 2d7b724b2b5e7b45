/**
 * The stethoscope while the doctor listens: opened (the device kiosk-config
 * names, voice processing off), sent as its own audio producer of the call,
 * and closed when the listening stops. Every failure goes to the session as
 * STETHOSCOPE_STATUS with its code, so the kiosk and the doctor both say
 * what happened: not configured, not found, another microphone opened, or
 * unplugged mid-listening (the browser ends the track).
 */
import type { ExtraOptions } from '../../../media/session';
import type { StethoscopeError } from '../../../shared/auscultation';
import { codeOf } from '../../../shared/errors';
import { watchCurrentCall } from './call';
import { MediaDeviceMissing, StethoscopeWrongDevice } from './media-devices';

/**
 * NOTE: Chrome encodes mono Opus in voice mode, whose high-pass takes the
 * lowest heart-sound band; stereo with a high bitrate keeps Opus in its
 * full-band music mode. No DTX (a quiet diastole is not silence to drop),
 * in-band FEC for lost packets. The hub's router declares Opus with two
 * channels, so the consumer keeps the producer's stereo.
 */
export const STETHOSCOPE_OPUS: NonNullable<ExtraOptions['codecOptions']> = {
  opusStereo: true, opusDtx: false, opusFec: true, opusMaxAverageBitrate: 128_000, opusMaxPlaybackRate: 48_000,
};

declare global {
  interface Window {
    /**
     * Benchmark hook: the fidelity bench's baselines open and send the
     * stethoscope as a voice would be (processing on, mono Opus), through
     * the same path; unset, the stethoscope's own settings apply.
     */
    __cabineStethoscopeProfile?: { audio: MediaTrackConstraints; codecOptions: NonNullable<ExtraOptions['codecOptions']> };
  }
}

export type StethoscopeStatus = { status: 'listening' } | { status: 'error'; code: StethoscopeError };

interface EndingTrack {
  readonly readyState: string;
  addEventListener(type: 'ended', listener: () => void): void;
  removeEventListener(type: 'ended', listener: () => void): void;
  stop(): void;
}

export interface StethoscopeSend<T extends EndingTrack> {
  /** Opens the configured stethoscope (throws MediaDeviceMissing, StethoscopeWrongDevice). */
  open(): Promise<T>;
  /** Sends the track to the doctor (waits for the call). */
  produce(track: T): Promise<{ close(): void }>;
  report(status: StethoscopeStatus): void;
}

function errorCode(error: unknown): StethoscopeError {
  if (error instanceof MediaDeviceMissing) return error.failure.code;
  if (error instanceof StethoscopeWrongDevice) return 'STETHOSCOPE_WRONG_DEVICE';
  return 'STETHOSCOPE_FAILED';
}

/** Starts sending; returns the stop (closes the producer, releases the device, says nothing more). */
export function sendStethoscope<T extends EndingTrack>(deps: StethoscopeSend<T>): () => void {
  let stopped = false;
  let track: T | null = null;
  let producer: { close(): void } | null = null;
  const release = (): void => {
    producer?.close();
    producer = null;
    track?.removeEventListener('ended', onEnded);
    track?.stop();
    track = null;
  };
  const fail = (code: StethoscopeError): void => {
    if (stopped) return;
    release();
    deps.report({ status: 'error', code });
  };
  function onEnded(): void {
    fail('STETHOSCOPE_UNPLUGGED');
  }
  deps.open().then(async (t) => {
    if (stopped) {
      t.stop();
      return;
    }
    track = t;
    t.addEventListener('ended', onEnded);
    if (t.readyState === 'ended') return fail('STETHOSCOPE_UNPLUGGED');
    const p = await deps.produce(t);
    if (stopped || track !== t) {
      p.close();
      return;
    }
    producer = p;
    deps.report({ status: 'listening' });
  }).catch((error: unknown) => {
    console.warn('stethoscope not sent', codeOf(error));
    fail(errorCode(error));
  });
  return () => {
    stopped = true;
    release();
  };
}

/** Sends `track` as the call's stethoscope producer once the call is up (the call may still be starting). */
export function produceOnCall(track: MediaStreamTrack): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    let off: (() => void) | null = null;
    let done = false;
    off = watchCurrentCall((call) => {
      if (!call || done) return;
      done = true;
      queueMicrotask(() => off?.());
      // NOTE: an extra produced while the call starts races the start's own producers: wait for the start first.
      Promise.resolve().then(() => call.start()).catch(() => undefined)
        .then(() => call.produceExtra(track, 'stethoscope', { codecOptions: window.__cabineStethoscopeProfile?.codecOptions ?? STETHOSCOPE_OPUS }))
        .then(resolve, reject);
    });
  });
}
