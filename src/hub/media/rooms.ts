/**
 * The waiting queue, the rooms and the media signaling, registered on both
 * gateways (booths on `/booth`, specialists on `/console`). A booth is known
 * by its link's authentication and reaches only its own room; a specialist
 * reaches only the room they claimed. Every param is a zod schema.
 *
 * Recovery (issue #8 item 6): the queue and the claims are written to the
 * hub state store and restored on start, under the same room ids; a room
 * gets a router again when its first side comes back. A side that drops out
 * (network flicker, console reload, hub restart) has a grace period
 * (`graceMs`, 60 s) to come back before the room ends; on its return it is
 * told `room.resumed` and rebuilds its media. A dead mediasoup worker's
 * rooms are rebuilt on a router of the replacement worker.
 *
 * One doctor, several console tabs (issue #14 item 3): exactly one
 * connection holds the specialist's side of a room (the side's peer). A
 * tab that opens while another connection of the account holds it hears
 * `room.elsewhere` {reason: 'opened'} and is refused media (`ELSEWHERE`)
 * until the doctor takes over there (`room.takeOver`); the tab that lost it
 * hears `room.elsewhere` {reason: 'takenOver'}. The booth's side is never
 * touched: it only sees the doctor's producers close and new ones appear.
 * When the holder's connection closes and another tab of the account is
 * still open, that tab hears `room.released` and no grace period starts
 * (the doctor is still at a console); the grace starts only when the
 * account has no console open at all. A connection that arrives while
 * nobody holds the side (reload, flicker, hub restart) holds it at once.
 *
 * The booth side as the console sees it (issue #14 item 4): while the
 * booth is away in its grace period the doctor's consoles hear
 * `room.boothOffline` {awayMs, endsInMs} (durations, so the console counts
 * down on its own clock), again whenever one of them comes back to the
 * room, and `room.boothOnline` once the booth is back.
 *
 * Queue ETA: etaMinutes = ceil(position × mean consultation duration ÷
 * max(1, specialists online)); the mean is over the last 20 ended rooms
 * (12 min before any). Every waiting booth hears `queue.position` on each
 * queue change.
 */
import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { HubConfig } from '../directory';
import { ExceptionReason, Pathway } from '../../shared/session-view';
import { refused, type Peer } from '../peer';
import { Room, type SideName } from './room';
import type { WorkerPool } from './workers';
import { DURATION_WINDOW, type HubStateStore } from '../state/store';

/** What both gateways offer: register a method by name with its params schema. */
export interface MethodRegistry {
  handle<P extends z.ZodType>(name: string, params: P, run: (peer: Peer, params: z.output<P>) => unknown): void;
}

export interface QueueEntry {
  boothId: string;
  pharmacy: { name: string; city: string } | null;
  reason: string | null;
  firstName: string | null;
  age: number | null;
  /** Reimbursement pathway rule the booth recorded (parcours de soins), and its exception reason. */
  pathway: Pathway | null;
  exceptionReason: ExceptionReason | null;
  sessionId: string | null;
  language: 'fr' | 'en' | null;
  since: string;
  /** Estimated wait in minutes (computed when the queue is sent; see the ETA rule above). */
  etaMinutes?: number;
}

/** The default mean consultation duration before any room has ended. */
export const DEFAULT_CONSULTATION_MS = 12 * 60_000;
/** How long a side may stay away before its room ends. */
export const DEFAULT_GRACE_MS = 60_000;

export type ResumeReason = 'hubRestarted' | 'mediaRestarted' | 'reconnected';

export interface MediaServiceOptions {
  /** Where the queue and claims outlive the process; memory only when absent. */
  state?: HubStateStore | null;
  graceMs?: number;
}

/** ceil(position × mean ÷ max(1, specialists online)), in minutes. */
export function etaMinutes(position: number, meanMs: number, specialistsOnline: number): number {
  return Math.ceil((position * meanMs) / 60_000 / Math.max(1, specialistsOnline));
}

