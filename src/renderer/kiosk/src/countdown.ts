/**
 * The inactivity prompt's countdown. The host wipes the session
 * `totalSeconds` after the prompt appears (kiosk-config
 * `session.wipeAfterPromptSeconds`); the kiosk counts from when it showed
 * the prompt, in whole seconds, rounded up so "1" is the last second shown.
 */
export function secondsLeft({ shownAt, now, totalSeconds }: { shownAt: number; now: number; totalSeconds: number }): number {
  return Math.max(0, Math.ceil(totalSeconds - (now - shownAt) / 1000));
}
