/**
 * Failure throttles for the hub's two secrets checks (a specialist's
 * password at /api/login, a booth's token at /booth): failures are counted
 * per (address, account) and each one beyond a free allowance doubles the
 * wait before that pair may try again, up to a ceiling. Successes are never
 * counted and a success clears its pair, so the right secret is never
 * refused because of someone else's mistakes: not a colleague's (another
 * account), not an attacker's elsewhere (another address).
 *
 * The accepted trade-off: an attacker may guess each account slowly from
 * each address. Behind that, a generous ceiling of FAILURES per address
 * (successes never count) stops one address from spraying many accounts or
 * random booth ids; a pair that has succeeded from that address before is
 * exempt from it, so a clinic or pharmacy sharing its address with the
 * sprayer keeps getting in.
 *
 * Each table forgets a key after a quiet period and holds at most
 * `maxEntries` keys (the least recently failed go first), so a flood of
 * random account names costs bounded memory.
 */
import { systemClock, type Clock } from '../shared/clock';
import { CabineError } from '../shared/errors';
import type { Standing } from './hash-gate';
import { inWords, retryAfterSeconds } from './retry-after';

export interface ThrottlePolicy {
  /** Failures before the first wait: the `freeFailures`-th failure imposes `baseDelayMs`. */
  freeFailures: number;
  /** The first wait; it doubles with each further failure. */
  baseDelayMs: number;
  /** The wait never grows beyond this. */
  maxDelayMs: number;
  /** A key without a failure for this long is forgotten (kept at least until its wait is over). */
  forgetAfterMs: number;
  /** Keys remembered at most; beyond, the least recently failed are forgotten first. */
  maxEntries: number;
}

/** How long to wait after `failures` failures under `policy`, in ms. */
export function waitAfter(failures: number, policy: Pick<ThrottlePolicy, 'freeFailures' | 'baseDelayMs' | 'maxDelayMs'>): number {
  const beyond = failures - policy.freeFailures;
  if (beyond < 0) return 0;
  // 2^30 is far past any ceiling; capping the exponent keeps the arithmetic finite.
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(beyond, 30));
}

interface Entry {
  failures: number;
  lastFailure: number;
}