const Id = z.string().min(1).max(64);
// mediasoup validates the shapes deeply; we bound their size and basic type.
const Blob = z.record(z.string(), z.unknown()).refine((v) => JSON.stringify(v).length < 32_768, 'too large');

export const mediaParams = {
  capabilities: z.object({}).strict(),
  createTransport: z.object({ direction: z.enum(['send', 'recv']) }).strict(),
  connectTransport: z.object({ transportId: Id, dtlsParameters: Blob }).strict(),
  restartIce: z.object({ transportId: Id }).strict(),
  produce: z.object({ transportId: Id, kind: z.enum(['audio', 'video']), rtpParameters: Blob, source: z.enum(['camera', 'microphone', 'dermatoscope']).default('camera') }).strict(),
  consume: z.object({ transportId: Id, producerId: Id, rtpCapabilities: Blob }).strict(),
  consumer: z.object({ consumerId: Id }).strict(),
  producer: z.object({ producerId: Id }).strict(),
  empty: z.object({}).strict(),
};

export const QueueJoin = z.object({
  reason: z.string().max(200).optional(),
  patient: z.object({ firstName: z.string().max(60).optional(), age: z.number().int().min(0).max(130).optional() }).strict().optional(),
  pathway: Pathway.optional(),
  exceptionReason: ExceptionReason.optional(),
  sessionId: z.string().max(64).optional(),
  language: z.enum(['fr', 'en']).optional(),
}).strict();

export interface MediaServiceEvents {
  /** A specialist claimed a waiting booth: the room, with the queue entry it came from. */
  claimed: [Room];
  /** A room ended (`reason`: ended, mediaLost, boothLost, specialistLost…). */
  roomClosed: [Room, string];
  /** A side of a room came back, or the room was rebuilt on a new worker. */
  resumed: [Room, ResumeReason];
}

export class MediaService extends EventEmitter<MediaServiceEvents> {
  private readonly queue = new Map<string, QueueEntry>();
  private readonly rooms = new Map<string, Room>();
  private readonly specialists = new Set<Peer>();
  /** Per booth offline while waiting: the timer that drops its queue entry after the grace period. */
  private readonly queueGrace = new Map<string, ReturnType<typeof setTimeout>>();
  /** Rooms that ended while their booth was away: told when it comes back. */
  private readonly missedClose = new Map<string, { roomId: string; reason: string }>();
  private readonly state: HubStateStore | null;
  private readonly graceMs: number;
  /** The last ended rooms' durations (ms, newest first), kept in the state store too. */
  private readonly durations: number[];
  private closed = false;

  constructor(
    private readonly pool: WorkerPool,
    private readonly config: HubConfig,
    private readonly log: Logger,
    private readonly booths: { peer(id: string): Peer | undefined },
    opts: MediaServiceOptions = {},
  ) {
    super();
    this.state = opts.state ?? null;
    this.graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
    this.durations = this.state?.recentDurations() ?? [];
    pool.on('workerDied', () => void this.onWorkerDied());
  }

  /**
   * Restores the queue and the claims of the state store (at start, before
   * anyone connects). Restored rooms have no router until a side comes back;
   * each side has the grace period to return.
   */
  restore(): { queued: number; rooms: number } {
    if (!this.state) return { queued: 0, rooms: 0 };
    for (const entry of this.state.queue()) {
      this.queue.set(entry.boothId, entry);
      this.persisted.set(entry.boothId, JSON.stringify(entry));
      if (!this.booths.peer(entry.boothId)) this.startQueueGrace(entry.boothId);
    }
    for (const claim of this.state.claims()) {
      const room = new Room(claim.boothId, claim.specialistId, null, this.config.media, claim.roomId);
      room.entry = claim.entry;
      room.claimedAt = claim.claimedAt;
      room.restoredSides.add('booth').add('specialist');
      this.rooms.set(claim.boothId, room);
      this.queue.delete(claim.boothId);
      for (const name of ['booth', 'specialist'] as const) this.startGrace(room, name);
    }
    if (this.queue.size || this.rooms.size) this.log.info({ queued: this.queue.size, rooms: this.rooms.size }, 'hub state restored');
    return { queued: this.queue.size, rooms: this.rooms.size };
  }

