/**
 * The one gate every secret check of the hub goes through (booth tokens,
 * specialists' passwords): scrypt costs tens of milliseconds of a CPU core
 * and 16 MiB each, so at most `maxConcurrent` run at once, hub-wide. The
 * others wait in a bounded queue served round-robin by address: a flood from
 * one address waits behind its own attempts, not in front of a doctor's or a
 * booth's. A full queue (or an address with too many waiting) is refused at
 * once with a hint of when to retry; nothing waits without bound.
 *
 * Many flooding addresses would still fill the queue, so a check the caller
 * marks `priority` (an address and account that have got in before: a booth
 * reconnecting, a doctor at their usual place) skips the queue and is never
 * refused (below its own bound): it waits only for the checks already
 * running and other priority ones. Priority cannot be forged: it is earned
 * with the right secret.
 */
import { CabineError } from '../shared/errors';
import { inWords, retryAfterSeconds } from './throttle';

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

export class HashGate {
  private running = 0;
  private queued = 0;
  /** Waiting checks by address; the map's order is the round-robin order. */
  private readonly byAddress = new Map<string, Waiting[]>();
  /** Waiting checks marked priority, first come first served. */
  private readonly first: Waiting[] = [];

  constructor(private readonly opts: HashGateOptions = HASH_GATE_DEFAULTS) {}

  /** Checks running and waiting now. */
  get load(): { running: number; queued: number } {
    return { running: this.running, queued: this.queued };
  }

  /**
   * Runs `check` when a slot is free; throws HubBusyError at once when the
   * queue is full (a `priority` check only when `maxQueued` priority checks
   * are already waiting).
   */
  async run<T>(address: string, check: () => Promise<T>, opts: { priority?: boolean } = {}): Promise<T> {
    // Bounded too: priority is earned with a right secret, but a booth could keep earning it.
    if (this.running >= this.opts.maxConcurrent && opts.priority && this.first.length < this.opts.maxQueued) {
      await new Promise<void>((start) => this.first.push({ start }));
    } else if (this.running >= this.opts.maxConcurrent) {
      const mine = this.byAddress.get(address);
      if (this.queued >= this.opts.maxQueued || (mine?.length ?? 0) >= this.opts.maxQueuedPerAddress) {
        throw new HubBusyError(this.opts.retryAfterMs);
      }
      await new Promise<void>((start) => {
        if (mine) mine.push({ start });
        else this.byAddress.set(address, [{ start }]);
        this.queued += 1;
      });
    } else {
      this.running += 1;
    }
    try {
      return await check();
    } finally {
      this.next();
    }
  }

  /** Hands the finished check's slot to the next address in turn, or frees it. */
  private next(): void {
    const urgent = this.first.shift();
    if (urgent) {
      urgent.start();
      return;
    }
    const first = this.byAddress.entries().next();
    if (first.done) {
      this.running -= 1;
      return;
    }
    const [address, waiting] = first.value;
    const w = waiting.shift()!;
    this.byAddress.delete(address);
    // To the back of the line: the other addresses go first.
    if (waiting.length > 0) this.byAddress.set(address, waiting);
    this.queued -= 1;
    w.start();
  }
}
