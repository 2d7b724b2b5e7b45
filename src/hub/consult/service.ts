/**
 * The consultation's data plane on the hub (src/shared/consult-protocol.ts):
 * readings and photos relayed to the specialist of the booth's room once the
 * record stored them, measurement requests and their progress, the booth's
 * devices, the patient context, notes and the prescription (numbered, signed,
 * stored, then handed to ./delivery.ts, which delivers it to the booth).
 *
 * Every console method acts on the caller's own room only (the specialist id
 * comes from the connection's session, never from params). Messages a doctor
 * reads are in French and say what to do.
 *
 * The access journal (../journal): a doctor's opening of a booth's session
 * (its context: identity, reason, readings, photos) is journaled once per
 * room, as `consult.session`, before the context first leaves (at the claim,
 * a resume, or the first `consult.context`, whichever comes first); live
 * readings of that room then follow without an entry each. Notes and
 * prescriptions are journaled as writes before they are stored. A journal
 * that cannot be written refuses the method (JOURNAL_UNAVAILABLE): nothing
 * is shown, nothing stored.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Prescription} from '../../shared/consult-protocol';
import {
  AUSCULTATION, AuscultateParams, AuscultationProgress, AuscultationRequestedResult, BreathParams, StopAuscultationParams,
  type AuscultationRequested, BoothDevices, CONSULT, type ContextCatchUp, type ContextNote, MeasurementProgress, MeasurementRequestedResult, PrescribeParams,
  RequestMeasurementParams, SaveNotesParams, photoUrl, type MeasurementRequested, type PatientContext, type PhotoNote,
  type RequestableKind,
} from '../../shared/consult-protocol';
import type { EmergencyNote } from '../../shared/counter-protocol';
import type { DeviceKind, DeviceStatus, Reading } from '../../shared/domain';
import { HubRequestError } from '../../shared/hub-protocol';
import type { RecordItem } from '../../shared/record-protocol';
import { DEVICE_WORDING } from '../../shared/wording';
import type { BoothGateway } from '../booth-gateway';
import type { BoothDirectory, HubConfig } from '../directory';
import type { Room } from '../media/room';
import type { MediaService } from '../media/rooms';
import { refused, type Peer } from '../peer';
import type { HubRecord } from '../record/index';
import { RecordRefusal, type RecordRepository } from '../record/repository';
import type { SpecialistGateway } from '../specialist-gateway';
import { HubClips } from './clips';
import { PrescriptionDelivery } from './delivery';
import { issuePrescription, loadSigningKey } from './prescription';
import { journaled } from '../journal/report';
import type { AccessJournal } from '../journal/types';

/** Which device takes each requestable measurement. */
export const DEVICE_FOR: Record<RequestableKind, DeviceKind> = {
  temperature: 'thermometer',
  'blood-pressure': 'bp-cuff',
  spo2: 'oximeter',
  'dermatoscope-photo': 'dermatoscope',
  'otoscope-photo': 'otoscope',
};

const BOOTH_REQUEST_TIMEOUT_MS = 8_000;
/** How long after the call the doctor may still write its notes and prescription (the console's wrap-up). */
export const WRAP_UP_MS = 30 * 60_000;

/** What the consultation reaches on the hub: the two gateways, the rooms, the record, the directory and the config. */
export interface ConsultPorts {
  booths: BoothGateway;
  specialists: SpecialistGateway;
  rooms: MediaService;
  record: HubRecord;
  directory: BoothDirectory;
  config: HubConfig;
  /** Who saw what: each opening of a session, each note and prescription written. */
  journal: AccessJournal;
  log: Logger;
  /** The booth's "Urgence" while it stands (the counter's alerts), for the console's catch-up; none without a counter. */
  openEmergency?: (boothId: string) => EmergencyNote | null;
}

/** What was relayed in one room, for a console that reloads (rooms whose booth gave no session id). */
interface RoomLog {
  readings: Reading[];
  photos: PhotoNote[];
}

