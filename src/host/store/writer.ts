/**
 * Write before show, even when the disk says no (DESIGN §4). Every write goes
 * through this queue: it is tried at once; on a StoreError (DISK_FULL,
 * DB_LOCKED, DB_CORRUPT…) it stays in memory, an incident is raised, and the
 * queue retries with backoff, in order. Nothing is dropped; `pending()` says
 * how much is waiting.
 */
import { backoffDelay } from '../../shared/backoff';
import { systemClock, type Clock } from '../../shared/clock';
import type { Reading, SessionEvent } from '../../shared/domain';
import { StoreError, toStoreError } from '../../node/store-errors';
import type { CaseManifest } from '../../shared/case-record';
import type { BoothStore, ClipInput, PhotoInput, VideoInput } from './store';

export type PendingWrite =
  | { kind: 'reading'; reading: Reading }
  | { kind: 'sessionEvent'; event: SessionEvent }
  | { kind: 'photo'; photo: PhotoInput }
  | { kind: 'clip'; clip: ClipInput }
  | { kind: 'video'; video: VideoInput }
  /** A forwarded case's manifest: written after its parts, in this queue's order, so the outbox sends it last. */
  | { kind: 'case'; manifest: CaseManifest };

export interface DurableWriterOptions {
  /** The store, or null while it cannot be opened (writes wait in memory). */
  store: () => BoothStore | null;
  onIncident: (error: StoreError) => void;
  /** After each successful write (the sync drains, the kiosk shows). */
  onStored?: (write: PendingWrite) => void;
  minDelayMs?: number;
  maxDelayMs?: number;
  clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
}

interface Queued {
  write: PendingWrite;
  resolve: () => void;
}

export class DurableWriter {
  private readonly queue: Queued[] = [];
  private attempt = 0;
  private timer: unknown = null;
  private lastIncident: string | null = null;
  private stopped = false;

  constructor(private readonly opts: DurableWriterOptions) {}

  /** Resolves once the write is in the store (maybe after retries). */
  write(write: PendingWrite): Promise<void> {
    return new Promise<void>((resolve) => {
      this.queue.push({ write, resolve });
      if (this.queue.length === 1 && this.timer === null) this.flush();
    });
  }

  pending(): number {
    return this.queue.length;
  }

  /** What is still waiting, for a last-chance dump or a test. */
  pendingWrites(): PendingWrite[] {
    return this.queue.map((q) => q.write);
  }

  /** Tries the queue now (e.g. once the support freed disk space). */
  retryNow(): void {
    if (this.timer !== null) (this.opts.clock ?? systemClock).clearTimeout(this.timer);
    this.timer = null;
    this.flush();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) (this.opts.clock ?? systemClock).clearTimeout(this.timer);
    this.timer = null;
  }

  private apply(store: BoothStore, w: PendingWrite): void {
    if (w.kind === 'reading') store.saveReading(w.reading);
    else if (w.kind === 'sessionEvent') store.saveSessionEvent(w.event);
    else if (w.kind === 'photo') store.savePhoto(w.photo);
    else if (w.kind === 'clip') store.saveClip(w.clip);
    else if (w.kind === 'video') store.saveVideo(w.video);
    else store.saveCase(w.manifest);
  }

  private flush(): void {
    while (this.queue.length > 0 && !this.stopped) {
      const head = this.queue[0]!;
      try {
        const store = this.opts.store();
        if (!store) throw new StoreError('STORE_FAILED', { detail: 'the store is not open' });
        this.apply(store, head.write);
      } catch (error) {
        const e = toStoreError(error);
        if (this.lastIncident !== e.code) this.opts.onIncident(e);
        this.lastIncident = e.code;
        const baseMs = this.opts.minDelayMs ?? 200;
        const delay = backoffDelay(this.attempt++, { baseMs, maxMs: this.opts.maxDelayMs ?? 10_000, floorMs: baseMs / 2 });
        this.timer = (this.opts.clock ?? systemClock).setTimeout(() => {
          this.timer = null;
          this.flush();
        }, delay);
        return;
      }
      this.queue.shift();
      this.attempt = 0;
      this.lastIncident = null;
      this.opts.onStored?.(head.write);
      head.resolve();
    }
  }
}
