/**
 * The one gate every secret check of the hub goes through (booth tokens,
 * specialists' passwords): scrypt costs tens of milliseconds of a CPU core
 * and 16 MiB each, so at most `maxConcurrent` run at once, hub-wide. The
 * others wait in a bounded queue served round-robin by address: a flood from
 * one address waits behind its own attempts, not in front of a doctor's or a
 * booth's. A full queue (or an address with too many waiting) is refused at
 * once with a hint of when to retry; nothing waits without bound.
 *
 * Many flooding addresses would still make a long line, so the line has
 * three ranks, by the caller's standing with the failure throttle: an
 * address and account that have got in before (a booth reconnecting, a
 * doctor at their usual place) go first and are never refused below their
 * own bound; then addresses without recent failures (a new booth, a new
 * doctor); last, addresses that have failed lately — where a flood soon
 * finds itself. A known standing cannot be forged: it is earned with the
 * right secret.
 */
import { CabineError } from '../shared/errors';
import { inWords, retryAfterSeconds } from './retry-after';

export interface HashGateOptions {
  /** Checks running at once, hub-wide. */
  maxConcurrent: number;
  /** Checks waiting, hub-wide. */
  maxQueued: number;
  /** Checks waiting from one address. */
  maxQueuedPerAddress: number;
  /** The retry hint given when refusing. */
  retryAfterMs: number;
}

export const HASH_GATE_DEFAULTS: HashGateOptions = {
  // Two cores on a small hub; the mediasoup workers and SQLite need the rest.
  maxConcurrent: 2,
  maxQueued: 64,
  maxQueuedPerAddress: 4,
  retryAfterMs: 2_000,
};

/** The hub has too many secret checks waiting: try again shortly. */
export class HubBusyError extends CabineError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    const wait = inWords(retryAfterMs);
    super('HUB_BUSY', {
      fr: `Le serveur est très sollicité. Réessayez dans ${wait.fr}.`,
      en: `The server is very busy. Try again in ${wait.en}.`,
    });
    this.retryAfterMs = retryAfterMs;
  }

  get retryAfterSeconds(): number {
    return retryAfterSeconds(this.retryAfterMs);
  }
}

interface Waiting {
  start: () => void;
}

/**
 * Who is asking, as the failure throttle sees it: an address that got into
 * this account before, an address with no recent failure, or one with some.
 */
export type Standing = 'known' | 'clean' | 'suspect';

export class HashGate {
  private running = 0;
  private queued = 0;
  /** Known pairs' checks, first come first served. */
  private readonly known: Waiting[] = [];
  /** The others by standing, then by address; each map's order is its round-robin order. */
  private readonly waiting: Record<Exclude<Standing, 'known'>, Map<string, Waiting[]>> = { clean: new Map(), suspect: new Map() };

  constructor(private readonly opts: HashGateOptions = HASH_GATE_DEFAULTS) {}

  /** Checks running and waiting now. */
  get load(): { running: number; queued: number } {
    return { running: this.running, queued: this.queued + this.known.length };
  }

  /**
   * Runs `check` when a slot is free; throws HubBusyError at once when the
   * queue is full. `known` checks go first and are refused only when
   * `maxQueued` of them already wait; then `clean` ones, then `suspect` ones.
   */
  async run<T>(address: string, check: () => Promise<T>, standing: Standing = 'clean'): Promise<T> {
    if (this.running < this.opts.maxConcurrent) {
      this.running += 1;
    } else if (standing === 'known' && this.known.length < this.opts.maxQueued) {
      // Bounded too: a known standing is earned with a right secret, but a booth could keep earning it.
      await new Promise<void>((start) => this.known.push({ start }));
    } else {
      const tier = this.waiting[standing === 'suspect' ? 'suspect' : 'clean'];
      const mine = tier.get(address);
      if (this.queued >= this.opts.maxQueued || (mine?.length ?? 0) >= this.opts.maxQueuedPerAddress) {
        throw new HubBusyError(this.opts.retryAfterMs);
      }
      await new Promise<void>((start) => {
        if (mine) mine.push({ start });
        else tier.set(address, [{ start }]);
        this.queued += 1;
      });
    }
    try {
      return await check();
    } finally {
      this.next();
    }
  }

  /** Hands the finished check's slot to the next in line, or frees it. */
  private next(): void {
    const urgent = this.known.shift();
    if (urgent) return urgent.start();
    for (const tier of [this.waiting.clean, this.waiting.suspect]) {
      const first = tier.entries().next();
      if (first.done) continue;
      const [address, waiting] = first.value;
      const w = waiting.shift()!;
      tier.delete(address);
      // To the back of the line: the other addresses go first.
      if (waiting.length > 0) tier.set(address, waiting);
      this.queued -= 1;
      return w.start();
    }
    this.running -= 1;
  }
}
