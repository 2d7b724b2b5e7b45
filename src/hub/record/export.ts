/**
 * A session from the hub's record as a FHIR R4 Bundle (the GP report):
 * the readings and photos the booth sent, in arrival order, with the
 * photos' bytes inline. The subject is the pseudonym the caller gives.
 */
import type { Bundle } from 'fhir/r4';
import type { Reading } from '../../shared/domain';
import { sessionBundle } from '../../shared/fhir';
import type { PhotoMeta } from '../../shared/record-protocol';
import type { RecordRepository } from './repository';

export async function exportSession(repo: RecordRepository, sessionId: string, subjectPseudonym: string): Promise<Bundle> {
  const readings: Reading[] = [];
  const photos: { meta: PhotoMeta; data?: string }[] = [];
  for (const { item } of await repo.sessionItems(sessionId)) {
    if (item.kind === 'reading') readings.push(item.data);
    else if (item.kind === 'photo') {
      const bytes = await repo.photoBytes(item.data.id);
      photos.push({ meta: item.data, ...(bytes ? { data: bytes.toString('base64') } : {}) });
    }
  }
  return sessionBundle({ sessionId, subjectPseudonym, readings, photos });
}
