/**
 * The hub's live state behind one interface: the waiting queue, the claims,
 * the specialists' login sessions and the last rooms' durations. SQLite in
 * the hub's data folder by default (./store.ts); PostgreSQL when several hub
 * nodes share one database (./pg-store.ts). Every method is asynchronous, as
 * a network database's client is.
 *
 * What every implementation keeps:
 * - writes apply in the order they were called, even when the caller does
 *   not wait for them (the rooms fire them and go on); a read sees every
 *   write called before it;
 * - queue and claim bodies (first name, age, reason, pathway) are sealed
 *   with seal.ts, the AAD binding each to its row (`queue:<boothId>`,
 *   `claims:<roomId>`); a row that cannot be opened is skipped and logged by
 *   code, never fails the whole read;
 * - login sessions (doctors' and pharmacy staff's) are kept by the SHA-256
 *   of the cookie token only, and a session is expired by the hub's clock;
 * - the last TOTP step each account used (a number, no secret) is shared by
 *   every node, so a code is accepted once in the whole network;
 * - a sign-in half done (a right password waiting for its TOTP code, a
 *   browser sent to the OIDC provider) is kept by the SHA-256 of its token,
 *   its body sealed (AAD `pending:<kind>:<hash>`), and taken out once: the
 *   next step may land on any node.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { KeyProvider } from '../../node/keys';
import type { Fence } from '../cluster/errors';
import { openJson } from '../../node/seal';
import { CabineError, codeOf } from '../../shared/errors';
import type { QueueEntry } from '../media/queue';

/** A claimed booth: the room survives a hub restart under the same id. */
export interface StoredClaim {
  roomId: string;
  boothId: string;
  specialistId: string;
  claimedAt: string;
  entry: QueueEntry | null;
}

export interface StoredSession {
  specialistId: string;
  name: string;
  specialty: string;
  /** Epoch ms. */
  expires: number;
}

export interface StoredStaffSession {
  staffId: string;
  /** Epoch ms. */
  expires: number;
}

/** The SHA-256 of a cookie token: what is stored and looked up, never the token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * A hub node's lease as its writes about a room carry it (../cluster): a
 * write given one applies only while that node's lease, with that epoch, is
 * live by the database's clock, else it throws FENCED and changes nothing.
 */
export type NodeFence = Pick<Fence, 'nodeId' | 'epoch'>;

/** The sign-ins half done the state store keeps: a password waiting for its TOTP code, a browser at the OIDC provider. */
export type PendingSignInKind = 'totp' | 'oidc';

/** Sign-ins half done of one kind kept at most (the oldest dropped first). */
export const PENDING_SIGN_INS_MAX = 10_000;

/** The AAD of a pending sign-in's sealed body: bound to its kind and token. */
export function pendingAad(kind: PendingSignInKind, hash: string): string {
  return `pending:${kind}:${hash}`;
}

export interface HubStateRepository {
  /** Adds or updates a waiting booth; a booth keeps its place when its entry changes. */
  putQueueEntry(entry: QueueEntry): Promise<void>;
  removeQueueEntry(boothId: string): Promise<void>;
  /** The waiting queue in its order. */
  queue(): Promise<QueueEntry[]>;

  /**
   * Stores a claim as is (a second claim of the same booth or room is
   * refused). Unfenced: the hub never calls it (its claims come from
   * `claimWaiting`); it seeds a store, as tests and imports do.
   */
  putClaim(claim: StoredClaim): Promise<void>;
  /**
   * Takes a waiting booth: removes its queue entry and stores the claim as
   * one atomic step. True only when the booth was waiting and not already
   * claimed; false leaves everything as it was. Two hub nodes claiming the
   * same booth at once: exactly one gets true.
   *
   * With a `fence` (a network of nodes on PostgreSQL) the same step also
   * makes that node the room's holder with its epoch, and happens only while
   * its lease is live: FENCED otherwise, nothing changed. A store of one hub
   * (SQLite) has no network to fence against and ignores it.
   */
  claimWaiting(claim: StoredClaim, fence?: NodeFence): Promise<boolean>;
  /**
   * Forgets a room's claim. With a `fence`, the claim and the room's holder
   * go together, and only while that node holds the room on a live lease of
   * that epoch: FENCED otherwise, nothing removed (the room's new holder
   * keeps it). Ignored by a store of one hub, as for `claimWaiting`.
   */
  removeClaim(roomId: string, fence?: NodeFence): Promise<void>;
  /** Every claim, oldest first. */
  claims(): Promise<StoredClaim[]>;

