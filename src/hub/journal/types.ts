/**
 * The access journal's contract (issue #21): every read of patient data on
 * the hub and every write is appended here — who (account and role), what
 * (patient/session/resource ids, never the data), when, from where, allowed
 * or refused and why. The entries form an HMAC chain keyed outside the
 * database (`<keyDir>/journal.key`): each entry's MAC covers its own fields
 * and the previous entry's MAC, and the head (last sequence number and MAC)
 * is exported regularly and on demand, so editing a line, deleting the last
 * ones or rewriting the whole chain is detected by `verify`.
 *
 * Reads wait for their entry before the data leaves the hub: a journal that
 * cannot be written refuses the read (JOURNAL_UNAVAILABLE) rather than
 * serving data nobody will know was seen.
 */

/** Who acted. `system` is the hub itself (purges, key rotation); `admin` an operator's command. */
export type JournalActorRole = 'specialist' | 'staff' | 'booth' | 'admin' | 'system' | 'anonymous';

export interface JournalActor {
  role: JournalActorRole;
  /** The account id (specialist, staff member, booth id, operator name); absent for an anonymous refusal. */
  id?: string;
}

/** What was done. */
export type JournalAction =
  | 'read' // a console panel, photo, clip, video, report, FHIR export, counter view, case review
  | 'write' // a reading or photo ingested, notes, a prescription, an answer, an intake
  | 'export' // a bundle leaving the hub (FHIR, GDPR export)
  | 'sign-in' // a sign-in (password, TOTP, OIDC), allowed or refused
  | 'sign-out'
  | 'purge' // retention removed records
  | 'key-rotation'; // a key was added, old data re-sealed, an old key retired

/**
 * The kind of resource: `consult.session` (a console opening a booth's
 * session: identity, reason, readings), `photo`, `clip`, `video`, `report`
 * (PDF), `report.fhir`, `case`, `case.fhir`, `case.answer`, `counter.board`,
 * `counter.intake`, `counter.case`, `prescription`, `notes`, `record.item`,
 * `patient.export`, `account`, `key`, `record`.
 */
export type JournalResource = string;

/** One event as a feature reports it (the journal adds the sequence, time, node and MACs). */
export interface JournalEvent {
  actor: JournalActor;
  action: JournalAction;
  resource: JournalResource;
  /** The resource's own id (photo id, case id, report's session id...). */
  resourceId?: string;
  /** The booth session the data belongs to (the patient's consultation): how a patient's accesses are found. */
  sessionId?: string;
  /** The booth whose data it is. */
  boothId?: string;
  /** The case (forwarded exam) it belongs to. */
  caseId?: string;
  outcome: 'allowed' | 'refused';
  /** Refused: the error code (FORBIDDEN, NOT_FOUND, BAD_TOTP...); allowed: optional detail without patient data. */
  reason?: string;
  /** The caller's address (IP), when there is one. */
  from?: string;
}

/** An entry as stored: the event plus the chain. */
export interface JournalEntry extends JournalEvent {
  /** 1, 2, 3… without gaps in one chain. */
  seq: number;
  /** Epoch ms on the writing node's clock. */
  at: number;
  /** The hub node that wrote it. */
  node: string;
  /** Id of the journal key the MAC was made with. */
  keyId: number;
  /** Hex HMAC-SHA256 of the previous entry (64 zeros for the first). */
  prev: string;
  /** Hex HMAC-SHA256 over this entry's canonical form and `prev`. */
  mac: string;
}

/** The head as exported: enough to detect the last entries deleted or the chain rewritten. */
export interface JournalHead {
  seq: number;
  mac: string;
  at: number;
  node: string;
}

export type VerifyResult =
  | { ok: true; entries: number; head: JournalHead | null }
  | { ok: false; brokenAt: number; problem: 'mac' | 'gap' | 'prev' | 'behind-head' | 'head-mismatch'; message: string };

export interface JournalQuery {
  sessionIds?: string[];
  caseIds?: string[];
  actorId?: string;
  since?: number;
  until?: number;
  limit?: number;
}

export interface AccessJournal {
  /** Appends one entry (one writer at a time across nodes); resolves once it is durable. */
  record(event: JournalEvent): Promise<void>;
  /** Entries matching a query, oldest first (the patient's right of access; the admin's look). */
  list(query: JournalQuery): Promise<JournalEntry[]>;
  /** The current head (null while empty). */
  head(): Promise<JournalHead | null>;
  /** Writes the head to the export destination now (also done on a schedule). */
  exportHead(): Promise<JournalHead | null>;
  /** Walks the chain; names the first broken entry; checks it against the last exported head. */
  verify(): Promise<VerifyResult>;
  close(): Promise<void>;
}