export class ConsultService {
  /** Each booth's last device list (in memory: the booth resends it on every connect). */
  private readonly devices = new Map<string, DeviceStatus[]>();
  private readonly logs = new Map<string, RoomLog>();
  /** Each specialist's last ended room, until they claim again or close their console: notes and prescription of the wrap-up go there. */
  private readonly wrapUps = new Map<string, { room: Room; until: number }>();
  /** The last write asked under each key (a consultation's notes, one side's quality figures): the next waits for it. */
  private readonly writes = new Map<string, Promise<void>>();
  /** Console connections by specialist id (a reloaded console gets notes before it rejoins its room). */
  private readonly consoles = new Map<string, Set<Peer>>();
  private readonly delivery: PrescriptionDelivery;
  /** Each room's opening by its doctor, journaled once (`<specialistId>|<roomId>`); forgotten when the room closes or the entry failed. */
  private readonly opened = new Map<string, Promise<void>>();
  /** Recorded stethoscope clips: the console's requests, their relay and their access. */
  readonly clips: HubClips;
  private readonly log: Logger;
  private key: Buffer | null = null;

  constructor(private readonly ports: ConsultPorts) {
    this.log = ports.log;
    this.delivery = new PrescriptionDelivery({
      booths: ports.booths,
      repo: ports.record.repo,
      log: ports.log,
      onDelivered: (boothId, prescription, printed) => this.delivered(boothId, prescription, printed),
    });
    this.clips = new HubClips({
      booths: ports.booths,
      specialists: ports.specialists,
      rooms: ports.rooms,
      repo: () => this.repo,
      log: ports.log,
      toSpecialist: (specialistId, method, params) => this.toSpecialist(specialistId, method, params),
      roomOf: (peer) => this.roomOf(peer),
      belongs: (room, sessionId) => this.belongs(room, sessionId),
    });
  }

  private get repo(): RecordRepository {
    return this.ports.record.repo;
  }

  private get rooms(): MediaService {
    return this.ports.rooms;
  }

  /** The prescription signing key, `<dataDir>/prescription.key`, loaded on first use. */
  signingKey(): Buffer {
    if (this.key) return this.key;
    try {
      return (this.key = loadSigningKey(join(this.ports.config.dataDir, 'prescription.key')));
    } catch (error) {
      // The detail (path, mode) is for the operator's log; the doctor learns nothing was issued.
      this.log.error({ err: (error as Error).message }, 'prescription signing key unavailable');
      throw refused('SIGNING_UNAVAILABLE', 'Le serveur ne peut pas signer l’ordonnance pour le moment (clé de signature inaccessible) : rien n’a été émis. Prévenez le support technique, puis réessayez.');
    }
  }