  /** The waiting booths in order, each with its ETA. */
  waiting(): QueueEntry[] {
    const mean = this.meanConsultationMs();
    const online = this.specialistsOnline();
    return [...this.queue.values()].map((e, i) => ({ ...e, etaMinutes: etaMinutes(i + 1, mean, online) }));
  }

  /** Mean duration of the last ended rooms (ms), or the default before any. */
  meanConsultationMs(): number {
    const d = this.durations;
    return d.length ? d.reduce((a, b) => a + b, 0) / d.length : DEFAULT_CONSULTATION_MS;
  }

  /** Distinct specialists with a console open. */
  specialistsOnline(): number {
    return new Set([...this.specialists].map((p) => p.id)).size;
  }

  roomOfBooth(boothId: string): Room | undefined {
    return this.rooms.get(boothId);
  }

  /** The room a specialist claimed (by their id), if any. */
  roomOfSpecialist(specialistId: string): Room | undefined {
    for (const room of this.rooms.values()) if (room.specialistId === specialistId) return room;
    return undefined;
  }

  roomCount(): number {
    return this.rooms.size;
  }

  /**
   * The caller's room and side, or a refusal: identity comes from the
   * connection, never from params. A specialist's connection acts on its
   * room only while it holds the side (another tab may hold it).
   */
  private sideOf(peer: Peer): { room: Room; name: SideName } {
    if (peer.role === 'booth') {
      const room = this.rooms.get(peer.id);
      if (!room) throw refused('NO_ROOM', 'this booth has not been claimed by a specialist');
      return { room, name: 'booth' };
    }
    const room = this.roomOfSpecialist(peer.id);
    if (!room) throw refused('NO_ROOM', 'you have not claimed a booth');
    if (room.sides.specialist?.peer !== peer) throw refused('ELSEWHERE', 'this consultation is held by another console of yours: take it over (room.takeOver) first');
    return { room, name: 'specialist' };
  }

  /** The open consoles of one doctor (one account may have several tabs). */
  private consolesOf(specialistId: string): Peer[] {
    return [...this.specialists].filter((p) => p.id === specialistId && p.open);
  }

  private toConsoles(room: Room, method: string, params: unknown): void {
    for (const peer of this.consolesOf(room.specialistId)) peer.notify(method, params);
  }

  /** This connection holds the specialist's side from now on; the doctor's other tabs hear the call is elsewhere. */
  private hold(room: Room, peer: Peer): void {
    room.bind('specialist', peer);
    for (const other of this.consolesOf(room.specialistId)) {
      if (other !== peer) other.notify('room.elsewhere', this.elsewhere(room, 'takenOver'));
    }
  }

  /** `room.elsewhere`: the room, and the pharmacy so the tab can say which consultation it is about. */
  private elsewhere(room: Room, reason: 'opened' | 'takenOver'): { roomId: string; boothId: string; pharmacy: { name: string; city: string } | null; reason: string } {
    const pharmacy = room.entry?.pharmacy ?? this.config.booths.find((b) => b.boothId === room.boothId)?.pharmacy ?? null;
    return { roomId: room.id, boothId: room.boothId, pharmacy, reason };
  }

  /** Where the booth is while away: how long since it dropped, and how long before the room ends without it. */
  private boothAway(room: Room): { roomId: string; boothId: string; awayMs: number; endsInMs: number } | null {
    const since = room.awaySince.booth;
    if (since === undefined) return null;
    const awayMs = Math.max(0, Date.now() - since);
    return { roomId: room.id, boothId: room.boothId, awayMs, endsInMs: this.graceMs - awayMs };
  }

