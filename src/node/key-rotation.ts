/**
 * A data key's rotation, end to end, and its schedule (issue #21):
 * 1. add a key and make it current (FileKeyProvider.rotate: fsync, atomic
 *    rename) — new data is sealed with it at once;
 * 2. re-seal the rows still on older keys in the background (./reseal.ts);
 * 3. retire an older key from the file once no row uses it and it has not
 *    been current for `graceMs` (other processes sharing the key file — hub
 *    nodes — re-read it within a second, see FileKeyProvider.current(); the
 *    grace covers a process that sealed a row under the old key just before).
 * Each step is told to `onStep` (the hub journals it, the booth notes an
 * incident). A run interrupted by SIGKILL is resumed by the next run: the
 * schedule's check, at start and then daily, re-seals whatever is left.
 */
import { systemClock, type Clock } from '../shared/clock';
import type { FileKeyProvider, KeyInfo } from './keys';
import { resealOldRows, rowsPerKey, type ResealResult, type SealedColumn, type SealedRowsDb } from './reseal';

export const DAY_MS = 86_400_000;

export type RotationStep =
  | { kind: 'added'; keyId: number }
  | { kind: 'resealed'; keyId: number; rows: number }
  | { kind: 'unreadable'; keyId: number; rows: number; codes: string[] }
  | { kind: 'retired'; keyId: number };

export interface SealedKeyOptions {
  /** The key file's name as the journal and the status show it (`record.key`). */
  name: string;
  keys: FileKeyProvider;
  db: SealedRowsDb;
  columns: readonly SealedColumn[];
  batchSize?: number;
  pause?: () => Promise<void>;
  /** After each batch committed (progress). */
  onBatch?: (table: string, written: number) => void;
  /** How long an old key stays after it stopped being current, even with no row on it (0 for one process). */
  graceMs?: number;
  clock?: Pick<Clock, 'now'>;
  onStep?: (step: RotationStep) => void | Promise<void>;
}

export interface KeyStatus {
  name: string;
  keys: (KeyInfo & { ageDays: number; rows: number })[];
  /** Rows sealed under a key that is not current (left to re-seal). */
  rowsOnOldKeys: number;
}

export interface RunResult extends ResealResult {
  retired: number[];
}

/** One key file's rotation, as the schedule and the admin command drive it. */
export interface KeyRotation {
  readonly name: string;
  /** Whether the current key is older than `periodDays`. */
  due(periodDays: number): boolean;
  /** Whether a rotation is left to finish (rows to re-seal, a key to retire). */
  pending(): boolean;
  rotate(signal?: AbortSignal): Promise<unknown>;
  run(signal?: AbortSignal): Promise<unknown>;
  status(): Promise<KeyStatus>;
}

/** One key file and the rows it seals. */
export class SealedKeyRotation implements KeyRotation {
  readonly name: string;
  private readonly clock: Pick<Clock, 'now'>;

  constructor(private readonly opts: SealedKeyOptions) {
    this.name = opts.name;
    this.clock = opts.clock ?? systemClock;
  }

  /** Whether the current key is older than `periodDays`. */
  due(periodDays: number): boolean {
    const current = this.opts.keys.list().find((k) => k.current);
    return !current || this.clock.now() - current.createdAt >= periodDays * DAY_MS;
  }

  /** Whether an older key is still in the file (a rotation to finish: re-seal, retire). */
  pending(): boolean {
    return this.opts.keys.list().some((k) => !k.current);
  }

  /** Adds a key (step 1), then runs steps 2 and 3. */
  async rotate(signal?: AbortSignal): Promise<RunResult> {
    const key = this.opts.keys.rotate(this.clock.now());
    await this.opts.onStep?.({ kind: 'added', keyId: key.id });
    return this.run(signal);
  }

  /** Steps 2 and 3: re-seals what is left on older keys, retires the keys nothing uses any more. */
  async run(signal?: AbortSignal): Promise<RunResult> {
    const keyId = this.opts.keys.current().id;
    const result = await resealOldRows({
      keys: this.opts.keys, db: this.opts.db, columns: this.opts.columns,
      ...(this.opts.batchSize ? { batchSize: this.opts.batchSize } : {}),
      ...(this.opts.pause ? { pause: this.opts.pause } : {}),
      ...(this.opts.onBatch ? { onBatch: (col: SealedColumn, n: number) => this.opts.onBatch!(col.table, n) } : {}),
      ...(signal ? { signal } : {}),
    });
    if (result.resealed > 0) await this.opts.onStep?.({ kind: 'resealed', keyId, rows: result.resealed });
    const unreadable = result.unreadable.reduce((n, u) => n + u.count, 0);
    if (unreadable > 0) await this.opts.onStep?.({ kind: 'unreadable', keyId, rows: unreadable, codes: [...new Set(result.unreadable.flatMap((u) => u.codes))] });
    const retired = result.stopped ? [] : await this.retireUnused();
    return { ...result, retired };
  }

