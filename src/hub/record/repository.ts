/**
 * The hub's record behind one interface (DESIGN §10): SQLite embedded by
 * default (sqlite-repository.ts); a PostgreSQL implementation takes the same
 * calls when a network of booths outgrows one server. Every method is atomic
 * (a refused batch stores nothing) and asynchronous, as a network database's
 * client would be.
 */
import type { CaseAnswer, CaseState } from '../../shared/case-protocol';
import type { CaseSpecialty } from '../../shared/case-record';
import type { Prescription } from '../../shared/consult-protocol';
import type { CallQuality, SideName } from '../../shared/media-protocol';
import type { PatientQuery } from '../../node/search-key';
import type { RecordItem } from '../../shared/record-protocol';
import type { ExpiredSession, PurgedRows } from './purge-plan';

export type { ExpiredSession, PurgedRows } from './purge-plan';
import type { PatientSessions } from './patient-index';

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

/**
 * A forwarded case as the record indexes it (the manifest itself is the
 * `case` item, `manifestId`). Ids, booth, pharmacy, specialty, code and
 * state stay in clear for the queues; the answer is sealed like any body.
 */
export interface CaseRow {
  caseId: string;
  boothId: string;
  /** The booth's pharmacy when the manifest arrived (the counter's scope); null for a booth without one. */
  pharmacyId: string | null;
  sessionId: string;
  /** The `case` record item's id. */
  manifestId: string;
  specialty: CaseSpecialty;
  pickupCode: string;
  state: CaseState;
  /** When the last part arrived (state waiting); null while incomplete. */
  receivedAt: string | null;
  answer: CaseAnswer | null;
  /** The answering doctor's id. */
  answeredBy: string | null;
  answeredAt: string | null;
  acknowledgedBy: { staffId: string; name: string; at: string } | null;
}

/** Who won `answerCase`: this answer, or another (its doctor's name; null: the case is not waiting, no answer stands). */
export type AnswerOutcome = { won: true } | { won: false; answeredBy: string | null };

export interface IngestOutcome {
  acked: string[];
  duplicates: string[];
}

