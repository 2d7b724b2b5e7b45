/**
 * Media on the hub: the worker pool, the specialists' login and `/console`
 * gateway, the rooms' service over the waiting queue, and the gateways'
 * media, queue and room methods. The hub state store (`<dataDir>/hub-state.db`,
 * opened by the composition root) lets the queue, the claims and the logins
 * survive a hub restart.
 */
import { SpecialistAuth, type AuthOptions } from '../auth';
import type { Peer } from '../peer';
import type { HubPorts } from '../ports';
import { CONSOLE_PATH, SpecialistGateway } from '../specialist-gateway';
import type { ClusterNode } from '../cluster/index';
import { TotpStep } from '../second-factor';
import type { HubStateRepository } from '../state/repository';
import { registerBoothMethods, registerConsoleMethods, registerMediaMethods } from './methods';
import { MediaService } from './rooms';
import { WorkerPool } from './workers';

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
  /** This node's membership of a network of hub nodes (./rooms.ts MediaServiceOptions). */
  cluster?: ClusterNode | null;
}

type MediaPorts = Pick<HubPorts, 'booths' | 'directory' | 'config' | 'limits' | 'url' | 'journal' | 'log' | 'addRoute' | 'addUpgrade' | 'onClose'>;

export async function attachMedia(ports: MediaPorts, state: HubStateRepository, opts: MediaOptions = {}): Promise<HubMedia> {
  const { booths, config, log } = ports;
  const pool = new WorkerPool(WorkerPool.size(config.media.workers), log.child({ module: 'hub.media' }));
  await pool.start();
  const service = new MediaService(pool, config, log.child({ module: 'hub.media' }), booths, { state, graceMs: opts.graceMs, cluster: opts.cluster });
  await service.restore();
  const authLog = log.child({ module: 'hub.auth' });
  // The used TOTP steps live in the state store: a code accepted by one node is refused by every other.
  const secondStep = new TotpStep({
    role: 'specialist', requireTotp: config.localSignIn.requireTotp, state: () => state, secretOf: (id) => ports.directory.specialistById(id)?.totpSecret, journal: ports.journal, log: authLog, clock: ports.limits.clock, logWindowMs: ports.limits.logWindowMs,
  });
  const auth = new SpecialistAuth(ports.directory, authLog, { limits: ports.limits, cookieDomain: config.node?.cookieDomain, secondStep, journal: ports.journal, ...opts.auth }, state);
  const own = new URL(ports.url);
  const origins = [own.origin, `http://localhost:${own.port}`, ...config.allowedOrigins];
  // In a network, a console whose page another node served is sent here for its call (room.moved).
  const cluster = opts.cluster;
  const allowed = cluster ? () => [...origins, ...cluster.nodeOrigins()] : () => origins;
  const specialists = new SpecialistGateway(auth, allowed, log.child({ module: 'hub.console' }), {
    logWindowMs: ports.limits.logWindowMs,
    sessionCheckMs: ports.limits.sessionCheckMs,
    inCall: (peer) => service.roomOfSpecialist(peer.id)?.sides.specialist?.peer === peer,
  });
  ports.addRoute(auth.route);
  ports.addUpgrade(CONSOLE_PATH, (req, socket, head) => specialists.upgrade(req, socket, head));

  // Booths: queue, and their own room only.
  registerBoothMethods(booths, service);
  const boothUp = (peer: Peer): void => {
    // Registered after the gateway's own close listener: by then a replaced connection has its successor.
    peer.ws.once('close', (code) => service.boothDisconnected(peer, code));
    service.boothConnected(peer);
  };
  booths.on('connected', boothUp);
  // The hub listens before media is attached: booths quick to come back after a restart are already here.
  for (const id of booths.connectedBooths()) {
    const peer = booths.peer(id);
    if (peer) boothUp(peer);
  }
  registerMediaMethods(booths, service);

  // Specialists: the live queue, claims, and the room they claimed only.
  specialists.on('connected', (peer) => service.specialistConnected(peer));
  specialists.on('disconnected', (peer) => service.specialistDisconnected(peer));
  registerConsoleMethods(specialists, service);
  registerMediaMethods(specialists, service);

  ports.onClose(() => {
    specialists.close();
    auth.close();
    service.close();
    pool.close();
  });
  return { pool, service, auth, specialists };
}
