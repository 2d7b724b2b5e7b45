/**
 * The second step of a local account's password sign-in (issue #21): a
 * time-based one-time code (RFC 6238, src/node/totp.ts) for every account
 * that has a `totpSecret`, on the console and on the counter page alike.
 *
 * - A right password for such an account opens no session: the hub answers
 *   **202 Accepted** `{ secondFactor: 'totp', pending, expiresInSeconds }`
 *   (src/shared/sign-in.ts). `pending` is an opaque random token, kept in
 *   the hub state store by its hash (the account id sealed, never the
 *   secret), good for 5 minutes, for one session, and for at most 5 wrong
 *   codes; the page then posts `{ pending, code }` to `<login path>/totp`,
 *   on any node of the network, and gets the session cookie.
 * - Wrong codes are counted per account (a FailureTable of ./throttle.ts,
 *   whatever the address): 5 free, then growing waits, so the million codes
 *   cannot be walked even with the password known.
 * - A code is accepted once: the account's last used step is kept in the
 *   hub state store (shared by every node) and set by one compare-and-set,
 *   so the same code, or an earlier one, is refused as a replay
 *   (TOTP_REPLAYED) on this node and on any other.
 * - `localSignIn.requireTotp`: an account without a secret cannot sign in
 *   with its password alone (TOTP_REQUIRED), even with the right password.
 * - Every outcome of the code step, and TOTP_REQUIRED, is journaled
 *   (action `sign-in`, resource `account`, the account's id, never the code).
 *   An allowed sign-in waits for its entry: a journal that cannot be
 *   written opens no session.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import { base32Decode, matchTotp } from '../node/totp';
import { systemClock, type Clock } from '../shared/clock';
import { CabineError, codeOf } from '../shared/errors';
import { SECOND_FACTOR_STATUS, type SecondFactorAsked, type SecondFactorRetry } from '../shared/sign-in';
import { json, readSignInBody, TOO_LARGE, type LocalAccount, type SecondStep } from './auth';
import { FloodLog } from './flood-log';
import type { AccessJournal, JournalEvent } from './journal/types';
import type { SignInState } from './state/sign-in-state';
import { FailureTable, TooManyAttemptsError, addressKey, type ThrottlePolicy } from './throttle';

export const TOTP_PENDING_TTL_MS = 5 * 60_000;
/** Wrong codes one pending sign-in takes before it dies (the password must be typed again). */
export const TOTP_MAX_WRONG = 5;
/** Wrong codes per account, whatever the address: a person mistyping is never held up for long; a guesser is. */
export const TOTP_LIMITS: ThrottlePolicy = { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000, maxEntries: 10_000 };

export const TotpBody = z.object({
  pending: z.string().min(1).max(100),
  // Spaces forgiven: some apps show the code as "123 456".
  code: z.string().max(20).transform((c) => c.replace(/\s/g, '')).pipe(z.string().regex(/^\d{6}$/)),
}).strict();

export type SecondFactorCode = 'TOTP_REQUIRED' | 'TOTP_INVALID' | 'TOTP_REPLAYED' | 'TOTP_EXPIRED';

const MESSAGES: Record<SecondFactorCode, { fr: string; en: string }> = {
  TOTP_REQUIRED: {
    fr: 'Ce compte doit être équipé d’un second facteur (une application d’authentification) avant de pouvoir se connecter : demandez à l’administrateur du hub de lui en attribuer un.',
    en: 'This account must be given a second factor (an authenticator app) before it can sign in: ask the hub’s administrator to set one up.',
  },
  TOTP_INVALID: {
    fr: 'Code incorrect : saisissez le code à 6 chiffres que votre application d’authentification affiche maintenant.',
    en: 'Wrong code: type the 6-digit code your authenticator app shows now.',
  },
  TOTP_REPLAYED: {
    fr: 'Ce code a déjà servi : attendez le code suivant de votre application d’authentification (30 secondes au plus).',
    en: 'This code was already used: wait for the next code of your authenticator app (30 seconds at most).',
  },
  TOTP_EXPIRED: {
    fr: 'La connexion a expiré ou a reçu trop de codes incorrects : saisissez à nouveau votre adresse e-mail et votre mot de passe.',
    en: 'The sign-in expired or received too many wrong codes: type your e-mail address and password again.',
  },
};