export interface RecordRepository {
  /**
   * Stores new items of one booth's batch, ignoring ids already held.
   * Throws RecordRefusal('REPLAYED_BATCH') if `batchId` was seen before.
   */
  ingest(boothId: string, batchId: string, items: RecordItem[], pharmacyId?: string | null): Promise<IngestOutcome>;
  /** Whether every chunk of an upload (photo, clip, video) is held. */
  blobComplete(blobId: string): Promise<boolean>;
  // ---- forwarded cases: `ingest` indexes each new `case` item (incomplete, under `pharmacyId`) in the same transaction.
  caseRow(caseId: string): Promise<CaseRow | null>;
  casesOfSession(sessionId: string): Promise<CaseRow[]>;
  /** Cases still waiting for parts (re-checked when a node starts). */
  incompleteCases(): Promise<CaseRow[]>;
  /** Waiting cases of these specialties, and those answered at or after `answeredSince`. */
  casesOfSpecialties(specialties: readonly CaseSpecialty[], answeredSince: string): Promise<CaseRow[]>;
  /** A pharmacy's cases, whatever their state. */
  casesOfPharmacy(pharmacyId: string): Promise<CaseRow[]>;
  /** incomplete → waiting, stamped `receivedAt`; false when it already was (another node, another part). */
  markCaseWaiting(caseId: string, receivedAt: string): Promise<boolean>;
  /**
   * Records the answer if none stands and the case is waiting: ONE conditional
   * statement decides, so it holds across nodes sharing the database. The
   * answer's prescription is stored in the same transaction, already handed
   * over (the counter prints it; the booth that compiled the case has wiped
   * the session): never queued for a booth. Throws
   * RecordRefusal('DUPLICATE_NUMBER') (nothing stored) when its number exists.
   */
  answerCase(answer: CaseAnswer): Promise<AnswerOutcome>;
  /** Records who at the counter took an answer in hand; false when someone already had (or no answer stands). */
  acknowledgeCase(caseId: string, by: { staffId: string; name: string; at: string }): Promise<boolean>;
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
  // ---- retention (./purge-plan.ts lists what a session's rows are, for both engines)
  /** Sessions whose last activity is before `before` (ISO time), oldest first, at most `limit`. */
  expiredSessions(before: string, limit: number): Promise<ExpiredSession[]>;
  /**
   * Deletes every row of one session in ONE transaction, if its last activity
   * is still before `before` (re-read inside it); null when it is not (new
   * rows arrived since the list was made): nothing removed.
   */
  purgeSession(sessionId: string, before: string): Promise<PurgedRows | null>;
  /**
   * Runs `work` as the only purger of this record: on PostgreSQL an advisory
   * lock held for the run, so one node of a network purges at a time (null,
   * `work` not run, while another holds it); on SQLite the file has one hub.
   */
  exclusivePurge<T>(work: () => Promise<T>): Promise<T | null>;
  // ---- the patient index (./patient-index.ts): keyed hashes, filled by `ingest` in its transaction.
  /**
   * The sessions (and their cases) of one patient, found through the keyed
   * hashes of the NIR or of birth name + birth date, never by opening rows.
   * Throws RecordRefusal('SEARCH_UNAVAILABLE') on a record opened without the search key.
   */
  sessionsOfPatient(query: PatientQuery): Promise<PatientSessions>;
  /**
   * After the search key rotated: re-hashes up to `limit` index rows made
   * under an older key (each reopens its sealed item, found by the row's
   * item id); resolves to how many, 0 once every row is under the current
   * key and the old one may be retired. Safe to interrupt and run again.
   */
  rehashPatientIndex(limit?: number): Promise<number>;
  /**
   * The index rows per search key id (ids and counts only): a key with no
   * row left can be retired from search.key (../keys/rotation.ts). Readable
   * without the search key.
   */
  patientIndexKeyIds(): Promise<Map<number, number>>;
  close(): void | Promise<void>;
}

/** A record opened without its search key cannot look a patient up (tests and tools that need no index). */
export function searchUnavailable(): RecordRefusal {
  return new RecordRefusal('SEARCH_UNAVAILABLE', 'the record was opened without its search key (search.key in the key folder): patients cannot be looked up');
}

/** The columns of the case index, as both engines select them. */
export const CASE_COLUMNS = 'SELECT case_id, booth_id, pharmacy_id, session_id, manifest_id, specialty, pickup_code, state, received_at, answered_by, answered_at, answer, acknowledged_by FROM cases';
export interface CaseDbRow {
  case_id: string; booth_id: string; pharmacy_id: string | null; session_id: string; manifest_id: string; specialty: string; pickup_code: string;
  state: string; received_at: string | null; answered_by: string | null; answered_at: string | null; answer: Buffer | null; acknowledged_by: string | null;
}

/** A case row of either engine, its answer opened by `openAnswer`. */
export function caseFromRow(r: CaseDbRow, openAnswer: (body: Buffer) => CaseAnswer): CaseRow {
  return {
    caseId: r.case_id, boothId: r.booth_id, pharmacyId: r.pharmacy_id, sessionId: r.session_id, manifestId: r.manifest_id,
    specialty: r.specialty as CaseRow['specialty'], pickupCode: r.pickup_code, state: r.state as CaseRow['state'], receivedAt: r.received_at,
    answer: r.answer ? openAnswer(r.answer) : null, answeredBy: r.answered_by, answeredAt: r.answered_at,
    acknowledgedBy: r.acknowledged_by ? JSON.parse(r.acknowledged_by) as CaseRow['acknowledgedBy'] : null,
  };
}

/** A refusal the booth sees as a typed error (code + message); nothing was stored. */
export class RecordRefusal extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'RecordRefusal';
  }
}
