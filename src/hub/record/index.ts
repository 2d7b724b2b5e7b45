/**
 * The record's booth methods (DESIGN §4): `record.ingest` (batches of items,
 * acknowledged by id, idempotent), `record.blobChunk` (a photo's bytes in
 * binary frames, capped) and `record.photoChunk` (the same in base64, from
 * booths of the previous release). Bad input is
 * refused with a typed error and nothing is stored: an item of the wrong
 * shape (a clip's point that does not exist), an item naming another booth
 * than the authenticated one, a replayed batch id, more than MAX_INGEST_ITEMS
 * items, a photo or clip whose chunks are missing or do not match its hash,
 * a clip that is not the WAV its metadata describes.
 *
 * The access journal (../journal): a batch that passed its checks is
 * journaled before it is stored, one `write` entry per session it holds
 * (resource `record.item`, actor the booth, the batch id and item count as
 * detail), so a batch the journal cannot record is refused
 * (JOURNAL_UNAVAILABLE) and the booth's outbox sends it again; a replayed
 * batch gets another entry, never a missing one. A batch naming another
 * booth is journaled as a refusal. Chunks of an upload are not: the upload
 * joins the record, and the journal, with its item.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CLIP_CONTENT_TYPES, MAX_CLIP_BYTES, MAX_PHOTO_BYTES, PHOTO_CONTENT_TYPES, chunkCount, expectedChunkBytes } from '../../shared/binary-transfer';
import { MAX_VIDEO_BYTES, VIDEO_CONTENT_TYPES } from '../../shared/case-record';
import { BlobChunkParams, IngestParams, MAX_INGEST_ITEMS, PHOTO_CHUNK_BYTES, PhotoChunkParams, RecordItem, type ClipMeta } from '../../shared/record-protocol';
import { decodeWav } from '../../shared/wav';
import { journaled, journalRefusal } from '../journal/report';
import { refused } from '../peer';
import type { HubPorts } from '../ports';
import { RecordRefusal, type RecordRepository } from './repository';

export { RecordRefusal, type RecordRepository } from './repository';

/** Items newly stored from one booth's batch (acknowledged now; never a duplicate), in batch order. */
export type IngestedListener = (boothId: string, items: RecordItem[]) => void;
/** An upload (photo, clip, video) whose every chunk is now held. */
export type BlobListener = (boothId: string, blobId: string) => void;

/** A hub's record: the repository the booth methods write to, and who hears what they stored. */
export interface HubRecord {
  readonly repo: RecordRepository;
  /** Subscribes to what each batch newly stored (the readings relay does); returns an unsubscribe. */
  onIngested(listener: IngestedListener): () => void;
  /** Subscribes to uploads completed by their last chunk (the case queue re-checks its cases); returns an unsubscribe. */
  onBlobComplete(listener: BlobListener): () => void;
}

export { SqliteRecordRepository } from './sqlite-repository';
export { PgRecordRepository, RecordUnavailable, openPgRecord, type PgRecordOptions } from './pg-repository';

function asRefusal(error: unknown): never {
  if (error instanceof RecordRefusal) throw refused(error.code, error.message);
  throw error;
}

/** The most chunks a photo may take: more is a photo over MAX_PHOTO_BYTES. */
const MAX_PHOTO_CHUNKS = chunkCount(MAX_PHOTO_BYTES, PHOTO_CHUNK_BYTES);

/**
 * A chunk of a binary upload that cannot belong to an acceptable photo,
 * refused before anything is stored: the declared size over the cap, a
 * count or a chunk length that does not follow from that size, a type the
 * record does not keep.
 */
function checkBlobChunk(p: BlobChunkParams, bytes: Buffer): void {
  const refuse = (code: string, detail: string): never => {
    throw refused(code, `upload ${p.blobId}: ${detail}; nothing stored`);
  };
  const cap = (CLIP_CONTENT_TYPES as readonly string[]).includes(p.contentType) ? MAX_CLIP_BYTES
    : (PHOTO_CONTENT_TYPES as readonly string[]).includes(p.contentType) ? MAX_PHOTO_BYTES
      : (VIDEO_CONTENT_TYPES as readonly string[]).includes(p.contentType) ? MAX_VIDEO_BYTES : null;
  if (cap === null) refuse('BINARY_REFUSED_TYPE', `the record keeps ${[...PHOTO_CONTENT_TYPES, ...CLIP_CONTENT_TYPES, ...VIDEO_CONTENT_TYPES].join(', ')}, not ${p.contentType}`);
  if (p.totalBytes > cap!) refuse('BINARY_TOO_LARGE', `${p.totalBytes} bytes declared, at most ${cap}`);
  if (p.count !== chunkCount(p.totalBytes, PHOTO_CHUNK_BYTES) || p.index >= p.count) refuse('INVALID_CHUNK', `chunk ${p.index} of ${p.count} does not fit ${p.totalBytes} bytes`);
  const want = expectedChunkBytes(p.totalBytes, p.index, PHOTO_CHUNK_BYTES);
  if (bytes.length !== want) refuse(bytes.length > want ? 'BINARY_TOO_LARGE' : 'INVALID_CHUNK', `chunk ${p.index} holds ${bytes.length} bytes, ${want} expected`);
}

