/**
 * OpenID Connect sign-in for doctors and pharmacy staff (issue #21): the hub
 * is a relying party of the deployment's provider (Pro Santé Connect in
 * France), through openid-client 6.
 *
 * - `GET /api/oidc/login?role=specialist|staff` sends the browser to the
 *   provider: authorization code with PKCE (S256), a fresh state and nonce,
 *   `acr_values` when configured. The pending request (state → verifier,
 *   nonce, role) is kept on this node for 10 minutes, used once, and bound
 *   to the browser that started it by a cookie (`cabine_oidc`, SameSite=Lax
 *   so it comes back on the provider's redirect): a callback carried to
 *   another browser (login CSRF) is refused.
 * - `GET /api/oidc/callback` exchanges the code (openid-client checks the
 *   state, the PKCE verifier, the ID token's signature, issuer, audience,
 *   expiry and nonce), checks `acr` against `acrValues`, maps the configured
 *   claim to an account's `oidcSubject` and opens the SAME session as a
 *   password sign-in (the console's or the counter's cookie), then sends the
 *   browser to the console (/) or the counter (/counter/). Every refusal is a French page with
 *   its code, sets no session cookie, and is journaled.
 * - `GET /api/oidc/config` tells the login pages whether to show the button.
 * - With `allowPasswords: false`, the password routes (POST /api/login and
 *   POST /api/counter/login) are answered here, before the password checks:
 *   403 PASSWORDS_DISABLED. Register this route before theirs.
 *
 * Several hub nodes (PostgreSQL): the pending request is kept in the hub
 * state store (sealed, by the hash of its state), so the callback may come
 * back to any node; it is taken out once, so a replayed callback, on this
 * node or another, is refused as OIDC_STATE.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { importPKCS8 } from 'jose';
import * as client from 'openid-client';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../shared/clock';
import { CabineError, codeOf } from '../shared/errors';
import { COUNTER_API, COUNTER_PAGE_PATH } from '../shared/counter-protocol';
import { OIDC_API, OIDC_DEFAULT_LABEL, OidcRole, type OidcPublicConfig } from '../shared/oidc-protocol';
import { json, parseCookies } from './auth';
import type { HubConfig, OidcConfig, StaffAccount } from './directory';
import type { AccessJournal, JournalEvent } from './journal/types';
import { localSignInState, type SignInState } from './state/sign-in-state';
import { addressKey } from './throttle';
import { requestIsTls } from './tls';

export const OIDC_BINDING_COOKIE = 'cabine_oidc';
/** The doctor's console: the hub's root page. */
const CONSOLE_PAGE_PATH = '/';
/** How long a sign-in started at the provider may take before its callback is refused. */
export const OIDC_PENDING_TTL_MS = 10 * 60 * 1000;

export type OidcErrorCode =
  | 'OIDC_STATE' | 'OIDC_NONCE' | 'OIDC_AUDIENCE' | 'OIDC_ISSUER' | 'OIDC_EXPIRED' | 'OIDC_ACR' | 'OIDC_INVALID_GRANT'
  | 'OIDC_UNKNOWN_ACCOUNT' | 'OIDC_PROVIDER_UNREACHABLE' | 'OIDC_PROVIDER_REFUSED' | 'OIDC_TOKEN_INVALID' | 'OIDC_ROLE' | 'OIDC_NOT_CONFIGURED';