  register(): void {
    const { rooms: service, specialists, booths } = this.ports;
    this.ports.record.onIngested((boothId, items) => this.relay(boothId, items));
    this.ports.record.onIngested((boothId, items) => this.clips.relay(boothId, items));
    this.clips.register();

    specialists.on('connected', (peer) => {
      let set = this.consoles.get(peer.id);
      if (!set) this.consoles.set(peer.id, (set = new Set()));
      set.add(peer);
    });
    specialists.on('disconnected', (peer) => {
      const set = this.consoles.get(peer.id);
      set?.delete(peer);
      if (set?.size === 0) {
        this.consoles.delete(peer.id);
        // The wrap-up lives in the console that ended the call: once none is open, it is over.
        this.wrapUps.delete(peer.id);
      }
    });
    service.on('claimed', (room) => this.onClaimed(room));
    service.on('roomClosed', (room) => {
      this.logs.delete(room.id);
      this.opened.delete(openingKey(room));
      // Only a doctor still at a console has a wrap-up; and only for a while (notes and prescription belong with the call).
      if (this.consoles.has(room.specialistId)) this.wrapUps.set(room.specialistId, { room, until: Date.now() + WRAP_UP_MS });
    });
    // Technical figures of the call, kept with the consultation for its traceability; a failed write costs the call nothing.
    // One side's reports are written one after the other (inOrder).
    service.on('quality', (room, side, quality) => {
      void this.inOrder(`quality|${sessionKey(room)}|${side}`, () => this.repo.saveCallQuality(sessionKey(room), { side, boothId: room.boothId, roomId: room.id, at: new Date().toISOString(), quality }))
        .catch((error: unknown) => this.log.warn({ roomId: room.id, err: (error as Error).message }, 'call quality not stored'));
    });
    // A console back in its room (reload, hub restart) gets the context again; it asks `consult.context` for the history.
    service.on('resumed', (room) => this.afterOpening(room, () => this.toSpecialist(room.specialistId, CONSULT.contextNote, this.context(room))));

    booths.on('connected', (peer) => void this.delivery.deliverPending(peer.id));
    booths.handle(CONSULT.progress, MeasurementProgress, (peer, p) => {
      this.toSpecialistOf(peer.id, CONSULT.progressNote, p);
      return { ok: true };
    });
    booths.handle(CONSULT.devices, BoothDevices, (peer, p) => {
      this.devices.set(peer.id, p.devices);
      this.toSpecialistOf(peer.id, CONSULT.devicesNote, { boothId: peer.id, devices: p.devices });
      return { ok: true };
    });

    specialists.handle(CONSULT.requestMeasurement, RequestMeasurementParams, (peer, p) => this.requestMeasurement(peer, p));
    specialists.handle(CONSULT.context, z.object({}).strict(), async (peer) => {
      const room = this.roomOf(peer);
      await this.opening(room, peer.from);
      return this.contextWithHistory(room);
    });
    specialists.handle(CONSULT.saveNotes, SaveNotesParams, async (peer, p) => {
      const room = this.roomOf(peer, true);
      await journaled(this.ports.journal, {
        actor: { role: 'specialist', id: peer.id }, action: 'write', resource: 'notes', resourceId: sessionKey(room),
        sessionId: room.entry?.sessionId ?? undefined, boothId: room.boothId, outcome: 'allowed', from: peer.from,
      }, this.log);
      // A save sent while the last is in flight (the console saves at each pause in typing) lands after it.
      await this.inOrder(`notes|${sessionKey(room)}`, () => this.repo.saveNotes(sessionKey(room), room.boothId, { text: p.text, authorId: peer.id, at: new Date().toISOString() }));
      this.log.info({ roomId: room.id, length: p.text.length }, 'notes saved');
      return { ok: true };
    });
    specialists.handle(CONSULT.prescribe, PrescribeParams, (peer, p) => this.prescribe(peer, p));

    specialists.handle(AUSCULTATION.auscultate, AuscultateParams, (peer, p) => this.auscultation(peer, { action: 'listen', point: p.point }));
    specialists.handle(AUSCULTATION.breath, BreathParams, (peer, p) => this.auscultation(peer, { action: 'breath', instruction: p.instruction }));
    specialists.handle(AUSCULTATION.stop, StopAuscultationParams, (peer) => this.auscultation(peer, { action: 'stop' }));
    booths.handle(AUSCULTATION.progress, AuscultationProgress, (peer, p) => {
      this.toSpecialistOf(peer.id, AUSCULTATION.progressNote, p);
      return { ok: true };
    });
  }

  close(): void {
    this.delivery.close();
    this.clips.close();
    this.logs.clear();
    this.wrapUps.clear();
    this.devices.clear();
    this.consoles.clear();
  }

  // ---- where things go ---------------------------------------------------------

  private wrapUpOf(specialistId: string): Room | undefined {
    const w = this.wrapUps.get(specialistId);
    if (w && w.until < Date.now()) this.wrapUps.delete(specialistId);
    return w && w.until >= Date.now() ? w.room : undefined;
  }

  /** The specialist's room; with `orWrapUp`, else the one they just ended (the console's wrap-up). */
  private roomOf(peer: Peer, orWrapUp = false): Room {
    const room = this.rooms.roomOfSpecialist(peer.id) ?? (orWrapUp ? this.wrapUpOf(peer.id) : undefined);
    if (!room) throw refused('NO_ROOM', 'Aucune consultation en cours : prenez d’abord un patient dans la salle d’attente.');
    return room;
  }

  /** Sends a note to every open console of the specialist holding this booth's room (none when unclaimed). */
  /** Notes the doctor in a call with the booth, if any; returns the room. */
  toSpecialistOf(boothId: string, method: string, params: unknown): Room | null {
    const room = this.rooms.roomOfBooth(boothId);
    if (!room) return null;
    this.toSpecialist(room.specialistId, method, params);
    return room;
  }

  private toSpecialist(specialistId: string, method: string, params: unknown): void {
    for (const peer of this.consoles.get(specialistId) ?? []) peer.notify(method, params);
  }

  /** Whether an item belongs to the patient in this room (a booth draining an older session's outbox is not). */
  private belongs(room: Room, sessionId: string | null): boolean {
    const current = room.entry?.sessionId ?? null;
    return current === null || sessionId === current;
  }

  // ---- the journal -----------------------------------------------------------------

