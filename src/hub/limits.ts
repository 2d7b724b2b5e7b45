/** The hub's limits against abuse, as options and as in force (defaults filled in; src/hub/throttle.ts says why they are what they are). */
import { systemClock, type Clock } from '../shared/clock';
import type { SecretVerifier } from './directory';
import type { HashGateOptions } from './hash-gate';
import { BOOTH_LIMITS, LOGIN_LIMITS, type AttemptLimits, type ThrottlePolicy } from './throttle';

export interface HubLimitOptions {
  /** The throttles' clock (tests move it rather than wait). */
  clock?: Pick<Clock, 'now'>;
  /** Wrong passwords per (address, account), and per address. */
  login?: Partial<ThrottlePolicy> & { perAddress?: Partial<ThrottlePolicy> };
  /** Wrong booth tokens per (address, booth id), and per address. */
  booth?: Partial<ThrottlePolicy> & { perAddress?: Partial<ThrottlePolicy> };
  /** The hub-wide gate of scrypt checks, and the check itself. */
  hashes?: Partial<HashGateOptions> & { verify?: SecretVerifier };
  /** Repeated warnings are written once per window with a count. */
  logWindowMs?: number;
  /** How often open consoles' and counter pages' sessions are asked again (a sign-out on another node, an expiry): src/hub/session-watch.ts. */
  sessionCheckMs?: number;
}

/** The limits in force, defaults filled in. */
export interface HubLimits {
  clock: Pick<Clock, 'now'>;
  login: AttemptLimits;
  booth: AttemptLimits;
  logWindowMs: number;
  sessionCheckMs: number;
}

function attemptLimits(base: AttemptLimits, o: HubLimitOptions['login']): AttemptLimits {
  const { perAddress, ...pair } = o ?? {};
  return { pair: { ...base.pair, ...pair }, address: { ...base.address, ...perAddress } };
}

export function hubLimits(o: HubLimitOptions = {}): HubLimits {
  return {
    clock: o.clock ?? systemClock,
    login: attemptLimits(LOGIN_LIMITS, o.login),
    booth: attemptLimits(BOOTH_LIMITS, o.booth),
    logWindowMs: o.logWindowMs ?? 60_000,
    sessionCheckMs: o.sessionCheckMs ?? 15_000,
  };
}
