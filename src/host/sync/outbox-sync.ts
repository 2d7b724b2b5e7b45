/**
 * Drains the booth's outbox to the hub's record over the one authenticated
 * link (DESIGN §4). As soon as the link is online, the oldest items go up in
 * batches, in outbox order (so in order within a session); the hub answers
 * with the ids it holds, and only those are marked acknowledged. A lost
 * answer means the batch is sent again under a fresh batch id, and the hub
 * acknowledges the duplicates without storing them twice. While the hub is
 * unreachable the outbox keeps everything and retries with jittered backoff.
 * Photos, stethoscope clips and a case's video go first as chunks in binary frames (each
 * acknowledged; progress kept in the store, so a cut resumes at the next
 * chunk), then their metadata item.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { backoffDelay } from '../../shared/backoff';
import { codeOf } from '../../shared/errors';
import { IngestResult, MAX_INGEST_ITEMS, PhotoChunkResult, type BlobChunkParams, type RecordItem } from '../../shared/record-protocol';
import type { HubChannel, LinkStatus } from '../hub-link';
import type { BoothStore, OutboxEntry } from '../store/store';

export interface NetworkStatusData {
  hub: LinkStatus;
  pendingOutbox: number;
}

export interface OutboxSyncEvents {
  networkStatus: [NetworkStatusData];
  /** After each acknowledged batch (tests, the assistant's screen). */
  acked: [string[]];
}

export interface OutboxSyncOptions {
  store: BoothStore;
  channel: HubChannel;
  log: Logger;
  batchSize?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  requestTimeoutMs?: number;
}

export class OutboxSync extends EventEmitter<OutboxSyncEvents> {
  private running = false;
  private again = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private lastStatus = '';
  private readonly onStatus = (status: LinkStatus): void => {
    this.publish();
    if (status === 'online') {
      this.attempt = 0;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.kick();
    }
  };

  constructor(private readonly opts: OutboxSyncOptions) {
    super();
  }

  start(): void {
    this.stopped = false;
    this.opts.channel.on('status', this.onStatus);
    this.publish();
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.opts.channel.off('status', this.onStatus);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Something new is in the outbox: send it if the hub is reachable. */
  kick(): void {
    this.publish();
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer || this.opts.channel.status !== 'online') return;
    void this.drain();
  }

  status(): NetworkStatusData {
    return { hub: this.opts.channel.status, pendingOutbox: this.opts.store.pendingCount() };
  }

