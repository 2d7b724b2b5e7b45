/**
 * The hub (DESIGN §1): one Node server for health, the console's static
 * build and the booths' gateway; the record, the media (queue, rooms,
 * signaling) and the consultation register their routes and upgrades on it.
 * There is one hub, never two: a booth and its doctor meet in one process.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createLogger } from '../node/logger';
import { serveStatic } from '../node/static-files';
import type { Duplex } from 'node:stream';
import { BoothGateway } from './booth-gateway';
import { BoothDirectory, HubConfig, type SecretVerifier } from './directory';
import { HASH_GATE_DEFAULTS, HashGate, type HashGateOptions } from './hash-gate';
import { BOOTH_LIMITS, LOGIN_LIMITS, type AttemptLimits, type ThrottlePolicy } from './throttle';
import { BOOTH_PATH } from '../shared/hub-protocol';
import { attachMedia, type HubMedia, type MediaOptions } from './media/index';
import { registerRecord } from './record/index';
import { registerConsult } from './consult/index';

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface HubOptions {
  port?: number;
  host?: string;
  consoleDir: string;
  /** Booths, specialists, media settings; an empty directory when absent. */
  config?: HubConfig;
  log?: Logger;
  /** Media (workers, rooms, specialists' login and /console); on unless false. */
  media?: false | MediaOptions;
  /** Limits against abuse; the defaults suit a real hub (src/hub/throttle.ts says why). */
  limits?: HubLimitOptions;
}

export interface HubLimitOptions {
  /** The throttles' clock (tests move it rather than wait). */
  now?: () => number;
  /** Wrong passwords per (address, account), and per address. */
  login?: Partial<ThrottlePolicy> & { perAddress?: Partial<ThrottlePolicy> };
  /** Wrong booth tokens per (address, booth id), and per address. */
  booth?: Partial<ThrottlePolicy> & { perAddress?: Partial<ThrottlePolicy> };
  /** The hub-wide gate of scrypt checks, and the check itself. */
  hashes?: Partial<HashGateOptions> & { verify?: SecretVerifier };
  /** Repeated warnings are written once per window with a count. */
  logWindowMs?: number;
}

/** The limits in force, defaults filled in. */
export interface HubLimits {
  now: () => number;
  login: AttemptLimits;
  booth: AttemptLimits;
  logWindowMs: number;
}

function attemptLimits(base: AttemptLimits, o: HubLimitOptions['login']): AttemptLimits {
  const { perAddress, ...pair } = o ?? {};
  return { pair: { ...base.pair, ...pair }, address: { ...base.address, ...perAddress } };
}

/** Handles a WebSocket upgrade on one path. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void | Promise<void>;

/** A route a hub feature registers (the media's login, the consultation's files); return true when handled. */
export type HubRoute = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface Hub {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  readonly config: HubConfig;
  readonly directory: BoothDirectory;
  /** Booth connections (`/booth`): register booth methods here. */
  readonly booths: BoothGateway;
  readonly log: Logger;
  readonly limits: HubLimits;
  /** Workers, queue, rooms and the specialists' gateway (absent when `media: false`). */
  readonly media: HubMedia | null;
  addRoute(route: HubRoute): void;
  addUpgrade(path: string, handler: UpgradeHandler): void;
  /** Runs on close, last registered first (rooms, stores, workers). */
  onClose(fn: () => void | Promise<void>): void;
  close(): Promise<void>;
}

export async function startHub(opts: HubOptions): Promise<Hub> {
  const log = opts.log ?? createLogger('hub');
  const routes: HubRoute[] = [];
  const upgrades = new Map<string, UpgradeHandler>();
  const closers: (() => void | Promise<void>)[] = [];
  const config = opts.config ?? HubConfig.parse({});
  const { verify, ...gate } = opts.limits?.hashes ?? {};
  const directory = new BoothDirectory(config, { gate: new HashGate({ ...HASH_GATE_DEFAULTS, ...gate }), verify });
  const limits: HubLimits = {
    now: opts.limits?.now ?? Date.now,
    login: attemptLimits(LOGIN_LIMITS, opts.limits?.login),
    booth: attemptLimits(BOOTH_LIMITS, opts.limits?.booth),
    logWindowMs: opts.limits?.logWindowMs ?? 60_000,
  };
  const booths = new BoothGateway(directory, log.child({ module: 'hub.booths' }), limits);
  upgrades.set(BOOTH_PATH, (req, socket, head) => booths.upgrade(req, socket, head));
  const startedAt = Date.now();
  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (req.url === '/health') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ ok: true, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }));
          return;
        }
        for (const route of routes) if (await route(req, res)) return;
        await serveStatic(req, res, { root: opts.consoleDir, csp: CONSOLE_CSP });
      } catch (error) {
        log.error({ err: error }, 'request failed');
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Internal error');
      }
    })();
  });
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
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port }, 'hub listening');
  const hub: { -readonly [K in keyof Hub]: Hub[K] } = {
    server,
    port,
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    config,
    directory,
    booths,
    log,
    limits,
    media: null,
    addRoute: (route) => routes.push(route),
    addUpgrade: (path, handler) => upgrades.set(path, handler),
    onClose: (fn) => closers.push(fn),
    close: async () => {
      for (const fn of closers.reverse()) await fn();
      booths.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  // The record's booth methods (record.ingest, record.photoChunk); its file opens on first use.
  registerRecord(hub);
  if (opts.media !== false) {
    try {
      hub.media = await attachMedia(hub, opts.media ?? {});
      registerConsult(hub);
    } catch (error) {
      await hub.close();
      throw error;
    }
  }
  return hub;
}
