/**
 * The booth's local store (DESIGN §4, STYLE 7): one SQLite file in WAL mode
 * with `synchronous=FULL` (a reading reported as saved survives a power cut),
 * statements prepared once, every write in a transaction that also fills the
 * outbox. Personal data is sealed (seal.ts) with the booth key; only ids,
 * kinds and times stay in clear for indexing and retention.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { systemClock, type Clock } from '../../shared/clock';
import type { Reading, SessionEvent } from '../../shared/domain';
import type { CaseManifest, VideoMeta } from '../../shared/case-record';
import { PHOTO_CHUNK_BYTES, type ClipMeta, type PhotoMeta, type RecordItem, type RecordKind } from '../../shared/record-protocol';
import { StoreError, toStoreError } from '../../node/store-errors';
import type { KeyProvider } from '../../node/keys';
import { openDatabase } from '../../node/sqlite';
import { MIGRATIONS } from './migrations';
import { open, openJson, seal, sealJson } from '../../node/seal';

export interface StoreOptions {
  path: string;
  keys: KeyProvider;
  boothId: string;
  /** How long a write waits for another connection's lock before DB_LOCKED. */
  busyTimeoutMs?: number;
  clock?: Pick<Clock, 'now'>;
}

export interface SessionRecord {
  id: string;
  startedAt: string;
  endedAt?: string | null;
  /** Personal data: sealed at rest. */
  identity?: { name?: string; birthDate?: string; [k: string]: unknown };
  notes?: string;
}

export interface PhotoInput {
  id: string;
  sessionId: string | null;
  mime: PhotoMeta['mime'];
  width: number;
  height: number;
  takenAt: string;
  polarisation: PhotoMeta['polarisation'];
  bodySite?: string;
  device?: PhotoMeta['device'];
  modality?: PhotoMeta['modality'];
  ear?: PhotoMeta['ear'];
  bytes: Buffer;
}

/** A stethoscope clip as the kiosk recorded it: a 16-bit PCM WAV and what it was checked to hold. */
export type ClipInput = Omit<ClipMeta, 'byteLength' | 'chunkCount' | 'sha256'> & { bytes: Buffer };

/** The patient's video of a forwarded case, as the kiosk recorded it (webm), with its bytes. */
export type VideoInput = Omit<VideoMeta, 'byteLength' | 'chunkCount' | 'sha256'> & { bytes: Buffer };

export interface OutboxEntry {
  seq: number;
  itemId: string;
  kind: RecordKind;
  sessionId: string | null;
}

export interface PurgeResult {
  readings: number;
  sessionEvents: number;
  photos: number;
  clips: number;
  videos: number;
  cases: number;
  sessions: number;
}

const DAY_MS = 86_400_000;

export class BoothStore {
  readonly db: Database.Database;
  readonly boothId: string;
  private readonly keys: KeyProvider;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly st: ReturnType<BoothStore['prepare']>;
  private readonly txReading: (r: Reading) => void;
  private readonly txReadings: (rs: Reading[]) => void;
  private readonly txEvent: (e: SessionEvent) => void;
  private readonly txPhoto: (p: PhotoInput, meta: PhotoMeta) => void;
  private readonly txClip: (c: ClipInput, meta: ClipMeta) => void;
  private readonly txVideo: (v: VideoInput, meta: VideoMeta) => void;
  private readonly txCase: (c: CaseManifest) => void;
  private readonly txAck: (ids: string[]) => number;
  private readonly txPurge: (cutoff: number) => PurgeResult;

