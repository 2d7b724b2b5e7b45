/**
 * The kiosk's "Retour": absent where going back would throw the patient out
 * of the queue or the call, and asking first where it would wipe the session.
 */
import { describe, expect, it } from 'vitest';
import { backButton } from '../../../../src/renderer/kiosk/src/back';

describe("the kiosk's back button", () => {
  it('is not offered in the waiting room (it would leave the queue) nor during the call', () => {
    expect(backButton({ state: 'waitingRoom', canBack: true })).toBeNull();
    expect(backButton({ state: 'consultation.call', canBack: true })).toBeNull();
  });

  it('asks first on the first step, where going back wipes the session (the stop confirmation)', () => {
    expect(backButton({ state: 'language', canBack: true })).toEqual({ type: 'CANCEL' });
  });

  it('goes back one step elsewhere, and only where the session can', () => {
    expect(backButton({ state: 'consent', canBack: true })).toEqual({ type: 'BACK' });
    expect(backButton({ state: 'consultation.guidance', canBack: true })).toEqual({ type: 'BACK' });
    expect(backButton({ state: 'consent', canBack: false })).toBeNull();
  });
});
