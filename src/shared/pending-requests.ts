/**
 * Requests awaiting their answer, by id, each with a timeout: the one
 * bookkeeping of every request/answer link (the host's HubLink and the hub's
 * Peer, the kiosk's and the console's WebSocket clients). A request never
 * hangs: it is answered, times out, or fails with its connection. An answer
 * that comes after its request timed out is ignored. Browser-safe; timers
 * come from the injected clock.
 */
import { systemClock, type Clock } from './clock';

/** A request that got no answer within its timeout. */
export class RequestTimeoutError extends Error {
  readonly code = 'REQUEST_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: unknown;
}

export class PendingRequests {
  private nextId = 1;
  private readonly pending = new Map<number, Waiting>();

  constructor(private readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'> = systemClock) {}

  /** How many requests are still waiting. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Registers a request under a fresh id and `send(id)` puts it on the wire.
   * Unanswered after `timeoutMs`, it rejects with `onTimeout()` (by default a
   * `RequestTimeoutError`); if `send` throws, it rejects with that at once.
   */
  start<T>(send: (id: number) => void, timeoutMs: number, onTimeout: () => Error = () => new RequestTimeoutError(timeoutMs)): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(id);
        reject(onTimeout());
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      try {
        send(id);
      } catch (error) {
        this.take(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Answers request `id`; false (and nothing happens) when it is not waiting: timed out, failed, or never sent. */
  resolve(id: number, value: unknown): boolean {
    const p = this.take(id);
    p?.resolve(value);
    return p !== null;
  }

  /** Fails request `id` with `error`; false when it is not waiting. */
  reject(id: number, error: Error): boolean {
    const p = this.take(id);
    p?.reject(error);
    return p !== null;
  }

  /** Rejects every request still waiting (the connection is gone). */
  failAll(error: () => Error): void {
    for (const id of [...this.pending.keys()]) this.reject(id, error());
  }

  private take(id: number): Waiting | null {
    const p = this.pending.get(id);
    if (!p) return null;
    this.pending.delete(id);
    this.clock.clearTimeout(p.timer);
    return p;
  }
}
