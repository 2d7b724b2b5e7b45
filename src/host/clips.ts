/**
 * The booth's side of a recorded stethoscope clip (src/shared/clip-protocol.ts).
 * The hub's `consult.clipRequested` is refused at once when the patient is
 * not in the call or a clip is already being recorded; otherwise the kiosk
 * page is told (`clipCommand`) and the hub is answered only once the page
 * says the stethoscope is open and recording (or why it is not). The page
 * then hands over the whole WAV (`saveClip`): it is checked (16-bit PCM at
 * CLIP_SAMPLE_RATE, the length asked for), stored sealed, and the outbox
 * sends it. A clip that stops before its end is never stored: the hub hears
 * `consult.clipFailed`. No sound and no point go to the log.
 *
 * A forwarded case's exam records its clips the same way, started at the
 * booth (`startLocal`) with no hub request and no doctor listening: the
 * session hears CLIP_SAVED or CLIP_FAILED instead of the hub.
 */
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { CLIP_BITS_PER_SAMPLE, CLIP_SAMPLE_RATE, CLIP_SECONDS } from '../shared/auscultation';
import { MAX_CLIP_BYTES } from '../shared/binary-transfer';
import { CLIP, ClipRequested, type ClipFailureCode, type ClipRefusalCode } from '../shared/clip-protocol';
import { CabineError, codeOf } from '../shared/errors';
import type { KioskEvent, Params } from '../shared/kiosk-api';
import { decodeWav } from '../shared/wav';
import type { HubChannel } from './hub-link';
import type { HostSession } from './session';
import type { ClipInput } from './store/store';

/** A clip request or upload the booth refuses, with a stable code the hub maps to the doctor's words. */
export class ClipError extends CabineError {
  constructor(code: ClipRefusalCode | ClipFailureCode | 'INVALID_PARAMS' | 'NO_CLIP', detail: string) {
    super(code, {
      fr: 'L’enregistrement du stéthoscope n’a pas pu se faire.',
      en: 'The stethoscope recording could not be made.',
    }, { detail });
  }
}

export interface BoothClipsOptions {
  link: HubChannel;
  session: Pick<HostSession, 'flow' | 'view'>;
  /** KioskApi events to the page (`clipCommand`). */
  emit: (event: KioskEvent) => void;
  /** Host.recordClip: sealed in the store (write before show), then synced by the outbox. */
  recordClip: (clip: ClipInput) => Promise<void>;
  log: Logger;
  now?: () => number;
  /** How long the page has to open the stethoscope before the hub is told it failed. */
  startTimeoutMs?: number;
  /** How long past the clip's own length the page has to hand it over (a page that reloaded never will). */
  saveGraceMs?: number;
  /** Where an exam's own clip ends (the session machine): stored, or why not. */
  exam?: { saved(clipId: string): void; failed(code: string): void };
}

interface Recording {
  requestId: string;
  point: ClipInput['point'];
  seconds: number;
  state: 'starting' | 'recording';
  /** Started at the booth for a forwarded case's exam: no hub to answer or tell. */
  local?: boolean;
  started?: { resolve: () => void; reject: (e: ClipError) => void; timer: NodeJS.Timeout };
  overdue?: NodeJS.Timeout;
}

/** How far a clip may be from the length asked for (a late first buffer, a rounded last one). */
const LENGTH_TOLERANCE_MS = 250;