  private constructor(db: Database.Database, opts: StoreOptions) {
    this.db = db;
    this.keys = opts.keys;
    this.boothId = opts.boothId;
    this.clock = opts.clock ?? systemClock;
    this.st = this.prepare();
    this.txReading = db.transaction((r: Reading) => {
      this.st.insertReading.run(r.id, r.sessionId, r.kind, r.takenAt, sealJson(this.keys, `readings:${r.id}`, r));
      this.st.insertOutbox.run(r.id, 'reading', r.sessionId, this.clock.now());
    });
    this.txReadings = db.transaction((rs: Reading[]) => {
      for (const r of rs) this.txReading(r);
    });
    this.txEvent = db.transaction((e: SessionEvent) => {
      this.st.insertEvent.run(e.id, e.sessionId, e.type, e.at, sealJson(this.keys, `session_events:${e.id}`, e));
      this.st.insertOutbox.run(e.id, 'sessionEvent', e.sessionId, this.clock.now());
    });
    this.txPhoto = db.transaction((p: PhotoInput, meta: PhotoMeta) => {
      const { bytes: _bytes, ...rest } = p;
      this.st.insertPhoto.run(p.id, p.sessionId, p.mime, p.width, p.height, meta.byteLength, meta.chunkCount, meta.sha256, p.takenAt, sealJson(this.keys, `photos:${p.id}`, rest));
      for (let i = 0; i < meta.chunkCount; i++) {
        const chunk = p.bytes.subarray(i * PHOTO_CHUNK_BYTES, (i + 1) * PHOTO_CHUNK_BYTES);
        this.st.insertChunk.run(p.id, i, seal(this.keys, `photo_chunks:${p.id}:${i}`, chunk));
      }
      this.st.insertOutbox.run(p.id, 'photo', p.sessionId, this.clock.now());
    });
    this.txClip = db.transaction((c: ClipInput, meta: ClipMeta) => {
      const { bytes: _bytes, ...rest } = c;
      this.st.insertClip.run(c.id, c.sessionId, meta.byteLength, meta.chunkCount, meta.sha256, c.recordedAt, sealJson(this.keys, `clips:${c.id}`, rest));
      for (let i = 0; i < meta.chunkCount; i++) {
        const chunk = c.bytes.subarray(i * PHOTO_CHUNK_BYTES, (i + 1) * PHOTO_CHUNK_BYTES);
        this.st.insertClipChunk.run(c.id, i, seal(this.keys, `clip_chunks:${c.id}:${i}`, chunk));
      }
      this.st.insertOutbox.run(c.id, 'clip', c.sessionId, this.clock.now());
    });
    this.txVideo = db.transaction((v: VideoInput, meta: VideoMeta) => {
      const { bytes: _bytes, ...rest } = v;
      this.st.insertVideo.run(v.id, v.sessionId, meta.byteLength, meta.chunkCount, meta.sha256, v.recordedAt, sealJson(this.keys, `videos:${v.id}`, rest));
      for (let i = 0; i < meta.chunkCount; i++) {
        const chunk = v.bytes.subarray(i * PHOTO_CHUNK_BYTES, (i + 1) * PHOTO_CHUNK_BYTES);
        this.st.insertVideoChunk.run(v.id, i, seal(this.keys, `video_chunks:${v.id}:${i}`, chunk));
      }
      this.st.insertOutbox.run(v.id, 'video', v.sessionId, this.clock.now());
    });
    this.txCase = db.transaction((c: CaseManifest) => {
      this.st.insertCase.run(c.caseId, c.sessionId, c.completedAt, sealJson(this.keys, `cases:${c.caseId}`, c));
      this.st.insertOutbox.run(c.caseId, 'case', c.sessionId, this.clock.now());
    });
    this.txAck = db.transaction((ids: string[]) => {
      const at = this.clock.now();
      let n = 0;
      for (const id of ids) n += this.st.ack.run(at, id).changes;
      return n;
    });
    this.txPurge = db.transaction((cutoff: number) => {
      const readings = this.st.purgeReadings.run(cutoff).changes;
      const sessionEvents = this.st.purgeEvents.run(cutoff).changes;
      const photos = this.st.purgePhotos.run(cutoff).changes;
      const clips = this.st.purgeClips.run(cutoff).changes;
      const videos = this.st.purgeVideos.run(cutoff).changes;
      const cases = this.st.purgeCases.run(cutoff).changes;
      this.st.purgeOutbox.run(cutoff);
      const sessions = this.st.purgeSessions.run(new Date(cutoff).toISOString()).changes;
      return { readings, sessionEvents, photos, clips, videos, cases, sessions };
    });
  }

