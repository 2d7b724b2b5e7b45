/**
 * Serves the kiosk build on our own origin `app://kiosk` instead of file://
 * (Electron security checklist: a real origin for the permission policy,
 * no access to other files, and a CSP header on every HTML response).
 */
import type { Protocol, Session } from 'electron';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { safeJoin } from '../node/static-files';

export const APP_SCHEME = 'app';
export const APP_HOST = 'kiosk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/** The renderer talks to the host only through the preload (IPC), so no connect-src beyond self. */
export const ELECTRON_KIOSK_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.wav': 'audio/wav', '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg', '.json': 'application/json', '.woff2': 'font/woff2', '.ico': 'image/x-icon', '.map': 'application/json',
};

/** Must run before `app.whenReady()`: makes `app:` a secure, standard scheme (getUserMedia needs a secure context). */
export const APP_SCHEME_PRIVILEGES = [{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }];

/** Maps an app:// URL to a file under root; null for another host or a path that leaves root. */
export function resolveAppUrl(url: string, root: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  return safeJoin(root, u.pathname === '/' ? '/index.html' : u.pathname);
}

export async function appResponse(url: string, root: string): Promise<Response> {
  const file = resolveAppUrl(url, root);
  if (!file) return new Response('Bad path', { status: 400 });
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return new Response('Not found', { status: 404 });
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  const headers: Record<string, string> = { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff' };
  if (type.startsWith('text/html')) headers['Content-Security-Policy'] = ELECTRON_KIOSK_CSP;
  return new Response(new Uint8Array(body), { status: 200, headers });
}

export function registerAppProtocol(protocol: Pick<Protocol, 'handle'>, root: string): void {
  protocol.handle(APP_SCHEME, (request) => appResponse(request.url, root));
}

/** Belt and braces: any http(s) response that reaches the window gets the same CSP. */
export function enforceCsp(session: Pick<Session, 'webRequest'>): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_KIOSK_CSP] } });
  });
}
