/**
 * A consultation room: one router, two sides (the booth and the specialist
 * who claimed it). Each side owns its transports, producers and consumers;
 * every id a caller names is looked up in its own side only, so nobody can
 * touch, or consume from, a room they are not in.
 */
import type { types as ms } from 'mediasoup';
import { MEDIA, parseLayers, type CallQuality, type MediaNoteMethod, type MediaNoteParams, type MediaSource, type RemoteProducer, type RequestResult } from '../../shared/media-protocol';
import { refused, type Peer } from '../peer';
import { tell } from './notes';
import type { QueueEntry } from './queue';

export type { SideName } from '../../shared/media-protocol';
import type { SideName } from '../../shared/media-protocol';

/** Bounds per side: send + recv transports (plus one spare), camera + mic + dermatoscope + otoscope + stethoscope. */
export const LIMITS = { transports: 4, producers: 5, consumers: 12 } as const;

export interface MediaSettings {
  listenIp: string;
  announcedAddress?: string;
  rtcMinPort: number;
  rtcMaxPort: number;
}

export class Side {
  readonly transports = new Map<string, ms.WebRtcTransport>();
  readonly producers = new Map<string, ms.Producer>();
  readonly consumers = new Map<string, ms.Consumer>();
  constructor(readonly peer: Peer) {}

  transport(id: string): ms.WebRtcTransport {
    const t = this.transports.get(id);
    if (!t) throw refused('NOT_FOUND', 'no such transport in your room');
    return t;
  }

  close(): void {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
  }
}

/** Simulcast streams a producer may announce: the patient's camera sends three. */
export const MAX_SIMULCAST = 3;

/**
 * A producer's announced layers, before the router takes them: audio in one
 * stream, video in at most three simulcast streams, each with a scalability
 * mode the hub reads (up to 3 spatial and 3 temporal layers) — so a
 * consumer's layers are always ones the hub can name and check.
 */
function checkAnnouncedLayers(kind: ms.MediaKind, rtp: ms.RtpParameters): void {
  const encodings = rtp.encodings ?? [];
  const most = kind === 'audio' ? 1 : MAX_SIMULCAST;
  if (encodings.length > most) throw refused('LAYERS_REFUSED', `${encodings.length} ${kind} streams announced, at most ${most} accepted`);
  for (const e of encodings) {
    const layers = parseLayers(e.scalabilityMode);
    if (!layers || (encodings.length > 1 && layers.spatial > 1)) throw refused('LAYERS_REFUSED', `scalability mode ${String(e.scalabilityMode).slice(0, 20)} refused: up to 3 spatial and 3 temporal layers, one spatial layer per simulcast stream`);
  }
}

/** A new room's id (a claim writes it before the room exists). */
export function newRoomId(boothId: string): string {
  return `room-${boothId}-${Date.now().toString(36)}`;
}

export class Room {
  readonly id: string;
  readonly sides: Record<SideName, Side | null> = { booth: null, specialist: null };
  closed = false;
  /** Each side's latest quality report (media.qualityReport). */
  readonly quality: Partial<Record<SideName, CallQuality>> = {};
  /** The queue entry the booth was claimed from (patient context, pathway, session id). */
  entry: QueueEntry | null = null;
  /** When the claim was made (ISO): the room's duration feeds the queue's ETA. */
  claimedAt = new Date().toISOString();
  /** The booth heard `queue.claimed`: false while a claim made from another hub node waits for the booth to come to this one. */
  boothTold = true;
  /** Sides not yet back since the room was restored after a hub restart: their return is 'hubRestarted'. */
  readonly restoredSides = new Set<SideName>();
  /** Per side, the timer that ends the room if that side stays away past the grace period. */
  readonly graceTimers: Partial<Record<SideName, ReturnType<typeof setTimeout>>> = {};
  /** Per side away in its grace period: since when (epoch ms), so the other side can be told how long. */
  readonly awaySince: Partial<Record<SideName, number>> = {};
  private current: ms.Router | null;
  /** A router being created (a restored room, or after a worker died): one at a time. */
  routerPending: Promise<void> | null = null;

  constructor(
    readonly boothId: string,
    readonly specialistId: string,
    router: ms.Router | null,
    private readonly media: MediaSettings,
    /** A restored room keeps its id; a new one gets a fresh id. */
    id?: string,
  ) {
    this.current = router;
    this.id = id ?? newRoomId(boothId);
  }

  /** Whether the room has a live router (a restored room gets one when its first side comes back). */
  get hasRouter(): boolean {
    return this.current !== null && !this.current.closed;
  }

  get router(): ms.Router {
    if (!this.current || this.current.closed) throw refused('MEDIA_RESTARTING', 'the call is being restored: wait for room.resumed, then start again');
    return this.current;
  }