/**
 * Why a clip's bytes are not the recording its metadata describes (null:
 * they are): not a 16-bit PCM WAV, or another rate, channel count or length
 * (a tolerance of 50 ms, a frame count rounded to the millisecond).
 */
function clipMismatch(meta: ClipMeta, bytes: Buffer): string | null {
  let wav;
  try {
    wav = decodeWav(bytes);
  } catch (error) {
    return (error as Error).message;
  }
  const frames = wav.channels[0]?.length ?? 0;
  if (wav.sampleRate !== meta.sampleRate) return `a ${wav.sampleRate} Hz WAV declared as ${meta.sampleRate} Hz`;
  if (wav.channels.length !== meta.channels) return `${wav.channels.length} channels declared as ${meta.channels}`;
  const ms = (frames / wav.sampleRate) * 1000;
  if (Math.abs(ms - meta.durationMs) > 50) return `${Math.round(ms)} ms of sound declared as ${meta.durationMs} ms`;
  return null;
}

/** Opens the real repository on first use, so a hub that never receives a record creates no file. */
export function lazyRepository(open: () => RecordRepository): RecordRepository {
  let repo: RecordRepository | null = null;
  const get = () => (repo ??= open());
  return {
    ingest: (...a) => get().ingest(...a),
    putPhotoChunk: (...a) => get().putPhotoChunk(...a),
    photoBytes: (...a) => get().photoBytes(...a),
    blobComplete: (...a) => get().blobComplete(...a),
    caseRow: (...a) => get().caseRow(...a),
    casesOfSession: (...a) => get().casesOfSession(...a),
    incompleteCases: () => get().incompleteCases(),
    casesOfSpecialties: (...a) => get().casesOfSpecialties(...a),
    casesOfPharmacy: (...a) => get().casesOfPharmacy(...a),
    markCaseWaiting: (...a) => get().markCaseWaiting(...a),
    answerCase: (...a) => get().answerCase(...a),
    acknowledgeCase: (...a) => get().acknowledgeCase(...a),
    sessionItems: (...a) => get().sessionItems(...a),
    boothItems: (...a) => get().boothItems(...a),
    item: (...a) => get().item(...a),
    saveNotes: (...a) => get().saveNotes(...a),
    notes: (...a) => get().notes(...a),
    saveClaim: (...a) => get().saveClaim(...a),
    claimsOf: (...a) => get().claimsOf(...a),
    savePrescription: (...a) => get().savePrescription(...a),
    markPrescriptionDelivered: (...a) => get().markPrescriptionDelivered(...a),
    pendingPrescriptions: (...a) => get().pendingPrescriptions(...a),
    sessionPrescriptions: (...a) => get().sessionPrescriptions(...a),
    saveCallQuality: (...a) => get().saveCallQuality(...a),
    callQuality: (...a) => get().callQuality(...a),
    expiredSessions: (...a) => get().expiredSessions(...a),
    purgeSession: (...a) => get().purgeSession(...a),
    exclusivePurge: (work) => get().exclusivePurge(work),
    sessionsOfPatient: (...a) => get().sessionsOfPatient(...a),
    rehashPatientIndex: (...a) => get().rehashPatientIndex(...a),
    patientIndexKeyIds: () => get().patientIndexKeyIds(),
    close: () => repo?.close(),
  };
}

/**
 * The record: its booth methods on `booths` and the repository they write
 * to (../stores.ts opens it by the config's engine and closes it).
 */