  /** Step 3 alone: removes from the file each old key no row uses, once past the grace. */
  async retireUnused(): Promise<number[]> {
    const counts = await rowsPerKey(this.opts.db, this.opts.columns);
    const keys = this.opts.keys.list();
    const retired: number[] = [];
    for (const k of keys) {
      if (k.current || (counts.get(k.id) ?? 0) > 0) continue;
      // It stopped being current when the next key was added.
      const successor = keys.find((n) => n.id > k.id);
      const grace = this.opts.graceMs ?? 0;
      if (successor && grace > 0 && this.clock.now() - successor.createdAt < grace) continue;
      this.opts.keys.retire(k.id);
      retired.push(k.id);
      await this.opts.onStep?.({ kind: 'retired', keyId: k.id });
    }
    return retired;
  }

  async status(): Promise<KeyStatus> {
    const counts = await rowsPerKey(this.opts.db, this.opts.columns);
    const now = this.clock.now();
    const keys = this.opts.keys.list().map((k) => ({ ...k, ageDays: Math.floor((now - k.createdAt) / DAY_MS), rows: counts.get(k.id) ?? 0 }));
    // Rows under an id the file does not hold (a lost key) count as left too.
    const current = keys.find((k) => k.current)?.id;
    let rowsOnOldKeys = 0;
    for (const [id, n] of counts) if (id !== current) rowsOnOldKeys += n;
    return { name: this.name, keys, rowsOnOldKeys };
  }
}

/**
 * A key that only ever gains keys: the journal's (each entry keeps the id of
 * the key its MAC was made with; the chain is never re-MACed, so old keys
 * stay to verify it). Rotating adds a current key; nothing is re-sealed or
 * retired.
 */
export class AddOnlyKeyRotation implements KeyRotation {
  private readonly clock: Pick<Clock, 'now'>;

  constructor(readonly name: string, private readonly keys: FileKeyProvider, private readonly onStep?: (step: RotationStep) => void | Promise<void>, clock?: Pick<Clock, 'now'>) {
    this.clock = clock ?? systemClock;
  }

  due(periodDays: number): boolean {
    const current = this.keys.list().find((k) => k.current);
    return !current || this.clock.now() - current.createdAt >= periodDays * DAY_MS;
  }

  pending(): boolean {
    return false;
  }

  async rotate(): Promise<void> {
    const key = this.keys.rotate(this.clock.now());
    await this.onStep?.({ kind: 'added', keyId: key.id });
  }

  async run(): Promise<void> {}

  status(): Promise<KeyStatus> {
    const now = this.clock.now();
    return Promise.resolve({ name: this.name, keys: this.keys.list().map((k) => ({ ...k, ageDays: Math.floor((now - k.createdAt) / DAY_MS), rows: 0 })), rowsOnOldKeys: 0 });
  }
}

export interface ScheduleOptions {
  /** Rotate when the current key is older than this. */
  periodDays: number;
  /** What to check: due → rotate, else pending → resume. */
  rotations: () => Promise<readonly KeyRotation[]> | readonly KeyRotation[];
  /** Once a day by default. */
  checkEveryMs?: number;
  clock?: Clock;
  /**
   * Runs one rotation's work when it may (the hub takes its advisory lock
   * here; returns false when another node holds it). Runs the work directly
   * by default.
   */
  exclusive?: <T>(work: () => Promise<T>, name: string) => Promise<{ ran: true; value: T } | { ran: false }>;
  onError?: (error: unknown, name: string) => void;
  /** After each check (the hub closes the connections it opened for it). */
  afterCheck?: () => Promise<void>;
}

/**
 * At start and every `checkEveryMs`: for each key file, rotate when its key
 * is older than the period, or finish (resume) a rotation left halfway.
 * One check at a time; stop() aborts between batches.
 */
export class RotationSchedule {
  private readonly clock: Clock;
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private readonly abort = new AbortController();

  constructor(private readonly opts: ScheduleOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  start(): void {
    void this.check();
  }

  /** One check now (also what the timer runs); resolves when it is done. */
  check(): Promise<void> {
    this.running ??= this.checkOnce().finally(() => {
      this.running = null;
      if (!this.abort.signal.aborted) this.arm();
    });
    return this.running;
  }

  private arm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.check();
    }, this.opts.checkEveryMs ?? DAY_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async checkOnce(): Promise<void> {
    const exclusive = this.opts.exclusive ?? (async <T>(work: () => Promise<T>) => ({ ran: true as const, value: await work() }));
    let rotations: readonly KeyRotation[];
    try {
      rotations = await this.opts.rotations();
    } catch (error) {
      this.opts.onError?.(error, 'keys');
      await this.opts.afterCheck?.();
      return;
    }
    for (const rotation of rotations) {
      if (this.abort.signal.aborted) return;
      try {
        await exclusive(async () => {
          // Looked at again under the lock: another node may just have rotated.
          if (rotation.due(this.opts.periodDays)) await rotation.rotate(this.abort.signal);
          else if (rotation.pending()) await rotation.run(this.abort.signal);
        }, rotation.name);
      } catch (error) {
        this.opts.onError?.(error, rotation.name);
      }
    }
    await this.opts.afterCheck?.();
  }

  /** Stops the timer and the work in progress (between batches). */
  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