  /**
   * Journals the doctor's opening of a room's session once; rejects with
   * JournalUnavailableError when the entry cannot be written (the next
   * attempt tries again). `from`: the console's address, when known.
   */
  private opening(room: Room, from?: string): Promise<void> {
    const key = openingKey(room);
    let done = this.opened.get(key);
    if (!done) {
      const address = from ?? [...(this.consoles.get(room.specialistId) ?? [])][0]?.from;
      const entry = journaled(this.ports.journal, {
        actor: { role: 'specialist', id: room.specialistId }, action: 'read', resource: 'consult.session', resourceId: room.id,
        sessionId: room.entry?.sessionId ?? undefined, boothId: room.boothId, outcome: 'allowed', from: address,
      }, this.log);
      done = entry;
      this.opened.set(key, entry);
      entry.catch(() => {
        if (this.opened.get(key) === entry) this.opened.delete(key);
      });
    }
    return done;
  }

  /** Sends what the room's doctor sees once the opening is journaled; nothing when it cannot be (the console's `consult.context` is then refused and says why). */
  private afterOpening(room: Room, send: () => void): void {
    this.opening(room).then(send, () => undefined);
  }

  // ---- readings and photos -------------------------------------------------------

  private relay(boothId: string, items: RecordItem[]): void {
    const room = this.rooms.roomOfBooth(boothId);
    if (!room) return;
    const log = this.roomLog(room);
    for (const item of items) {
      if (!this.belongs(room, item.sessionId)) continue;
      if (item.kind === 'reading') {
        log.readings.push(item.data);
        this.afterOpening(room, () => this.toSpecialist(room.specialistId, CONSULT.readingNote, { boothId, roomId: room.id, reading: item.data }));
      } else if (item.kind === 'photo') {
        const note: PhotoNote = { boothId, roomId: room.id, photo: item.data, url: photoUrl(item.data.id) };
        log.photos.push(note);
        this.afterOpening(room, () => this.toSpecialist(room.specialistId, CONSULT.photoNote, note));
      }
    }
  }

  private roomLog(room: Room): RoomLog {
    let log = this.logs.get(room.id);
    if (!log) this.logs.set(room.id, (log = { readings: [], photos: [] }));
    return log;
  }

  /** Whether this photo was relayed in the specialist's current room (photos of a booth that gave no session id). */
  relayedTo(specialistId: string, photoId: string): boolean {
    const room = this.rooms.roomOfSpecialist(specialistId);
    return room !== undefined && (this.logs.get(room.id)?.photos.some((p) => p.photo.id === photoId) ?? false);
  }

  // ---- context -------------------------------------------------------------------

  private context(room: Room): ContextNote {
    const e = room.entry;
    const patient: PatientContext = {
      sessionId: e?.sessionId ?? null,
      firstName: e?.firstName ?? null,
      age: e?.age ?? null,
      reason: e?.reason ?? null,
      pathway: e?.pathway ?? null,
      exceptionReason: e?.exceptionReason ?? null,
      language: e?.language ?? null,
      intake: e?.intake ?? null,
    };
    const pharmacy = e?.pharmacy ?? this.ports.directory.booth(room.boothId)?.pharmacy ?? null;
    return { boothId: room.boothId, roomId: room.id, pharmacy, patient, devices: this.devices.get(room.boothId) ?? [] };
  }

  /**
   * The context plus what the console should already show: readings and
   * photos from the record when the session is known, else this room's log;
   * and the notes stored for the session, so that a console that reloads or
   * takes the call over continues them rather than saving over them.
   */
  private async contextWithHistory(room: Room): Promise<ContextCatchUp> {
    const ctx = this.context(room);
    const stored = await this.repo.notes(sessionKey(room));
    const notes = stored ? { text: stored.text, at: stored.at } : null;
    const emergency = this.ports.openEmergency?.(room.boothId) ?? null;
    const sessionId = room.entry?.sessionId ?? null;
    if (sessionId === null) {
      const log = this.roomLog(room);
      return { ...ctx, readings: [...log.readings], photos: [...log.photos], notes, emergency };
    }
    const readings: Reading[] = [];
    const photos: PhotoNote[] = [];
    for (const { item } of await this.repo.sessionItems(sessionId)) {
      // Session ids are the booth's: an item another booth sent under this id is not this patient's.
      if (item.boothId !== room.boothId) continue;
      if (item.kind === 'reading') readings.push(item.data);
      else if (item.kind === 'photo') photos.push({ boothId: room.boothId, roomId: room.id, photo: item.data, url: photoUrl(item.data.id) });
    }
    return { ...ctx, readings, photos, notes, emergency };
  }

