/**
 * A forwarded case as a booth's outbox sends it (src/shared/case-protocol.ts):
 * a temperature, a dermatoscope still and the patient's video as record
 * items (the still's and the video's bytes uploaded first, in chunks), and
 * the `case` manifest naming them. Fixtures for the hub's case tests.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { HubLink } from '../../src/host/hub-link';
import { chunkCount } from '../../src/shared/binary-transfer';
import type { CaseManifest, CaseSpecialty } from '../../src/shared/case-record';
import { PHOTO_CHUNK_BYTES, type RecordItem } from '../../src/shared/record-protocol';
import { temperature } from './store';

export interface CaseParts {
  caseId: string;
  sessionId: string;
  reading: RecordItem;
  photo: RecordItem;
  photoBytes: Buffer;
  video: RecordItem;
  videoBytes: Buffer;
  manifest: RecordItem;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
let seq = 1_000;

/** A complete case of `boothId` (the video spans two chunks, so an upload can be cut between them). */
export function caseParts(boothId: string, specialty: CaseSpecialty = 'general', pharmacy = { name: 'Pharmacie test 1', city: 'Aurillac' }): CaseParts {
  const sessionId = `case-session-${randomUUID().slice(0, 8)}`;
  const r = temperature(38.4, sessionId);
  const reading: RecordItem = { id: r.id, boothId, sessionId, seq: ++seq, kind: 'reading', data: r };
  const photoBytes = randomBytes(5_000);
  const photoId = randomUUID();
  const photo: RecordItem = {
    id: photoId, boothId, sessionId, seq: ++seq, kind: 'photo',
    data: { id: photoId, sessionId, mime: 'image/png', width: 1920, height: 1080, byteLength: photoBytes.length, chunkCount: 1, sha256: sha(photoBytes), takenAt: new Date().toISOString(), polarisation: 'polarised', bodySite: 'avant-bras gauche' },
  };
  const videoBytes = randomBytes(PHOTO_CHUNK_BYTES + 20_000);
  const videoId = randomUUID();
  const video: RecordItem = {
    id: videoId, boothId, sessionId, seq: ++seq, kind: 'video',
    data: { id: videoId, sessionId, mime: 'video/webm', durationMs: 20_000, width: 1280, height: 720, byteLength: videoBytes.length, chunkCount: chunkCount(videoBytes.length, PHOTO_CHUNK_BYTES), sha256: sha(videoBytes), recordedAt: new Date().toISOString() },
  };
  const caseId = randomUUID();
  const data: CaseManifest = {
    caseId, sessionId, specialty, question: 'Cette lésion est-elle suspecte ?', note: 'Apparue il y a trois semaines.', contactPhone: '0612345678',
    patient: {
      birthName: 'Martin', firstNames: 'Jeanne Louise', birthDate: '1941-03-07', sex: 'F', reason: { code: 'skin', text: 'plaque au bras' },
      pathway: { pathway: 'gp-known' }, consentAt: new Date().toISOString(), gp: null, reportToGp: false,
    },
    caseConsentAt: new Date().toISOString(),
    compiledBy: { staffId: 'marie', name: 'Marie', pharmacy },
    pickupCode: 'K7M4QP',
    checklist: [{ id: 'i1', kind: 'temperature' }, { id: 'i2', kind: 'dermatoscope-photo', bodySite: 'avant-bras gauche' }, { id: 'i3', kind: 'video' }, { id: 'i4', kind: 'spo2' }],
    entries: [
      { checklistId: 'i1', kind: 'temperature', itemId: reading.id },
      { checklistId: 'i2', kind: 'dermatoscope-photo', itemId: photoId },
      { checklistId: 'i3', kind: 'video', itemId: videoId },
      { checklistId: 'i4', kind: 'spo2', itemId: null, skipped: 'oxymètre en panne' },
    ],
    completedAt: new Date().toISOString(),
  };
  const manifest: RecordItem = { id: randomUUID(), boothId, sessionId, seq: ++seq, kind: 'case', data };
  return { caseId, sessionId, reading, photo, photoBytes, video, videoBytes, manifest };
}

/** Sends chunks `from`..`to` (exclusive) of an upload over the booth's link. */
export async function upload(link: HubLink, item: RecordItem, bytes: Buffer, from = 0, to?: number): Promise<void> {
  if (item.kind !== 'photo' && item.kind !== 'video') throw new Error('not an upload');
  const count = chunkCount(bytes.length, PHOTO_CHUNK_BYTES);
  for (let index = from; index < (to ?? count); index++) {
    await link.request('record.blobChunk', { blobId: item.data.id, contentType: item.data.mime, totalBytes: bytes.length, index, count, sha256: item.data.sha256 }, { bytes: bytes.subarray(index * PHOTO_CHUNK_BYTES, (index + 1) * PHOTO_CHUNK_BYTES) });
  }
}

export const ingest = (link: HubLink, items: RecordItem[]): Promise<{ acked: string[]; duplicates: string[] }> =>
  link.request('record.ingest', { batchId: randomUUID(), items });

/** Every part of a case, uploads first, the manifest last: as the booth's outbox sends it. */
export async function sendCase(link: HubLink, c: CaseParts): Promise<void> {
  await upload(link, c.photo, c.photoBytes);
  await upload(link, c.video, c.videoBytes);
  await ingest(link, [c.reading, c.photo, c.video]);
  await ingest(link, [c.manifest]);
}
