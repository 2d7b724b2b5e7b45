import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, NO_JITTER } from '../../../src/shared/backoff';

describe('backoff: full jitter under a doubling ceiling', () => {
  it('doubles the ceiling from the base each attempt and never passes the maximum', () => {
    const policy = { baseMs: 250, maxMs: 5000 };
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffCeiling(a, policy))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    expect(backoffCeiling(1_000, policy)).toBe(5000);
  });

  it('draws the wait anywhere between the floor and the ceiling (0 at the bottom of the draw, the ceiling at the top)', () => {
    const policy = { baseMs: 250, maxMs: 5000 };
    expect(backoffDelay(0, policy, () => 0)).toBe(0);
    expect(backoffDelay(0, policy, () => 0.999)).toBeLessThan(250);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(500);
    expect(backoffDelay(10, policy, () => 1)).toBe(5000);
    expect(backoffDelay(50, policy, () => 0)).toBe(0);
  });

  it('never waits less than the floor when one is set', () => {
    const policy = { baseMs: 500, maxMs: 2000, floorMs: 250 };
    expect(backoffDelay(0, policy, () => 0)).toBe(250);
    expect(backoffDelay(0, policy, () => 1)).toBe(500);
    expect(backoffDelay(9, policy, () => 1)).toBe(2000);
  });

  it('stays within [floor, min(max, base × 2^attempt)] for every attempt and draw', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 100_000 }),
      fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(),
      (attempt, baseMs, extra, draw, withFloor) => {
        const policy = { baseMs, maxMs: baseMs + extra, ...(withFloor ? { floorMs: baseMs / 2 } : {}) };
        const delay = backoffDelay(attempt, policy, () => draw);
        expect(delay).toBeGreaterThanOrEqual(withFloor ? baseMs / 2 : 0);
        expect(delay).toBeLessThanOrEqual(Math.min(policy.maxMs, baseMs * 2 ** attempt));
      },
    ));
  });

  it('waits exactly the ceiling without jitter (a local device, a scheduled retry: no fleet to spread)', () => {
    const policy = { baseMs: 20, maxMs: 100 };
    expect([0, 1, 2, 3, 4].map((a) => backoffDelay(a, policy, NO_JITTER))).toEqual([20, 40, 80, 100, 100]);
  });
});
