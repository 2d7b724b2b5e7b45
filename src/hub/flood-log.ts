/**
 * Warnings that an attacker can repeat at will (refused frames, refused
 * logins and booth connections, floods cut off) are logged once per window
 * and key: the first at once, then, at the end of each window in which it
 * happened again, one line with how many times. A flood of 1,800 frames
 * writes two lines, not 1,800, and the count is still there.
 */
import type { Logger } from 'pino';

interface Window {
  fields: Record<string, unknown>;
  msg: string;
  repeated: number;
  timer: ReturnType<typeof setTimeout>;
}

export interface FloodLogOptions {
  windowMs?: number;
  /** Keys tracked at once; beyond, further keys share one window (attackers with many addresses). */
  maxKeys?: number;
}

const OVERFLOW = '\u0000overflow';

export class FloodLog {
  private readonly windows = new Map<string, Window>();
  private readonly windowMs: number;
  private readonly maxKeys: number;

  constructor(private readonly log: Logger, opts: FloodLogOptions = {}) {
    this.windowMs = opts.windowMs ?? 60_000;
    this.maxKeys = opts.maxKeys ?? 1_000;
  }

  /** A warning of the kind `key`: written now if it is the first of its window, counted otherwise. */
  warn(key: string, fields: Record<string, unknown>, msg: string): void {
    if (!this.windows.has(key) && this.windows.size >= this.maxKeys) {
      key = OVERFLOW;
      fields = { overflow: true };
      msg = 'more refusals of other kinds or sources';
    }
    const w = this.windows.get(key);
    if (w) {
      w.repeated += 1;
      return;
    }
    this.log.warn(fields, msg);
    this.open(key, fields, msg);
  }

  /** Writes every pending count now and stops (the hub or the connection is closing). */
  close(): void {
    for (const key of [...this.windows.keys()]) this.end(key, false);
  }

  private open(key: string, fields: Record<string, unknown>, msg: string): void {
    const timer = setTimeout(() => this.end(key, true), this.windowMs);
    // A pending summary never keeps the process alive.
    timer.unref();
    this.windows.set(key, { fields, msg, repeated: 0, timer });
  }

  private end(key: string, reopen: boolean): void {
    const w = this.windows.get(key);
    if (!w) return;
    clearTimeout(w.timer);
    this.windows.delete(key);
    if (w.repeated === 0) return;
    this.log.warn({ ...w.fields, repeated: w.repeated, windowSeconds: Math.round(this.windowMs / 1000) }, `${w.msg} (repeated)`);
    // Still flooding: the next window sums up again rather than writing its first line anew.
    if (reopen) this.open(key, w.fields, w.msg);
  }
}
