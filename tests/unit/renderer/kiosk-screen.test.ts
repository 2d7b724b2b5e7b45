/**
 * Which screen the kiosk shows for the machine's state and the hub's claim.
 */
import { describe, expect, it } from 'vitest';
import { shownScreen } from '../../../src/renderer/kiosk/src/screen-choice';

describe('kiosk screen choice', () => {
  it("opens the call from the waiting room as soon as the hub's claim arrives", () => {
    expect(shownScreen('waitingRoom', true)).toBe('consultation');
    expect(shownScreen('waitingRoom', false)).toBe('waitingRoom');
  });

  it('shows the incident screen of a restarted host even though the room never said it closed', () => {
    expect(shownScreen('interrupted', true)).toBe('interrupted');
  });

  it('never holds the call over the wrap-up or the wipe', () => {
    for (const top of ['wrapUp', 'privacyWipe']) expect(shownScreen(top, true)).toBe(top);
  });
});
