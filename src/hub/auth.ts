/**
 * Specialists' sessions: login over HTTP (scrypt-verified password) gives an
 * HttpOnly, SameSite=Strict cookie; the console's WebSocket requires it and
 * an allowed Origin. Wrong passwords are counted per (address, account) with
 * growing delays, plus a generous ceiling per address (src/hub/throttle.ts);
 * a right password is never refused for someone else's failures, and a
 * refusal says when to retry. Sessions are written through to the hub state
 * store (by the SHA-256 of the token) so consoles stay logged in across a hub
 * restart.
 *
 * Sign-ins and sign-outs are journaled (./journal): a right password once
 * its entry is written (a journal that cannot be written refuses the
 * sign-in, 503), a wrong one as a refusal BAD_CREDENTIALS by an anonymous
 * actor, naming the account tried when the e-mail is one — the e-mail typed
 * is never stored. Only refusals that passed the
 * throttle and the hash gate are journaled (not 400, 413, 429 or 503): a
 * flood from strangers cannot grow the journal (./journal/report.ts).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import { systemClock } from '../shared/clock';
import { CabineError, codeOf } from '../shared/errors';
import type { BoothDirectory, HubConfig } from './directory';
import { FloodLog } from './flood-log';
import { HubBusyError } from './hash-gate';
import type { HubLimits } from './limits';
import { JournalUnavailableError } from './journal/errors';
import { callerAddress, journaled, journalQuietly, journalRefusal } from './journal/report';
import type { AccessJournal } from './journal/types';
import type { HubStateRepository } from './state/repository';
import { requestIsTls } from './tls';
import { AttemptThrottle, LOGIN_LIMITS, TooManyAttemptsError, addressKey, type Attempt } from './throttle';

export const SESSION_COOKIE = 'cabine_session';
export const SESSION_TTL_MS = 10 * 60 * 60 * 1000;
/** A login body is an e-mail and a password (200 characters each at most): 4 KiB is plenty. */
export const MAX_LOGIN_BODY = 4096;

/** A request body larger than the route accepts. */
export class BodyTooLargeError extends CabineError {
  constructor(limit: number) {
    super('BODY_TOO_LARGE', {
      fr: `La demande est trop volumineuse (${limit / 1024} Ko au plus).`,
      en: `The request is too large (${limit / 1024} KiB at most).`,
    });
  }
}

export const LoginBody = z.object({ email: z.string().email().max(200), password: z.string().min(1).max(200) }).strict();

export interface SpecialistSession {
  specialistId: string;
  name: string;
  specialty: string;
  expires: number;
}

export interface AuthOptions {
  /** Wrong passwords allowed, their delays, the clock, the log window (the hub's `limits` when absent). */
  limits?: Pick<HubLimits, 'clock' | 'login' | 'logWindowMs'>;
  /** The session cookie's domain in a network of nodes under one parent domain (config node.cookieDomain). */
  cookieDomain?: string;
  /** Asked after every right password (./second-factor.ts: a TOTP code); the password alone opens the session when absent. */
  secondStep?: SecondStep;
  /** Where sign-ins and sign-outs are journaled; none in unit tests of the login alone. */
  journal?: AccessJournal;
}

/** What a second step needs of a local account. */
export interface LocalAccount {
  id: string;
  totpSecret?: string;
}

/** A second step of a password sign-in (./second-factor.ts TotpStep). */
export interface SecondStep {
  /**
   * After a right password: true when the session may open now; false when
   * it answered itself (a code is asked for, or the account may not sign in
   * with a password alone).
   */
  afterPassword(req: IncomingMessage, res: ServerResponse, account: LocalAccount, address: string): Promise<boolean>;
  /** The code step (POST `<login path>/totp`): the id of the account whose code was right, or null once it answered the refusal. */
  run(req: IncomingMessage, res: ServerResponse): Promise<string | null>;
  close(): void;
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * The body as text, `null` if the request broke off; BodyTooLargeError past
 * `limit` (told by Content-Length, or noticed while reading a body sent
 * without one). The rest of an oversized body is read and dropped, not cut:
 * a socket destroyed mid-body would lose the 413 the client is owed.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      reject(new BodyTooLargeError(limit));
      return;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size <= limit) {
        chunks.push(c);
        return;
      }
      req.off('data', onData);
      req.resume();
      reject(new BodyTooLargeError(limit));
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