  /** Consoles hear the queue (with ETAs); every waiting booth hears its position. */
  private broadcastQueue(): void {
    const booths = this.waiting();
    for (const s of this.specialists) s.notify('queue.updated', { booths });
    booths.forEach((e, i) => this.booths.peer(e.boothId)?.notify('queue.position', { position: i + 1, etaMinutes: e.etaMinutes ?? null }));
  }

  /** What was last written per booth: a repeated identical `queue.join` writes nothing. */
  private readonly persisted = new Map<string, string>();

  private persistQueue(boothId: string): void {
    const entry = this.queue.get(boothId);
    const json = entry ? JSON.stringify(entry) : null;
    if ((this.persisted.get(boothId) ?? null) === json) return;
    try {
      if (entry) this.state?.putQueueEntry(entry);
      else this.state?.removeQueueEntry(boothId);
      if (json) this.persisted.set(boothId, json);
      else this.persisted.delete(boothId);
    } catch (error) {
      this.log.error({ code: (error as { code?: string }).code, boothId }, 'hub state: queue not saved');
    }
  }

  // ---- grace periods ----------------------------------------------------------

  private startGrace(room: Room, name: SideName): void {
    clearTimeout(room.graceTimers[name]);
    if (room.graceTimers[name] === undefined) room.awaySince[name] = Date.now();
    const timer = setTimeout(() => {
      delete room.graceTimers[name];
      this.log.info({ roomId: room.id, side: name }, 'a side did not come back within the grace period');
      this.teardown(room, name === 'booth' ? 'boothLost' : 'specialistLost');
    }, this.graceMs);
    timer.unref?.();
    room.graceTimers[name] = timer;
  }

  private stopGrace(room: Room, name: SideName): void {
    clearTimeout(room.graceTimers[name]);
    delete room.graceTimers[name];
    delete room.awaySince[name];
  }

  private startQueueGrace(boothId: string): void {
    clearTimeout(this.queueGrace.get(boothId));
    const timer = setTimeout(() => {
      this.queueGrace.delete(boothId);
      if (!this.booths.peer(boothId)) this.boothLeaves(boothId);
    }, this.graceMs);
    timer.unref?.();
    this.queueGrace.set(boothId, timer);
  }

  /** A router for a room that has none (restored, or its worker died); one creation at a time. */
  private async ready(room: Room): Promise<void> {
    if (room.hasRouter) return;
    room.routerPending ??= this.pool.createRouter().then((router) => {
      if (room.closed) router.close();
      else room.router = router;
    }).finally(() => {
      room.routerPending = null;
    });
    await room.routerPending;
  }

  /**
   * A side (re)connected while its room exists: it holds its side from now
   * (at once, so a second tab arriving meanwhile sees it held) and is told
   * to rebuild its media once the room has a router.
   */
  private async rejoin(room: Room, name: SideName, peer: Peer): Promise<void> {
    this.stopGrace(room, name);
    const reason: ResumeReason = room.restoredSides.delete(name) ? 'hubRestarted' : 'reconnected';
    if (name === 'specialist') this.hold(room, peer);
    else room.bind(name, peer);
    try {
      await this.ready(room);
    } catch (error) {
      this.log.error({ roomId: room.id, err: (error as Error).message }, 'no router for a returning side');
      this.teardown(room, 'mediaLost');
      return;
    }
    // Closed, gone, or taken over by another tab meanwhile.
    if (room.closed || !peer.open || room.sides[name]?.peer !== peer) return;
    peer.notify('room.resumed', { roomId: room.id, reason });
    if (name === 'booth') this.toConsoles(room, 'room.boothOnline', { roomId: room.id, boothId: room.boothId });
    else {
      const away = this.boothAway(room);
      if (away) peer.notify('room.boothOffline', away);
    }
    this.log.info({ roomId: room.id, side: name, reason }, 'side back in its room');
    this.emit('resumed', room, reason);
  }

