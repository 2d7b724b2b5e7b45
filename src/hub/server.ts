/**
 * A hub node (DESIGN §1): one Node server, and its composition root. It opens
 * its stores (./stores.ts: SQLite, or PostgreSQL shared with other nodes, then
 * joining their network, ./cluster) and its access journal (./journal) before
 * it listens, builds the booths'
 * gateway, the record and media, then hands each feature the few ports it
 * needs (./ports.ts): health, the console's static build, booth and console
 * connections, the record, rooms and signaling, the consultation's data plane.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../node/logger';
import { serveStatic } from '../node/static-files';
import type { Logger } from 'pino';
import { BoothGateway } from './booth-gateway';
import { BoothDirectory, HubConfig, type HubConfigInput } from './directory';
import { HASH_GATE_DEFAULTS, HashGate } from './hash-gate';
import type { Hub } from './hub';
import { hubLimits, type HubLimitOptions } from './limits';
import { markStrictTransport, tlsCredentials } from './tls';
import { openJournal } from './journal/journal';
import type { AccessJournal } from './journal/types';
import { startHubKeyRotation } from './keys/rotation';
import type { HubPorts, HubRoute, UpgradeHandler } from './ports';
import { BOOTH_PATH } from '../shared/hub-protocol';
import { attachMedia, type HubMedia, type MediaOptions } from './media/index';
import { createRecord } from './record/index';
import { patientIndexRehash, recordHeld } from './record/search-rehash';
import { registerConsult } from './consult/index';
import { registerCounter } from './counter/index';
import { registerCases, type HubCases } from './cases/index';
import { caseRoute } from './cases/http';
import { COUNTER, type EmergencyNote } from '../shared/counter-protocol';
import { OidcSignIn } from './oidc';
import { openHubStores } from './stores';
import { Retention } from './retention/index';
import { startClusterNode, type ClusterNode } from './cluster/index';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';

export type { Hub } from './hub';
export type { HubLimitOptions, HubLimits } from './limits';
export type { HubRoute, UpgradeHandler } from './ports';

/**
 * The pages' Content-Security-Policy. `nodes`: in a network, the other
 * nodes' origins, where the console may be sent for its call (room.moved):
 * its WebSocket may open there, nowhere else.
 */