  putSession(token: string, session: StoredSession): Promise<void>;
  /** The session of a cookie token, or null when unknown or expired (an expired one is deleted). */
  session(token: string): Promise<StoredSession | null>;
  removeSession(token: string): Promise<void>;
  /** Deletes expired sessions (doctors' and staff's); returns how many. */
  purgeExpiredSessions(): Promise<number>;

  /** A member of staff's counter session, kept like a doctor's: by its token's hash, with the account id only (the rest is in the directory). */
  putStaffSession(token: string, session: StoredStaffSession): Promise<void>;
  /** The staff session of a cookie token, or null when unknown or expired (an expired one is deleted). */
  staffSession(token: string): Promise<StoredStaffSession | null>;
  removeStaffSession(token: string): Promise<void>;

  /**
   * Marks TOTP step `step` used by `account` (`specialist:<id>`, `staff:<id>`):
   * true only when that account's last used step was earlier (or none), as
   * one atomic compare-and-set; false leaves it as it was. A code of a step
   * already used, or of an earlier one, is a replay (RFC 6238 §5.2): two hub
   * nodes given the same code at once, exactly one gets true.
   */
  useTotpStep(account: string, step: number): Promise<boolean>;

  /**
   * Keeps a sign-in half done until `expires` (epoch ms) under its `token`.
   * Expired ones are dropped as new ones come, and past PENDING_SIGN_INS_MAX
   * of one kind the soonest to expire goes first (a flood of unauthenticated
   * starts cannot fill the database).
   */
  putPendingSignIn(kind: PendingSignInKind, token: string, body: unknown, expires: number): Promise<void>;
  /**
   * Takes a sign-in half done out (single use): its body, or null when
   * unknown, expired or unreadable. Two nodes taking the same token at once:
   * exactly one gets it.
   */
  takePendingSignIn<T>(kind: PendingSignInKind, token: string): Promise<T | null>;

  /** A consultation that took place lasted `ms`: kept for the queue's ETA. */
  recordDuration(ms: number): Promise<void>;
  /** The last ended rooms' durations (ms), newest first, at most DURATION_WINDOW. */
  recentDurations(): Promise<number[]>;

  /** Waits for the writes already called, then closes. */
  close(): Promise<void>;
}

export type HubStateErrorCode = 'STATE_UNAVAILABLE' | 'STATE_TOO_NEW';

const MESSAGES: Record<HubStateErrorCode, { fr: string; en: string }> = {
  STATE_UNAVAILABLE: {
    fr: 'La base de données du hub est injoignable : le hub ne démarre pas. Vérifiez que PostgreSQL tourne et que l’adresse de la configuration est la bonne.',
    en: 'The hub database cannot be reached: the hub does not start. Check that PostgreSQL is running and that the configured address is right.',
  },
  STATE_TOO_NEW: {
    fr: 'La base de données du hub a été mise à jour par une version plus récente du hub : mettez ce hub à jour avant de le démarrer.',
    en: 'The hub database was upgraded by a newer hub release: upgrade this hub before starting it.',
  },
};

/** The live state cannot be used; `detail` names the server (host:port) or the versions. */
export class HubStateError extends CabineError {
  declare readonly code: HubStateErrorCode;
  constructor(code: HubStateErrorCode, options?: { cause?: unknown; detail?: string }) {
    super(code, MESSAGES[code], options);
  }
}

/** A sealed queue or claim body opened, or undefined when it cannot be (key lost): skipped and logged by code, on either engine. */
export function openStateRow<T>(keys: KeyProvider, aad: string, body: Buffer, log?: Logger): T | undefined {
  try {
    return openJson<T>(keys, aad, body);
  } catch (error) {
    log?.warn({ code: codeOf(error), row: aad.split(':')[0] }, 'hub state: a row could not be opened and was skipped');
    return undefined;
  }
}