  // ---- booths -------------------------------------------------------------

  /** A booth's link came up: it keeps its place in the queue, or is put back in its room. */
  boothConnected(peer: Peer): void {
    if (this.closed) return;
    clearTimeout(this.queueGrace.get(peer.id));
    this.queueGrace.delete(peer.id);
    const room = this.rooms.get(peer.id);
    if (room) {
      void this.rejoin(room, 'booth', peer);
      return;
    }
    const missed = this.missedClose.get(peer.id);
    if (missed) {
      this.missedClose.delete(peer.id);
      peer.notify('room.closed', missed);
    }
    const position = [...this.queue.keys()].indexOf(peer.id);
    if (position >= 0) peer.notify('queue.position', { position: position + 1, etaMinutes: this.waiting()[position]?.etaMinutes ?? null });
  }

  /**
   * A booth's link went down. A clean close (1000/1001: the host stopping)
   * is a departure from the queue; any other (network flicker, crash) keeps
   * its place for the grace period. Its room waits for it either way.
   */
  boothDisconnected(peer: Peer, code: number): void {
    if (this.closed) return;
    // A replaced connection is not a departure.
    if (this.booths.peer(peer.id)) return;
    if (code === 1000 || code === 1001) this.boothLeaves(peer.id);
    else if (this.queue.has(peer.id)) this.startQueueGrace(peer.id);
    const room = this.rooms.get(peer.id);
    if (!room) return;
    if (room.sides.booth?.peer === peer) {
      room.sides.booth.close();
      room.sides.booth = null;
    }
    room.sides.specialist?.peer.notify('room.peerLeft', { side: 'booth' });
    this.startGrace(room, 'booth');
    this.toConsoles(room, 'room.boothOffline', this.boothAway(room));
  }

  boothJoins(peer: Peer, params: z.output<typeof QueueJoin>): { position: number; roomId: string | null } {
    const existing = this.rooms.get(peer.id);
    if (existing) return { position: 0, roomId: existing.id };
    const booth = this.config.booths.find((b) => b.boothId === peer.id);
    this.queue.set(peer.id, {
      boothId: peer.id,
      pharmacy: booth?.pharmacy ?? null,
      reason: params.reason ?? null,
      firstName: params.patient?.firstName ?? null,
      age: params.patient?.age ?? null,
      pathway: params.pathway ?? null,
      exceptionReason: params.exceptionReason ?? null,
      sessionId: params.sessionId ?? null,
      language: params.language ?? null,
      since: this.queue.get(peer.id)?.since ?? new Date().toISOString(),
    });
    this.persistQueue(peer.id);
    this.broadcastQueue();
    return { position: [...this.queue.keys()].indexOf(peer.id) + 1, roomId: null };
  }

  /**
   * The booth came back without a session (restarted after a crash, or at
   * attract): it leaves the queue and a room kept for it ends with the reason
   * `boothRestarted`, so the specialist sees the call ended (E, issue #10).
   */
  boothRestarted(boothId: string): { ok: true; roomClosed: boolean } {
    this.boothLeaves(boothId);
    const room = this.rooms.get(boothId);
    if (room) this.teardown(room, 'boothRestarted');
    this.missedClose.delete(boothId);
    return { ok: true, roomClosed: room !== undefined };
  }

  boothLeaves(boothId: string): void {
    clearTimeout(this.queueGrace.get(boothId));
    this.queueGrace.delete(boothId);
    if (!this.queue.delete(boothId)) return;
    this.persistQueue(boothId);
    this.broadcastQueue();
  }

  // ---- specialists ---------------------------------------------------------