  /**
   * Runs `write` once the last write asked under `key` has settled: on a
   * pooled database (PostgreSQL) two upserts in flight may land in either
   * order, and "the latest wins" would keep an older one.
   */
  private inOrder(key: string, write: () => Promise<void>): Promise<void> {
    const next = (this.writes.get(key) ?? Promise.resolve()).then(write);
    const settled = next.catch(() => undefined);
    this.writes.set(key, settled);
    void settled.then(() => {
      if (this.writes.get(key) === settled) this.writes.delete(key);
    });
    return next;
  }

  private onClaimed(room: Room): void {
    this.wrapUps.delete(room.specialistId);
    this.afterOpening(room, () => this.toSpecialist(room.specialistId, CONSULT.contextNote, this.context(room)));
    const e = room.entry;
    this.repo.saveClaim({
      roomId: room.id,
      specialistId: room.specialistId,
      boothId: room.boothId,
      sessionId: e?.sessionId ?? null,
      claimedAt: new Date().toISOString(),
      patient: { firstName: e?.firstName ?? null, age: e?.age ?? null, reason: e?.reason ?? null, pathway: e?.pathway ?? null, exceptionReason: e?.exceptionReason ?? null },
    }).catch((error: unknown) => this.log.error({ err: error, roomId: room.id }, 'could not record a claim'));
  }

  // ---- measurement requests ---------------------------------------------------------

  private async requestMeasurement(peer: Peer, p: z.output<typeof RequestMeasurementParams>): Promise<{ requestId: string }> {
    const room = this.roomOf(peer);
    const booth = this.ports.booths.peer(room.boothId);
    if (!booth?.open) {
      throw refused('BOOTH_OFFLINE', 'La cabine est hors ligne : la demande n’a pas été envoyée. Attendez son retour (l’indicateur de connexion) puis redemandez la mesure.');
    }
    const kind = DEVICE_FOR[p.kind];
    const known = this.devices.get(room.boothId);
    // A booth that never listed its devices is asked anyway: it answers for itself.
    if (known) {
      const device = known.find((d) => d.kind === kind);
      const name = DEVICE_WORDING[kind].sentence;
      // French elides before a vowel: "pas d’otoscope", "L’oxymètre".
      const vowel = /^[aeiouyéèê]/i.test(name);
      if (!device) throw refused('NO_DEVICE', `Cette cabine n’a pas ${vowel ? 'd’' : 'de '}${name} : choisissez une autre mesure ou demandez au pharmacien de la faire.`);
      if (device.state === 'disconnected') {
        const model = device.info ? ` (${device.info.model})` : '';
        throw refused('NO_DEVICE', `${vowel ? 'L’' : 'Le '}${name}${model} est débranché à la cabine : demandez au pharmacien de le rebrancher, puis redemandez la mesure.`);
      }
    }
    const requestId = randomUUID();
    const params: MeasurementRequested = { ...p, requestId };
    let answer: unknown;
    try {
      answer = await booth.request(CONSULT.measurementRequested, params, BOOTH_REQUEST_TIMEOUT_MS);
    } catch (error) {
      const code = error instanceof HubRequestError ? error.code : 'INTERNAL';
      this.log.warn({ roomId: room.id, code }, 'the booth did not take a measurement request');
      if (code === 'PEER_GONE' || code === 'TIMEOUT') {
        throw refused('BOOTH_OFFLINE', 'La cabine ne répond pas : la demande n’a pas abouti. Vérifiez la connexion de la cabine puis redemandez la mesure.');
      }
      throw refused('BOOTH_REFUSED', 'La cabine a refusé la demande : demandez au pharmacien de vérifier l’écran de la cabine, puis redemandez la mesure.');
    }
    const result = MeasurementRequestedResult.safeParse(answer);
    if (!result.success || !result.data.accepted) {
      throw refused('NOT_NOW', 'Le patient n’est pas sur l’écran de consultation pour le moment : attendez qu’il y revienne (ou demandez au pharmacien), puis redemandez la mesure.');
    }
    const progress: MeasurementProgress = { requestId, kind: p.kind, stage: 'requested', at: new Date().toISOString() };
    this.toSpecialist(room.specialistId, CONSULT.progressNote, progress);
    this.log.info({ roomId: room.id, requestId, kind: p.kind }, 'measurement requested');
    return { requestId };
  }

  // ---- auscultation -------------------------------------------------------------------

