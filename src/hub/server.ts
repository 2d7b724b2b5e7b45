/**
 * The hub (DESIGN §1): one Node server. For now: health and the console's
 * static build. Signaling, rooms, the readings relay and the record extend
 * this server — there is one hub, never two.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createLogger } from '../shared/logger';
import { serveStatic } from '../shared/static-files';

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
  log?: Logger;
}

/** A route the later parts of the hub register; return true when handled. */
export type HubRoute = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface Hub {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  addRoute(route: HubRoute): void;
  close(): Promise<void>;
}

export async function startHub(opts: HubOptions): Promise<Hub> {
  const log = opts.log ?? createLogger('hub');
  const routes: HubRoute[] = [];
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
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port }, 'hub listening');
  return {
    server,
    port,
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    addRoute: (route) => routes.push(route),
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