const MESSAGES: Record<OidcErrorCode, { fr: string; en: string }> = {
  OIDC_STATE: {
    fr: 'Cette connexion ne correspond à aucune demande en cours sur ce hub (elle a expiré, a déjà servi ou vient d’un autre navigateur). Recommencez la connexion.',
    en: 'This sign-in matches no request pending on this hub (expired, already used, or from another browser). Start the sign-in again.',
  },
  OIDC_NONCE: {
    fr: 'Le jeton d’identité ne correspond pas à cette demande de connexion (nonce). Recommencez la connexion.',
    en: 'The ID token does not match this sign-in request (nonce). Start the sign-in again.',
  },
  OIDC_AUDIENCE: {
    fr: 'Le jeton d’identité a été émis pour une autre application que ce hub. Recommencez la connexion ; si cela se reproduit, prévenez l’administrateur.',
    en: 'The ID token was issued for another application than this hub. Start again; if it happens again, tell the administrator.',
  },
  OIDC_ISSUER: {
    fr: 'Le jeton d’identité ne vient pas du fournisseur configuré. Prévenez l’administrateur.',
    en: 'The ID token does not come from the configured provider. Tell the administrator.',
  },
  OIDC_EXPIRED: {
    fr: 'Le jeton d’identité a expiré (ou l’horloge de ce hub est décalée). Recommencez la connexion.',
    en: 'The ID token has expired (or this hub’s clock is off). Start the sign-in again.',
  },
  OIDC_ACR: {
    fr: 'Le niveau d’authentification obtenu ne suffit pas pour ce hub (carte CPS ou e-CPS requise). Reconnectez-vous avec le moyen demandé.',
    en: 'The authentication level obtained is not enough for this hub (CPS card or e-CPS required). Sign in again with the required means.',
  },
  OIDC_INVALID_GRANT: {
    fr: 'Le code de connexion a été refusé par le fournisseur (déjà utilisé ou expiré). Recommencez la connexion.',
    en: 'The provider refused the sign-in code (already used or expired). Start the sign-in again.',
  },
  OIDC_UNKNOWN_ACCOUNT: {
    fr: 'Ce compte n’est relié à aucun compte de ce hub. Demandez à l’administrateur de relier votre identifiant (RPPS) à votre compte.',
    en: 'This account is linked to no account on this hub. Ask the administrator to link your identifier (RPPS) to your account.',
  },
  OIDC_PROVIDER_UNREACHABLE: {
    fr: 'Le fournisseur d’identité ne répond pas. Réessayez dans quelques minutes ; si cela dure, prévenez l’administrateur.',
    en: 'The identity provider does not answer. Try again in a few minutes; if it lasts, tell the administrator.',
  },
  OIDC_PROVIDER_REFUSED: {
    fr: 'Le fournisseur d’identité a refusé ou interrompu la connexion. Recommencez la connexion.',
    en: 'The identity provider refused or interrupted the sign-in. Start the sign-in again.',
  },
  OIDC_TOKEN_INVALID: {
    fr: 'La réponse du fournisseur d’identité est invalide. Recommencez la connexion ; si cela se reproduit, prévenez l’administrateur.',
    en: 'The identity provider’s answer is invalid. Start again; if it happens again, tell the administrator.',
  },
  OIDC_ROLE: {
    fr: 'Précisez l’espace où vous connecter : la console des médecins ou la page du comptoir.',
    en: 'Say where to sign in: the doctors’ console or the counter page.',
  },
  OIDC_NOT_CONFIGURED: {
    fr: 'La connexion par Pro Santé Connect n’est pas configurée sur ce hub. Utilisez votre adresse e-mail et votre mot de passe.',
    en: 'Pro Santé Connect sign-in is not configured on this hub. Use your e-mail address and password.',
  },
};

const STATUS: Partial<Record<OidcErrorCode, number>> = {
  OIDC_UNKNOWN_ACCOUNT: 403, OIDC_ACR: 403, OIDC_PROVIDER_UNREACHABLE: 502, OIDC_NOT_CONFIGURED: 404,
};

/** A sign-in through the provider that the hub refused; `code` says which check. */
export class OidcError extends CabineError {
  declare readonly code: OidcErrorCode;

  constructor(code: OidcErrorCode, options?: { cause?: unknown; detail?: string }) {
    super(code, MESSAGES[code], options);
  }

  get status(): number {
    return STATUS[this.code] ?? 400;
  }
}

/** Passwords refused because the deployment requires OIDC (`oidc.allowPasswords: false`). */
export class PasswordsDisabledError extends CabineError {
  constructor() {
    super('PASSWORDS_DISABLED', {
      fr: 'Ce hub n’accepte plus les mots de passe : connectez-vous avec Pro Santé Connect (bouton au-dessus).',
      en: 'This hub no longer accepts passwords: sign in with Pro Santé Connect (button above).',
    });
  }
}

