/**
 * What the kiosk says about the call: one status at a time, never
 * "connecting", "the video could not start" and "the doctor is talking to
 * you" together.
 */
import { describe, expect, it } from 'vitest';
import { callStatusShown } from '../../../../src/renderer/kiosk/src/call-status';

const STATES = ['connecting', 'connected', 'reconnecting', 'blocked', 'closed'] as const;

describe('the call status on the kiosk', () => {
  it('says the doctor is talking only once the call is connected, with the connection quality', () => {
    expect(callStatusShown({ state: 'connected', failed: false, networkBanner: false })).toEqual({ line: 'talking', failedPanel: false, quality: true });
    expect(callStatusShown({ state: 'connecting', failed: false, networkBanner: false })).toEqual({ line: 'connecting', failedPanel: false, quality: false });
  });

  it('turns a video that failed to start into the one message, whatever the call state says', () => {
    for (const state of STATES) {
      expect(callStatusShown({ state, failed: true, networkBanner: false })).toEqual({ line: null, failedPanel: true, quality: false });
    }
  });

  it('leaves "reconnecting" to the page banner when it already says the line is down', () => {
    expect(callStatusShown({ state: 'reconnecting', failed: false, networkBanner: true }).line).toBeNull();
    expect(callStatusShown({ state: 'reconnecting', failed: false, networkBanner: false }).line).toBe('reconnecting');
  });

  it('says the pharmacy\'s network blocks the call instead of an endless "reconnecting", unless the page already says the whole line is down', () => {
    expect(callStatusShown({ state: 'blocked', failed: false, networkBanner: false })).toEqual({ line: 'blocked', failedPanel: false, quality: false });
    // With the hub itself out of reach, a firewall is not the story: the page's banner is.
    expect(callStatusShown({ state: 'blocked', failed: false, networkBanner: true }).line).toBeNull();
  });

  it('never shows two statuses at once', () => {
    for (const state of STATES) {
      for (const failed of [false, true]) {
        for (const networkBanner of [false, true]) {
          const shown = callStatusShown({ state, failed, networkBanner });
          expect([shown.line !== null, shown.failedPanel].filter(Boolean).length).toBeLessThanOrEqual(1);
          if (shown.quality) expect(shown.line).toBe('talking');
        }
      }
    }
  });
});
