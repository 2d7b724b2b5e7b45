/**
 * Pharmacy staff's sessions on the counter page: the console's rules (the
 * password checks of PasswordLogin, an HttpOnly SameSite=Strict cookie, the
 * same lifetime) under a cookie of their own, and a `staff` role on every
 * session, so a doctor's session never opens the counter and a member of
 * staff's never opens the console. Kept in the hub state store by the
 * token's hash (./../state), so any node of a network knows them, a hub
 * restart keeps them, and a sign-out on one node holds on all: every look-up
 * asks the store.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { COUNTER_API } from '../../shared/counter-protocol';
import { systemClock, type Clock } from '../../shared/clock';
import { PasswordLogin, SESSION_TTL_MS, answerSignIn, clearedCookie, json, parseCookies, sessionCookie, signedOut, type AuthOptions } from '../auth';
import type { BoothDirectory, StaffAccount } from '../directory';
import { FloodLog } from '../flood-log';
import type { SignInState } from '../state/sign-in-state';

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
  private readonly login: PasswordLogin;
  private readonly floods: FloodLog;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly signOutListeners = new Set<(token: string) => void>();

  constructor(
    private readonly directory: BoothDirectory,
    private readonly log: Logger,
    /** Where sessions are kept: the hub state store (LocalSignInState in memory for a hub without one). */
    private readonly state: () => SignInState,
    private readonly opts: AuthOptions = {},
  ) {
    this.floods = new FloodLog(log, { windowMs: opts.limits?.logWindowMs });
    this.login = new PasswordLogin(this.floods, opts);
    this.clock = opts.limits?.clock ?? systemClock;
  }

  close(): void {
    this.floods.close();
    this.login.close();
  }

  /** The staff session behind a request's cookie, if any, not expired, and its account still in the directory. */
  async session(req: IncomingMessage): Promise<StaffSession | null> {
    const token = this.tokenOf(req);
    return token ? this.sessionOfToken(token) : null;
  }

  /** Hears each sign-out on this node, with the session's token (its open counter pages close: ../session-watch.ts). */
  onSignOut(listener: (token: string) => void): void {
    this.signOutListeners.add(listener);
  }

  tokenOf(req: IncomingMessage): string | null {
    return parseCookies(req.headers.cookie).get(STAFF_COOKIE) ?? null;
  }

  /** The session of a token; null once signed out (on any node) or expired (a page's open connection asks at each act). */
  async sessionOfToken(token: string): Promise<StaffSession | null> {
    const stored = await this.state().staffSession(token);
    const staff = stored ? this.directory.staffById(stored.staffId) : undefined;
    if (!stored || !staff) return null;
    return { role: 'staff', staffId: staff.id, name: staff.name, firstName: staff.firstName, pharmacyId: staff.pharmacyId, expires: stored.expires };
  }

  /**
   * Opens a session for a member of staff already proven by other means
   * (OIDC, src/hub/oidc.ts): the session and cookie a password sign-in
   * gives. Returns the Set-Cookie header value once the session is kept.
   */
  async openSession(req: IncomingMessage, staff: StaffAccount): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.state().putStaffSession(token, { staffId: staff.id, expires: this.clock.now() + SESSION_TTL_MS });
    return sessionCookie(req, STAFF_COOKIE, token);
  }

  /** HTTP routes: POST login and logout, GET me (COUNTER_API). */
  route = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === COUNTER_API.login) {
      if (req.method !== 'POST') return json(res, 405, { error: 'METHOD' }), true;
      const staff = await this.login.run(req, res, (email, password, address, standing) => this.directory.verifyStaff(email, password, address, standing), 'staff', (email) => this.directory.staffByEmail(email)?.id);
      if (staff) await this.open(req, res, staff);
      return true;
    }
    if (path === COUNTER_API.loginTotp) {
      if (req.method !== 'POST') return json(res, 405, { error: 'METHOD' }), true;
      const id = await this.login.second(req, res);
      if (id === null) return true;
      const staff = this.directory.staffById(id);
      if (staff) await this.open(req, res, staff);
      else json(res, 401, { error: 'BAD_CREDENTIALS', message: 'Ce compte n’existe plus.' });
      return true;
    }
    if (path === COUNTER_API.logout) {
      if (req.method !== 'POST') return json(res, 405, { error: 'METHOD' }), true;
      const token = this.tokenOf(req);
      const leaving = token ? await this.sessionOfToken(token) : null;
      if (leaving) await signedOut(this.opts.journal, req, 'staff', leaving.staffId, this.log);
      if (token) {
        await this.state().removeStaffSession(token);
        for (const listener of this.signOutListeners) listener(token);
      }
      json(res, 200, { ok: true }, { 'Set-Cookie': clearedCookie(STAFF_COOKIE) });
      return true;
    }
    if (path === COUNTER_API.me) {
      const s = await this.session(req);
      if (!s) json(res, 401, { error: 'NOT_LOGGED_IN' });
      else json(res, 200, this.me(s));
      return true;
    }
    return false;
  };

  /** Opens a session for a member of staff who passed every step: answered once the session is kept (the next request may go to another node). */
  private async open(req: IncomingMessage, res: ServerResponse, staff: StaffAccount): Promise<void> {
    const body = this.me({ staffId: staff.id, name: staff.name, firstName: staff.firstName, pharmacyId: staff.pharmacyId });
    if (await answerSignIn(res, this.log, () => this.openSession(req, staff), body)) this.log.info({ staffId: staff.id }, 'staff signed in');
  }

  private me(s: Pick<StaffSession, 'staffId' | 'name' | 'firstName' | 'pharmacyId'>): { id: string; name: string; firstName: string; pharmacy: { name: string; city: string } | null } {
    const booth = this.directory.boothsOfPharmacy(s.pharmacyId)[0];
    return { id: s.staffId, name: s.name, firstName: s.firstName, pharmacy: booth ? { name: booth.pharmacy.name, city: booth.pharmacy.city } : null };
  }
}
