/**
 * The call's media code (VideoArea and mediasoup-client, about a third of the
 * kiosk's bundle) is fetched when a call is near, not before the attract
 * screen: the waiting room prefetches it, so the call starts as fast as if it
 * had been there all along.
 */
import { lazy } from 'react';

const load = () => import('./VideoArea');

/** Starts fetching the call's code (idempotent: the module loads once). */
export function prefetchVideoArea(): void {
  void load();
}

export const LazyVideoArea = lazy(() => load().then((m) => ({ default: m.VideoArea })));
