/**
 * The inactivity prompt's countdown: whole seconds left before the wipe,
 * counted from when the prompt appeared, never below zero.
 */
import { describe, expect, it } from 'vitest';
import { secondsLeft } from '../../../../src/renderer/kiosk/src/countdown';

describe('the inactivity countdown', () => {
  it('starts at the configured length and counts whole seconds down', () => {
    expect(secondsLeft({ shownAt: 1_000, now: 1_000, totalSeconds: 30 })).toBe(30);
    expect(secondsLeft({ shownAt: 1_000, now: 1_400, totalSeconds: 30 })).toBe(30);
    expect(secondsLeft({ shownAt: 1_000, now: 2_000, totalSeconds: 30 })).toBe(29);
    expect(secondsLeft({ shownAt: 1_000, now: 30_500, totalSeconds: 30 })).toBe(1);
  });

  it('stops at zero', () => {
    expect(secondsLeft({ shownAt: 1_000, now: 99_000, totalSeconds: 30 })).toBe(0);
  });
});