export class BoothClips {
  private current: Recording | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: BoothClipsOptions) {
    this.now = opts.now ?? Date.now;
    opts.link.handle(CLIP.requested, (params) => this.requested(params));
  }

  /** Whether a clip is being recorded (the kiosk shows it). */
  recording(): boolean {
    return this.current !== null;
  }

  /** The hub asks for a clip: answered once the page records, refused with a ClipRefusalCode otherwise. */
  async requested(raw: unknown): Promise<{ recording: true }> {
    const parsed = ClipRequested.safeParse(raw);
    if (!parsed.success) throw new ClipError('INVALID_PARAMS', parsed.error.issues.map((i) => i.path.join('.')).join(', ').slice(0, 200));
    const { requestId, point, seconds } = parsed.data;
    if (this.opts.session.flow().split('.')[0] !== 'consultation') throw new ClipError('NOT_IN_CALL', 'the patient is not in the consultation');
    if (this.current) throw new ClipError('ALREADY_RECORDING', 'a clip is being recorded');
    const rec: Recording = { requestId, point, seconds, state: 'starting' };
    this.current = rec;
    const started = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.finish(rec);
        reject(new ClipError('CAPTURE_FAILED', 'the kiosk page did not start the recording'));
      }, this.opts.startTimeoutMs ?? 6_000);
      rec.started = { resolve, reject, timer };
    });
    this.opts.emit({ name: 'clipCommand', data: { requestId, point, seconds } });
    await started;
    return { recording: true };
  }

  /**
   * The exam's clip at a point: the kiosk page records the booth's usual
   * length from the stethoscope, exactly as for the doctor; no hub request.
   * Refused (CLIP_FAILED to the session) while another clip is recorded.
   */
  startLocal(point: ClipInput['point'], seconds = CLIP_SECONDS): void {
    if (this.current) {
      this.opts.exam?.failed('ALREADY_RECORDING');
      return;
    }
    const rec: Recording = { requestId: uuidv7(), point, seconds, state: 'starting', local: true };
    this.current = rec;
    const timer = setTimeout(() => {
      this.finish(rec);
      this.failed(rec, 'CAPTURE_FAILED');
    }, this.opts.startTimeoutMs ?? 6_000);
    rec.started = { resolve: () => undefined, reject: (e) => this.failed(rec, e.code === 'NO_STETHOSCOPE' ? 'NO_STETHOSCOPE' : 'CAPTURE_FAILED'), timer };
    this.opts.emit({ name: 'clipCommand', data: { requestId: rec.requestId, point, seconds } });
  }

  /** The page's answer to `clipCommand`; `ok: false` when that clip is no longer awaited. */
  state(p: Params<'clipState'>): { ok: boolean } {
    const rec = this.current;
    if (!rec || rec.requestId !== p.requestId) return { ok: false };
    if (p.state === 'recording') {
      if (rec.state !== 'starting') return { ok: false };
      rec.state = 'recording';
      clearTimeout(rec.started!.timer);
      rec.started!.resolve();
      rec.overdue = setTimeout(() => {
        if (this.current !== rec) return;
        this.finish(rec);
        this.opts.log.warn('a clip was never handed over by the kiosk page');
        this.failed(rec, 'CAPTURE_FAILED');
      }, rec.seconds * 1000 + (this.opts.saveGraceMs ?? 60_000));
      return { ok: true };
    }
    this.finish(rec);
    if (rec.state === 'starting') {
      clearTimeout(rec.started!.timer);
      rec.started!.reject(new ClipError(p.code === 'NO_STETHOSCOPE' ? 'NO_STETHOSCOPE' : 'CAPTURE_FAILED', 'the kiosk page could not start the recording'));
    } else {
      this.failed(rec, p.code === 'NO_STETHOSCOPE' ? 'STETHOSCOPE_UNPLUGGED' : p.code);
    }
    return { ok: true };
  }

  /** The whole clip from the page: checked, stored sealed and queued for the hub. */
  async save(requestId: string, upload: { bytes: Buffer }): Promise<{ clipId: string }> {
    const rec = this.current;
    if (!rec || rec.requestId !== requestId || rec.state !== 'recording') throw new ClipError('NO_CLIP', 'no clip is being recorded under this id');
    this.finish(rec);
    const clip = this.check(rec, upload.bytes);
    if (typeof clip === 'string') {
      this.opts.log.warn({ detail: clip }, 'a clip from the kiosk was refused');
      this.failed(rec, 'CAPTURE_FAILED');
      throw new ClipError('CAPTURE_FAILED', clip);
    }
    try {
      await this.opts.recordClip(clip);
    } catch (error) {
      this.failed(rec, 'STORE_FAILED');
      throw error;
    }
    this.opts.log.info({ clipId: clip.id, bytes: upload.bytes.length, local: !!rec.local }, 'clip stored');
    if (rec.local) this.opts.exam?.saved(clip.id);
    return { clipId: clip.id };
  }

  private check(rec: Recording, bytes: Buffer): ClipInput | string {
    if (bytes.length > MAX_CLIP_BYTES) return `${bytes.length} bytes, at most ${MAX_CLIP_BYTES}`;
    let wav;
    try {
      wav = decodeWav(bytes);
    } catch (error) {
      return `not a 16-bit PCM WAV (${codeOf(error) ?? 'unreadable'})`;
    }
    if (wav.sampleRate !== CLIP_SAMPLE_RATE) return `${wav.sampleRate} Hz, ${CLIP_SAMPLE_RATE} expected`;
    if (wav.channels.length > 2) return `${wav.channels.length} channels`;
    const durationMs = Math.round((wav.channels[0]!.length / wav.sampleRate) * 1000);
    if (Math.abs(durationMs - rec.seconds * 1000) > LENGTH_TOLERANCE_MS) return `${durationMs} ms of sound, ${rec.seconds} s asked for`;
    return {
      id: uuidv7(), sessionId: this.opts.session.view().sessionId, point: rec.point, mime: 'audio/wav',
      sampleRate: wav.sampleRate, bitsPerSample: CLIP_BITS_PER_SAMPLE, channels: wav.channels.length, durationMs,
      recordedAt: new Date(this.now() - durationMs).toISOString(), bytes,
    };
  }

  private finish(rec: Recording): void {
    if (rec.overdue) clearTimeout(rec.overdue);
    if (this.current === rec) this.current = null;
  }

  private failed(rec: Recording, code: ClipFailureCode | 'NO_STETHOSCOPE'): void {
    if (rec.local) {
      this.opts.exam?.failed(code);
      return;
    }
    this.opts.link.request(CLIP.failed, { requestId: rec.requestId, point: rec.point, code }).catch((error: unknown) => {
      this.opts.log.warn({ code: codeOf(error) }, 'the hub did not hear that a clip failed');
    });
  }
}
