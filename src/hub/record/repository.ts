/**
 * The hub's record behind one interface (DESIGN §10): SQLite embedded by
 * default (sqlite-repository.ts); a PostgreSQL implementation takes the same
 * calls when a network of booths outgrows one server. Every method is atomic
 * (a refused batch stores nothing) and asynchronous, as a network database's
 * client would be.
 */
import type { RecordItem } from '../../shared/record-protocol';

export interface StoredItem {
  item: RecordItem;
  /** Hub arrival order (global, increasing). */
  arrival: number;
  receivedAt: string;
}

export interface IngestOutcome {
  acked: string[];
  duplicates: string[];
}

export interface RecordRepository {
  /**
   * Stores new items of one booth's batch, ignoring ids already held.
   * Throws RecordRefusal('REPLAYED_BATCH') if `batchId` was seen before.
   */
  ingest(boothId: string, batchId: string, items: RecordItem[]): Promise<IngestOutcome>;
  /** Stores one photo chunk (idempotent); returns how many chunks of the photo are held. */
  putPhotoChunk(boothId: string, photoId: string, sha256: string, count: number, index: number, data: Buffer): Promise<number>;
  /** Chunks held for a photo, in order; null while incomplete. */
  photoBytes(photoId: string): Promise<Buffer | null>;
  /** All items of a session, in arrival order. */
  sessionItems(sessionId: string): Promise<StoredItem[]>;
  /** Every item of a booth (tests, export), in arrival order. */
  boothItems(boothId: string): Promise<StoredItem[]>;
  close(): void | Promise<void>;
}

/** A refusal the booth sees as a typed error (code + message); nothing was stored. */
export class RecordRefusal extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'RecordRefusal';
  }
}
