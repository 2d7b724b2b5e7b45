/**
 * The waiting queue on its own: booths in the order they joined, each with
 * its patient context, the wait estimate, and the grace period of a booth
 * gone offline (it keeps its place that long). No network, no storage: the
 * rooms' service tells it what happens, persists it and tells the booths.
 *
 * Queue ETA: etaMinutes = ceil(position × mean consultation duration ÷
 * max(1, specialists online)); the mean is over the last DURATION_WINDOW
 * ended rooms (DEFAULT_CONSULTATION_MS before any).
 */
import type { QueueEntry } from '../../shared/media-protocol';

export type { QueueEntry } from '../../shared/media-protocol';

/** What a booth tells when it joins: its entry but for who it is, when it came and the estimate. */
export type QueueDetails = Omit<QueueEntry, 'boothId' | 'since' | 'etaMinutes'>;

/** How many ended rooms the ETA averages over. */
export const DURATION_WINDOW = 20;
/** The default mean consultation duration before any room has ended. */
export const DEFAULT_CONSULTATION_MS = 12 * 60_000;

/** ceil(position × mean ÷ max(1, specialists online)), in minutes. */
export function etaMinutes(position: number, meanMs: number, specialistsOnline: number): number {
  return Math.ceil((position * meanMs) / 60_000 / Math.max(1, specialistsOnline));
}

export interface WaitingQueueOptions {
  /** How long an offline booth keeps its place. */
  graceMs: number;
  /** The last ended rooms' durations (ms, newest first), as the state store kept them. */
  durations?: number[];
  /** A booth's grace period ran out (whoever owns the queue decides whether it leaves). */
  onGraceOver: (boothId: string) => void;
}

export class WaitingQueue {
  private readonly entries = new Map<string, QueueEntry>();
  /** Per booth offline while waiting: the timer that ends its grace period. */
  private readonly grace = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly durations: number[];

  constructor(private readonly opts: WaitingQueueOptions) {
    this.durations = (opts.durations ?? []).slice(0, DURATION_WINDOW);
  }

  get size(): number {
    return this.entries.size;
  }

  has(boothId: string): boolean {
    return this.entries.has(boothId);
  }

  get(boothId: string): QueueEntry | undefined {
    return this.entries.get(boothId);
  }

  /** The waiting booths' ids, in order. */
  ids(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** 1-based place of a booth, 0 when it is not waiting. */
  position(boothId: string): number {
    return [...this.entries.keys()].indexOf(boothId) + 1;
  }

  /** Adds a booth at the end, or updates its entry in place (it keeps its place and its arrival time). */
  join(boothId: string, details: QueueDetails): QueueEntry {
    const entry: QueueEntry = { boothId, ...details, since: this.entries.get(boothId)?.since ?? new Date().toISOString() };
    this.entries.set(boothId, entry);
    return entry;
  }

  /** Puts back an entry kept across a restart, as it was. */
  restore(entry: QueueEntry): void {
    this.entries.set(entry.boothId, entry);
  }

  /**
   * Becomes the shared queue as the store holds it (a network of hub nodes:
   * another node changed it), in its order; a booth whose own write is under
   * way here (`pending`) keeps this copy's entry, or its absence, until that
   * write lands. A booth gone from the queue loses its grace timer.
   */
  mirror(entries: readonly QueueEntry[], pending: (boothId: string) => boolean): void {
    const next = new Map<string, QueueEntry>();
    for (const entry of entries) {
      if (!pending(entry.boothId)) next.set(entry.boothId, entry);
      else {
        const mine = this.entries.get(entry.boothId);
        if (mine) next.set(entry.boothId, mine);
      }
    }
    for (const [boothId, entry] of this.entries) if (pending(boothId) && !next.has(boothId)) next.set(boothId, entry);
    for (const boothId of this.grace.keys()) if (!next.has(boothId)) this.stopGrace(boothId);
    this.entries.clear();
    for (const [boothId, entry] of next) this.entries.set(boothId, entry);
  }

  /** Removes a booth (left, or its grace is over); whether it was waiting. */
  leave(boothId: string): boolean {
    this.stopGrace(boothId);
    return this.entries.delete(boothId);
  }

  /** Removes a claimed booth and hands its entry over, without the estimate. */
  take(boothId: string): QueueEntry | undefined {
    const entry = this.entries.get(boothId);
    if (!entry) return undefined;
    this.leave(boothId);
    const { etaMinutes: _eta, ...stored } = entry;
    return stored;
  }

  /** The waiting booths in order, each with its ETA. */
  waiting(specialistsOnline: number): QueueEntry[] {
    const mean = this.meanConsultationMs();
    return [...this.entries.values()].map((e, i) => ({ ...e, etaMinutes: etaMinutes(i + 1, mean, specialistsOnline) }));
  }

  /** Mean duration of the last ended rooms (ms), or the default before any. */
  meanConsultationMs(): number {
    const d = this.durations;
    return d.length ? d.reduce((a, b) => a + b, 0) / d.length : DEFAULT_CONSULTATION_MS;
  }

  /** A consultation that took place: its duration feeds the estimate. */
  recordDuration(ms: number): void {
    this.durations.unshift(ms);
    this.durations.length = Math.min(this.durations.length, DURATION_WINDOW);
  }

  /** The booth went offline: it keeps its place for the grace period (restarted if already running). */
  startGrace(boothId: string): void {
    clearTimeout(this.grace.get(boothId));
    const timer = setTimeout(() => {
      this.grace.delete(boothId);
      this.opts.onGraceOver(boothId);
    }, this.opts.graceMs);
    timer.unref?.();
    this.grace.set(boothId, timer);
  }

  stopGrace(boothId: string): void {
    clearTimeout(this.grace.get(boothId));
    this.grace.delete(boothId);
  }

  close(): void {
    for (const t of this.grace.values()) clearTimeout(t);
    this.grace.clear();
    this.entries.clear();
  }
}
