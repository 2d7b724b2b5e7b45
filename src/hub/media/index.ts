/**
 * Wires media into the hub: the worker pool, the specialists' login and
 * `/console` gateway, the waiting queue and the signaling on both gateways.
 */
import { z } from 'zod';
import type { Hub } from '../server';
import { SpecialistAuth, type AuthOptions } from '../auth';
import { CONSOLE_PATH, SpecialistGateway } from '../specialist-gateway';
import { MediaService, QueueJoin } from './signaling';
import { WorkerPool } from './workers';

export interface HubMedia {
  readonly pool: WorkerPool;
  readonly service: MediaService;
  readonly auth: SpecialistAuth;
  readonly specialists: SpecialistGateway;
}

export async function attachMedia(hub: Hub, opts: { auth?: AuthOptions } = {}): Promise<HubMedia> {
  const log = hub.log.child({ module: 'hub.media' });
  const pool = new WorkerPool(WorkerPool.size(hub.config.media.workers), log);
  await pool.start();
  const service = new MediaService(pool, hub.config, log, hub.booths);
  const auth = new SpecialistAuth(hub.directory, hub.log.child({ module: 'hub.auth' }), opts.auth);
  const own = new URL(hub.url);
  const origins = [own.origin, `http://localhost:${own.port}`, ...hub.config.allowedOrigins];
  const specialists = new SpecialistGateway(auth, () => origins, hub.log.child({ module: 'hub.console' }));
  hub.addRoute(auth.route);
  hub.addUpgrade(CONSOLE_PATH, (req, socket, head) => specialists.upgrade(req, socket, head));

  // Booths: queue, and their own room only.
  hub.booths.handle('queue.join', QueueJoin, (peer, p) => service.boothJoins(peer, p));
  hub.booths.handle('queue.leave', z.object({}).strict(), (peer) => {
    service.boothLeaves(peer.id);
    return { ok: true };
  });
  hub.booths.handle('session.reset', z.object({ reason: z.enum(['boothRestarted']) }).strict(), (peer) => service.boothRestarted(peer.id));
  hub.booths.on('disconnected', (peer) => {
    // A replaced connection is not a departure.
    if (hub.booths.peer(peer.id)) return;
    service.boothLeaves(peer.id);
    const room = service.roomOfBooth(peer.id);
    if (room && room.sides.booth?.peer === peer) service.leave(room, 'booth');
  });
  service.registerMedia(hub.booths);

  // Specialists: the live queue, claims, and the room they claimed only.
  specialists.on('connected', (peer) => service.specialistConnected(peer));
  specialists.on('disconnected', (peer) => service.specialistDisconnected(peer));
  specialists.handle('queue.list', z.object({}).strict(), () => ({ booths: service.waiting() }));
  specialists.handle('queue.claim', z.object({ boothId: z.string().min(1).max(64) }).strict(), (peer, p) => service.claim(peer, p.boothId));
  service.registerMedia(specialists);

  hub.onClose(() => {
    specialists.close();
    service.close();
    pool.close();
  });
  return { pool, service, auth, specialists };
}
