/**
 * From the hub's record to FHIR R4 Bundles:
 * - a session (the GP report): the readings, photos and stethoscope clips the
 *   booth sent, in arrival order, with their bytes inline, and (for the
 *   consultation) the notes and the prescriptions;
 * - a forwarded case (src/shared/fhir-case.ts): the items its manifest names,
 *   the video by its URL (never inline), the answer once there is one.
 * The subject is the pseudonym the caller gives.
 */
import type { Bundle } from 'fhir/r4';
import type { CaseAnswer } from '../../shared/case-protocol';
import type { CaseManifest } from '../../shared/case-record';
import type { Reading } from '../../shared/domain';
import { sessionBundle, type SessionExport } from '../../shared/fhir';
import { caseBundle, type CaseExport } from '../../shared/fhir-case';
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

export interface StoredCase {
  manifest: CaseManifest;
  /** The booth that sent the manifest: only its items under the manifest's ids are the case's. */
  boothId: string;
  /** When the whole case reached the hub. */
  receivedAt: string;
  answer: CaseAnswer | null;
}

/**
 * A forwarded case as a FHIR R4 Bundle: the items its manifest names, read
 * from the record (an item of another booth under one of those ids is not
 * the case's, and left out); `videoUrl` gives the absolute address the hub
 * serves the video at.
 */
export async function exportCase(repo: RecordRepository, c: StoredCase, subjectPseudonym: string, videoUrl: (videoId: string) => string): Promise<Bundle> {
  const parts: Pick<CaseExport, 'readings' | 'photos' | 'clips' | 'video'> = { readings: [], photos: [], clips: [], video: null };
  for (const entry of c.manifest.entries) {
    if (entry.itemId === null) continue;
    const stored = await repo.item(entry.itemId);
    if (!stored || stored.boothId !== c.boothId) continue;
    const { item } = stored;
    if (item.kind === 'reading') parts.readings.push(item.data);
    else if (item.kind === 'photo') parts.photos.push(item.data);
    else if (item.kind === 'clip') parts.clips.push(item.data);
    else if (item.kind === 'video') parts.video = item.data;
  }
  return caseBundle({
    manifest: c.manifest, boothId: c.boothId, receivedAt: c.receivedAt, answer: c.answer, subjectPseudonym, ...parts,
    ...(parts.video ? { videoUrl: videoUrl(parts.video.id) } : {}),
  });
}