  set router(router: ms.Router) {
    this.current = router;
  }

  /** Drops every side's media (their transports are gone with a dead router) and keeps who is bound. */
  resetSides(): void {
    for (const name of ['booth', 'specialist'] as const) {
      const side = this.sides[name];
      if (!side) continue;
      side.close();
      this.sides[name] = new Side(side.peer);
    }
  }

  other(name: SideName): SideName {
    return name === 'booth' ? 'specialist' : 'booth';
  }

  /** The caller's side; a new connection of the same party replaces the old one. */
  bind(name: SideName, peer: Peer): Side {
    const current = this.sides[name];
    if (current && current.peer === peer) return current;
    current?.close();
    const side = new Side(peer);
    this.sides[name] = side;
    return side;
  }

  /** A side starting its media path again: what its earlier path left (transports, producers, consumers) is closed. */
  fresh(name: SideName, peer: Peer): Side {
    const current = this.sides[name];
    if (current && current.peer === peer && current.transports.size === 0) return current;
    current?.close();
    const side = new Side(peer);
    this.sides[name] = side;
    return side;
  }

  notifyOther<M extends MediaNoteMethod>(name: SideName, method: M, params: MediaNoteParams<M>): void {
    tell(this.sides[this.other(name)]?.peer, method, params);
  }

  async createTransport(side: Side, direction: 'send' | 'recv'): Promise<RequestResult<typeof MEDIA.createTransport>> {
    if (side.transports.size >= LIMITS.transports) throw refused('LIMIT', 'too many transports');
    const base = { ip: this.media.listenIp, announcedAddress: this.media.announcedAddress, portRange: { min: this.media.rtcMinPort, max: this.media.rtcMaxPort } };
    const transport = await this.router.createWebRtcTransport({
      listenInfos: [{ protocol: 'udp', ...base }, { protocol: 'tcp', ...base }],
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      appData: { direction },
    });
    side.transports.set(transport.id, transport);
    transport.observer.once('close', () => side.transports.delete(transport.id));
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async produce(name: SideName, side: Side, transportId: string, kind: ms.MediaKind, rtpParameters: ms.RtpParameters, source: MediaSource): Promise<{ id: string }> {
    const transport = side.transport(transportId);
    if (side.producers.size >= LIMITS.producers) throw refused('LIMIT', 'too many producers');
    checkAnnouncedLayers(kind, rtpParameters);
    let producer: ms.Producer;
    try {
      producer = await transport.produce({ kind, rtpParameters, appData: { source } });
    } catch (error) {
      throw refused('MEDIA_REFUSED', (error as Error).message.slice(0, 200));
    }
    side.producers.set(producer.id, producer);
    producer.observer.once('close', () => {
      side.producers.delete(producer.id);
      this.notifyOther(name, MEDIA.producerClosed, { producerId: producer.id });
    });
    this.notifyOther(name, MEDIA.newProducer, { producerId: producer.id, kind, source });
    return { id: producer.id };
  }

  /** Producers of the other side, for a consumer joining late. */
  remoteProducers(name: SideName): RemoteProducer[] {
    const other = this.sides[this.other(name)];
    return other ? [...other.producers.values()].map((p) => ({ producerId: p.id, kind: p.kind, source: String(p.appData.source ?? '') })) : [];
  }

  async consume(name: SideName, side: Side, transportId: string, producerId: string, rtpCapabilities: ms.RtpCapabilities): Promise<RequestResult<typeof MEDIA.consume>> {
    const transport = side.transport(transportId);
    const producer = this.sides[this.other(name)]?.producers.get(producerId);
    if (!producer) throw refused('NOT_FOUND', 'no such producer in your room');
    if (side.consumers.size >= LIMITS.consumers) throw refused('LIMIT', 'too many consumers');
    if (!this.router.canConsume({ producerId, rtpCapabilities })) throw refused('MEDIA_REFUSED', 'cannot consume this producer with these capabilities');
    // Paused: the page resumes it once it holds the track (no lost key frame).
    const consumer = await transport.consume({ producerId, rtpCapabilities, paused: true });
    side.consumers.set(consumer.id, consumer);
    const gone = (): void => {
      if (!side.consumers.delete(consumer.id)) return;
      tell(side.peer, MEDIA.consumerClosed, { consumerId: consumer.id });
    };
    consumer.on('producerclose', gone);
    consumer.on('transportclose', () => side.consumers.delete(consumer.id));
    return { id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters, source: String(producer.appData.source ?? '') };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sides.booth?.close();
    this.sides.specialist?.close();
    for (const t of Object.values(this.graceTimers)) clearTimeout(t);
    this.current?.close();
  }
}