  specialistConnected(peer: Peer): void {
    if (this.closed) return;
    const before = this.specialistsOnline();
    this.specialists.add(peer);
    if (this.specialistsOnline() !== before) this.broadcastQueue();
    else peer.notify('queue.updated', { booths: this.waiting() });
    const room = this.roomOfSpecialist(peer.id);
    if (!room) return;
    const holder = room.sides.specialist?.peer;
    // Another tab of this doctor holds the call: this one waits for the doctor's click (room.takeOver).
    if (holder && holder !== peer && holder.open) peer.notify('room.elsewhere', this.elsewhere(room, 'opened'));
    else void this.rejoin(room, 'specialist', peer);
  }

  /**
   * A console went away (tab closed, reload, flicker). Its room waits for
   * the doctor for the grace period only when none of their consoles is
   * left open; if another tab is open, that tab is told it may take over.
   */
  specialistDisconnected(peer: Peer): void {
    if (this.closed) return;
    const before = this.specialistsOnline();
    this.specialists.delete(peer);
    if (this.specialistsOnline() !== before) this.broadcastQueue();
    const room = this.roomOfSpecialist(peer.id);
    if (!room) return;
    const others = this.consolesOf(peer.id);
    if (room.sides.specialist?.peer === peer) {
      room.sides.specialist.close();
      room.sides.specialist = null;
      this.booths.peer(room.boothId)?.notify('room.peerLeft', { side: 'specialist' });
      for (const other of others) other.notify('room.released', { roomId: room.id, boothId: room.boothId });
    }
    // Nobody holds the call and no console of this doctor is left: the grace period runs.
    if (!room.sides.specialist && others.length === 0) this.startGrace(room, 'specialist');
  }

  /** The doctor's click in a tab that does not hold the call: it holds it from now; the tab that held it is told. */
  async takeOver(peer: Peer): Promise<{ roomId: string; boothId: string }> {
    const room = this.roomOfSpecialist(peer.id);
    if (!room) throw refused('NO_ROOM', 'you have not claimed a booth');
    if (room.sides.specialist?.peer !== peer) {
      this.stopGrace(room, 'specialist');
      // The old tab's transports close with its side: the booth sees the doctor's producers close, its own stay.
      this.hold(room, peer);
      this.log.info({ roomId: room.id }, 'consultation taken over by another console of the same doctor');
    }
    await this.ready(room);
    const away = this.boothAway(room);
    if (away) peer.notify('room.boothOffline', away);
    return { roomId: room.id, boothId: room.boothId };
  }

  /** The caller's room, for a reloaded console returning to its call. */
  mine(peer: Peer): { room: null | { roomId: string; boothId: string } } {
    const room = this.roomOfSpecialist(peer.id);
    return { room: room ? { roomId: room.id, boothId: room.boothId } : null };
  }

  async claim(peer: Peer, boothId: string): Promise<{ roomId: string; boothId: string }> {
    for (const room of this.rooms.values()) {
      if (room.specialistId === peer.id) {
        if (room.boothId === boothId) return { roomId: room.id, boothId };
        throw refused('BUSY', 'end your current consultation before claiming another booth');
      }
    }
    if (this.rooms.has(boothId)) throw refused('NOT_WAITING', 'this booth is already in a consultation with another specialist');
    const entry = this.queue.get(boothId);
    if (!entry) throw refused('NOT_WAITING', 'this booth is not waiting (already claimed or gone)');
    const boothPeer = this.booths.peer(boothId);
    // A booth briefly offline keeps its place; it can be claimed once it is back.
    if (!boothPeer) throw refused('BOOTH_OFFLINE', 'this booth is momentarily offline: try again in a few seconds');
    this.queue.delete(boothId);
    const router = await this.pool.createRouter();
    const room = new Room(boothId, peer.id, router, this.config.media);
    const { etaMinutes: _eta, ...stored } = entry;
    room.entry = stored;
    this.rooms.set(boothId, room);
    this.hold(room, peer);
    try {
      this.state?.putClaim({ roomId: room.id, boothId, specialistId: peer.id, claimedAt: room.claimedAt, entry: stored });
      this.state?.removeQueueEntry(boothId);
      this.persisted.delete(boothId);
    } catch (error) {
      this.log.error({ code: (error as { code?: string }).code, roomId: room.id }, 'hub state: claim not saved');
    }
    const specialist = this.config.specialists.find((s) => s.id === peer.id);
    boothPeer.notify('queue.claimed', { roomId: room.id, specialist: { name: specialist?.name ?? '', specialty: specialist?.specialty ?? '' } });
    this.broadcastQueue();
    this.log.info({ roomId: room.id, boothId, specialistId: peer.id }, 'booth claimed');
    this.emit('claimed', room);
    return { roomId: room.id, boothId };
  }

