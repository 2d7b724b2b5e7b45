/**
 * The failure throttle of the hub's secret checks (logins, booth tokens):
 * failures per (address, account) with growing, capped waits; a success
 * clears its pair; nobody waits for someone else's failures; a generous
 * ceiling per address that spares pairs known good; bounded memory.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttemptThrottle, TooManyAttemptsError, addressKey, waitAfter, type AttemptLimits } from '../../../src/hub/throttle';

const LIMITS: AttemptLimits = {
  pair: { freeFailures: 3, baseDelayMs: 1_000, maxDelayMs: 60_000, forgetAfterMs: 3_600_000, maxEntries: 100 },
  address: { freeFailures: 10, baseDelayMs: 1_000, maxDelayMs: 60_000, forgetAfterMs: 3_600_000, maxEntries: 100 },
};

function setup(limits: AttemptLimits = LIMITS): { throttle: AttemptThrottle; clock: { t: number } } {
  const clock = { t: 1_000_000 };
  return { throttle: new AttemptThrottle(limits, { now: () => clock.t }), clock };
}

/** One attempt with a wrong secret; the refusal if it was not admitted. */
function fail(throttle: AttemptThrottle, address: string, account: string): TooManyAttemptsError | null {
  try {
    throttle.admit(address, account).failed();
    return null;
  } catch (error) {
    if (error instanceof TooManyAttemptsError) return error;
    throw error;
  }
}

describe('waitAfter', () => {
  it('imposes nothing before the free failures are used, then doubles up to the ceiling', () => {
    const policy = LIMITS.pair;
    expect([1, 2, 3, 4, 5, 6].map((n) => waitAfter(n, policy))).toEqual([0, 0, 1_000, 2_000, 4_000, 8_000]);
    expect(waitAfter(1_000_000, policy)).toBe(60_000);
  });

  it('never shrinks as failures grow and never exceeds the ceiling', () => {
    fc.assert(fc.property(fc.nat(10_000), fc.nat(20), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 10_000_000 }), (n, free, base, max) => {
      const p = { freeFailures: free, baseDelayMs: base, maxDelayMs: max };
      expect(waitAfter(n + 1, p)).toBeGreaterThanOrEqual(waitAfter(n, p));
      expect(waitAfter(n, p)).toBeLessThanOrEqual(max);
    }));
  });
});

