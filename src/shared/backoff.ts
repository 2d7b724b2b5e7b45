/**
 * The one retry backoff of Cabine: full jitter under a doubling ceiling (AWS
 * architecture blog, "Exponential Backoff And Jitter"). A wait is drawn
 * anywhere between the floor and min(max, base × 2^attempt), so a fleet of
 * booths or consoles coming back after a hub restart spreads out instead of
 * knocking together. Pure and browser-safe; the random source is injected.
 */

export interface BackoffPolicy {
  /** The ceiling of the first attempt, in ms; it doubles with each attempt. */
  baseMs: number;
  /** The ceiling never grows past this, in ms. */
  maxMs: number;
  /** The shortest wait, in ms (default 0): a link that must not retry in a tight loop sets it. */
  floorMs?: number;
}

/**
 * For callers with no fleet to spread (a local device, a single scheduled
 * retry): the draw is always the top, so the wait is exactly the ceiling.
 */
export const NO_JITTER = (): number => 1;

/** The longest wait of attempt `attempt` (0 for the first retry). */
export function backoffCeiling(attempt: number, policy: Pick<BackoffPolicy, 'baseMs' | 'maxMs'>): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
}

/** The wait before attempt `attempt`: `random()` in [0, 1] picks it between the floor and the ceiling. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const floor = policy.floorMs ?? 0;
  return floor + random() * (backoffCeiling(attempt, policy) - floor);
}
