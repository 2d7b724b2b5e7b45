/**
 * The one way time is injected (STYLE §1: a small interface with its fake
 * beside it, `fake-clock.ts`): code that reads the time or sets a timer takes
 * a `Clock`, production passes `systemClock`, tests a `FakeClock` they move by
 * hand. Browser-safe: the kiosk and the console use it too.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
