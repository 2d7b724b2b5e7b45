/**
 * A real OpenID Connect provider on loopback (oidc-provider 9, port 0) for
 * the hub's relying-party tests and the lead's Chromium e2e: one client per
 * client authentication method, all with the same redirect URI; accounts
 * are any login typed in (the `sub` is the login); the ID token carries
 * `acr` (the one asked for, or `issueAcr` when set).
 *
 * Its sign-in page (GET /interaction/<uid>), for Playwright:
 *   - the login field: `input[name="login"]` (label « Identifiant »)
 *   - the submit button: `button[type="submit"]` (« Se connecter »)
 * Consent is granted without a page (the hub is a first-party client).
 *
 * `tamper` rewrites the ID token of the next token responses before they
 * leave (re-signed with the provider's own key): what a token meant for
 * another relying party, or an expired one, looks like to the hub.
 *
 * NOTE: oidc-provider 9 prints "Unsupported runtime" on Node 20 (it targets
 * Node 22 LTS); the flows used here (code + PKCE, the four client auth
 * methods, mTLS) run on Node 20.20 — these tests are the proof.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import Provider, { type Configuration, type KoaContext } from 'oidc-provider';

export const OIDC_LOGIN_FIELD = 'input[name="login"]';
export const OIDC_SUBMIT = 'button[type="submit"]';

export interface TestOidcClient {
  clientId: string;
  method: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'tls_client_auth';
  /** client_secret_*: the secret. */
  secret?: string;
  /** private_key_jwt: the public key registered with the provider. */
  jwk?: JWK;
  /** tls_client_auth: the certificate's subject DN the provider expects. */
  subjectDn?: string;
}

export interface OidcProviderOptions {
  /** The hub's callback, registered for every client. */
  redirectUri: string;
  clients: TestOidcClient[];
  /** The authentication levels the provider knows. */
  acrValues?: string[];
  /** Lifetimes in seconds (authorization code, ID token). */
  ttl?: { authorizationCode?: number; idToken?: number };
  /** HTTPS with client certificates requested (mutual TLS at the token endpoint). */
  tls?: { cert: string; key: string; ca: string };
}

export interface TestOidcProvider {
  readonly issuer: string;
  readonly provider: Provider;
  /** The acr the next sign-ins get, whatever was asked (null: the one asked for, else the first known). */
  issueAcr: string | null;
  /** Rewrites the claims of the ID tokens issued from now on (null: untouched). */
  tamper: ((claims: Record<string, unknown>) => Record<string, unknown>) | null;
  close(): Promise<void>;
}

function page(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Fournisseur d'identité de test</title></head><body>${html}</body></html>`);
}

function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

export async function startOidcProvider(opts: OidcProviderOptions): Promise<TestOidcProvider> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signing = { ...(await exportJWK(privateKey)), kid: 'test-provider-1', alg: 'RS256', use: 'sig' };
  const acrValues = opts.acrValues ?? ['eidas1', 'eidas2'];
  const server: Server = opts.tls
    ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca, requestCert: true, rejectUnauthorized: false })
    : createHttpServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const state: { issueAcr: string | null; tamper: TestOidcProvider['tamper'] } = { issueAcr: null, tamper: null };
  const configuration: Configuration = {
    clients: opts.clients.map((c) => ({
      client_id: c.clientId,
      redirect_uris: [opts.redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: c.method,
      ...(c.secret ? { client_secret: c.secret } : {}),
      ...(c.jwk ? { jwks: { keys: [c.jwk] }, token_endpoint_auth_signing_alg: c.jwk.alg } : {}),
      ...(c.subjectDn ? { tls_client_auth_subject_dn: c.subjectDn } : {}),
    })),
    jwks: { keys: [signing] },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', ...(opts.tls ? ['tls_client_auth'] : [])],
    acrValues,
    claims: { openid: ['sub'], email: ['email'], acr: null },
    pkce: { required: () => true },
    ttl: {
      AuthorizationCode: opts.ttl?.authorizationCode ?? 60, IdToken: opts.ttl?.idToken ?? 3600, AccessToken: 3600, Interaction: 600, Grant: 3600, Session: 3600,
    },
    features: {
      devInteractions: { enabled: false },
      ...(opts.tls ? {
        mTLS: {
          enabled: true,
          tlsClientAuth: true,
          getCertificate: (ctx: KoaContext) => (ctx.socket as TLSSocket).getPeerX509Certificate()?.toString(),
          // Signed by the test authority the server was given (`ca`).
          certificateAuthorized: (ctx: KoaContext) => (ctx.socket as TLSSocket).authorized,
          certificateSubjectMatches: (ctx: KoaContext, property: string, expected: string) =>
            property === 'tls_client_auth_subject_dn' && (ctx.socket as TLSSocket).getPeerX509Certificate()?.subject.split('\n').join(',') === expected,
        },
      } : {}),
    },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, email: `${sub}@idp.example` }) }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // The hub is a first-party client: consent is granted without a page.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email');
      await grant.save();
      return grant;
    },
    cookies: { keys: ['test-provider-cookie-key'] },
  };
  const provider = new Provider(issuer, configuration);
  // Tamper with the ID token on its way out of the token endpoint (after the provider built and signed it).
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (!state.tamper || ctx.path !== '/token' || !body?.id_token) return;
    const claims = state.tamper({ ...decodeJwt(body.id_token) });
    ctx.body = { ...body, id_token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signing.kid, typ: 'JWT' }).sign(await importJWK(signing, 'RS256')) };
  });
  const callback = provider.callback();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', issuer);
      const m = /^\/interaction\/([^/]+)(\/login)?$/.exec(url.pathname);
      if (!m) return callback(req, res);
      try {
        const details = await provider.interactionDetails(req, res);
        if (!m[2]) {
          page(res, 200, `<main><h1>Connexion</h1><form method="post" action="/interaction/${details.uid}/login">`
            + '<label>Identifiant <input name="login" autocomplete="username" required></label> <button type="submit">Se connecter</button></form></main>');
          return;
        }
        const login = (await formBody(req)).get('login')?.trim();
        if (!login) return page(res, 400, '<p>Identifiant requis.</p>');
        const asked = String(details.params.acr_values ?? '').split(' ').filter(Boolean)[0];
        const acr = state.issueAcr ?? asked ?? acrValues[0]!;
        await provider.interactionFinished(req, res, { login: { accountId: login, acr } }, { mergeWithLastSubmission: false });
      } catch (error) {
        page(res, 400, `<p>${(error as Error).message}</p>`);
      }
    })();
  });

  return {
    issuer,
    provider,
    get issueAcr() { return state.issueAcr; },
    set issueAcr(v) { state.issueAcr = v; },
    get tamper() { return state.tamper; },
    set tamper(v) { state.tamper = v; },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