export function createRecord(
  ports: Pick<HubPorts, 'booths' | 'config' | 'journal' | 'log' | 'onClose'>,
  repo: RecordRepository,
): HubRecord {
  const { booths } = ports;
  const log = ports.log.child({ module: 'hub.record' });
  const listeners = new Set<IngestedListener>();
  const blobListeners = new Set<BlobListener>();
  booths.handle('record.ingest', IngestParams, async (peer, params) => {
    if (params.items.length > MAX_INGEST_ITEMS) {
      throw refused('BATCH_TOO_LARGE', `a batch holds at most ${MAX_INGEST_ITEMS} items (got ${params.items.length}); split it`);
    }
    const parsed = z.array(RecordItem).safeParse(params.items);
    if (!parsed.success) throw refused('INVALID_ITEM', `batch refused, nothing stored: ${z.prettifyError(parsed.error).slice(0, 400)}`);
    const items = parsed.data;
    const foreign = items.find((i) => i.boothId !== peer.id);
    if (foreign) {
      log.warn({ boothId: peer.id }, 'refused a batch naming another booth');
      await journalRefusal(ports.journal, { actor: { role: 'booth', id: peer.id }, action: 'write', resource: 'record.item', resourceId: params.batchId, boothId: peer.id, reason: 'BOOTH_MISMATCH', from: peer.from }, log);
      throw refused('BOOTH_MISMATCH', `item ${foreign.id} names booth "${foreign.boothId.slice(0, 64)}" but this connection is booth "${peer.id}"; nothing stored`);
    }
    for (const i of items) {
      if (i.kind === 'photo') {
        const bytes = await repo.photoBytes(i.data.id);
        if (!bytes || bytes.length !== i.data.byteLength || createHash('sha256').update(bytes).digest('hex') !== i.data.sha256) {
          throw refused('PHOTO_INCOMPLETE', `photo ${i.data.id}: send all its chunks before its record item; nothing stored`);
        }
      } else if (i.kind === 'clip') {
        // The chunk table holds every binary upload under its item's id, a clip's as a photo's.
        const bytes = await repo.photoBytes(i.data.id);
        if (!bytes || bytes.length !== i.data.byteLength || createHash('sha256').update(bytes).digest('hex') !== i.data.sha256) {
          throw refused('CLIP_INCOMPLETE', `clip ${i.data.id}: send all its chunks before its record item; nothing stored`);
        }
        const mismatch = clipMismatch(i.data, bytes);
        if (mismatch) throw refused('CLIP_MISMATCH', `clip ${i.data.id}: ${mismatch}; nothing stored`);
      } else if (i.kind === 'video') {
        // Like a photo: bytes first, then the item. The hash is checked on the whole (at most MAX_VIDEO_BYTES).
        const bytes = await repo.photoBytes(i.data.id);
        if (!bytes || bytes.length !== i.data.byteLength || createHash('sha256').update(bytes).digest('hex') !== i.data.sha256) {
          throw refused('VIDEO_INCOMPLETE', `video ${i.data.id}: send all its chunks before its record item; nothing stored`);
        }
      } else if (i.kind === 'case' && i.data.sessionId !== i.sessionId) {
        throw refused('INVALID_ITEM', `case ${i.data.caseId}: its manifest names session ${i.data.sessionId.slice(0, 64)}, its item ${String(i.sessionId).slice(0, 64)}; nothing stored`);
      }
    }
    const bySession = new Map<string | null, number>();
    for (const i of items) bySession.set(i.sessionId, (bySession.get(i.sessionId) ?? 0) + 1);
    for (const [sessionId, count] of bySession) {
      await journaled(ports.journal, {
        actor: { role: 'booth', id: peer.id }, action: 'write', resource: 'record.item', resourceId: params.batchId,
        sessionId: sessionId ?? undefined, boothId: peer.id, outcome: 'allowed', reason: `${count} item(s)`, from: peer.from,
      }, log);
    }
    try {
      const outcome = await repo.ingest(peer.id, params.batchId, items, ports.config.booths.find((b) => b.boothId === peer.id)?.pharmacyId ?? null);
      log.info({ boothId: peer.id, stored: outcome.acked.length, duplicates: outcome.duplicates.length }, 'ingested a batch');
      if (outcome.acked.length > 0) {
        const fresh = new Set(outcome.acked);
        // The first of two items with one id in a batch is the one stored.
        const stored = items.filter((i) => fresh.delete(i.id));
        for (const listener of listeners) {
          try {
            listener(peer.id, stored);
          } catch (error) {
            // A listener's failure must not turn a stored batch into a refusal (the booth would resend it).
            log.error({ err: error }, 'an ingested listener failed');
          }
        }
      }
      return outcome;
    } catch (error) {
      return asRefusal(error);
    }
  });
  booths.handleBinary('record.blobChunk', BlobChunkParams, async (peer, p, bytes) => {
    checkBlobChunk(p, bytes);
    try {
      const received = await repo.putPhotoChunk(peer.id, p.blobId, p.sha256, p.count, p.index, bytes);
      if (received === p.count) {
        for (const listener of blobListeners) {
          try {
            listener(peer.id, p.blobId);
          } catch (error) {
            log.error({ err: error }, 'a blob listener failed');
          }
        }
      }
      return { index: p.index, received };
    } catch (error) {
      return asRefusal(error);
    }
  });
  booths.handle('record.photoChunk', PhotoChunkParams, async (peer, p) => {
    if (p.count > MAX_PHOTO_CHUNKS) throw refused('BINARY_TOO_LARGE', `photo ${p.photoId}: ${p.count} chunks is over ${MAX_PHOTO_BYTES} bytes; nothing stored`);
    try {
      const received = await repo.putPhotoChunk(peer.id, p.photoId, p.sha256, p.count, p.index, Buffer.from(p.data, 'base64'));
      return { index: p.index, received };
    } catch (error) {
      return asRefusal(error);
    }
  });
  return {
    repo,
    onIngested: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onBlobComplete: (listener) => {
      blobListeners.add(listener);
      return () => blobListeners.delete(listener);
    },
  };
}
