/**
 * A manual clock for tests of time-driven code (the update controller, the
 * request tracker): time moves only when the test calls `advance` or `set`,
 * and due timers run in order. Beside `systemClock` in clock.ts.
 */
import type { Clock } from './clock';

export class FakeClock implements Clock {
  private nowMs: number;
  private nextId = 1;
  private timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start: Date | number) {
    this.nowMs = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.nowMs + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  pending(): number {
    return this.timers.size;
  }

  /** Moves time forward, running each timer that falls due, in order; awaits microtasks between them. */
  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.nowMs = Math.max(this.nowMs, next[1].at);
      next[1].fn();
      await flush();
    }
    this.nowMs = end;
    await flush();
  }

  /** Jumps to a wall-clock time (forward only), running due timers. */
  async set(at: Date): Promise<void> {
    await this.advance(Math.max(0, at.getTime() - this.nowMs));
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
