/**
 * The gateways' media, queue and room methods (src/shared/media-protocol.ts),
 * each registered with its catalogue schema: the media path the same on
 * both gateways, the queue and `session.reset` for booths, the queue list,
 * claims and the room's takeover for specialists. Identity comes from the
 * connection (./rooms.ts sideOf), never from params.
 */
import type { types as ms } from 'mediasoup';
import type { z } from 'zod';
import { codeOf } from '../../shared/errors';
import {
  BOOTH_REQUESTS, CONSOLE_REQUESTS, MEDIA, MEDIA_REQUESTS, QUEUE, ROOM, parseLayers, type BoothMethod, type CheckedParams, type ConsoleMethod, type MediaMethod,
  type RequestMethod, type ResultSent,
} from '../../shared/media-protocol';
import { refused, type Peer } from '../peer';
import type { MediaService } from './rooms';

/** What both gateways offer: register a method by name with its params schema. */
export interface MethodRegistry {
  handle<P extends z.ZodType>(name: string, params: P, run: (peer: Peer, params: z.output<P>) => unknown): void;
}

type Handler<M extends RequestMethod> = (peer: Peer, params: CheckedParams<M>) => ResultSent<M> | Promise<ResultSent<M>>;

/** Registers a catalogue method with its params schema; the handler's answer is typed by the catalogue. */
function on<M extends MediaMethod>(gateway: MethodRegistry, method: M, run: Handler<M>): void;
function on<M extends BoothMethod>(gateway: MethodRegistry, method: M, run: Handler<M>, catalogue: typeof BOOTH_REQUESTS): void;
function on<M extends ConsoleMethod>(gateway: MethodRegistry, method: M, run: Handler<M>, catalogue: typeof CONSOLE_REQUESTS): void;
function on(gateway: MethodRegistry, method: string, run: (peer: Peer, params: never) => unknown, catalogue: Record<string, { params: z.ZodType }> = MEDIA_REQUESTS): void {
  const entry = catalogue[method];
  if (!entry) throw new Error(`${method} is not in the media protocol's catalogue`);
  gateway.handle(method, entry.params, run as (peer: Peer, params: unknown) => unknown);
}

