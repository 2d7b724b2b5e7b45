/**
 * One mediasoup worker per core (DESIGN §6): rooms go to the least-loaded
 * worker; a worker that dies is replaced at once, and whoever owns its rooms
 * hears about it ('workerDied') so they can rebuild or close them.
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';

export const MEDIA_CODECS: ms.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48_000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90_000 },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90_000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
];

export interface WorkerPoolEvents {
  /** A worker died; every router it carried is closed (`router.closed`). */
  workerDied: [pid: number];
}

interface Slot {
  worker: ms.Worker;
  routers: Set<ms.Router>;
}

export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  private readonly slots: Slot[] = [];
  private closed = false;

  constructor(private readonly count: number, private readonly log: Logger) {
    super();
  }

  /** `workers: 0` in the hub config means one per core. */
  static size(configured: number): number {
    return configured > 0 ? configured : Math.max(1, os.cpus().length);
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.count; i++) this.slots.push(await this.spawn());
    this.log.info({ workers: this.count }, 'mediasoup workers started');
  }

  get workers(): ms.Worker[] {
    return this.slots.map((s) => s.worker);
  }

  private async spawn(): Promise<Slot> {
    const worker = await mediasoup.createWorker({ logLevel: 'warn' });
    const slot: Slot = { worker, routers: new Set() };
    worker.on('died', (error) => void this.replace(slot, error));
    return slot;
  }

  private async replace(slot: Slot, error: Error): Promise<void> {
    if (this.closed) return;
    this.log.error({ pid: slot.worker.pid, err: error.message }, 'mediasoup worker died: replacing it');
    const i = this.slots.indexOf(slot);
    slot.routers.clear();
    try {
      const fresh = await this.spawn();
      if (this.closed) fresh.worker.close();
      else if (i >= 0) this.slots[i] = fresh;
    } catch (spawnError) {
      this.log.error({ err: (spawnError as Error).message }, 'could not replace a mediasoup worker');
      if (i >= 0) this.slots.splice(i, 1);
    }
    this.emit('workerDied', slot.worker.pid);
  }

  /** A router for one room on the worker carrying the fewest rooms. */
  async createRouter(): Promise<ms.Router> {
    const live = this.slots.filter((s) => !s.worker.closed);
    if (live.length === 0) throw new Error('no mediasoup worker is running');
    const slot = live.reduce((a, b) => (b.routers.size < a.routers.size ? b : a));
    const router = await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    slot.routers.add(router);
    router.observer.once('close', () => slot.routers.delete(router));
    return router;
  }

  /** Rooms per worker, for health and tests. */
  load(): { pid: number; rooms: number }[] {
    return this.slots.map((s) => ({ pid: s.worker.pid, rooms: s.routers.size }));
  }

  close(): void {
    this.closed = true;
    for (const s of this.slots) s.worker.close();
    this.slots.length = 0;
  }
}
