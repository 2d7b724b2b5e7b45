/**
 * Pharmacy staff's sessions on the counter page: the console's rules (the
 * password checks of PasswordLogin, an HttpOnly SameSite=Strict cookie, the
 * same lifetime) under a cookie of their own, and a `staff` role on every
 * session, so a doctor's session never opens the counter and a member of
 * staff's never opens the console. Kept in memory: after a hub restart
 * the counter page asks to sign in again.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { COUNTER_API } from '../../shared/counter-protocol';
import { systemClock, type Clock } from '../../shared/clock';
import { PasswordLogin, SESSION_TTL_MS, clearedCookie, json, parseCookies, sessionCookie, signedOut, type AuthOptions } from '../auth';
import type { BoothDirectory, StaffAccount } from '../directory';
import { FloodLog } from '../flood-log';

export const STAFF_COOKIE = 'cabine_counter';

export interface StaffSession {
  role: 'staff';
  staffId: string;
  name: string;
  firstName: string;
  pharmacyId: string;
  expires: number;
}

export class StaffAuth {
  private readonly sessions = new Map<string, StaffSession>();
  private readonly login: PasswordLogin;
  private readonly floods: FloodLog;
  private readonly clock: Pick<Clock, 'now'>;

  constructor(private readonly directory: BoothDirectory, private readonly log: Logger, private readonly opts: AuthOptions = {}) {
    this.floods = new FloodLog(log, { windowMs: opts.limits?.logWindowMs });
    this.login = new PasswordLogin(this.floods, opts);
    this.clock = opts.limits?.clock ?? systemClock;
  }

  close(): void {
    this.floods.close();
    this.login.close();
  }

  /** The staff session behind a request's cookie, if any, not expired, and its account still in the directory. */
  session(req: IncomingMessage): StaffSession | null {
    const token = this.tokenOf(req);
    return token ? this.sessionOfToken(token) : null;
  }

  tokenOf(req: IncomingMessage): string | null {
    return parseCookies(req.headers.cookie).get(STAFF_COOKIE) ?? null;
  }

  /** The session of a token; null once signed out or expired (a page's open connection asks at each act). */
  sessionOfToken(token: string): StaffSession | null {
    const s = this.sessions.get(token);
    if (!s) return null;
    if (s.expires < this.clock.now() || !this.directory.staffById(s.staffId)) {
      this.sessions.delete(token);
      return null;
    }
    return s;
  }

  /**
   * Opens a session for a member of staff already proven by other means
   * (OIDC, src/hub/oidc.ts): the session and cookie a password sign-in
   * gives. Returns the Set-Cookie header value.
   */
  openSession(req: IncomingMessage, staff: StaffAccount): string {
    const token = randomBytes(32).toString('base64url');
    this.sessions.set(token, {
      role: 'staff', staffId: staff.id, name: staff.name, firstName: staff.firstName, pharmacyId: staff.pharmacyId, expires: this.clock.now() + SESSION_TTL_MS,
    });
    return sessionCookie(req, STAFF_COOKIE, token);
  }

  /** HTTP routes: POST login and logout, GET me (COUNTER_API). */
  route = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === COUNTER_API.login) {
      if (req.method !== 'POST') return json(res, 405, { error: 'METHOD' }), true;
      const staff = await this.login.run(req, res, (email, password, address, standing) => this.directory.verifyStaff(email, password, address, standing), 'staff');
      if (staff) this.open(req, res, staff);
      return true;
    }
    if (path === COUNTER_API.loginTotp) {
      if (req.method !== 'POST') return json(res, 405, { error: 'METHOD' }), true;
      const id = await this.login.second(req, res);
      if (id === null) return true;
      const staff = this.directory.staffById(id);
      if (staff) this.open(req, res, staff);
      else json(res, 401, { error: 'BAD_CREDENTIALS', message: 'Ce compte n’existe plus.' });
      return true;
    }
    if (path === COUNTER_API.logout) {
      if (req.method !== 'POST') return json(res, 405, { error: 'METHOD' }), true;
      const token = parseCookies(req.headers.cookie).get(STAFF_COOKIE);
      const leaving = token ? this.sessionOfToken(token) : null;
      if (leaving) await signedOut(this.opts.journal, req, 'staff', leaving.staffId, this.log);
      if (token) this.sessions.delete(token);
      json(res, 200, { ok: true }, { 'Set-Cookie': clearedCookie(STAFF_COOKIE) });
      return true;
    }
    if (path === COUNTER_API.me) {
      const s = this.session(req);
      if (!s) json(res, 401, { error: 'NOT_LOGGED_IN' });
      else json(res, 200, this.me(s));
      return true;
    }
    return false;
  };

  /** Opens a session for a member of staff who passed every step. */
  private open(req: IncomingMessage, res: ServerResponse, staff: StaffAccount): void {
    const token = randomBytes(32).toString('base64url');
    const session: StaffSession = {
      role: 'staff', staffId: staff.id, name: staff.name, firstName: staff.firstName, pharmacyId: staff.pharmacyId, expires: this.clock.now() + SESSION_TTL_MS,
    };
    this.sessions.set(token, session);
    json(res, 200, this.me(session), { 'Set-Cookie': sessionCookie(req, STAFF_COOKIE, token) });
    this.log.info({ staffId: staff.id }, 'staff signed in');
  }

  private me(s: StaffSession): { id: string; name: string; firstName: string; pharmacy: { name: string; city: string } | null } {
    const booth = this.directory.boothsOfPharmacy(s.pharmacyId)[0];
    return { id: s.staffId, name: s.name, firstName: s.firstName, pharmacy: booth ? { name: booth.pharmacy.name, city: booth.pharmacy.city } : null };
  }
}
