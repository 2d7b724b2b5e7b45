import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/shared/fake-clock';
import { RateLimiter } from '../../../src/shared/rate-limit';

describe('token bucket', () => {
  it('lets a burst through at once, then one token per 1/rate seconds, and says how long until the next', async () => {
    const clock = new FakeClock(0);
    const bucket = new RateLimiter(10, 3, clock);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    expect(bucket.msUntilToken()).toBe(100);
    await clock.advance(60);
    expect(bucket.take()).toBe(false);
    expect(bucket.msUntilToken()).toBe(40);
    await clock.advance(40);
    expect(bucket.msUntilToken()).toBe(0);
    expect(bucket.take()).toBe(true);
  });

  it('never holds more than its burst, however long it was idle', async () => {
    const clock = new FakeClock(0);
    const bucket = new RateLimiter(100, 2, clock);
    await clock.advance(3_600_000);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });
});
