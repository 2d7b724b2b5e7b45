/**
 * The waiting queue, the rooms and the media signaling, registered on both
 * gateways (booths on `/booth`, specialists on `/console`). A booth is known
 * by its link's authentication and reaches only its own room; a specialist
 * reaches only the room they claimed. Every param is a zod schema.
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
  /** A room ended (`reason`: ended, mediaLost…). */
  roomClosed: [Room, string];
}

export class MediaService extends EventEmitter<MediaServiceEvents> {
  private readonly queue = new Map<string, QueueEntry>();
  private readonly rooms = new Map<string, Room>();
  private readonly specialists = new Set<Peer>();

  constructor(
    private readonly pool: WorkerPool,
    private readonly config: HubConfig,
    private readonly log: Logger,
    private readonly booths: { peer(id: string): Peer | undefined },
  ) {
    super();
    pool.on('workerDied', () => this.onWorkerDied());
  }

  waiting(): QueueEntry[] {
    return [...this.queue.values()];
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

  /** The caller's room and side, or a refusal: identity comes from the connection, never from params. */
  private sideOf(peer: Peer): { room: Room; name: SideName } {
    if (peer.role === 'booth') {
      const room = this.rooms.get(peer.id);
      if (!room) throw refused('NO_ROOM', 'this booth has not been claimed by a specialist');
      return { room, name: 'booth' };
    }
    for (const room of this.rooms.values()) if (room.specialistId === peer.id) return { room, name: 'specialist' };
    throw refused('NO_ROOM', 'you have not claimed a booth');
  }

  private broadcastQueue(): void {
    const booths = this.waiting();
    for (const s of this.specialists) s.notify('queue.updated', { booths });
  }

  // ---- booths -------------------------------------------------------------

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
    return { ok: true, roomClosed: room !== undefined };
  }

  boothLeaves(boothId: string): void {
    if (this.queue.delete(boothId)) this.broadcastQueue();
  }

  // ---- specialists ---------------------------------------------------------

  specialistConnected(peer: Peer): void {
    this.specialists.add(peer);
    peer.notify('queue.updated', { booths: this.waiting() });
  }

  specialistDisconnected(peer: Peer): void {
    this.specialists.delete(peer);
    for (const room of this.rooms.values()) if (room.sides.specialist?.peer === peer) this.leave(room, 'specialist');
  }

  async claim(peer: Peer, boothId: string): Promise<{ roomId: string; boothId: string }> {
    for (const room of this.rooms.values()) {
      if (room.specialistId === peer.id) {
        if (room.boothId === boothId) return { roomId: room.id, boothId };
        throw refused('BUSY', 'end your current consultation before claiming another booth');
      }
    }
    const entry = this.queue.get(boothId);
    if (!entry) throw refused('NOT_WAITING', 'this booth is not waiting (already claimed or gone)');
    const boothPeer = this.booths.peer(boothId);
    if (!boothPeer) {
      this.boothLeaves(boothId);
      throw refused('NOT_WAITING', 'this booth is no longer connected');
    }
    this.queue.delete(boothId);
    const router = await this.pool.createRouter();
    const room = new Room(boothId, peer.id, router, this.config.media);
    room.entry = entry;
    this.rooms.set(boothId, room);
    room.bind('specialist', peer);
    const specialist = this.config.specialists.find((s) => s.id === peer.id);
    boothPeer.notify('queue.claimed', { roomId: room.id, specialist: { name: specialist?.name ?? '', specialty: specialist?.specialty ?? '' } });
    this.broadcastQueue();
    this.log.info({ roomId: room.id, boothId, specialistId: peer.id }, 'booth claimed');
    this.emit('claimed', room);
    return { roomId: room.id, boothId };
  }

  /** One side leaves; the room is torn down when both sides are gone. */
  leave(room: Room, name: SideName): void {
    const side = room.sides[name];
    side?.close();
    room.sides[name] = null;
    if (name === 'specialist') room.sides.booth?.peer.notify('room.peerLeft', { side: name });
    else room.sides.specialist?.peer.notify('room.peerLeft', { side: name });
    const specialistGone = name === 'specialist' || !room.sides.specialist;
    const boothGone = name === 'booth' || !room.sides.booth;
    // The specialist ending the call ends the room; a booth dropping out may come back.
    if (name === 'specialist' || (specialistGone && boothGone)) this.teardown(room, 'ended');
  }

  private teardown(room: Room, reason: string): void {
    if (this.rooms.get(room.boothId) !== room) return;
    this.rooms.delete(room.boothId);
    // A booth that never bound a side still hears the room ended.
    (room.sides.booth?.peer ?? this.booths.peer(room.boothId))?.notify('room.closed', { roomId: room.id, reason });
    room.sides.specialist?.peer.notify('room.closed', { roomId: room.id, reason });
    room.close();
    this.log.info({ roomId: room.id, reason }, 'room closed');
    this.emit('roomClosed', room, reason);
  }

  private onWorkerDied(): void {
    for (const room of [...this.rooms.values()]) {
      // mediasoup closes every router of a dead worker before announcing its death.
      if (!room.router.closed) continue;
      // NOTE: rebuilding the room on a fresh worker is the console issue's job;
      // for now both sides hear the room is gone and may claim again.
      this.teardown(room, 'mediaLost');
    }
  }

  close(): void {
    for (const room of this.rooms.values()) room.close();
    this.rooms.clear();
    this.queue.clear();
  }

  /** The media methods, the same on both gateways. */
  registerMedia(gateway: MethodRegistry): void {
    const bound = (peer: Peer) => {
      const { room, name } = this.sideOf(peer);
      return { room, name, side: room.bind(name, peer) };
    };
    gateway.handle('media.capabilities', mediaParams.capabilities, (peer) => {
      // Capabilities open a media path (MediaSession start or restart): the side starts clean.
      const { room, name } = this.sideOf(peer);
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