/** A refusal of the second factor, with what the person should do. */
export class SecondFactorError extends CabineError {
  declare readonly code: SecondFactorCode;
  constructor(code: SecondFactorCode) {
    super(code, MESSAGES[code]);
  }
}

export interface TotpStepOptions {
  /** Whose accounts: the journal's actor role and the key of the used steps (`<role>:<id>`). */
  role: 'specialist' | 'staff';
  /** `localSignIn.requireTotp`: an account without a secret cannot sign in with its password. */
  requireTotp: boolean;
  /** The used steps and the pending sign-ins, asked for at first use (a SQLite state file is opened then). */
  state: () => SignInState;
  /** The account's TOTP secret (base32), looked up again at the code: the pending sign-in does not carry it. */
  secretOf: (accountId: string) => string | undefined;
  journal: AccessJournal | null;
  log: Logger;
  clock?: Pick<Clock, 'now'>;
  /** The flood log's window (the hub's limits). */
  logWindowMs?: number;
}

/** A right password waiting for its code, as the state store keeps it (sealed). */
interface Pending {
  accountId: string;
  expires: number;
  wrong: number;
}

/** The TOTP step of one kind of account (./auth.ts PasswordLogin asks it after a right password). */
export class TotpStep implements SecondStep {
  private readonly failures: FailureTable;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly floods: FloodLog;

  constructor(private readonly opts: TotpStepOptions) {
    this.clock = opts.clock ?? systemClock;
    this.failures = new FailureTable(TOTP_LIMITS, this.clock);
    this.floods = new FloodLog(opts.log, { windowMs: opts.logWindowMs });
  }

  close(): void {
    this.floods.close();
  }

  async afterPassword(_req: IncomingMessage, res: ServerResponse, account: LocalAccount, address: string): Promise<boolean> {
    if (!account.totpSecret) {
      if (!this.opts.requireTotp) return true;
      this.refuse(res, 403, new SecondFactorError('TOTP_REQUIRED'), 'password', account.id, address);
      return false;
    }
    const token = randomBytes(32).toString('base64url');
    const expires = this.clock.now() + TOTP_PENDING_TTL_MS;
    if (!(await this.keep(res, token, { accountId: account.id, expires, wrong: 0 }))) return false;
    const body: SecondFactorAsked = { secondFactor: 'totp', pending: token, expiresInSeconds: TOTP_PENDING_TTL_MS / 1000 };
    json(res, SECOND_FACTOR_STATUS, body);
    return false;
  }

  async run(req: IncomingMessage, res: ServerResponse): Promise<string | null> {
    const address = addressKey(req.socket.remoteAddress);
    const raw = await readSignInBody(req, res, this.floods, 'a TOTP code');
    if (raw === TOO_LARGE) return null;
    let body: z.infer<typeof TotpBody>;
    try {
      body = TotpBody.parse(JSON.parse(raw ?? ''));
    } catch {
      json(res, 400, { error: 'BAD_REQUEST', message: 'Saisissez le code à 6 chiffres de votre application d’authentification.', retry: 'code' satisfies SecondFactorRetry });
      return null;
    }
    const now = this.clock.now();
    // Taken out (single use, on whichever node it was kept): two requests with one pending never both get a session.
    let p: Pending | null;
    try {
      p = await this.opts.state().takePendingSignIn<Pending>('totp', body.pending);
    } catch (error) {
      return this.stateUnavailable(res, error);
    }
    const secret = p ? this.opts.secretOf(p.accountId) : undefined;
    if (!p || p.expires < now || !secret) {
      this.refuse(res, 401, new SecondFactorError('TOTP_EXPIRED'), 'password', p?.accountId, address);
      return null;
    }
    const account = `${this.opts.role}:${p.accountId}`;
    const wait = this.failures.waitMs(account);
    if (wait > 0) {
      const error = new TooManyAttemptsError(wait, 'account');
      this.floods.warn(`throttled:${account}`, { address }, 'refused a TOTP code: too many wrong codes for this account');
      this.journal({ outcome: 'refused', reason: error.code }, p.accountId, address);
      // Throttled, not tried: the sign-in stays pending for a try after the wait.
      await this.keep(null, body.pending, p);
      json(res, 429, { error: error.code, message: error.messageFor('fr'), retryAfterSeconds: error.retryAfterSeconds, retry: 'code' }, { 'Retry-After': String(error.retryAfterSeconds) });
      return null;
    }
    const step = matchTotp(base32Decode(secret), body.code, now);
    if (step === null) return this.wrong(res, body.pending, p, 'TOTP_INVALID', address);
    let fresh: boolean;
    try {
      fresh = await this.opts.state().useTotpStep(account, step);
    } catch (error) {
      return this.stateUnavailable(res, error);
    }
    if (!fresh) return this.wrong(res, body.pending, p, 'TOTP_REPLAYED', address);
    this.failures.forget(account);
    try {
      await this.opts.journal?.record(this.event({ outcome: 'allowed', reason: 'TOTP' }, p.accountId, address));
    } catch (error) {
      this.opts.log.error({ code: codeOf(error) }, 'journal: a sign-in could not be recorded; no session opened');
      json(res, 503, { error: 'JOURNAL_UNAVAILABLE', message: 'Le journal des accès est indisponible : la connexion n’est pas ouverte. Réessayez dans un instant.', retry: 'password' satisfies SecondFactorRetry });
      return null;
    }
    return p.accountId;
  }

