/**
 * A session from the hub's record as a FHIR R4 Bundle (the GP report):
 * the readings, photos and stethoscope clips the booth sent, in arrival
 * order, with their bytes inline, and (for the consultation) the notes and the
 * prescriptions. The subject is the pseudonym the caller gives.
 */
import type { Bundle } from 'fhir/r4';
import type { Reading } from '../../shared/domain';
import { sessionBundle, type SessionExport } from '../../shared/fhir';
import type { ClipMeta, PhotoMeta } from '../../shared/record-protocol';
import type { RecordRepository } from './repository';

export interface ExportExtras {
  /** The specialist's notes (from the record's notes), with the author's name. */
  notes?: SessionExport['notes'];
  prescriptions?: SessionExport['prescriptions'];
  /** Only this booth's items (a session id is the booth's own). */
  boothId?: string;
}

export async function exportSession(repo: RecordRepository, sessionId: string, subjectPseudonym: string, extras: ExportExtras = {}): Promise<Bundle> {
  const readings: Reading[] = [];
  const photos: { meta: PhotoMeta; data?: string }[] = [];
  const clips: { meta: ClipMeta; data?: string }[] = [];
  for (const { item } of await repo.sessionItems(sessionId)) {
    if (extras.boothId !== undefined && item.boothId !== extras.boothId) continue;
    if (item.kind === 'reading') readings.push(item.data);
    else if (item.kind === 'photo') {
      const bytes = await repo.photoBytes(item.data.id);
      photos.push({ meta: item.data, ...(bytes ? { data: bytes.toString('base64') } : {}) });
    } else if (item.kind === 'clip') {
      // A clip's bytes are in the record's chunk table under its id, as a photo's.
      const bytes = await repo.photoBytes(item.data.id);
      clips.push({ meta: item.data, ...(bytes ? { data: bytes.toString('base64') } : {}) });
    }
  }
  return sessionBundle({ sessionId, subjectPseudonym, readings, photos, clips, notes: extras.notes ?? null, prescriptions: extras.prescriptions ?? [] });
}