/** A sign-in sent to the provider and not yet back. */
export interface PendingSignIn {
  state: string;
  verifier: string;
  nonce: string;
  role: OidcRole;
  /** The value of the browser's binding cookie. */
  binding: string;
  expires: number;
}

type Specialist = HubConfig['specialists'][number];

/** Opens the same session a password sign-in opens; returns the Set-Cookie header value (null: that side does not run on this hub). */
export interface OidcSessionOpeners {
  specialist(req: IncomingMessage, account: Specialist): string | null | Promise<string | null>;
  staff(req: IncomingMessage, account: StaffAccount): string | null | Promise<string | null>;
}

export interface OidcSignInOptions {
  config: Pick<HubConfig, 'oidc' | 'specialists' | 'staff'>;
  journal: Pick<AccessJournal, 'record'>;
  log: Logger;
  openers: OidcSessionOpeners;
  clock?: Pick<Clock, 'now'>;
  /** Where pending sign-ins wait for their callback: the hub state store (any node takes the callback); this process's memory when absent. */
  state?: () => SignInState;
}

/** The library's error as one of ours (which check failed). */
export function oidcErrorOf(error: unknown): OidcError {
  if (error instanceof OidcError) return error;
  if (error instanceof client.ResponseBodyError) {
    return new OidcError(error.error === 'invalid_grant' ? 'OIDC_INVALID_GRANT' : 'OIDC_PROVIDER_REFUSED', { cause: error, detail: error.error });
  }
  if (error instanceof client.AuthorizationResponseError) return new OidcError('OIDC_PROVIDER_REFUSED', { cause: error, detail: error.error });
  if (error instanceof client.ClientError) {
    const claim = (error.cause as { cause?: { claim?: string } } | undefined)?.cause?.claim;
    if (error.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') {
      if (claim === 'nonce') return new OidcError('OIDC_NONCE', { cause: error });
      if (claim === 'aud' || claim === 'azp') return new OidcError('OIDC_AUDIENCE', { cause: error });
      if (claim === 'iss') return new OidcError('OIDC_ISSUER', { cause: error });
    }
    if (error.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') return new OidcError('OIDC_EXPIRED', { cause: error, detail: claim });
    if (error.code === 'OAUTH_INVALID_RESPONSE' && /state/i.test(error.message + String((error.cause as Error | undefined)?.message))) return new OidcError('OIDC_STATE', { cause: error });
    if (error.code === 'OAUTH_TIMEOUT' || error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM') return new OidcError('OIDC_PROVIDER_UNREACHABLE', { cause: error, detail: error.code });
    return new OidcError('OIDC_TOKEN_INVALID', { cause: error, detail: error.code });
  }
  // fetch's own failure (connection refused, DNS, TLS): a TypeError.
  if (error instanceof TypeError) return new OidcError('OIDC_PROVIDER_UNREACHABLE', { cause: error, detail: error.message });
  return new OidcError('OIDC_TOKEN_INVALID', { cause: error, detail: codeOf(error) });
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

/**
 * A fetch over node:https with the TLS options Node's fetch cannot take: the
 * hub's client certificate (tls_client_auth, RFC 8705) and the provider's
 * own authority when the system does not know it. Redirects are not
 * followed (openid-client never asks it to).
 */
export function httpsFetch(tls: { cert?: Buffer | string; key?: Buffer | string; ca?: Buffer | string }): client.CustomFetch {
  return (url, options) => new Promise<Response>((resolve, reject) => {
    const req = httpsRequest(url, { method: options.method, headers: options.headers, ...tls, signal: options.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
        }
        const status = res.statusCode ?? 500;
        resolve(new Response([204, 205, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers }));
      });
      res.on('error', reject);
    });
    // Node's fetch throws a TypeError when it cannot connect: the same here, so both read as "unreachable".
    req.on('error', (e) => reject(new TypeError(`fetch failed: ${e.message}`, { cause: e })));
    const body = options.body;
    if (typeof body === 'string' || body instanceof Uint8Array) req.write(body);
    else if (body instanceof URLSearchParams) req.write(body.toString());
    else if (body !== undefined && body !== null) req.write(Buffer.from(body as ArrayBuffer));
    req.end();
  });
}

