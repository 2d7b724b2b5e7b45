/**
 * Recorded stethoscope clips on the hub (src/shared/clip-protocol.ts): the
 * console's `consult.recordClip` asks the booth of the caller's own room and
 * answers once the booth records (or says why not, in the doctor's words);
 * a clip the record stored is noted `consult.clip` to the doctor of the
 * booth's room, its bytes served at `clipUrl(id)` with the photos' access
 * rules; a clip the booth could not finish reaches the console as
 * `consult.clipFailed`.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CLIP_SECONDS } from '../../shared/auscultation';
import {
  CLIP, CLIP_MESSAGES, ClipFailed, ClipRefusalCode, ClipRequestedResult, RecordClipParams, clipUrl,
  type ClipFailedNote, type ClipNote, type ClipRequested, type RecordClipResult,
} from '../../shared/clip-protocol';
import { HubRequestError } from '../../shared/hub-protocol';
import type { RecordItem } from '../../shared/record-protocol';
import type { BoothGateway } from '../booth-gateway';
import type { Room } from '../media/room';
import type { MediaService } from '../media/rooms';
import { refused, type Peer } from '../peer';
import type { RecordRepository } from '../record/repository';
import type { SpecialistGateway } from '../specialist-gateway';

/** The booth answers once its page has opened the stethoscope: a few seconds, more than a plain request. */
const START_TIMEOUT_MS = 10_000;

export interface HubClipsPorts {
  booths: BoothGateway;
  specialists: SpecialistGateway;
  rooms: MediaService;
  repo: () => RecordRepository;
  log: Logger;
  /** Notes every open console of a specialist. */
  toSpecialist: (specialistId: string, method: string, params: unknown) => void;
  /** The caller's room (refused with NO_ROOM when none). */
  roomOf: (peer: Peer) => Room;
  /** Whether an item belongs to the patient in this room. */
  belongs: (room: Room, sessionId: string | null) => boolean;
}

export class HubClips {
  /** Clips relayed per room, for a booth that gave no session id (its clips are reached by this room only). */
  private readonly logs = new Map<string, ClipNote[]>();

  constructor(private readonly ports: HubClipsPorts) {}

  register(): void {
    const { specialists, booths, rooms } = this.ports;
    specialists.handle(CLIP.record, RecordClipParams, (peer, p) => this.record(peer, p.point));
    specialists.handle(CLIP.list, z.object({}).strict(), (peer) => this.list(this.ports.roomOf(peer)));
    booths.handle(CLIP.failed, ClipFailed, (peer, p) => {
      const room = rooms.roomOfBooth(peer.id);
      if (room) {
        const note: ClipFailedNote = { ...p, boothId: peer.id, roomId: room.id, message: CLIP_MESSAGES[p.code] };
        this.ports.toSpecialist(room.specialistId, CLIP.failedNote, note);
      }
      this.ports.log.info({ boothId: peer.id, code: p.code }, 'a clip failed at the booth');
      return { ok: true };
    });
    rooms.on('roomClosed', (room) => this.logs.delete(room.id));
  }

  close(): void {
    this.logs.clear();
  }

  private async record(peer: Peer, point: RecordClipParams['point']): Promise<RecordClipResult> {
    const room = this.ports.roomOf(peer);
    const booth = this.ports.booths.peer(room.boothId);
    if (!booth?.open) throw refused('BOOTH_OFFLINE', 'La cabine est hors ligne : l’enregistrement n’a pas commencé. Attendez son retour, puis recommencez.');
    const params: ClipRequested = { requestId: randomUUID(), point, seconds: CLIP_SECONDS };
    let answer: unknown;
    try {
      answer = await booth.request(CLIP.requested, params, START_TIMEOUT_MS);
    } catch (error) {
      const code = error instanceof HubRequestError ? error.code : 'INTERNAL';
      this.ports.log.warn({ roomId: room.id, code }, 'the booth did not start a clip');
      const known = ClipRefusalCode.safeParse(code);
      if (known.success) throw refused(known.data, CLIP_MESSAGES[known.data]);
      if (code === 'PEER_GONE' || code === 'TIMEOUT') throw refused('BOOTH_OFFLINE', 'La cabine ne répond pas : l’enregistrement n’a pas commencé. Vérifiez sa connexion, puis recommencez.');
      throw refused('CAPTURE_FAILED', CLIP_MESSAGES.CAPTURE_FAILED);
    }
    if (!ClipRequestedResult.safeParse(answer).success) throw refused('CAPTURE_FAILED', CLIP_MESSAGES.CAPTURE_FAILED);
    this.ports.log.info({ roomId: room.id, requestId: params.requestId }, 'clip recording');
    return { requestId: params.requestId, seconds: params.seconds };
  }

  /** Clips the record newly stored for a booth: noted to the doctor of its room. */
  relay(boothId: string, items: RecordItem[]): void {
    const room = this.ports.rooms.roomOfBooth(boothId);
    if (!room) return;
    for (const item of items) {
      if (item.kind !== 'clip' || !this.ports.belongs(room, item.sessionId)) continue;
      const note: ClipNote = { boothId, roomId: room.id, clip: item.data, url: clipUrl(item.data.id) };
      let log = this.logs.get(room.id);
      if (!log) this.logs.set(room.id, (log = []));
      log.push(note);
      this.ports.toSpecialist(room.specialistId, CLIP.clipNote, note);
    }
  }

  /** The room's clips so far: from the record when the session is known, else what this room relayed. */
  async list(room: Room): Promise<{ clips: ClipNote[] }> {
    const sessionId = room.entry?.sessionId ?? null;
    if (sessionId === null) return { clips: [...(this.logs.get(room.id) ?? [])] };
    const clips: ClipNote[] = [];
    for (const { item } of await this.ports.repo().sessionItems(sessionId)) {
      // Session ids are the booth's: a clip another booth sent under this id is not this patient's.
      if (item.kind === 'clip' && item.boothId === room.boothId) clips.push({ boothId: room.boothId, roomId: room.id, clip: item.data, url: clipUrl(item.data.id) });
    }
    return { clips };
  }

  /** Whether this clip was relayed in the specialist's current room (clips of a booth that gave no session id). */
  relayedTo(specialistId: string, clipId: string): boolean {
    const room = this.ports.rooms.roomOfSpecialist(specialistId);
    return room !== undefined && (this.logs.get(room.id)?.some((n) => n.clip.id === clipId) ?? false);
  }
}
