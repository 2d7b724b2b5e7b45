/**
 * The call's media code (CallMedia and mediasoup-client, about a third of the
 * console's bundle) is not needed by the sign-in page: the desk prefetches it
 * once the doctor is signed in, before any call is claimed.
 */
import { lazy } from 'react';

const load = () => import('./CallMedia');

/** Starts fetching the call's code (idempotent: the module loads once). */
export function prefetchCallMedia(): void {
  void load();
}

export const LazyCallMedia = lazy(() => load().then((m) => ({ default: m.CallMedia })));