async function clientAuthOf(oidc: OidcConfig): Promise<{ auth: client.ClientAuth; fetch?: client.CustomFetch }> {
  const a = oidc.clientAuth;
  switch (a.method) {
    case 'client_secret_basic': return { auth: client.ClientSecretBasic(a.secret) };
    case 'client_secret_post': return { auth: client.ClientSecretPost(a.secret) };
    case 'private_key_jwt': {
      const key = await importPKCS8(readFileSync(a.keyFile, 'utf8'), a.alg);
      return { auth: client.PrivateKeyJwt(a.kid ? { key, kid: a.kid } : key) };
    }
    case 'tls_client_auth':
      return { auth: client.TlsClientAuth(), fetch: httpsFetch({ cert: readFileSync(a.certFile), key: readFileSync(a.keyFile), ...(a.caFile ? { ca: readFileSync(a.caFile) } : {}) }) };
  }
}

/** The hub as OIDC relying party: its three routes and the password refusal (see the file's header). */
export class OidcSignIn {
  private readonly oidc: OidcConfig | undefined;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly state: () => SignInState;
  private provider: Promise<client.Configuration> | null = null;

  constructor(private readonly opts: OidcSignInOptions) {
    this.oidc = opts.config.oidc;
    this.clock = opts.clock ?? systemClock;
    this.state = opts.state ?? localSignInState(this.clock);
  }

  /** What the login pages show. */
  publicConfig(): OidcPublicConfig {
    return { enabled: this.oidc !== undefined, label: this.oidc?.label ?? OIDC_DEFAULT_LABEL, allowPasswords: this.oidc?.allowPasswords ?? true };
  }

  /**
   * The provider's metadata, discovered on first use (a provider down at the
   * hub's start does not stop the hub) and again after a failure.
   */
  private configuration(oidc: OidcConfig): Promise<client.Configuration> {
    this.provider ??= (async () => {
      const { auth, fetch } = await clientAuthOf(oidc);
      // NOTE: openid-client refuses plain http; allowed only for a provider on loopback (tests, a local demo provider).
      const execute = isLoopback(oidc.issuer) ? [client.allowInsecureRequests] : [];
      const conf = await client.discovery(new URL(oidc.issuer), oidc.clientId, { redirect_uris: [oidc.redirectUri] }, auth, { execute, ...(fetch ? { [client.customFetch]: fetch } : {}) });
      if (fetch) conf[client.customFetch] = fetch;
      return conf;
    })();
    this.provider.catch(() => { this.provider = null; });
    return this.provider;
  }

