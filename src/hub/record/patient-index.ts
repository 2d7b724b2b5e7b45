/**
 * The record's patient index (record migration 5, both engines): for each
 * item that carries the patient's identity, the keyed hashes of the NIR and
 * of the birth name with the birth date (src/node/search-key.ts), beside the
 * session and booth ids, so that a patient's sessions are found without
 * opening every sealed row. Never a plain value in the index.
 *
 * The identity reaches the hub in three kinds of item:
 * - the session event `intake` (src/host/consult.ts `trackRecord`): the
 *   pharmacist's intake, `data.intake.identity` with the NIR;
 * - the session event `identity`: a name typed alone (`lastName`, `birthDate`);
 * - a forwarded case's manifest (`case`): `patient`, the doctor's view (no NIR).
 */
import type { PatientHasher, PatientHashes, PatientIdentity } from '../../node/search-key';
import type { RecordItem } from '../../shared/record-protocol';

/** A patient's sessions as the index finds them, with the forwarded cases of those sessions. */
export interface PatientSessions {
  sessions: { sessionId: string; boothId: string }[];
  caseIds: string[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' ? v as Record<string, unknown> : {});

/** The identity an item carries, or null (a reading, a photo, another event). */
export function identityOf(item: RecordItem): PatientIdentity | null {
  if (item.kind === 'case') {
    const p = item.data.patient;
    return { birthName: p.birthName, birthDate: p.birthDate };
  }
  if (item.kind !== 'sessionEvent') return null;
  const d = obj(item.data.data);
  if (item.data.type === 'intake') {
    const identity = obj(obj(d.intake).identity);
    return { nir: str(identity.nir), birthName: str(identity.birthName), birthDate: str(identity.birthDate) };
  }
  if (item.data.type === 'identity') return { birthName: str(d.lastName), birthDate: str(d.birthDate) };
  return null;
}

/** The index row of an item (its session id, hashes and key), or null when it has none. */
export function indexRowOf(hasher: PatientHasher, item: RecordItem): (PatientHashes & { sessionId: string }) | null {
  const sessionId = item.kind === 'case' ? item.data.sessionId : item.sessionId;
  if (!sessionId) return null;
  const identity = identityOf(item);
  const hashes = identity ? hasher.index(identity) : null;
  return hashes ? { ...hashes, sessionId } : null;
}

/** Item kinds the backfill opens (every other kind carries no identity). */
export const IDENTITY_KINDS = ['sessionEvent', 'case'] as const;