export function consoleCsp(nodes: readonly string[] = []): string {
  const sockets = nodes.map((origin) => origin.replace(/^http/, 'ws'));
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    ["connect-src 'self'", ...sockets].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const CONSOLE_CSP = consoleCsp();

export interface HubOptions {
  port?: number;
  host?: string;
  consoleDir: string;
  /** The counter page's build, served at /counter/ (`../counter` beside consoleDir when absent). */
  counterDir?: string;
  /** Booths, specialists, staff, media settings (defaults filled in here); an empty directory when absent. */
  config?: HubConfigInput;
  log?: Logger;
  /** Media (workers, rooms, specialists' login and /console); on unless false. */
  media?: false | MediaOptions;
  /** Limits against abuse; the defaults suit a real hub (src/hub/throttle.ts says why). */
  limits?: HubLimitOptions;
  /** Test seam: a journal of the test's own (it closes it); the HMAC chain on the hub's store when absent. */
  journal?: AccessJournal;
}

export async function startHub(opts: HubOptions): Promise<Hub> {
  const routes: HubRoute[] = [];
  const upgrades = new Map<string, UpgradeHandler>();
  const closers: (() => void | Promise<void>)[] = [];
  const log = opts.log ?? createLogger('hub');
  const config = HubConfig.parse(opts.config ?? {});
  const host = opts.host ?? '127.0.0.1';
  // Before anything opens: a hub asked to listen in clear on another interface, or whose certificate cannot be read, does not start.
  const credentials = tlsCredentials(config, host);
  // Before anything listens: a node whose database cannot be reached does not half-start.
  const stores = await openHubStores(config, log, opts.limits?.clock);
  // Nor one that could not keep the trace of who reads what (JOURNAL_UNAVAILABLE, KEY_UNAVAILABLE).
  let journal: AccessJournal;
  let closeJournal: () => Promise<void> = async () => undefined;
  try {
    if (opts.journal) {
      journal = opts.journal;
    } else {
      const own = await openJournal(config, log.child({ module: 'hub.journal' }));
      journal = own;
      closeJournal = () => own.close();
    }
  } catch (error) {
    await stores.close();
    throw error;
  }
  let cluster: ClusterNode | null = null;
  if (config.store.engine === 'postgresql' && opts.media !== false) {
    try {
      cluster = await startClusterNode({
        url: config.store.url,
        nodeId: config.node?.id ?? `${hostname()}-${randomUUID().slice(0, 8)}`,
        nodeUrl: config.node?.url ?? '',
        log: log.child({ module: 'hub.cluster' }),
      });
    } catch (error) {
      await closeJournal();
      await stores.close();
      throw error;
    }
  }
  const { verify, ...gate } = opts.limits?.hashes ?? {};
  const directory = new BoothDirectory(config, { gate: new HashGate({ ...HASH_GATE_DEFAULTS, ...gate }), verify });
  const limits = hubLimits(opts.limits);
  const booths = new BoothGateway(directory, log.child({ module: 'hub.booths' }), limits);
  upgrades.set(BOOTH_PATH, (req, socket, head) => booths.upgrade(req, socket, head));
  const startedAt = Date.now();
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      try {
        markStrictTransport(req, res);
        if (req.url === '/health') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ ok: true, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }));
          return;
        }
        for (const route of routes) if (await route(req, res)) return;
        await serveStatic(req, res, { root: opts.consoleDir, csp: cluster ? consoleCsp(cluster.nodeOrigins()) : CONSOLE_CSP });
      } catch (error) {
        log.error({ err: error }, 'request failed');
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Internal error');
      }
    })();
  };
  const server = credentials ? createTlsServer(credentials, handle) : createServer(handle);
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const handler = upgrades.get(path);
    socket.on('error', () => socket.destroy());
    if (!handler) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    Promise.resolve(handler(req, socket, head)).catch((error: unknown) => {
      log.error({ err: error }, 'upgrade failed');
      socket.destroy();
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolveListen());
  }).catch(async (error: unknown) => {
    await cluster?.close();
    await closeJournal();
    await stores.close();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port }, 'hub listening');
  const url = `${credentials ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // A node whose config names no address is reached where it listens (a port chosen at start).
  if (cluster && !config.node?.url) await cluster.lease.setUrl(url).catch((error: unknown) => log.error({ err: error }, 'hub network: this node\'s address not written; sides of its rooms connected elsewhere cannot be sent here'));
  const close = async (): Promise<void> => {
    for (const fn of closers.reverse()) await fn();
    booths.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  const ports: HubPorts = {
    booths,
    directory,
    config,
    limits,
    url,
    journal,
    log,
    addRoute: (route) => routes.push(route),
    addUpgrade: (path, handler) => upgrades.set(path, handler),
    onClose: (fn) => closers.push(fn),
  };
  // The record's booth methods (record.ingest, record.photoChunk); its file opens on first use.
  // Closed last, after the rooms and the record's methods that write to them.
  closers.push(() => stores.close());
  // The journal just before them: the features' last entries (written while they close) are in it, then its head is exported.
  closers.push(closeJournal);
  // Data keys rotate on schedule (./keys/rotation.ts): at start and daily; stopped before the journal and the stores close (it journals each step).
  // The search key's rotation re-hashes the patient index (./record/search-rehash.ts) before it retires the old key.
  const searchIndex = patientIndexRehash(stores.record, { hasRecord: () => recordHeld(config) });
  const keySchedule = startHubKeyRotation({ config, journal, actor: { role: 'system' }, log, searchIndex });
  closers.push(() => keySchedule.stop());
  // Leaving the network cleanly ends the lease: the other nodes adopt this node's rooms at once.
  if (cluster) {
    const node = cluster;
    closers.push(() => node.close());
  }
  // Retention (./retention): sessions past `retention.recordDays` purged on a timer, each journaled first.
  const retention = new Retention({
    record: stores.record, journal, config, log: log.child({ module: 'hub.retention' }),
    hasRecord: () => recordHeld(config),
  });
  retention.start();
  closers.push(() => retention.stop());
  const record = createRecord(ports, stores.record);
  let media: HubMedia | null = null;
  // OIDC sign-in (./oidc.ts), registered before the password routes: with `oidc.allowPasswords: false` it answers them.
  // It opens the same sessions as they do, on the console's and the counter's auth (built below).
  const oidc = new OidcSignIn({
    config, journal, log: log.child({ module: 'hub.oidc' }), state: () => stores.state(),
    openers: { specialist: (req, account) => media?.auth.openSession(req, account) ?? null, staff: (req, account) => counter.auth.openSession(req, account) },
  });
  ports.addRoute(oidc.route);
  const counter = registerCounter(ports, { dir: opts.counterDir ?? resolve(opts.consoleDir, '../counter'), csp: CONSOLE_CSP, signInState: () => stores.state() });
  let cases: HubCases | null = null;
  const casesOf = (m: HubMedia | null): HubCases => {
    const c = registerCases({ record, config, log, counter, specialists: m?.specialists ?? null, cluster, journal });
    closers.push(() => c.close());
    // The printed answer (counter cookie) and the case's FHIR export (console cookie); the video's address is this node's, or the one its config names.
    ports.addRoute(caseRoute({ cases: c, staffAuth: counter.auth, specialistAuth: m?.auth ?? null, config, hubUrl: config.node?.url ?? url, journal, log: log.child({ module: 'hub.cases.http' }) }));
    return c;
  };
  if (opts.media !== false) {
    try {
      media = await attachMedia(ports, stores.state(), { ...(opts.media ?? {}), cluster });
      const hubCases = (cases = casesOf(media));
      const consult = registerConsult(ports, media, record, {
        openEmergency: (boothId) => counter.alerts.openEmergency(boothId),
        caseReadable: (specialistId, itemId) => hubCases.mayRead(specialistId, itemId),
      });
      const rooms = media.service;
      counter.alerts.setWhereabouts(() => {
        const places = new Map(rooms.waiting().map((e, i) => [e.boothId, i + 1]));
        return (boothId) => {
          const room = rooms.roomOfBooth(boothId);
          return { position: places.get(boothId) ?? null, doctor: room ? directory.specialistById(room.specialistId)?.name ?? null : null };
        };
      });
      // A booth's place and doctor move with the queue and the rooms, not only with its own screen (a claim changes the queue too).
      const moved = (): void => counter.alerts.whereaboutsMayHaveChanged();
      for (const event of ['queueChanged', 'roomClosed', 'resumed'] as const) rooms.on(event, moved);
      // "Urgence" during a call reaches the doctor's console too (src/shared/counter-protocol.ts).
      counter.alerts.onAlert((boothId, r) => {
        if (r.reason !== 'emergency') return;
        const note: EmergencyNote = { boothId, alertId: r.alertId, state: r.state, acknowledgedBy: r.acknowledgedBy };
        consult.toSpecialistOf(boothId, COUNTER.emergencyNote, note);
      });
    } catch (error) {
      await close();
      throw error;
    }
  } else {
    cases = casesOf(null);
  }
  return { ...ports, server, port, record, counter, cases, media, cluster, close };
}