  route = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (path === OIDC_API.config) {
      if (req.method !== 'GET') return json(res, 405, { error: 'METHOD' }), true;
      json(res, 200, this.publicConfig());
      return true;
    }
    if ((path === '/api/login' || path === COUNTER_API.login) && this.oidc?.allowPasswords === false) {
      req.resume();
      const error = new PasswordsDisabledError();
      await this.journal(req, { actor: { role: path === '/api/login' ? 'specialist' : 'staff' }, outcome: 'refused', reason: error.code }).catch(() => undefined);
      json(res, 403, { error: error.code, message: error.messageFor('fr') });
      return true;
    }
    if (path !== OIDC_API.login && path !== OIDC_API.callback) return false;
    if (req.method !== 'GET') return json(res, 405, { error: 'METHOD' }), true;
    const oidc = this.oidc;
    if (!oidc) return this.refuse(req, res, new OidcError('OIDC_NOT_CONFIGURED'), null, false), true;
    if (path === OIDC_API.login) await this.login(req, res, oidc, url);
    else await this.callback(req, res, oidc, url);
    return true;
  };

  private async login(req: IncomingMessage, res: ServerResponse, oidc: OidcConfig, url: URL): Promise<void> {
    const role = OidcRole.safeParse(url.searchParams.get('role'));
    if (!role.success) return this.refuse(req, res, new OidcError('OIDC_ROLE'), null, false);
    let conf: client.Configuration;
    try {
      conf = await this.configuration(oidc);
    } catch (error) {
      return this.refuse(req, res, oidcErrorOf(error), role.data, true);
    }
    const verifier = client.randomPKCECodeVerifier();
    const pending: PendingSignIn = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier,
      role: role.data,
      binding: randomBytes(32).toString('base64url'),
      expires: this.clock.now() + OIDC_PENDING_TTL_MS,
    };
    const params: Record<string, string> = {
      redirect_uri: oidc.redirectUri,
      scope: oidc.scope.join(' '),
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    };
    if (oidc.acrValues.length) params.acr_values = oidc.acrValues.join(' ');
    try {
      await this.state().putPendingSignIn('oidc', pending.state, pending, pending.expires);
    } catch (error) {
      return this.stateUnavailable(res, error, role.data);
    }
    res.writeHead(302, {
      Location: client.buildAuthorizationUrl(conf, params).href,
      'Set-Cookie': bindingCookie(req, pending.binding, OIDC_PENDING_TTL_MS / 1000),
      'Cache-Control': 'no-store',
    });
    res.end();
  }

  private async callback(req: IncomingMessage, res: ServerResponse, oidc: OidcConfig, url: URL): Promise<void> {
    const state = url.searchParams.get('state') ?? '';
    let pending: PendingSignIn | null = null;
    try {
      // Taken out (single use), whichever node sent the browser away.
      if (state) pending = await this.state().takePendingSignIn<PendingSignIn>('oidc', state);
    } catch (error) {
      return this.stateUnavailable(res, error, null);
    }
    const binding = parseCookies(req.headers.cookie).get(OIDC_BINDING_COOKIE);
    // A state unknown here, expired, already used, or started in another browser.
    if (!pending || !binding || binding !== pending.binding) return this.refuse(req, res, new OidcError('OIDC_STATE'), pending?.role ?? null, true);
    if (url.searchParams.has('error')) return this.refuse(req, res, new OidcError('OIDC_PROVIDER_REFUSED', { detail: url.searchParams.get('error') ?? '' }), pending.role, true);
    let subject: string;
    try {
      const conf = await this.configuration(oidc);
      // The callback as the provider addressed it: the registered redirect URI and the query it carried.
      const current = new URL(oidc.redirectUri);
      current.search = url.search;
      const tokens = await client.authorizationCodeGrant(conf, current, {
        pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      if (oidc.acrValues.length && !oidc.acrValues.includes(String(claims.acr ?? ''))) {
        throw new OidcError('OIDC_ACR', { detail: `acr ${String(claims.acr ?? '(none)')}` });
      }
      let value = claims[oidc.accountClaim];
      // Pro Santé Connect puts the RPPS in the UserInfo answer, not in the ID token.
      if (value === undefined) value = (await client.fetchUserInfo(conf, tokens.access_token, claims.sub))[oidc.accountClaim];
      if (typeof value !== 'string' || value === '') throw new OidcError('OIDC_UNKNOWN_ACCOUNT', { detail: `no "${oidc.accountClaim}" claim` });
      subject = value;
    } catch (error) {
      return this.refuse(req, res, oidcErrorOf(error), pending.role, true);
    }
    let open: { id: string; cookie: string } | null;
    try {
      open = pending.role === 'specialist' ? await this.openSpecialist(req, subject) : await this.openStaff(req, subject);
    } catch (error) {
      return this.stateUnavailable(res, error, pending.role);
    }
    if (!open) return this.refuse(req, res, new OidcError('OIDC_UNKNOWN_ACCOUNT'), pending.role, true);
    try {
      // The entry before the cookie: a sign-in nobody could trace is not let in.
      await this.journal(req, { actor: { role: pending.role, id: open.id }, outcome: 'allowed', reason: 'oidc' });
    } catch (error) {
      this.opts.log.error({ code: codeOf(error) }, 'oidc sign-in refused: journal unavailable');
      return this.page(res, 503, 'JOURNAL_UNAVAILABLE', 'Le journal des accès est indisponible : la connexion est refusée tant qu’il ne peut pas être écrit. Réessayez dans quelques minutes.', pending.role);
    }
    this.opts.log.info({ role: pending.role, accountId: open.id }, 'signed in through oidc');
    res.writeHead(302, {
      Location: pending.role === 'specialist' ? CONSOLE_PAGE_PATH : COUNTER_PAGE_PATH,
      'Set-Cookie': [open.cookie, bindingCookie(req, '', 0)],
      'Cache-Control': 'no-store',
    });
    res.end();
  }

  private async openSpecialist(req: IncomingMessage, subject: string): Promise<{ id: string; cookie: string } | null> {
    const account = this.opts.config.specialists.find((s) => s.oidcSubject === subject);
    const cookie = account ? await this.opts.openers.specialist(req, account) : null;
    return account && cookie ? { id: account.id, cookie } : null;
  }

  private async openStaff(req: IncomingMessage, subject: string): Promise<{ id: string; cookie: string } | null> {
    const account = this.opts.config.staff.find((s) => s.oidcSubject === subject);
    const cookie = account ? await this.opts.openers.staff(req, account) : null;
    return account && cookie ? { id: account.id, cookie } : null;
  }

  private journal(req: IncomingMessage, e: Pick<JournalEvent, 'actor' | 'outcome' | 'reason'>): Promise<void> {
    return this.opts.journal.record({ ...e, action: 'sign-in', resource: 'account', resourceId: e.actor.id, from: addressKey(req.socket.remoteAddress) });
  }

  /** A refusal: journaled (ids and code only), a French page, no session cookie, the binding cookie cleared. */
  private async refuse(req: IncomingMessage, res: ServerResponse, error: OidcError, role: OidcRole | null, journaled: boolean): Promise<void> {
    this.opts.log.warn({ code: error.code, role }, 'oidc sign-in refused');
    if (journaled) {
      await this.journal(req, { actor: { role: role ?? 'anonymous' }, outcome: 'refused', reason: error.code })
        .catch((e: unknown) => this.opts.log.error({ code: codeOf(e) }, 'journal: a refused oidc sign-in not recorded'));
    }
    this.page(res, error.status, error.code, error.messageFor('fr'), role, req);
  }

  private stateUnavailable(res: ServerResponse, error: unknown, role: OidcRole | null): void {
    this.opts.log.error({ code: codeOf(error) }, 'hub state: an OIDC sign-in could not be kept, read or opened');
    this.page(res, 503, 'STATE_UNAVAILABLE', 'Le hub ne peut pas suivre la connexion pour l’instant : réessayez dans un instant.', role);
  }

  private page(res: ServerResponse, status: number, code: string, message: string, role: OidcRole | null, req?: IncomingMessage): void {
    const back = role === 'staff' ? COUNTER_PAGE_PATH : CONSOLE_PAGE_PATH;
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      ...(req ? { 'Set-Cookie': bindingCookie(req, '', 0) } : {}),
    });
    res.end(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Connexion refusée</title></head>`
      + `<body style="font-family:system-ui,sans-serif;font-size:1.25rem;max-width:40rem;margin:3rem auto;padding:0 1rem">`
      + `<main><h1>Connexion refusée</h1><p role="alert">${escapeHtml(message)}</p><p><small>Code : ${escapeHtml(code)}</small></p>`
      + `<p><a href="${back}">Revenir à la page de connexion</a></p></main></body></html>`);
  }
}

/**
 * Binds a pending sign-in to its browser. SameSite=Lax, not Strict: it must
 * come back on the provider's redirect (a top-level GET from another site).
 */
function bindingCookie(req: IncomingMessage, value: string, maxAgeSeconds: number): string {
  const secure = requestIsTls(req) ? '; Secure' : '';
  return `${OIDC_BINDING_COOKIE}=${value}; HttpOnly; SameSite=Lax; Path=${OIDC_API.callback}; Max-Age=${maxAgeSeconds}${secure}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