/** One table of failures by key, bounded in time and size. */
export class FailureTable {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly policy: ThrottlePolicy, private readonly clock: Pick<Clock, 'now'> = systemClock) {}

  get size(): number {
    return this.entries.size;
  }

  /** Milliseconds before `key` may try again; 0 when it may now. */
  waitMs(key: string): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, e.lastFailure + waitAfter(e.failures, this.policy) - this.clock.now());
  }

  /** Counts one failure of `key`. */
  fail(key: string): void {
    const t = this.clock.now();
    const e = this.entries.get(key);
    // Re-inserted at the end: the map's order is the order of the last failure, oldest first.
    this.entries.delete(key);
    this.entries.set(key, { failures: (e?.failures ?? 0) + 1, lastFailure: t });
    this.prune(t);
  }

  /** Takes back one failure counted ahead of a verdict that never came (the check could not run). */
  unfail(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    if (e.failures <= 1) this.entries.delete(key);
    else e.failures -= 1;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  /** Whether `key` has failures on record. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  private prune(t: number): void {
    const keep = Math.max(this.policy.forgetAfterMs, this.policy.maxDelayMs);
    for (const [key, e] of this.entries) {
      if (t - e.lastFailure < keep && this.entries.size <= this.policy.maxEntries) break;
      this.entries.delete(key);
    }
  }
}

/** Pairs (address, account) that got in: exempt from their address's ceiling. Bounded like a FailureTable. */
class KnownGood {
  private readonly seen = new Map<string, number>();
  constructor(private readonly maxEntries: number, private readonly forgetAfterMs: number, private readonly clock: Pick<Clock, 'now'>) {}

  has(key: string): boolean {
    const at = this.seen.get(key);
    return at !== undefined && this.clock.now() - at < this.forgetAfterMs;
  }

  add(key: string): void {
    const t = this.clock.now();
    this.seen.delete(key);
    this.seen.set(key, t);
    for (const [k, at] of this.seen) {
      if (t - at < this.forgetAfterMs && this.seen.size <= this.maxEntries) break;
      this.seen.delete(k);
    }
  }
}

export interface AttemptLimits {
  /** Per (address, account). */
  pair: ThrottlePolicy;
  /** Per address, all accounts together: failures only, generous. */
  address: ThrottlePolicy;
}

/** One admitted attempt: report its verdict exactly once. */
export interface Attempt {
  /** Known (got into this account before), clean (no recent failure) or suspect: its rank at the hash gate. */
  readonly standing: Standing;
  /** The secret was right: the pair starts afresh. */
  succeeded(): void;
  /** The secret was wrong. */
  failed(): void;
  /** No verdict (the check could not run): the attempt is not held against anyone. */
  abandoned(): void;
}

/** Too many recent failures: try again after `retryAfterMs`. */
export class TooManyAttemptsError extends CabineError {
  readonly retryAfterMs: number;
  /** Whose failures: this account's from this address, or this address's in all. */
  readonly scope: 'account' | 'address';

  constructor(retryAfterMs: number, scope: 'account' | 'address') {
    const wait = inWords(retryAfterMs);
    super('TOO_MANY_ATTEMPTS', scope === 'account'
      ? {
        fr: `Trop de tentatives incorrectes pour ce compte. Réessayez dans ${wait.fr}.`,
        en: `Too many failed attempts for this account. Try again in ${wait.en}.`,
      }
      : {
        fr: `Trop de tentatives incorrectes depuis cette adresse. Réessayez dans ${wait.fr}.`,
        en: `Too many failed attempts from this address. Try again in ${wait.en}.`,
      });
    this.retryAfterMs = retryAfterMs;
    this.scope = scope;
  }

  /** Whole seconds, rounded up, for a Retry-After header. */
  get retryAfterSeconds(): number {
    return retryAfterSeconds(this.retryAfterMs);
  }
}

/**
 * The key of an address for throttling: IPv4 as is (also when IPv4-mapped),
 * IPv6 by its /64, since one subscriber usually holds a whole /64.
 * NOTE: X-Forwarded-For is not trusted (anyone can write it); behind a
 * reverse proxy every client would share the proxy's address.
 */
export function addressKey(remoteAddress: string | undefined): string {
  const a = (remoteAddress ?? '?').toLowerCase();
  if (a.startsWith('::ffff:') && a.includes('.')) return a.slice(7);
  if (!a.includes(':')) return a;
  const [head = '', tail = ''] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = a.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Admission of secret checks: per-(address, account) failure throttle plus a
 * per-address ceiling on failures. An admitted attempt counts as a failure of
 * its pair until it succeeds, so simultaneous guesses cannot slip past the
 * count while their checks run.
 */
export class AttemptThrottle {
  private readonly pairs: FailureTable;
  private readonly addresses: FailureTable;
  private readonly good: KnownGood;

  constructor(limits: AttemptLimits, clock: Pick<Clock, 'now'> = systemClock) {
    this.pairs = new FailureTable(limits.pair, clock);
    this.addresses = new FailureTable(limits.address, clock);
    // Remembered as long as an address's failures are, and as many as there are pairs.
    this.good = new KnownGood(limits.pair.maxEntries, Math.max(limits.address.forgetAfterMs, 30 * 24 * 3600_000), clock);
  }

  /** Remembered keys, all tables together (for tests of the memory bound). */
  get size(): { pairs: number; addresses: number } {
    return { pairs: this.pairs.size, addresses: this.addresses.size };
  }

  /** Admits one attempt of `account` from `address`, or throws TooManyAttemptsError. */
  admit(address: string, account: string): Attempt {
    const pair = `${address}\n${account.slice(0, 256)}`;
    const pairWait = this.pairs.waitMs(pair);
    if (pairWait > 0) throw new TooManyAttemptsError(pairWait, 'account');
    const knownGood = this.good.has(pair);
    if (!knownGood) {
      const addressWait = this.addresses.waitMs(address);
      if (addressWait > 0) throw new TooManyAttemptsError(addressWait, 'address');
    }
    this.pairs.fail(pair);
    let settled = false;
    const once = (fn: () => void) => () => {
      if (settled) return;
      settled = true;
      fn();
    };
    return {
      standing: knownGood ? 'known' : this.addresses.has(address) ? 'suspect' : 'clean',
      succeeded: once(() => {
        this.pairs.forget(pair);
        this.good.add(pair);
      }),
      failed: once(() => this.addresses.fail(address)),
      abandoned: once(() => this.pairs.unfail(pair)),
    };
  }
}

/** Defaults: a doctor mistyping waits 1 s after the 3rd failure, 2 s after the 4th…; an attacker gets ~100 guesses a day per account and address. */
export const LOGIN_LIMITS: AttemptLimits = {
  pair: { freeFailures: 3, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000, maxEntries: 10_000 },
  address: { freeFailures: 50, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000, maxEntries: 10_000 },
};

/**
 * Booth tokens are long random secrets, nobody guesses them: these limits
 * bound the scrypt work a flood costs, with a short ceiling so a booth whose
 * token was fixed (or that shares its address with a flood) is back within a
 * minute.
 */
export const BOOTH_LIMITS: AttemptLimits = {
  pair: { freeFailures: 3, baseDelayMs: 1_000, maxDelayMs: 60_000, forgetAfterMs: 10 * 60_000, maxEntries: 10_000 },
  address: { freeFailures: 30, baseDelayMs: 1_000, maxDelayMs: 60_000, forgetAfterMs: 10 * 60_000, maxEntries: 10_000 },
};
