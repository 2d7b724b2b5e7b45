/**
 * The hub's record behind one interface (DESIGN §10): SQLite embedded by
 * default (sqlite-repository.ts); a PostgreSQL implementation takes the same
 * calls when a network of booths outgrows one server. Every method is atomic
 * (a refused batch stores nothing) and asynchronous, as a network database's
 * client would be.
 */
import type { Prescription } from '../../shared/consult-protocol';
import type { CallQuality, SideName } from '../../shared/media-protocol';
import type { RecordItem } from '../../shared/record-protocol';

export interface StoredItem {
  item: RecordItem;
  /** Hub arrival order (global, increasing). */
  arrival: number;
  receivedAt: string;
}

/** One stored item with the booth that sent it (lookups by id). */
export interface BoothItem extends StoredItem {
  boothId: string;
}

/** The specialist's notes on a session: the latest text, who wrote it and when. */
export interface SessionNotes {
  text: string;
  authorId: string;
  at: string;
}

/** A claim as the record keeps it (who held which booth session), so access survives a restart. */
export interface ClaimRecord {
  roomId: string;
  specialistId: string;
  boothId: string;
  sessionId: string | null;
  claimedAt: string;
  /** The patient as the queue entry gave them (first name, age, pathway): sealed at rest. */
  patient: { firstName: string | null; age: number | null; reason: string | null; pathway: string | null; exceptionReason: string | null };
}

/** One side's quality figures for a consultation (technical data, no patient data): the latest report of that side. */
export interface CallQualityRecord {
  side: SideName;
  boothId: string;
  roomId: string;
  at: string;
  quality: CallQuality;
}

/** A prescription and whether the booth has acknowledged it. */
export interface StoredPrescription {
  prescription: Prescription;
  deliveredAt: string | null;
  printed: boolean;
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
  /** One item by id, with its booth; null when unknown. */
  item(id: string): Promise<BoothItem | null>;
  /** Keeps the latest notes of a session (`sessionKey`: the session id, or the room id when the booth gave none). */
  saveNotes(sessionKey: string, boothId: string, notes: SessionNotes): Promise<void>;
  notes(sessionKey: string): Promise<SessionNotes | null>;
  /** Records a claim (idempotent by room id). */
  saveClaim(claim: ClaimRecord): Promise<void>;
  /** Claims of one specialist on one booth session, oldest first. */
  claimsOf(specialistId: string, sessionId: string): Promise<ClaimRecord[]>;
  /** Stores a newly issued prescription, not yet delivered. Throws RecordRefusal('DUPLICATE_NUMBER') if its number exists. */
  savePrescription(p: Prescription): Promise<void>;
  /** Marks a prescription acknowledged by its booth; returns false if it was already. */
  markPrescriptionDelivered(number: string, at: string, printed: boolean): Promise<boolean>;
  /** Prescriptions of a booth the booth has not acknowledged, oldest first. */
  pendingPrescriptions(boothId: string): Promise<Prescription[]>;
  /** Prescriptions of a session, oldest first, with their delivery state. */
  sessionPrescriptions(sessionId: string): Promise<StoredPrescription[]>;
  /** Keeps a side's latest quality figures for a session (`sessionKey` as for notes). */
  saveCallQuality(sessionKey: string, record: CallQualityRecord): Promise<void>;
  /** The quality figures of a session, one per side that reported. */
  callQuality(sessionKey: string): Promise<CallQualityRecord[]>;
  close(): void | Promise<void>;
}

/** A refusal the booth sees as a typed error (code + message); nothing was stored. */
export class RecordRefusal extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'RecordRefusal';
  }
}