describe('AttemptThrottle', () => {
  it('refuses an account from one address after repeated failures, saying how long to wait, in French and English', () => {
    const { throttle } = setup();
    expect([0, 1, 2].map(() => fail(throttle, '203.0.113.7', 'dr.durand'))).toEqual([null, null, null]);
    const refusal = fail(throttle, '203.0.113.7', 'dr.durand');
    expect(refusal).toMatchObject({ code: 'TOO_MANY_ATTEMPTS', scope: 'account', retryAfterMs: 1_000, retryAfterSeconds: 1 });
    expect(refusal!.messageFor('fr')).toBe('Trop de tentatives incorrectes pour ce compte. Réessayez dans 1 seconde.');
    expect(refusal!.messageFor('en')).toBe('Too many failed attempts for this account. Try again in 1 second.');
  });

  it('admits again exactly when the stated wait is over, and the wait grows with each failure up to its ceiling', () => {
    const { throttle, clock } = setup({ ...LIMITS, address: { ...LIMITS.address, freeFailures: 1_000 } });
    for (let i = 0; i < 3; i++) expect(fail(throttle, '203.0.113.7', 'dr.durand')).toBeNull();
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const refusal = fail(throttle, '203.0.113.7', 'dr.durand')!;
      waits.push(refusal.retryAfterMs);
      clock.t += refusal.retryAfterMs - 1;
      expect(fail(throttle, '203.0.113.7', 'dr.durand')).toBeInstanceOf(TooManyAttemptsError);
      clock.t += 1;
      expect(fail(throttle, '203.0.113.7', 'dr.durand')).toBeNull();
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(fail(throttle, '203.0.113.7', 'dr.durand')).toMatchObject({ retryAfterMs: 60_000 });
  });

  it("never refuses an account for a colleague's failures at the same address, nor for failures at another address", () => {
    const { throttle } = setup();
    for (let i = 0; i < 8; i++) fail(throttle, '203.0.113.7', 'dr.durand');
    for (let i = 0; i < 8; i++) fail(throttle, '198.51.100.1', 'dr.martin');
    expect(fail(throttle, '203.0.113.7', 'dr.durand')).toBeInstanceOf(TooManyAttemptsError);
    expect(() => throttle.admit('203.0.113.7', 'dr.martin').succeeded()).not.toThrow();
    expect(() => throttle.admit('192.0.2.50', 'dr.durand').succeeded()).not.toThrow();
  });

  it('starts a pair afresh after a success', () => {
    const { throttle, clock } = setup();
    for (let i = 0; i < 3; i++) fail(throttle, '203.0.113.7', 'dr.durand');
    clock.t += 1_000;
    throttle.admit('203.0.113.7', 'dr.durand').succeeded();
    expect([0, 1, 2].map(() => fail(throttle, '203.0.113.7', 'dr.durand'))).toEqual([null, null, null]);
  });

  it('counts attempts still being checked, so simultaneous guesses cannot slip past the count', () => {
    const { throttle } = setup();
    const admitted = [];
    let refused = 0;
    for (let i = 0; i < 10; i++) {
      try {
        admitted.push(throttle.admit('203.0.113.7', 'dr.durand'));
      } catch {
        refused += 1;
      }
    }
    expect(admitted).toHaveLength(3);
    expect(refused).toBe(7);
  });

  it('holds nothing against anyone for an attempt whose check could not run', () => {
    const { throttle } = setup();
    for (let i = 0; i < 10; i++) throttle.admit('203.0.113.7', 'dr.durand').abandoned();
    expect(fail(throttle, '203.0.113.7', 'dr.durand')).toBeNull();
  });

  it('stops one address spraying many accounts, but not an account that got in from that address before', () => {
    const { throttle, clock } = setup();
    expect(throttle.admit('203.0.113.7', 'dr.martin')).toMatchObject({ standing: 'clean' });
    throttle.admit('203.0.113.7', 'dr.martin').succeeded();
    expect(throttle.admit('203.0.113.7', 'dr.martin')).toMatchObject({ standing: 'known' });
    for (let i = 0; i < 10; i++) expect(fail(throttle, '203.0.113.7', `user-${i}@example.org`)).toBeNull();
    expect(fail(throttle, '203.0.113.7', 'user-new@example.org')).toMatchObject({ scope: 'address', retryAfterMs: 1_000 });
    expect(throttle.admit('203.0.113.7', 'dr.martin')).toMatchObject({ standing: 'known' });
    expect(() => throttle.admit('203.0.113.7', 'dr.martin').succeeded()).not.toThrow();
    // Another address is not concerned, and the address itself gets in again after the wait.
    expect(fail(throttle, '198.51.100.1', 'user-new@example.org')).toBeNull();
    clock.t += 1_000;
    expect(throttle.admit('203.0.113.7', 'user-new@example.org')).toMatchObject({ standing: 'suspect' });
  });

  it('keeps its memory bounded under a flood of random account names from many addresses, and forgets quiet keys', () => {
    const { throttle, clock } = setup();
    for (let i = 0; i < 5_000; i++) fail(throttle, `10.0.${i % 250}.${i % 7}`, `random-${i}@example.org`);
    expect(throttle.size.pairs).toBeLessThanOrEqual(100);
    expect(throttle.size.addresses).toBeLessThanOrEqual(100);
    clock.t += 3_600_000;
    fail(throttle, '192.0.2.1', 'someone');
    expect(throttle.size).toEqual({ pairs: 1, addresses: 1 });
  });
});

describe('addressKey', () => {
  it('keeps IPv4 addresses, unwraps IPv4-mapped ones and groups IPv6 by /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:aa:bb:1:2:3:4')).toBe('2001:db8:aa:bb::/64');
    expect(addressKey('2001:DB8:AA:BB::99')).toBe('2001:db8:aa:bb::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey(undefined)).toBe('?');
  });
});
