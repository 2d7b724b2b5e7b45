/**
 * What the booth's outbox sends to the hub's record (DESIGN §4): items
 * acknowledged by id, photos in chunks. Shared by the host (sender) and the
 * hub (validator on arrival).
 */
import { z } from 'zod';
import { AuscultationPoint, CLIP_BITS_PER_SAMPLE } from './auscultation';
import { ContentType } from './binary-transfer';
import { CaseManifest, VideoMeta } from './case-record';
import { DeviceInfo, Ear, PhotoModality, Reading, SessionEvent } from './domain';

/**
 * Raw bytes per photo chunk: the unit the booth's store seals and the outbox
 * sends (kept at its first size so photos already in an outbox still match).
 */
export const PHOTO_CHUNK_BYTES = 192 * 1024;
/** Items per `record.ingest` request; more is refused (BATCH_TOO_LARGE). */
export const MAX_INGEST_ITEMS = 500;

export const PhotoMeta = z.object({
  id: z.uuid(),
  sessionId: z.string().nullable(),
  mime: z.enum(['image/jpeg', 'image/png']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  byteLength: z.number().int().positive(),
  chunkCount: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  takenAt: z.iso.datetime({ offset: true }),
  polarisation: z.enum(['none', 'polarised', 'uv']),
  bodySite: z.string().max(120).optional(),
  device: DeviceInfo.optional(),
  /** The instrument whose camera took it; absent: the dermatoscope (every photo stored before the otoscope). */
  modality: PhotoModality.optional(),
  /** An otoscope still's ear (its body site, coded; `bodySite` then holds its words). */
  ear: Ear.optional(),
}).strict();
export type PhotoMeta = z.infer<typeof PhotoMeta>;

/**
 * A stethoscope clip as the record keeps it: uncompressed PCM WAV captured at
 * the booth from the device, with the auscultation point it was recorded at
 * (its body site in the report). The bytes travel apart, in chunks, like a
 * photo's (`record.blobChunk`, under the clip's id).
 */
export const ClipMeta = z.object({
  id: z.uuid(),
  sessionId: z.string().nullable(),
  /** A point the console offers; any other name is refused. */
  point: AuscultationPoint,
  mime: z.literal('audio/wav'),
  sampleRate: z.number().int().min(8_000).max(192_000),
  bitsPerSample: z.literal(CLIP_BITS_PER_SAMPLE),
  channels: z.number().int().min(1).max(2),
  durationMs: z.number().int().positive().max(120_000),
  byteLength: z.number().int().positive(),
  chunkCount: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  recordedAt: z.iso.datetime({ offset: true }),
}).strict();
export type ClipMeta = z.infer<typeof ClipMeta>;

const base = { id: z.uuid(), boothId: z.string().min(1), sessionId: z.string().nullable(), seq: z.number().int().positive() };
export const RecordItem = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('reading'), data: Reading }).strict(),
  z.object({ ...base, kind: z.literal('sessionEvent'), data: SessionEvent }).strict(),
  z.object({ ...base, kind: z.literal('photo'), data: PhotoMeta }).strict(),
  z.object({ ...base, kind: z.literal('clip'), data: ClipMeta }).strict(),
  /** The patient's video of a forwarded case (src/shared/case-record.ts); bytes in `record.blobChunk` under its id. */
  z.object({ ...base, kind: z.literal('video'), data: VideoMeta }).strict(),
  /** A forwarded case's manifest, stored last: it names every item of the case. */
  z.object({ ...base, kind: z.literal('case'), data: CaseManifest }).strict(),
]);
export type RecordItem = z.infer<typeof RecordItem>;
export type RecordKind = RecordItem['kind'];

/** Items are checked in the handler so that a too-large batch gets its own code. */
export const IngestParams = z.object({
  /** Fresh for every attempt: a batch id seen before is a replay and is refused. */
  batchId: z.uuid(),
  items: z.array(z.unknown()).min(1),
}).strict();
export const IngestResult = z.object({ acked: z.array(z.string()), duplicates: z.array(z.string()) });
export type IngestResult = z.infer<typeof IngestResult>;

/**
 * `record.blobChunk`, the binary call of the link: these params in the JSON
 * header of a binary frame, the chunk's raw bytes after it (DESIGN §2). Every
 * chunk is full (PHOTO_CHUNK_BYTES) but the last; the hub checks the declared
 * size against its cap before it stores anything. Chunks are acknowledged
 * one by one and may be sent again, so an upload cut midway resumes.
 */
export const BlobChunkParams = z.object({
  /** The id of the record item the bytes belong to (a photo's id). */
  blobId: z.uuid(),
  contentType: ContentType,
  totalBytes: z.number().int().positive(),
  index: z.number().int().nonnegative(),
  count: z.number().int().positive(),
  /** sha256 of the whole payload, so chunks of two uploads never mix. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
}).strict();
export type BlobChunkParams = z.infer<typeof BlobChunkParams>;

/** Base64 chunks in JSON, as booths of the previous release send them; new booths use `record.blobChunk`. */
export const PhotoChunkParams = z.object({
  photoId: z.uuid(),
  index: z.number().int().nonnegative(),
  count: z.number().int().positive().max(1024),
  /** sha256 of the whole photo, so chunks of two photos never mix. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  data: z.base64().max(Math.ceil(PHOTO_CHUNK_BYTES / 3) * 4),
}).strict();
export type PhotoChunkParams = z.infer<typeof PhotoChunkParams>;
export const PhotoChunkResult = z.object({ index: z.number().int(), received: z.number().int() });
