/**
 * The kiosk's current video call, for the screens beside the video: the
 * dermatoscope's live view goes to the specialist as a second video producer
 * of the same call (MediaSession.produceExtra), the stethoscope's sound as
 * its own audio producer. VideoArea registers its
 * MediaSession here while it is mounted.
 */
import type { ExtraOptions, ExtraSource } from '../../../media/session';


/** The part of MediaSession (src/media/session.ts) the screens use. */
export interface ExtraProducerHost {
  /** Resolves once the call's first media path is up (called again, it returns the start in progress). */
  start(): Promise<void>;
  produceExtra(track: MediaStreamTrack, source: ExtraSource, options?: ExtraOptions): Promise<{ close(): void }>;
}

let current: ExtraProducerHost | null = null;
const listeners = new Set<(call: ExtraProducerHost | null) => void>();

export function setCurrentCall(call: ExtraProducerHost | null): void {
  current = call;
  for (const l of listeners) l(call);
}

export function currentCall(): ExtraProducerHost | null {
  return current;
}

/** Calls `listener` now and whenever the call changes; returns an unsubscribe function. */
export function watchCurrentCall(listener: (call: ExtraProducerHost | null) => void): () => void {
  listeners.add(listener);
  listener(current);
  return () => listeners.delete(listener);
}
