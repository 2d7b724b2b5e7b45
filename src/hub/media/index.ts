/**
 * Wires media into the hub: the worker pool, the specialists' login and
 * `/console` gateway, the waiting queue and the signaling on both gateways,
 * and the hub state store (`<dataDir>/hub-state.db`) that lets the queue,
 * the claims and the logins survive a hub restart.
 */
import { z } from 'zod';
import type { Hub } from '../server';
import { SpecialistAuth, type AuthOptions } from '../auth';
import { CONSOLE_PATH, SpecialistGateway } from '../specialist-gateway';
import { MediaService, QueueJoin } from './signaling';
import { WorkerPool } from './workers';
import { HubStateStore } from '../state/store';
import type { Peer } from '../peer';

export interface HubMedia {
  readonly pool: WorkerPool;
  readonly service: MediaService;
  readonly auth: SpecialistAuth;
  readonly specialists: SpecialistGateway;
}

export interface MediaOptions {
  auth?: AuthOptions;
  /** How long a side may stay away before its room ends (default 60 s). */
  graceMs?: number;
}

export async function attachMedia(hub: Hub, opts: MediaOptions = {}): Promise<HubMedia> {
  const log = hub.log.child({ module: 'hub.media' });
  const pool = new WorkerPool(WorkerPool.size(hub.config.media.workers), log);
  await pool.start();
  let state: HubStateStore;
  try {
    state = HubStateStore.inDir(hub.config.dataDir, hub.log.child({ module: 'hub.state' }));
  } catch (error) {
    pool.close();
    throw error;
  }
  const service = new MediaService(pool, hub.config, log, hub.booths, { state, graceMs: opts.graceMs });
  service.restore();
  const auth = new SpecialistAuth(hub.directory, hub.log.child({ module: 'hub.auth' }), { limits: hub.limits, ...opts.auth }, state);
  const own = new URL(hub.url);
  const origins = [own.origin, `http://localhost:${own.port}`, ...hub.config.allowedOrigins];
  const specialists = new SpecialistGateway(auth, () => origins, hub.log.child({ module: 'hub.console' }), hub.limits.logWindowMs);
  hub.addRoute(auth.route);
  hub.addUpgrade(CONSOLE_PATH, (req, socket, head) => specialists.upgrade(req, socket, head));

  // Booths: queue, and their own room only.
  hub.booths.handle('queue.join', QueueJoin, (peer, p) => service.boothJoins(peer, p));
  hub.booths.handle('queue.leave', z.object({}).strict(), (peer) => {
    service.boothLeaves(peer.id);
    return { ok: true };
  });
  hub.booths.handle('session.reset', z.object({ reason: z.enum(['boothRestarted']) }).strict(), (peer) => service.boothRestarted(peer.id));
  const boothUp = (peer: Peer): void => {
    // Registered after the gateway's own close listener: by then a replaced connection has its successor.
    peer.ws.once('close', (code) => service.boothDisconnected(peer, code));
    service.boothConnected(peer);
  };
  hub.booths.on('connected', boothUp);
  // The hub listens before media is attached: booths quick to come back after a restart are already here.
  for (const id of hub.booths.connectedBooths()) {
    const peer = hub.booths.peer(id);
    if (peer) boothUp(peer);
  }
  service.registerMedia(hub.booths);

  // Specialists: the live queue, claims, and the room they claimed only.
  specialists.on('connected', (peer) => service.specialistConnected(peer));
  specialists.on('disconnected', (peer) => service.specialistDisconnected(peer));
  specialists.handle('queue.list', z.object({}).strict(), () => ({ booths: service.waiting() }));
  specialists.handle('room.mine', z.object({}).strict(), (peer) => service.mine(peer));
  // The doctor's click in a second tab: the call moves there (see the tabs rule in ./signaling.ts).
  specialists.handle('room.takeOver', z.object({}).strict(), (peer) => service.takeOver(peer));
  specialists.handle('queue.claim', z.object({ boothId: z.string().min(1).max(64) }).strict(), (peer, p) => service.claim(peer, p.boothId));
  service.registerMedia(specialists);

  hub.onClose(() => {
    specialists.close();
    auth.close();
    service.close();
    pool.close();
    state.close();
  });
  return { pool, service, auth, specialists };
}
