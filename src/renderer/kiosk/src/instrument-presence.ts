/**
 * The otoscope is a UVC camera no host driver sees: the kiosk's page looks
 * for the one kiosk-config names (`media.otoscope`) when it opens, when the
 * browser's list of devices changes (plugged, unplugged) and when the
 * otoscope's track ends in use, and tells the host, which lists it among the
 * booth's devices for the console.
 */
import { useEffect } from 'react';
import type { KioskApi } from '../../../shared/kiosk-api';
import { browserMediaDevices, findInstrumentCamera } from './media-devices';

const listeners = new Set<() => void>();

/** Looks again now (the otoscope's track ended: probably unplugged). */
export function recheckInstruments(): void {
  for (const listener of listeners) listener();
}

export function useInstrumentPresence(api: KioskApi): void {
  useEffect(() => {
    let stopped = false;
    let running: Promise<void> = Promise.resolve();
    const check = (): void => {
      running = running.then(async () => {
        if (stopped) return;
        const { media } = await api.getSettings({});
        const found = await findInstrumentCamera('otoscope', media, browserMediaDevices());
        if (!found || stopped) return;
        await api.reportInstrumentCamera({ role: 'otoscope', present: found.present, ...(found.label ? { label: found.label.slice(0, 200) } : {}) });
      }).catch((error: unknown) => console.warn('otoscope presence not checked', (error as Error).message));
    };
    check();
    listeners.add(check);
    navigator.mediaDevices?.addEventListener?.('devicechange', check);
    return () => {
      stopped = true;
      listeners.delete(check);
      navigator.mediaDevices?.removeEventListener?.('devicechange', check);
    };
  }, [api]);
}