/** The media path's methods, the same on both gateways. */
export function registerMediaMethods(gateway: MethodRegistry, service: MediaService): void {
  const bound = (peer: Peer) => {
    const { room, name } = service.sideOf(peer);
    return { room, name, side: room.bind(name, peer) };
  };
  on(gateway, MEDIA.capabilities, async (peer) => {
    // Capabilities open a media path (MediaSession start or restart): the side starts clean.
    const { room, name } = service.sideOf(peer);
    await service.ready(room);
    room.fresh(name, peer);
    return { roomId: room.id, rtpCapabilities: room.router.rtpCapabilities, producers: room.remoteProducers(name), iceServers: service.iceServers(peer) };
  });
  on(gateway, MEDIA.createTransport, (peer, p) => {
    const { room, side } = bound(peer);
    return room.createTransport(side, p.direction);
  });
  on(gateway, MEDIA.connectTransport, async (peer, p) => {
    const { side } = bound(peer);
    try {
      await side.transport(p.transportId).connect({ dtlsParameters: p.dtlsParameters });
    } catch (error) {
      if (codeOf(error)) throw error;
      throw refused('MEDIA_REFUSED', (error as Error).message.slice(0, 200));
    }
    return { connected: true };
  });
  on(gateway, MEDIA.restartIce, async (peer, p) => {
    const { side } = bound(peer);
    return { iceParameters: await side.transport(p.transportId).restartIce() };
  });
  on(gateway, MEDIA.produce, (peer, p) => {
    const { room, name, side } = bound(peer);
    // The catalogue types these as mediasoup-client's; the server's own types name one header extension fewer, and the worker checks them deeply.
    return room.produce(name, side, p.transportId, p.kind, p.rtpParameters as ms.RtpParameters, p.source);
  });
  on(gateway, MEDIA.consume, (peer, p) => {
    const { room, name, side } = bound(peer);
    return room.consume(name, side, p.transportId, p.producerId, p.rtpCapabilities as ms.RtpCapabilities);
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
  on(gateway, MEDIA.resumeConsumer, async (peer, p) => { await consumerOf(peer, p.consumerId).resume(); return { ok: true }; });
  on(gateway, MEDIA.pauseConsumer, async (peer, p) => { await consumerOf(peer, p.consumerId).pause(); return { ok: true }; });
  on(gateway, MEDIA.closeConsumer, (peer, p) => { consumerOf(peer, p.consumerId).close(); return { ok: true }; });
  on(gateway, MEDIA.pauseProducer, async (peer, p) => { await producerOf(peer, p.producerId).pause(); return { ok: true }; });
  on(gateway, MEDIA.resumeProducer, async (peer, p) => { await producerOf(peer, p.producerId).resume(); return { ok: true }; });
  on(gateway, MEDIA.closeProducer, (peer, p) => { producerOf(peer, p.producerId).close(); return { ok: true }; });
  on(gateway, MEDIA.setPreferredLayers, async (peer, p) => {
    const consumer = consumerOf(peer, p.consumerId);
    const layers = checkedLayers(consumer, p.spatialLayer, p.temporalLayer);
    await consumer.setPreferredLayers(layers);
    return { ok: true };
  });
  on(gateway, MEDIA.qualityReport, (peer, p) => {
    const { room, name } = service.sideOf(peer);
    service.reportQuality(room, name, p);
    return { ok: true };
  });
  // The doctor learns that the booth's network blocks the call (and the booth the doctor's): neither side can see it otherwise.
  on(gateway, MEDIA.pathReport, (peer, p) => {
    const { room, name } = service.sideOf(peer);
    room.notifyOther(name, MEDIA.peerPath, { side: name, blocked: p.blocked });
    return { ok: true };
  });
  // Both sides may leave on purpose; the catalogues of either side hold the same method.
  on(gateway, ROOM.leave, (peer) => {
    const { room, name } = service.sideOf(peer);
    service.leave(room, name);
    return { ok: true };
  }, BOOTH_REQUESTS);
}

/**
 * The layers a consumer may be asked for: below the spatial and temporal
 * layers its producer announced (the consumer's scalability mode says how
 * many); a single-layer video has none to choose.
 */
function checkedLayers(consumer: ms.Consumer, spatialLayer: number, temporalLayer: number | undefined): ms.ConsumerLayers {
  if (consumer.type !== 'simulcast' && consumer.type !== 'svc') throw refused('LAYERS_REFUSED', 'this stream has a single layer: there are no layers to choose');
  const announced = parseLayers(consumer.rtpParameters.encodings?.[0]?.scalabilityMode);
  if (!announced) throw refused('LAYERS_REFUSED', 'this stream announced layers the hub does not know');
  if (spatialLayer >= announced.spatial) throw refused('LAYERS_REFUSED', `spatial layer ${spatialLayer} asked, the stream announced ${announced.spatial} (0 to ${announced.spatial - 1})`);
  if (temporalLayer !== undefined && temporalLayer >= announced.temporal) throw refused('LAYERS_REFUSED', `temporal layer ${temporalLayer} asked, the stream announced ${announced.temporal} (0 to ${announced.temporal - 1})`);
  return temporalLayer === undefined ? { spatialLayer } : { spatialLayer, temporalLayer };
}

/** Booths: the queue, and a restart without a session. */
export function registerBoothMethods(booths: MethodRegistry, service: MediaService): void {
  on(booths, QUEUE.join, (peer, p) => service.boothJoins(peer, p), BOOTH_REQUESTS);
  on(booths, QUEUE.leave, (peer) => {
    service.boothLeaves(peer.id);
    return { ok: true };
  }, BOOTH_REQUESTS);
  on(booths, ROOM.reset, (peer) => service.boothRestarted(peer.id), BOOTH_REQUESTS);
}

/** Specialists: the live queue, claims, and the room they claimed only. */
export function registerConsoleMethods(specialists: MethodRegistry, service: MediaService): void {
  on(specialists, QUEUE.list, () => ({ booths: service.waiting() }), CONSOLE_REQUESTS);
  on(specialists, ROOM.mine, (peer) => service.mine(peer), CONSOLE_REQUESTS);
  // The doctor's click in a second tab: the call moves there (see the tabs rule in ./rooms.ts).
  on(specialists, ROOM.takeOver, (peer) => service.takeOver(peer), CONSOLE_REQUESTS);
  on(specialists, QUEUE.claim, (peer, p) => service.claim(peer, p.boothId), CONSOLE_REQUESTS);
}