  /** A point, a breath instruction or the stop, to the booth of the doctor's room; answered once the booth's session took it. */
  private async auscultation(peer: Peer, request: AuscultationRequested): Promise<{ accepted: true }> {
    const room = this.roomOf(peer);
    const booth = this.ports.booths.peer(room.boothId);
    if (!booth?.open) {
      throw refused('BOOTH_OFFLINE', 'La cabine est hors ligne : l’auscultation n’a pas été demandée. Attendez son retour (l’indicateur de connexion) puis réessayez.');
    }
    let answer: unknown;
    try {
      answer = await booth.request(AUSCULTATION.requested, request, BOOTH_REQUEST_TIMEOUT_MS);
    } catch (error) {
      const code = error instanceof HubRequestError ? error.code : 'INTERNAL';
      this.log.warn({ roomId: room.id, code, action: request.action }, 'the booth did not take an auscultation request');
      if (code === 'PEER_GONE' || code === 'TIMEOUT') {
        throw refused('BOOTH_OFFLINE', 'La cabine ne répond pas : la demande n’a pas abouti. Vérifiez la connexion de la cabine puis réessayez.');
      }
      throw refused('BOOTH_REFUSED', 'La cabine a refusé la demande : demandez au pharmacien de vérifier l’écran de la cabine, puis réessayez.');
    }
    const result = AuscultationRequestedResult.safeParse(answer);
    if (!result.success || !result.data.accepted) {
      throw refused('NOT_NOW', request.action === 'breath'
        ? 'Choisissez d’abord un point d’écoute : la consigne de respiration accompagne une auscultation en cours.'
        : 'Le patient n’est pas sur l’écran de consultation pour le moment : attendez qu’il y revienne (ou demandez au pharmacien), puis réessayez.');
    }
    this.log.info({ roomId: room.id, action: request.action }, 'auscultation request taken by the booth');
    return { accepted: true };
  }

  // ---- prescription --------------------------------------------------------------------

  private async prescribe(peer: Peer, params: z.output<typeof PrescribeParams>): Promise<{ prescription: Prescription }> {
    const room = this.roomOf(peer, true);
    const who = this.ports.config.specialists.find((s) => s.id === peer.id);
    const issuedAt = new Date().toISOString();
    const issue = (): Prescription => issuePrescription({
      sessionId: room.entry?.sessionId ?? null,
      boothId: room.boothId,
      prescriber: { id: peer.id, name: who?.name ?? peer.id, specialty: who?.specialty ?? 'Médecine générale' },
      patient: { firstName: room.entry?.firstName ?? null, age: room.entry?.age ?? null },
      params,
    }, this.signingKey(), issuedAt);
    let prescription = issue();
    // 40 random bits per year: a collision is rare, and the record refuses it rather than overwrite.
    for (let attempt = 1; ; attempt++) {
      await journaled(this.ports.journal, {
        actor: { role: 'specialist', id: peer.id }, action: 'write', resource: 'prescription', resourceId: prescription.number,
        sessionId: prescription.sessionId ?? undefined, boothId: room.boothId, outcome: 'allowed', from: peer.from,
      }, this.log);
      try {
        await this.repo.savePrescription(prescription);
        break;
      } catch (error) {
        if (!(error instanceof RecordRefusal && error.code === 'DUPLICATE_NUMBER') || attempt >= 3) throw error;
        prescription = issue();
      }
    }
    this.log.info({ roomId: room.id, number: prescription.number, items: prescription.items.length }, 'prescription issued');
    void this.delivery.deliverPending(room.boothId);
    return { prescription };
  }

  /** The booth has the prescription: the doctor of its session, in the call or its wrap-up, is told. */
  private delivered(boothId: string, prescription: Prescription, printed: boolean): void {
    const room = this.rooms.roomOfBooth(boothId) ?? [...this.wrapUps.values()].find((w) => w.room.boothId === boothId)?.room;
    if (room && room.entry?.sessionId === prescription.sessionId) {
      this.toSpecialist(room.specialistId, 'consult.prescriptionDelivered', { number: prescription.number, printed });
    }
  }
}

/** A room's opening by its doctor, as the journal remembers it. */
function openingKey(room: Room): string {
  return `${room.specialistId}|${room.id}`;
}

/** Where notes of a room are kept: its session, or the room itself when the booth gave no session id. */
export function sessionKey(room: Room): string {
  return room.entry?.sessionId ?? room.id;
}