/** readSignInBody's answer when it refused the body (413 sent). */
export const TOO_LARGE = Symbol('too large');

/**
 * A sign-in step's body (a login, a TOTP code): the text, null if the
 * request broke off, or TOO_LARGE once it answered 413 and noted the
 * address in the flood log (`what`: "a login", "a TOTP code").
 */
export async function readSignInBody(req: IncomingMessage, res: ServerResponse, floods: FloodLog, what: string): Promise<string | null | typeof TOO_LARGE> {
  try {
    return await readBody(req, MAX_LOGIN_BODY);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    const address = addressKey(req.socket.remoteAddress);
    floods.warn(`too-large:${address}`, { address }, `refused ${what}: body too large`);
    json(res, 413, errorBody(error), { Connection: 'close' });
    return TOO_LARGE;
  }
}

function errorBody(error: CabineError, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { error: error.code, message: error.messageFor('fr'), ...extra };
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

/** The session cookie: HttpOnly, SameSite=Strict, Secure behind HTTPS. */
export function sessionCookie(req: IncomingMessage, name: string, token: string, domain?: string): string {
  const secure = requestIsTls(req) ? '; Secure' : '';
  return `${name}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}${secure}${domain ? `; Domain=${domain}` : ''}`;
}

export function clearedCookie(name: string, domain?: string): string {
  return `${name}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${domain ? `; Domain=${domain}` : ''}`;
}

/** Checks an e-mail and password, taking its turn at the hash gate (`standing` ranks it). */
export type PasswordCheck<A> = (email: string, password: string, address: string, standing: Attempt['standing']) => Promise<A | null>;

/** The id of the account an e-mail belongs to, if any: a refused password names the account it was tried on. */
export type AccountOfEmail = (email: string) => string | undefined;

/**
 * A password login's checks, shared by every kind of account (specialists
 * on the console, pharmacy staff on the counter page): body size and
 * shape, wrong passwords counted per (address, account) with growing
 * delays, the hash gate. `run` answers every refusal itself and returns the
 * account only when the password is right (the caller then opens the
 * session and answers).
 */
export class PasswordLogin {
  private readonly throttle: AttemptThrottle;
  private readonly secondStep: SecondStep | null;
  private readonly journal: AccessJournal | null;

  constructor(private readonly floods: FloodLog, opts: AuthOptions = {}) {
    this.throttle = new AttemptThrottle(opts.limits?.login ?? LOGIN_LIMITS, opts.limits?.clock ?? systemClock);
    this.secondStep = opts.secondStep ?? null;
    this.journal = opts.journal ?? null;
  }

  /** The code step after a pending password sign-in: the account id, or null once refused (answered). Not found (404) without a second step. */
  async second(req: IncomingMessage, res: ServerResponse): Promise<string | null> {
    if (!this.secondStep) {
      json(res, 404, { error: 'NOT_FOUND' });
      return null;
    }
    return this.secondStep.run(req, res);
  }

  close(): void {
    this.secondStep?.close();
  }

  async run<A extends LocalAccount>(req: IncomingMessage, res: ServerResponse, check: PasswordCheck<A>, who: 'specialist' | 'staff', accountOf: AccountOfEmail): Promise<A | null> {
    const address = addressKey(req.socket.remoteAddress);
    const raw = await readSignInBody(req, res, this.floods, 'a login');
    if (raw === TOO_LARGE) return null;
    let body: z.infer<typeof LoginBody>;
    try {
      body = LoginBody.parse(JSON.parse(raw ?? ''));
    } catch {
      json(res, 400, { error: 'BAD_REQUEST', message: 'Adresse e-mail et mot de passe requis.' });
      return null;
    }
    let attempt: Attempt;
    try {
      attempt = this.throttle.admit(address, body.email.toLowerCase());
    } catch (error) {
      if (!(error instanceof TooManyAttemptsError)) throw error;
      this.floods.warn(`throttled:${address}`, { address, scope: error.scope }, 'refused a login: too many failed attempts');
      json(res, 429, errorBody(error, { retryAfterSeconds: error.retryAfterSeconds }), { 'Retry-After': String(error.retryAfterSeconds) });
      return null;
    }
    let account: A | null;
    try {
      account = await check(body.email, body.password, address, attempt.standing);
    } catch (error) {
      attempt.abandoned();
      if (!(error instanceof HubBusyError)) throw error;
      this.floods.warn('busy', {}, 'refused a login: too many secret checks waiting');
      json(res, 503, errorBody(error, { retryAfterSeconds: error.retryAfterSeconds }), { 'Retry-After': String(error.retryAfterSeconds) });
      return null;
    }
    if (!account) {
      attempt.failed();
      this.floods.warn(`failed:${address}`, { address }, `refused a ${who} login`);
      // The caller is nobody yet; the account tried, when the e-mail is one, is what an audit of that account needs.
      const target = accountOf(body.email);
      if (this.journal) await journalRefusal(this.journal, { actor: { role: 'anonymous' }, action: 'sign-in', resource: 'account', ...(target ? { resourceId: target } : {}), reason: 'BAD_CREDENTIALS', from: callerAddress(req) });
      json(res, 401, { error: 'BAD_CREDENTIALS', message: 'Adresse e-mail ou mot de passe incorrect.' });
      return null;
    }
    attempt.succeeded();
    if (this.secondStep && !(await this.secondStep.afterPassword(req, res, account, address))) return null;
    // Journaled once the session may open: a pending second step journals its own outcome (./second-factor.ts).
    if (this.journal) {
      try {
        await journaled(this.journal, { actor: { role: who, id: account.id }, action: 'sign-in', resource: 'account', resourceId: account.id, outcome: 'allowed', reason: 'password', from: callerAddress(req) });
      } catch (error) {
        if (!(error instanceof JournalUnavailableError)) throw error;
        json(res, 503, errorBody(error), { 'Retry-After': '5' });
        return null;
      }
    }
    return account;
  }
}

/**
 * Answers a sign-in that passed every step: 200 with `body` and the session
 * cookie once `openSession` has kept the session (the next request may reach
 * another node), or 503 STATE_UNAVAILABLE and no cookie. True when signed in.
 */
export async function answerSignIn(res: ServerResponse, log: Logger, openSession: () => Promise<string>, body: object): Promise<boolean> {
  let cookie: string;
  try {
    cookie = await openSession();
  } catch (error) {
    log.error({ code: codeOf(error) }, 'hub state: a session could not be kept; none opened');
    json(res, 503, { error: 'STATE_UNAVAILABLE', message: 'Le hub ne peut pas ouvrir la session pour l’instant : réessayez dans un instant.' });
    return false;
  }
  json(res, 200, body, { 'Set-Cookie': cookie });
  return true;
}

/** A sign-out, journaled when the session was one; never in the way of the sign-out itself. */
export async function signedOut(journal: AccessJournal | undefined, req: IncomingMessage, role: 'specialist' | 'staff', id: string, log: Logger): Promise<void> {
  if (journal) await journalQuietly(journal, { actor: { role, id }, action: 'sign-out', resource: 'account', resourceId: id, outcome: 'allowed', from: callerAddress(req) }, log);
}

export class SpecialistAuth {
  private readonly sessions = new Map<string, SpecialistSession>();
  private readonly signOutListeners = new Set<(token: string) => void>();
  private readonly login: PasswordLogin;
  private readonly floods: FloodLog;

  constructor(
    private readonly directory: BoothDirectory,
    private readonly log: Logger,
    private readonly opts: AuthOptions = {},
    /** Where sessions outlive the process; memory only when absent. */
    private readonly store: HubStateRepository | null = null,
  ) {
    this.floods = new FloodLog(log, { windowMs: opts.limits?.logWindowMs });
    this.login = new PasswordLogin(this.floods, opts);
    this.inBackground(store?.purgeExpiredSessions(), 'hub state: expired sessions not purged');
  }

  /** A session write nobody waits for (the answer does not depend on it): a failure is logged by code. */
  private inBackground(write: Promise<unknown> | undefined, what: string): void {
    write?.catch((error: unknown) => this.log.error({ code: codeOf(error) }, what));
  }

  /** Writes the counts of repeated warnings still pending (the hub is closing). */
  close(): void {
    this.floods.close();
    this.login.close();
  }

  /** Hears each sign-out on this node, with the session's token (its open consoles close: src/hub/session-watch.ts). */
  onSignOut(listener: (token: string) => void): void {
    this.signOutListeners.add(listener);
  }

  tokenOf(req: IncomingMessage): string | null {
    return parseCookies(req.headers.cookie).get(SESSION_COOKIE) ?? null;
  }

  /** The session behind a request's cookie, if any and not expired. */
  async session(req: IncomingMessage): Promise<SpecialistSession | null> {
    const token = this.tokenOf(req);
    return token ? this.sessionOfToken(token) : null;
  }

  /** The session of a token, if any and not expired; rejects when the shared store cannot answer. */
  async sessionOfToken(token: string): Promise<SpecialistSession | null> {
    let s: SpecialistSession | null;
    if (this.store) {
      // The shared store is the truth: a session from before a restart or opened on another node is found there,
      // and one signed out on another node is gone there (it is asked at every look-up, never cached here).
      s = await this.store.session(token);
      if (s && !this.directory.specialistById(s.specialistId)) s = null;
    } else {
      s = this.sessions.get(token) ?? null;
    }
    if (!s) return null;
    if (s.expires < Date.now()) {
      this.sessions.delete(token);
      this.inBackground(this.store?.removeSession(token), 'hub state: expired session not deleted');
      return null;
    }
    return s;
  }

  /**
   * Opens a session for an account already proven by other means (OIDC,
   * src/hub/oidc.ts): the same session and cookie a password sign-in gives.
   * Returns the Set-Cookie header value.
   */
  async openSession(req: IncomingMessage, s: Pick<HubConfig['specialists'][number], 'id' | 'name' | 'specialty'>): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const session = { specialistId: s.id, name: s.name, specialty: s.specialty, expires: Date.now() + SESSION_TTL_MS };
    // Kept before the cookie leaves: the console's next request may reach another node.
    if (this.store) await this.store.putSession(token, session);
    else this.sessions.set(token, session);
    return sessionCookie(req, SESSION_COOKIE, token, this.opts.cookieDomain);
  }

  /** HTTP routes: POST /api/login (and /api/login/totp, its second step), POST /api/logout, GET /api/me. */
  route = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/api/login') {
      if (req.method !== 'POST') return json(res, 405, { error: 'METHOD' }), true;
      const s = await this.login.run(req, res, (email, password, address, standing) => this.directory.verifySpecialist(email, password, address, standing), 'specialist', (email) => this.directory.specialistByEmail(email)?.id);
      if (s) await this.open(req, res, s);
      return true;
    }
    if (path === '/api/login/totp') {
      if (req.method !== 'POST') return json(res, 405, { error: 'METHOD' }), true;
      const id = await this.login.second(req, res);
      if (id === null) return true;
      const s = this.directory.specialistById(id);
      if (s) await this.open(req, res, s);
      else json(res, 401, { error: 'BAD_CREDENTIALS', message: 'Ce compte n’existe plus.' });
      return true;
    }
    if (path === '/api/logout') {
      if (req.method !== 'POST') return json(res, 405, { error: 'METHOD' }), true;
      const token = this.tokenOf(req);
      const leaving = token ? await this.sessionOfToken(token) : null;
      if (leaving) await signedOut(this.opts.journal, req, 'specialist', leaving.specialistId, this.log);
      if (token) {
        this.sessions.delete(token);
        // Waited for: once answered, the session is gone on every node.
        await this.store?.removeSession(token).catch((error: unknown) => this.log.error({ code: codeOf(error) }, 'hub state: session not deleted at logout'));
        for (const listener of this.signOutListeners) listener(token);
      }
      json(res, 200, { ok: true }, { 'Set-Cookie': clearedCookie(SESSION_COOKIE, this.opts.cookieDomain) });
      return true;
    }
    if (path === '/api/me') {
      const s = await this.session(req);
      if (!s) json(res, 401, { error: 'NOT_LOGGED_IN' });
      else json(res, 200, { id: s.specialistId, name: s.name, specialty: s.specialty });
      return true;
    }
    return false;
  };

  /** Opens a session for a specialist who passed every step: the cookie, and the session kept for every node and a restart. */
  private async open(req: IncomingMessage, res: ServerResponse, s: { id: string; name: string; specialty: string }): Promise<void> {
    if (await answerSignIn(res, this.log, () => this.openSession(req, s), { id: s.id, name: s.name, specialty: s.specialty })) {
      this.log.info({ specialistId: s.id }, 'specialist logged in');
    }
  }
}