  /** One side leaves on purpose (`room.leave`): the specialist leaving ends the room; a booth may come back. */
  leave(room: Room, name: SideName): void {
    const side = room.sides[name];
    side?.close();
    room.sides[name] = null;
    if (name === 'specialist') room.sides.booth?.peer.notify('room.peerLeft', { side: name });
    else room.sides.specialist?.peer.notify('room.peerLeft', { side: name });
    const specialistGone = name === 'specialist' || !room.sides.specialist;
    const boothGone = name === 'booth' || !room.sides.booth;
    if (name === 'specialist' || (specialistGone && boothGone)) this.teardown(room, 'ended');
  }

  private teardown(room: Room, reason: string): void {
    if (this.rooms.get(room.boothId) !== room) return;
    this.rooms.delete(room.boothId);
    // A booth that never bound a side still hears the room ended; one that is away hears it when back.
    const boothPeer = room.sides.booth?.peer.open ? room.sides.booth.peer : this.booths.peer(room.boothId);
    if (boothPeer) boothPeer.notify('room.closed', { roomId: room.id, reason });
    else this.missedClose.set(room.boothId, { roomId: room.id, reason });
    // Every tab of the doctor hears it, the one holding the call and the others.
    const consoles = new Set([...this.consolesOf(room.specialistId), ...(room.sides.specialist ? [room.sides.specialist.peer] : [])]);
    for (const peer of consoles) peer.notify('room.closed', { roomId: room.id, reason });
    room.close();
    const duration = Date.now() - Date.parse(room.claimedAt);
    try {
      this.state?.removeClaim(room.id);
      // Only consultations that took place count for the ETA.
      if (reason === 'ended' && Number.isFinite(duration)) this.recordDuration(duration);
    } catch (error) {
      this.log.error({ code: (error as { code?: string }).code, roomId: room.id }, 'hub state: closed room not saved');
    }
    this.log.info({ roomId: room.id, reason }, 'room closed');
    this.emit('roomClosed', room, reason);
    if (this.queue.size) this.broadcastQueue();
  }

  private recordDuration(ms: number): void {
    this.durations.unshift(ms);
    this.durations.length = Math.min(this.durations.length, DURATION_WINDOW);
    this.state?.recordDuration(ms);
  }

  /** Rooms of a dead worker move to a router of its replacement: same room, both sides rebuild their media. */
  private async onWorkerDied(): Promise<void> {
    const dead = [...this.rooms.values()].filter((room) => !room.hasRouter && !room.routerPending && room.restoredSides.size < 2);
    await Promise.all(dead.map(async (room) => {
      room.resetSides();
      try {
        await this.ready(room);
      } catch (error) {
        this.log.error({ roomId: room.id, err: (error as Error).message }, 'could not rebuild a room on a new worker');
        this.teardown(room, 'mediaLost');
        return;
      }
      if (room.closed) return;
      for (const side of [room.sides.booth, room.sides.specialist]) side?.peer.notify('room.resumed', { roomId: room.id, reason: 'mediaRestarted' });
      this.log.info({ roomId: room.id }, 'room rebuilt on a new worker');
      this.emit('resumed', room, 'mediaRestarted');
    }));
  }