  /** Keeps a pending sign-in in the state store; false once a 503 is answered on `res` (none given: logged only). */
  private async keep(res: ServerResponse | null, token: string, p: Pending): Promise<boolean> {
    try {
      await this.opts.state().putPendingSignIn('totp', token, p, p.expires);
      return true;
    } catch (error) {
      if (res) this.stateUnavailable(res, error);
      else this.opts.log.error({ code: codeOf(error) }, 'hub state: a pending TOTP sign-in could not be kept');
      return false;
    }
  }

  private stateUnavailable(res: ServerResponse, error: unknown): null {
    this.opts.log.error({ code: codeOf(error) }, 'hub state: a TOTP sign-in could not be checked');
    json(res, 503, { error: 'STATE_UNAVAILABLE', message: 'Le hub ne peut pas vérifier le code pour l’instant : réessayez dans un instant.', retry: 'password' satisfies SecondFactorRetry });
    return null;
  }

  /** A wrong or replayed code: counted against the account; the pending sign-in lives on until its 5th. */
  private async wrong(res: ServerResponse, token: string, p: Pending, code: 'TOTP_INVALID' | 'TOTP_REPLAYED', address: string): Promise<null> {
    this.failures.fail(`${this.opts.role}:${p.accountId}`);
    const next = { ...p, wrong: p.wrong + 1 };
    const alive = next.wrong < TOTP_MAX_WRONG && (await this.keep(null, token, next));
    this.refuse(res, 401, new SecondFactorError(alive ? code : 'TOTP_EXPIRED'), alive ? 'code' : 'password', p.accountId, address, code);
    return null;
  }

  private refuse(res: ServerResponse, status: number, error: SecondFactorError, retry: SecondFactorRetry, accountId: string | undefined, address: string, reason: string = error.code): void {
    this.floods.warn(`${reason}:${address}`, { address, reason }, `refused a ${this.opts.role} sign-in at the second factor`);
    this.journal({ outcome: 'refused', reason }, accountId, address);
    json(res, status, { error: error.code, message: error.messageFor('fr'), retry });
  }

  /** A refusal's entry: written in the background (the refusal does not wait for it), a failure logged by code. */
  private journal(what: Pick<JournalEvent, 'outcome' | 'reason'>, accountId: string | undefined, address: string): void {
    this.opts.journal?.record(this.event(what, accountId, address)).catch((error: unknown) => this.opts.log.error({ code: codeOf(error) }, 'journal: a refused sign-in could not be recorded'));
  }

  private event(what: Pick<JournalEvent, 'outcome' | 'reason'>, accountId: string | undefined, address: string): JournalEvent {
    return {
      actor: accountId ? { role: this.opts.role, id: accountId } : { role: 'anonymous' },
      action: 'sign-in', resource: 'account', resourceId: accountId, from: address, ...what,
    };
  }
}