  private publish(): void {
    let s: NetworkStatusData;
    try {
      s = this.status();
    } catch {
      return;
    }
    const key = `${s.hub}:${s.pendingOutbox}`;
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.emit('networkStatus', s);
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      do {
        this.again = false;
        while (!this.stopped && this.opts.channel.status === 'online') {
          const entries = this.opts.store.outboxBatch(Math.min(this.opts.batchSize ?? 200, MAX_INGEST_ITEMS));
          if (entries.length === 0) break;
          await this.sendBatch(entries);
          this.attempt = 0;
          this.publish();
        }
      } while (this.again && !this.stopped);
    } catch (error) {
      const code = codeOf(error) ?? 'INTERNAL';
      this.opts.log.warn({ code, err: (error as Error).message }, 'outbox sync paused; will retry');
      this.schedule();
    } finally {
      this.running = false;
      this.publish();
    }
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    const baseMs = this.opts.minDelayMs ?? 500;
    const delay = backoffDelay(this.attempt++, { baseMs, maxMs: this.opts.maxDelayMs ?? 30_000, floorMs: baseMs / 2 }, this.opts.random);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, delay);
  }

  /** Sends items up to (not past) the first photo or clip whose chunks are not all up; uploads that one's chunks first. */
  private async sendBatch(entries: OutboxEntry[]): Promise<void> {
    const store = this.opts.store;
    const items: RecordItem[] = [];
    for (const entry of entries) {
      const blob = this.blobOf(entry);
      if (blob && blob.uploadedChunks < blob.count) {
        if (items.length > 0) break;
        await this.uploadBlob(blob);
      }
      items.push(store.recordItem(entry));
    }
    let raw: unknown;
    try {
      raw = await this.opts.channel.request('record.ingest', { batchId: uuidv7(), items }, { timeoutMs: this.opts.requestTimeoutMs ?? 15_000 });
    } catch (error) {
      this.restartRefusedUploads(error, entries.slice(0, items.length));
      throw error;
    }
    const result = IngestResult.parse(raw);
    const sent = new Set(items.map((i) => i.id));
    const ids = [...result.acked, ...result.duplicates].filter((id) => sent.has(id));
    // An answer that acknowledges nothing would make the loop spin: treat it as a failure and back off.
    if (ids.length === 0) throw Object.assign(new Error('the hub acknowledged none of the batch'), { code: 'NOTHING_ACKED' });
    store.markAcked(ids);
    this.publish();
    this.emit('acked', ids);
  }

  /**
   * The hub refused the batch because it lacks bytes of an upload the booth
   * counted done (`PHOTO_INCOMPLETE`, `CLIP_INCOMPLETE`, `VIDEO_INCOMPLETE`):
   * retrying the item alone would be refused forever, so that upload starts
   * again from its first chunk (the hub ignores those it holds). The hub
   * names the upload in its message; if it names none of the batch's, every
   * upload of that kind in the batch starts again.
   */
  private restartRefusedUploads(error: unknown, entries: OutboxEntry[]): void {
    const kind = INCOMPLETE[codeOf(error) ?? ''];
    if (!kind) return;
    const candidates = entries.filter((e) => e.kind === kind);
    const message = (error as Error).message;
    const named = candidates.filter((e) => message.includes(e.itemId));
    for (const entry of named.length > 0 ? named : candidates) {
      this.opts.log.warn({ kind, code: codeOf(error) }, 'the hub lacks bytes of an upload counted done; sending it again');
      this.opts.store.restartUpload(kind, entry.itemId);
    }
  }

  /** The bytes an item carries beside it (a photo's, a clip's), and how far their upload went. */
  private blobOf(entry: OutboxEntry): PendingBlob | null {
    const store = this.opts.store;
    if (entry.kind === 'photo') {
      const m = store.getPhotoMeta(entry.itemId)!;
      return {
        id: m.id, contentType: m.mime, totalBytes: m.byteLength, count: m.chunkCount, sha256: m.sha256, uploadedChunks: m.uploadedChunks,
        read: (i) => store.readPhotoChunk(m.id, i), mark: (n) => store.markPhotoChunksUploaded(m.id, n), restart: () => store.restartUpload('photo', m.id),
      };
    }
    if (entry.kind === 'clip') {
      const m = store.getClipMeta(entry.itemId)!;
      return {
        id: m.id, contentType: m.mime, totalBytes: m.byteLength, count: m.chunkCount, sha256: m.sha256, uploadedChunks: m.uploadedChunks,
        read: (i) => store.readClipChunk(m.id, i), mark: (n) => store.markClipChunksUploaded(m.id, n), restart: () => store.restartUpload('clip', m.id),
      };
    }
    if (entry.kind === 'video') {
      const m = store.getVideoMeta(entry.itemId)!;
      return {
        id: m.id, contentType: m.mime, totalBytes: m.byteLength, count: m.chunkCount, sha256: m.sha256, uploadedChunks: m.uploadedChunks,
        read: (i) => store.readVideoChunk(m.id, i), mark: (n) => store.markVideoChunksUploaded(m.id, n), restart: () => store.restartUpload('video', m.id),
      };
    }
    return null;
  }

  private async uploadBlob(blob: PendingBlob): Promise<void> {
    for (let index = blob.uploadedChunks; index < blob.count; index++) {
      const params: BlobChunkParams = { blobId: blob.id, contentType: blob.contentType, totalBytes: blob.totalBytes, index, count: blob.count, sha256: blob.sha256 };
      const raw = await this.opts.channel.request('record.blobChunk', params, { timeoutMs: this.opts.requestTimeoutMs ?? 15_000, bytes: blob.read(index) });
      const answer = PhotoChunkResult.parse(raw);
      blob.mark(index + 1);
      if (index === blob.count - 1 && answer.received < blob.count) {
        // The hub holds fewer chunks than the booth sent: some answer counted a chunk the hub never stored.
        blob.restart();
        throw Object.assign(new Error(`upload ${blob.id}: the hub holds ${answer.received} of ${blob.count} chunks`), { code: 'UPLOAD_INCOMPLETE' });
      }
    }
  }
}

/** The hub's refusal of an item whose bytes it lacks, and the kind of upload it names. */
const INCOMPLETE: Record<string, 'photo' | 'clip' | 'video'> = { PHOTO_INCOMPLETE: 'photo', CLIP_INCOMPLETE: 'clip', VIDEO_INCOMPLETE: 'video' };

interface PendingBlob {
  id: string;
  contentType: string;
  totalBytes: number;
  count: number;
  sha256: string;
  uploadedChunks: number;
  read(index: number): Buffer;
  /** Upload progress, kept in the store so that a cut resumes at the next chunk. */
  mark(count: number): void;
  /** Forgets that progress: the next upload sends every chunk. */
  restart(): void;
}