  /** Opens (creating if needed) and migrates the store; SQLite failures become StoreErrors. */
  static open(opts: StoreOptions): BoothStore {
    let db: Database.Database | undefined;
    try {
      db = openDatabase(opts.path, MIGRATIONS.map((m) => m.up), { synchronous: 'FULL', busyTimeoutMs: opts.busyTimeoutMs, foreignKeys: true });
      return new BoothStore(db, opts);
    } catch (error) {
      db?.close();
      throw toStoreError(error);
    }
  }

  private prepare() {
    const db = this.db;
    const acked = (kind: RecordKind) => `SELECT item_id FROM outbox WHERE kind = '${kind}' AND acked_at IS NOT NULL AND acked_at < ?`;
    return {
      upsertSession: db.prepare('INSERT INTO sessions (id, started_at, ended_at, sealed) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET ended_at = excluded.ended_at, sealed = excluded.sealed'),
      getSession: db.prepare<[string], { id: string; started_at: string; ended_at: string | null; sealed: Buffer | null }>('SELECT * FROM sessions WHERE id = ?'),
      insertReading: db.prepare('INSERT INTO readings (id, session_id, kind, taken_at, sealed) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING'),
      getReading: db.prepare<[string], { sealed: Buffer }>('SELECT sealed FROM readings WHERE id = ?'),
      readingIds: db.prepare<[], { id: string }>('SELECT id FROM readings'),
      insertEvent: db.prepare('INSERT INTO session_events (id, session_id, type, at, sealed) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING'),
      getEvent: db.prepare<[string], { sealed: Buffer }>('SELECT sealed FROM session_events WHERE id = ?'),
      insertPhoto: db.prepare('INSERT INTO photos (id, session_id, mime, width, height, byte_length, chunk_count, sha256, taken_at, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING'),
      getPhoto: db.prepare<[string], { id: string; session_id: string | null; mime: PhotoMeta['mime']; width: number; height: number; byte_length: number; chunk_count: number; sha256: string; taken_at: string; sealed: Buffer; uploaded_chunks: number }>('SELECT * FROM photos WHERE id = ?'),
      insertChunk: db.prepare('INSERT INTO photo_chunks (photo_id, idx, sealed) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      getChunk: db.prepare<[string, number], { sealed: Buffer }>('SELECT sealed FROM photo_chunks WHERE photo_id = ? AND idx = ?'),
      setUploaded: db.prepare('UPDATE photos SET uploaded_chunks = max(uploaded_chunks, ?) WHERE id = ?'),
      insertClip: db.prepare('INSERT INTO clips (id, session_id, byte_length, chunk_count, sha256, recorded_at, sealed) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING'),
      getClip: db.prepare<[string], { id: string; session_id: string | null; byte_length: number; chunk_count: number; sha256: string; recorded_at: string; sealed: Buffer; uploaded_chunks: number }>('SELECT * FROM clips WHERE id = ?'),
      insertClipChunk: db.prepare('INSERT INTO clip_chunks (clip_id, idx, sealed) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      getClipChunk: db.prepare<[string, number], { sealed: Buffer }>('SELECT sealed FROM clip_chunks WHERE clip_id = ? AND idx = ?'),
      setClipUploaded: db.prepare('UPDATE clips SET uploaded_chunks = max(uploaded_chunks, ?) WHERE id = ?'),
      insertVideo: db.prepare('INSERT INTO videos (id, session_id, byte_length, chunk_count, sha256, recorded_at, sealed) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING'),
      getVideo: db.prepare<[string], { id: string; session_id: string | null; byte_length: number; chunk_count: number; sha256: string; recorded_at: string; sealed: Buffer; uploaded_chunks: number }>('SELECT * FROM videos WHERE id = ?'),
      insertVideoChunk: db.prepare('INSERT INTO video_chunks (video_id, idx, sealed) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      getVideoChunk: db.prepare<[string, number], { sealed: Buffer }>('SELECT sealed FROM video_chunks WHERE video_id = ? AND idx = ?'),
      setVideoUploaded: db.prepare('UPDATE videos SET uploaded_chunks = max(uploaded_chunks, ?) WHERE id = ?'),
      restartPhotoUpload: db.prepare('UPDATE photos SET uploaded_chunks = 0 WHERE id = ?'),
      restartClipUpload: db.prepare('UPDATE clips SET uploaded_chunks = 0 WHERE id = ?'),
      restartVideoUpload: db.prepare('UPDATE videos SET uploaded_chunks = 0 WHERE id = ?'),
      insertCase: db.prepare('INSERT INTO cases (id, session_id, completed_at, sealed) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING'),
      getCase: db.prepare<[string], { sealed: Buffer }>('SELECT sealed FROM cases WHERE id = ?'),
      insertOutbox: db.prepare('INSERT INTO outbox (item_id, kind, session_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(item_id) DO NOTHING'),
      outboxBatch: db.prepare<[number], { seq: number; item_id: string; kind: RecordKind; session_id: string | null }>('SELECT seq, item_id, kind, session_id FROM outbox WHERE acked_at IS NULL ORDER BY seq LIMIT ?'),
      pending: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox WHERE acked_at IS NULL'),
      ack: db.prepare('UPDATE outbox SET acked_at = ? WHERE item_id = ? AND acked_at IS NULL'),
      purgeReadings: db.prepare(`DELETE FROM readings WHERE id IN (${acked('reading')})`),
      purgeEvents: db.prepare(`DELETE FROM session_events WHERE id IN (${acked('sessionEvent')})`),
      purgePhotos: db.prepare(`DELETE FROM photos WHERE id IN (${acked('photo')})`),
      purgeClips: db.prepare(`DELETE FROM clips WHERE id IN (${acked('clip')})`),
      purgeVideos: db.prepare(`DELETE FROM videos WHERE id IN (${acked('video')})`),
      purgeCases: db.prepare(`DELETE FROM cases WHERE id IN (${acked('case')})`),
      purgeOutbox: db.prepare('DELETE FROM outbox WHERE acked_at IS NOT NULL AND acked_at < ?'),
      purgeSessions: db.prepare(`DELETE FROM sessions WHERE started_at < ?
        AND NOT EXISTS (SELECT 1 FROM readings r WHERE r.session_id = sessions.id)
        AND NOT EXISTS (SELECT 1 FROM session_events e WHERE e.session_id = sessions.id)
        AND NOT EXISTS (SELECT 1 FROM photos p WHERE p.session_id = sessions.id)
        AND NOT EXISTS (SELECT 1 FROM clips c WHERE c.session_id = sessions.id)
        AND NOT EXISTS (SELECT 1 FROM videos v WHERE v.session_id = sessions.id)
        AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.session_id = sessions.id)`),
      getState: db.prepare<[string], { value: string }>('SELECT value FROM sync_state WHERE key = ?'),
      setState: db.prepare('INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
  }

  private run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw toStoreError(error);
    }
  }

  /** A session and its personal data (identity, notes), sealed. */
  saveSession(s: SessionRecord): void {
    const personal = s.identity || s.notes ? sealJson(this.keys, `sessions:${s.id}`, { identity: s.identity, notes: s.notes }) : null;
    this.run(() => this.st.upsertSession.run(s.id, s.startedAt, s.endedAt ?? null, personal));
  }

  getSession(id: string): SessionRecord | undefined {
    const row = this.run(() => this.st.getSession.get(id));
    if (!row) return undefined;
    const personal = row.sealed ? openJson<{ identity?: SessionRecord['identity']; notes?: string }>(this.keys, `sessions:${id}`, row.sealed) : {};
    return { id: row.id, startedAt: row.started_at, endedAt: row.ended_at, ...personal };
  }

  /** Stores a reading and queues it for the hub, in one transaction. Saving the same id twice is a no-op. */
  saveReading(reading: Reading): void {
    this.run(() => this.txReading(reading));
  }

  /** Several readings in one transaction (one fsync): a backlog, an import. */
  saveReadings(readings: Reading[]): void {
    this.run(() => this.txReadings(readings));
  }

  getReading(id: string): Reading | undefined {
    const row = this.run(() => this.st.getReading.get(id));
    return row ? openJson<Reading>(this.keys, `readings:${id}`, row.sealed) : undefined;
  }

  readingIds(): string[] {
    return this.run(() => this.st.readingIds.all().map((r) => r.id));
  }

  saveSessionEvent(event: SessionEvent): void {
    this.run(() => this.txEvent(event));
  }

  getSessionEvent(id: string): SessionEvent | undefined {
    const row = this.run(() => this.st.getEvent.get(id));
    return row ? openJson<SessionEvent>(this.keys, `session_events:${id}`, row.sealed) : undefined;
  }

  /** Stores a photo as sealed chunks of PHOTO_CHUNK_BYTES and queues it. */
  savePhoto(photo: PhotoInput): PhotoMeta {
    const meta = this.photoMeta(photo);
    this.run(() => this.txPhoto(photo, meta));
    return meta;
  }

  private photoMeta(p: PhotoInput): PhotoMeta {
    return {
      id: p.id, sessionId: p.sessionId, mime: p.mime, width: p.width, height: p.height,
      byteLength: p.bytes.length,
      chunkCount: Math.max(1, Math.ceil(p.bytes.length / PHOTO_CHUNK_BYTES)),
      sha256: createHash('sha256').update(p.bytes).digest('hex'),
      takenAt: p.takenAt, polarisation: p.polarisation,
      ...(p.bodySite !== undefined ? { bodySite: p.bodySite } : {}),
      ...(p.device ? { device: p.device } : {}),
      ...(p.modality ? { modality: p.modality } : {}),
      ...(p.ear ? { ear: p.ear } : {}),
    };
  }

  getPhotoMeta(id: string): (PhotoMeta & { uploadedChunks: number }) | undefined {
    const row = this.run(() => this.st.getPhoto.get(id));
    if (!row) return undefined;
    const personal = openJson<Omit<PhotoInput, 'bytes'>>(this.keys, `photos:${id}`, row.sealed);
    return {
      id: row.id, sessionId: row.session_id, mime: row.mime, width: row.width, height: row.height,
      byteLength: row.byte_length, chunkCount: row.chunk_count, sha256: row.sha256, takenAt: row.taken_at,
      polarisation: personal.polarisation,
      ...(personal.bodySite !== undefined ? { bodySite: personal.bodySite } : {}),
      ...(personal.device ? { device: personal.device } : {}),
      ...(personal.modality ? { modality: personal.modality } : {}),
      ...(personal.ear ? { ear: personal.ear } : {}),
      uploadedChunks: row.uploaded_chunks,
    };
  }

  readPhotoChunk(id: string, index: number): Buffer {
    const row = this.run(() => this.st.getChunk.get(id, index));
    if (!row) throw new StoreError('STORE_FAILED', { detail: `photo ${id} has no chunk ${index}` });
    return open(this.keys, `photo_chunks:${id}:${index}`, row.sealed);
  }

  readPhoto(id: string): Buffer {
    const meta = this.getPhotoMeta(id);
    if (!meta) throw new StoreError('STORE_FAILED', { detail: `no photo ${id}` });
    return Buffer.concat(Array.from({ length: meta.chunkCount }, (_, i) => this.readPhotoChunk(id, i)));
  }

  /** Upload progress survives a restart: the next upload resumes at this chunk. */
  markPhotoChunksUploaded(id: string, count: number): void {
    this.run(() => this.st.setUploaded.run(count, id));
  }

  /** Stores a stethoscope clip as sealed chunks of PHOTO_CHUNK_BYTES (the outbox's binary unit) and queues it. */
  saveClip(clip: ClipInput): ClipMeta {
    const meta: ClipMeta = {
      id: clip.id, sessionId: clip.sessionId, point: clip.point, mime: clip.mime, sampleRate: clip.sampleRate,
      bitsPerSample: clip.bitsPerSample, channels: clip.channels, durationMs: clip.durationMs,
      byteLength: clip.bytes.length,
      chunkCount: Math.max(1, Math.ceil(clip.bytes.length / PHOTO_CHUNK_BYTES)),
      sha256: createHash('sha256').update(clip.bytes).digest('hex'),
      recordedAt: clip.recordedAt,
    };
    this.run(() => this.txClip(clip, meta));
    return meta;
  }

  getClipMeta(id: string): (ClipMeta & { uploadedChunks: number }) | undefined {
    const row = this.run(() => this.st.getClip.get(id));
    if (!row) return undefined;
    const sealed = openJson<Omit<ClipInput, 'bytes'>>(this.keys, `clips:${id}`, row.sealed);
    return {
      id: row.id, sessionId: row.session_id, point: sealed.point, mime: sealed.mime, sampleRate: sealed.sampleRate,
      bitsPerSample: sealed.bitsPerSample, channels: sealed.channels, durationMs: sealed.durationMs,
      byteLength: row.byte_length, chunkCount: row.chunk_count, sha256: row.sha256, recordedAt: row.recorded_at,
      uploadedChunks: row.uploaded_chunks,
    };
  }

  readClipChunk(id: string, index: number): Buffer {
    const row = this.run(() => this.st.getClipChunk.get(id, index));
    if (!row) throw new StoreError('STORE_FAILED', { detail: `clip ${id} has no chunk ${index}` });
    return open(this.keys, `clip_chunks:${id}:${index}`, row.sealed);
  }

  readClip(id: string): Buffer {
    const meta = this.getClipMeta(id);
    if (!meta) throw new StoreError('STORE_FAILED', { detail: `no clip ${id}` });
    return Buffer.concat(Array.from({ length: meta.chunkCount }, (_, i) => this.readClipChunk(id, i)));
  }

  /** Upload progress survives a restart: the next upload resumes at this chunk. */
  markClipChunksUploaded(id: string, count: number): void {
    this.run(() => this.st.setClipUploaded.run(count, id));
  }

  /** Stores the patient's video as sealed chunks of PHOTO_CHUNK_BYTES (the outbox's binary unit) and queues it. */
  saveVideo(video: VideoInput): VideoMeta {
    const meta: VideoMeta = {
      id: video.id, sessionId: video.sessionId, mime: video.mime, durationMs: video.durationMs, width: video.width, height: video.height,
      byteLength: video.bytes.length,
      chunkCount: Math.max(1, Math.ceil(video.bytes.length / PHOTO_CHUNK_BYTES)),
      sha256: createHash('sha256').update(video.bytes).digest('hex'),
      recordedAt: video.recordedAt,
    };
    this.run(() => this.txVideo(video, meta));
    return meta;
  }

  getVideoMeta(id: string): (VideoMeta & { uploadedChunks: number }) | undefined {
    const row = this.run(() => this.st.getVideo.get(id));
    if (!row) return undefined;
    const sealed = openJson<Omit<VideoInput, 'bytes'>>(this.keys, `videos:${id}`, row.sealed);
    return {
      id: row.id, sessionId: row.session_id, mime: sealed.mime, durationMs: sealed.durationMs, width: sealed.width, height: sealed.height,
      byteLength: row.byte_length, chunkCount: row.chunk_count, sha256: row.sha256, recordedAt: row.recorded_at,
      uploadedChunks: row.uploaded_chunks,
    };
  }

  readVideoChunk(id: string, index: number): Buffer {
    const row = this.run(() => this.st.getVideoChunk.get(id, index));
    if (!row) throw new StoreError('STORE_FAILED', { detail: `video ${id} has no chunk ${index}` });
    return open(this.keys, `video_chunks:${id}:${index}`, row.sealed);
  }

  /** Upload progress survives a restart: the next upload resumes at this chunk. */
  markVideoChunksUploaded(id: string, count: number): void {
    this.run(() => this.st.setVideoUploaded.run(count, id));
  }

  /**
   * Forgets a photo's, clip's or video's upload progress: the next upload
   * sends every chunk again. For an upload the booth counted done while the
   * hub says it lacks bytes (its `*_INCOMPLETE` refusal); the hub keeps the
   * chunks it has and ignores those it already holds.
   */
  restartUpload(kind: 'photo' | 'clip' | 'video', id: string): void {
    const st = kind === 'photo' ? this.st.restartPhotoUpload : kind === 'clip' ? this.st.restartClipUpload : this.st.restartVideoUpload;
    this.run(() => st.run(id));
  }

  /**
   * Stores a forwarded case's manifest, sealed whole (patient, phone number,
   * question, who compiled), and queues it. The caller stores it after every
   * part it names, so the outbox (in write order) sends it last.
   */
  saveCase(manifest: CaseManifest): void {
    this.run(() => this.txCase(manifest));
  }

  getCase(caseId: string): CaseManifest | undefined {
    const row = this.run(() => this.st.getCase.get(caseId));
    return row ? openJson<CaseManifest>(this.keys, `cases:${caseId}`, row.sealed) : undefined;
  }

  /** The oldest unacknowledged items, in the order they were written. */
  outboxBatch(limit: number): OutboxEntry[] {
    return this.run(() => this.st.outboxBatch.all(limit)).map((r) => ({ seq: r.seq, itemId: r.item_id, kind: r.kind, sessionId: r.session_id }));
  }

  /** The item as the hub's record receives it (decrypted here, sent over the authenticated link). */
  recordItem(entry: OutboxEntry): RecordItem {
    const base = { id: entry.itemId, boothId: this.boothId, sessionId: entry.sessionId, seq: entry.seq };
    if (entry.kind === 'reading') return { ...base, kind: 'reading', data: this.getReading(entry.itemId)! };
    if (entry.kind === 'sessionEvent') return { ...base, kind: 'sessionEvent', data: this.getSessionEvent(entry.itemId)! };
    if (entry.kind === 'clip') {
      const { uploadedChunks: _c, ...clip } = this.getClipMeta(entry.itemId)!;
      return { ...base, kind: 'clip', data: clip };
    }
    if (entry.kind === 'video') {
      const { uploadedChunks: _v, ...video } = this.getVideoMeta(entry.itemId)!;
      return { ...base, kind: 'video', data: video };
    }
    if (entry.kind === 'case') return { ...base, kind: 'case', data: this.getCase(entry.itemId)! };
    const { uploadedChunks: _u, ...meta } = this.getPhotoMeta(entry.itemId)!;
    return { ...base, kind: 'photo', data: meta };
  }

  /** Marks items as acknowledged by the hub; returns how many changed. */
  markAcked(ids: string[]): number {
    return this.run(() => this.txAck(ids));
  }

  pendingCount(): number {
    return this.run(() => this.st.pending.get()!.n);
  }

  /** Deletes what the hub acknowledged more than `retentionDays` ago. Unacknowledged data is never purged. */
  purge(retentionDays: number): PurgeResult {
    return this.run(() => this.txPurge(this.clock.now() - retentionDays * DAY_MS));
  }

  getState(key: string): string | undefined {
    return this.run(() => this.st.getState.get(key)?.value);
  }

  setState(key: string, value: string): void {
    this.run(() => this.st.setState.run(key, value));
  }

  integrityCheck(): string {
    return this.run(() => this.db.pragma('integrity_check', { simple: true }) as string);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