  close(): void {
    this.closed = true;
    for (const room of this.rooms.values()) room.close();
    for (const t of this.queueGrace.values()) clearTimeout(t);
    this.queueGrace.clear();
    this.rooms.clear();
    this.queue.clear();
  }

  /** The media methods, the same on both gateways. */
  registerMedia(gateway: MethodRegistry): void {
    const bound = (peer: Peer) => {
      const { room, name } = this.sideOf(peer);
      return { room, name, side: room.bind(name, peer) };
    };
    gateway.handle('media.capabilities', mediaParams.capabilities, async (peer) => {
      // Capabilities open a media path (MediaSession start or restart): the side starts clean.
      const { room, name } = this.sideOf(peer);
      await this.ready(room);
      room.fresh(name, peer);
      return { roomId: room.id, rtpCapabilities: room.router.rtpCapabilities, producers: room.remoteProducers(name) };
    });
    gateway.handle('media.createTransport', mediaParams.createTransport, (peer, p) => {
      const { room, side } = bound(peer);
      return room.createTransport(side, p.direction);
    });
    gateway.handle('media.connectTransport', mediaParams.connectTransport, async (peer, p) => {
      const { side } = bound(peer);
      try {
        await side.transport(p.transportId).connect({ dtlsParameters: p.dtlsParameters as unknown as ms.DtlsParameters });
      } catch (error) {
        if ((error as { code?: string }).code) throw error;
        throw refused('MEDIA_REFUSED', (error as Error).message.slice(0, 200));
      }
      return { connected: true };
    });
    gateway.handle('media.restartIce', mediaParams.restartIce, async (peer, p) => {
      const { side } = bound(peer);
      return { iceParameters: await side.transport(p.transportId).restartIce() };
    });
    gateway.handle('media.produce', mediaParams.produce, (peer, p) => {
      const { room, name, side } = bound(peer);
      return room.produce(name, side, p.transportId, p.kind, p.rtpParameters as unknown as ms.RtpParameters, p.source);
    });
    gateway.handle('media.consume', mediaParams.consume, (peer, p) => {
      const { room, name, side } = bound(peer);
      return room.consume(name, side, p.transportId, p.producerId, p.rtpCapabilities as unknown as ms.RtpCapabilities);
    });
    const consumerOf = (peer: Peer, id: string): ms.Consumer => {
      const c = bound(peer).side.consumers.get(id);
      if (!c) throw refused('NOT_FOUND', 'no such consumer in your room');
      return c;
    };
    const producerOf = (peer: Peer, id: string): ms.Producer => {
      const pr = bound(peer).side.producers.get(id);
      if (!pr) throw refused('NOT_FOUND', 'no such producer in your room');
      return pr;
    };
    gateway.handle('media.resumeConsumer', mediaParams.consumer, async (peer, p) => { await consumerOf(peer, p.consumerId).resume(); return { ok: true }; });
    gateway.handle('media.pauseConsumer', mediaParams.consumer, async (peer, p) => { await consumerOf(peer, p.consumerId).pause(); return { ok: true }; });
    gateway.handle('media.closeConsumer', mediaParams.consumer, (peer, p) => { consumerOf(peer, p.consumerId).close(); return { ok: true }; });
    gateway.handle('media.pauseProducer', mediaParams.producer, async (peer, p) => { await producerOf(peer, p.producerId).pause(); return { ok: true }; });
    gateway.handle('media.resumeProducer', mediaParams.producer, async (peer, p) => { await producerOf(peer, p.producerId).resume(); return { ok: true }; });
    gateway.handle('media.closeProducer', mediaParams.producer, (peer, p) => { producerOf(peer, p.producerId).close(); return { ok: true }; });
    gateway.handle('room.leave', mediaParams.empty, (peer) => {
      const { room, name } = this.sideOf(peer);
      this.leave(room, name);
      return { ok: true };
    });
  }
}
