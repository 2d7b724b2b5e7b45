/**
 * The WebSocket transport of KioskApi (DESIGN §2): for Chromium in app/kiosk
 * mode, the tests and the demo. The host serves the renderer build and the API
 * on loopback only. A per-launch secret reaches the page in the URL fragment
 * (never sent to a server, never in a log) and comes back as a WebSocket
 * subprotocol; together with the Origin check, another local process cannot
 * drive the kiosk.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeBinaryFrame } from '../shared/binary-transfer';
import { ApiValidationError } from '../shared/errors';
import { WsClientMessage, type KioskEvent, type WsServerMessage } from '../shared/kiosk-api';
import { WS_PROTOCOL, WS_SECRET_PREFIX } from '../shared/kiosk-api-methods';
import { toWireError, type Dispatch } from './api-dispatch';
import { serveStatic } from '../node/static-files';

/** Large enough for one chunk of a binary transfer and any JSON request, small enough to refuse abuse. */
export const WS_MAX_PAYLOAD = 1024 * 1024;

export interface WsTransportOptions {
  dispatch: Dispatch;
  staticDir: string;
  port?: number;
  log: Logger;
  /** Extra origins allowed to connect (e.g. a Vite dev server). */
  extraOrigins?: string[];
  /** Fixed secret (tests; the demo launcher keeps one across host restarts); a random one per launch otherwise. */
  secret?: string;
}

export interface WsTransport {
  /** The kiosk URL with the secret in its fragment: give it to the browser only. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  broadcast(event: KioskEvent): void;
  clientCount(): number;
  close(): Promise<void>;
}

export const KIOSK_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

function secretMatches(expected: Buffer, offered: string | undefined): boolean {
  if (!offered?.startsWith(WS_SECRET_PREFIX)) return false;
  const got = Buffer.from(offered.slice(WS_SECRET_PREFIX.length));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export async function startWsTransport(opts: WsTransportOptions): Promise<WsTransport> {
  const secret = opts.secret ?? randomBytes(24).toString('base64url');
  const secretBuf = Buffer.from(secret);
  const log = opts.log;
  const server: Server = createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
      return;
    }
    serveStatic(req, res, { root: opts.staticDir, csp: KIOSK_CSP }).catch((error: unknown) => {
      log.error({ err: error }, 'static file error');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`, ...(opts.extraOrigins ?? [])]);

  const wss = new WebSocketServer({
    server,
    path: '/api',
    maxPayload: WS_MAX_PAYLOAD,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    verifyClient: (info, done) => {
      const offered = String(info.req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
      const originOk = origins.has(String(info.origin));
      const secretOk = offered.some((p) => secretMatches(secretBuf, p));
      if (!originOk || !secretOk || !offered.includes(WS_PROTOCOL)) {
        log.warn({ originOk, secretOk }, 'refused a kiosk WebSocket connection');
        done(false, 401, 'Unauthorized');
        return;
      }
      done(true);
    },
  });

  const send = (ws: WebSocket, msg: WsServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };

  wss.on('connection', (ws) => {
    ws.on('message', (raw, isBinary) => {
      void (async () => {
        let id: number | null = null;
        try {
          // A binary frame is a request whose raw bytes follow its JSON envelope (a chunk of a binary transfer).
          let json: unknown;
          let bytes: Uint8Array | undefined;
          if (isBinary) {
            const frame = decodeBinaryFrame(raw as Buffer);
            json = frame.header;
            bytes = frame.payload;
          } else {
            try {
              json = JSON.parse(raw.toString());
            } catch {
              throw new ApiValidationError('malformed JSON');
            }
          }
          const envelope = WsClientMessage.safeParse(json);
          if (!envelope.success) throw new ApiValidationError('malformed envelope', envelope.error);
          id = envelope.data.id;
          const result = await opts.dispatch(envelope.data.method, envelope.data.params, bytes);
          send(ws, { kind: 'response', id, ok: true, result });
        } catch (error) {
          if (!(error instanceof ApiValidationError)) log.error({ err: error }, 'KioskApi handler failed');
          else if (id === null) log.warn({ detail: error.message.slice(0, 200) }, 'refused an invalid KioskApi message');
          send(ws, { kind: 'response', id, ok: false, error: toWireError(error) });
        }
      })();
    });
  });

  return {
    url: `http://127.0.0.1:${port}/#secret=${secret}`,
    origin: `http://127.0.0.1:${port}`,
    port,
    broadcast(event) {
      const text = JSON.stringify({ kind: 'event', name: event.name, data: event.data } satisfies WsServerMessage);
      for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(text);
    },
    clientCount: () => wss.clients.size,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
