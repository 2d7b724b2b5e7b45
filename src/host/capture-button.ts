/**
 * The dermatoscope's HID capture button: in the dermatoscope guidance it
 * means "I am ready" (the kiosk takes the still on entering `measuring`);
 * on the result or recovery screen it takes the photo again.
 */
import type { Driver } from '../../devices/contracts';
import type { CaptureRequest } from '../../devices/drivers/dermatoscope/driver';
import type { HostSession } from './session';

/** The dermatoscope driver's capture button and lighting mode (devices/drivers/dermatoscope; its fake has the button only). */
export interface CaptureButton {
  onCapture(listener: (request: CaptureRequest) => void): () => void;
  polarisation(): CaptureRequest['polarisation'];
}

/** Feeds the button's presses to the session while a dermatoscope photo is on screen. */
export function watchCaptureButton(driver: Driver | undefined, session: Pick<HostSession, 'flow' | 'context' | 'send'>): void {
  const derm = driver as (Driver & Partial<CaptureButton>) | undefined;
  if (typeof derm?.onCapture !== 'function') return;
  derm.onCapture(() => {
    if (session.context().measurement?.kind !== 'dermatoscope-photo') return;
    session.send(session.flow() === 'consultation.guidance' ? { type: 'START_MEASURE' } : { type: 'RETRY' });
  });
}
