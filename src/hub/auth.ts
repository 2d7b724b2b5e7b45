/**
 * Specialists' sessions: login over HTTP (scrypt-verified password) gives an
 * HttpOnly, SameSite=Strict cookie; the console's WebSocket requires it and
 * an allowed Origin. Login attempts are rate-limited per IP address.
 * Sessions are written through to the hub state store (by the SHA-256 of
 * the token) so consoles stay logged in across a hub restart.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { BoothDirectory } from './directory';
import type { HubStateStore } from './state/store';
import { RateLimiter } from './peer';

export const SESSION_COOKIE = 'cabine_session';
const SESSION_TTL_MS = 10 * 60 * 60 * 1000;
const MAX_BODY = 4096;

export const LoginBody = z.object({ email: z.string().email().max(200), password: z.string().min(1).max(200) }).strict();

export interface SpecialistSession {
  specialistId: string;
  name: string;
  specialty: string;
  expires: number;
}

export interface AuthOptions {
  /** Login attempts per IP: sustained per minute, and burst. */
  loginPerMinute?: number;
  loginBurst?: number;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

export class SpecialistAuth {
  private readonly sessions = new Map<string, SpecialistSession>();
  private readonly limiters = new Map<string, RateLimiter>();

  constructor(
    private readonly directory: BoothDirectory,
    private readonly log: Logger,
    private readonly opts: AuthOptions = {},
    /** Where sessions outlive the process; memory only when absent. */
    private readonly store: HubStateStore | null = null,
  ) {
    store?.purgeExpiredSessions();
  }

  /** The session behind a request's cookie, if any and not expired. */
  session(req: IncomingMessage): SpecialistSession | null {
    const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    if (!token) return null;
    let s = this.sessions.get(token) ?? null;
    if (!s && this.store) {
      // A session from before a hub restart, still valid for a specialist still in the directory.
      s = this.store.session(token);
      if (s && !this.directory.specialistById(s.specialistId)) s = null;
      if (s) this.sessions.set(token, s);
    }
    if (!s) return null;
    if (s.expires < Date.now()) {
      this.sessions.delete(token);
      this.store?.removeSession(token);
      return null;
    }
    return s;
  }

  private limiter(ip: string): RateLimiter {
    let l = this.limiters.get(ip);
    if (!l) {
      if (this.limiters.size > 10_000) this.limiters.clear();
      l = new RateLimiter((this.opts.loginPerMinute ?? 10) / 60, this.opts.loginBurst ?? 5);
      this.limiters.set(ip, l);
    }
    return l;
  }

  /** HTTP routes: POST /api/login, POST /api/logout, GET /api/me. */
  route = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/api/login') {
      if (req.method !== 'POST') return json(res, 405, { error: 'METHOD' }), true;
      const ip = req.socket.remoteAddress ?? '?';
      if (!this.limiter(ip).take()) {
        this.log.warn('login rate limit hit');
        json(res, 429, { error: 'TOO_MANY_ATTEMPTS', message: 'Trop de tentatives. Réessayez dans une minute.' }, { 'Retry-After': '60' });
        return true;
      }
      const raw = await readBody(req);
      let body: z.infer<typeof LoginBody>;
      try {
        body = LoginBody.parse(JSON.parse(raw ?? ''));
      } catch {
        json(res, 400, { error: 'BAD_REQUEST', message: 'Adresse e-mail et mot de passe requis.' });
        return true;
      }
      const s = await this.directory.verifySpecialist(body.email, body.password);
      if (!s) {
        this.log.warn('refused a specialist login');
        json(res, 401, { error: 'BAD_CREDENTIALS', message: 'Adresse e-mail ou mot de passe incorrect.' });
        return true;
      }
      const token = randomBytes(32).toString('base64url');
      const session = { specialistId: s.id, name: s.name, specialty: s.specialty, expires: Date.now() + SESSION_TTL_MS };
      this.sessions.set(token, session);
      this.store?.putSession(token, session);
      const secure = (req.socket as { encrypted?: boolean }).encrypted || req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
      json(res, 200, { id: s.id, name: s.name, specialty: s.specialty }, {
        'Set-Cookie': `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}${secure}`,
      });
      this.log.info({ specialistId: s.id }, 'specialist logged in');
      return true;
    }
    if (path === '/api/logout') {
      if (req.method !== 'POST') return json(res, 405, { error: 'METHOD' }), true;
      const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
      if (token) {
        this.sessions.delete(token);
        this.store?.removeSession(token);
      }
      json(res, 200, { ok: true }, { 'Set-Cookie': `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0` });
      return true;
    }
    if (path === '/api/me') {
      const s = this.session(req);
      if (!s) json(res, 401, { error: 'NOT_LOGGED_IN' });
      else json(res, 200, { id: s.specialistId, name: s.name, specialty: s.specialty });
      return true;
    }
    return false;
  };
}
