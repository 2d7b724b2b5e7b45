/**
 * A token bucket: `ratePerSecond` sustained, `burst` at once. The hub cuts a
 * peer that goes past its bucket; a booth paces its own frames with a
 * smaller one (`BOOTH_FRAMES` in ./hub-protocol.ts) so that it never does.
 */
import { systemClock, type Clock } from './clock';

export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(private readonly ratePerSecond: number, private readonly burst: number, private readonly clock: Pick<Clock, 'now'> = systemClock) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Takes a token if one is there. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** How long until a token is there (0: one is there now). */
  msUntilToken(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }

  private refill(): void {
    const t = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
  }
}
