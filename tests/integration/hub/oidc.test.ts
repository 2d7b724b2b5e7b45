/**
 * OpenID Connect sign-in on a real hub against a real provider
 * (oidc-provider on loopback, tests/helpers/oidc-provider.ts), driven by
 * HTTP the way a browser goes: the hub sends the browser to the provider
 * (code + PKCE, state, nonce, acr_values), the provider sends it back, and
 * the hub opens the same console or counter session a password gives — for
 * each client authentication method the config offers. Each forged or stale
 * answer (state, nonce, audience, expiry, replayed code, acr, unknown
 * account) is refused with its code, journaled, and sets no session cookie.
 * A sign-in started on one hub node completes on another sharing its state.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OidcConfig } from '../../../src/hub/directory';
import type { HubPorts } from '../../../src/hub/ports';
import type { Hub } from '../../../src/hub/server';
import { COUNTER_API } from '../../../src/shared/counter-protocol';
import { OIDC_API } from '../../../src/shared/oidc-protocol';
import { SPECIALISTS, STAFF, freePort, startTestHub, testHubConfig } from '../../helpers/hub';
import { OidcBrowser } from '../../helpers/oidc-browser';
import { startOidcProvider, type TestOidcProvider } from '../../helpers/oidc-provider';

const DOCTOR_RPPS = '10001234567';
const STAFF_RPPS = '20001234567';
const SECRET = 'test-client-secret-0123456789abcdef';

let provider: TestOidcProvider;
let keyFile: string;
const hubs: Hub[] = [];
let port: number;

async function hubWith(oidc: Partial<OidcConfig> & Pick<OidcConfig, 'clientId' | 'clientAuth'>, opts: { port?: number; media?: false } = {}): Promise<Hub> {
  const config = await testHubConfig();
  const hub = await startTestHub({
    consoleDir: '/nonexistent',
    ...opts,
    config: {
      ...config,
      specialists: config.specialists.map((s) => (s.id === SPECIALISTS[0].id ? { ...s, oidcSubject: DOCTOR_RPPS } : s)),
      staff: config.staff.map((s) => (s.id === STAFF[0].id ? { ...s, oidcSubject: STAFF_RPPS } : s)),
      oidc: {
        issuer: provider.issuer, redirectUri: `http://127.0.0.1:${opts.port ?? port}${OIDC_API.callback}`, scope: ['openid', 'email'], acrValues: ['eidas1'], accountClaim: 'sub', allowPasswords: true, ...oidc,
      },
    },
  });
  hubs.push(hub);
  return hub;
}

beforeAll(async () => {
  port = await freePort();
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  keyFile = join(mkdtempSync(join(tmpdir(), 'cabine-oidc-')), 'client.key.pem');
  writeFileSync(keyFile, await exportPKCS8(privateKey));
  provider = await startOidcProvider({
    redirectUri: `http://127.0.0.1:${port}${OIDC_API.callback}`,
    acrValues: ['eidas1', 'eidas-faible'],
    clients: [
      { clientId: 'hub-basic', method: 'client_secret_basic', secret: SECRET },
      { clientId: 'hub-post', method: 'client_secret_post', secret: SECRET },
      { clientId: 'hub-jwt', method: 'private_key_jwt', jwk: { ...(await exportJWK(publicKey)), alg: 'ES256', kid: 'hub-1' } },
      { clientId: 'another-app', method: 'client_secret_basic', secret: SECRET },
    ],
  });
});

afterAll(async () => {
  for (const hub of hubs) await hub.close();
  await provider?.close();
});

/** The refusal page: its status and code, and no session cookie of either kind. */
async function expectRefused(res: Response, status: number, code: string): Promise<string> {
  const html = await res.text();
  expect({ status: res.status, code: html.includes(code) }).toEqual({ status, code: true });
  expect(res.headers.getSetCookie().filter((c) => /^(cabine_session|cabine_counter)=/.test(c))).toEqual([]);
  return html;
}

async function signInEntries(hub: Hub): Promise<{ role: string; id?: string; outcome: string; reason?: string }[]> {
  // startHub's Hub spreads its ports: the journal is there (the Hub type names it once the real chain is merged).
  const { journal } = hub as Hub & Pick<HubPorts, 'journal'>;
  return (await journal.list({})).filter((e) => e.action === 'sign-in' && e.resource === 'account')
    .map((e) => ({ role: e.actor.role, id: e.actor.id, outcome: e.outcome, reason: e.reason }));
}

describe.each([
  ['client_secret_basic', 'hub-basic'],
  ['client_secret_post', 'hub-post'],
  ['private_key_jwt', 'hub-jwt'],
] as const)('with %s at the token endpoint', (method, clientId) => {
  let hub: Hub;
  beforeAll(async () => {
    const clientAuth: OidcConfig['clientAuth'] = method === 'private_key_jwt' ? { method, keyFile, alg: 'ES256', kid: 'hub-1' } : { method, secret: SECRET };
    hub = await hubWith({ clientId, clientAuth }, { port });
  });
  afterAll(async () => {
    await hub.close();
    hubs.splice(hubs.indexOf(hub), 1);
  });

  it('signs a doctor in through the provider into the same console session a password gives, and journals it', async () => {
    const browser = new OidcBrowser();
    const callback = await browser.toCallback(hub.url, 'specialist', DOCTOR_RPPS);
    expect(callback.searchParams.get('code')).toBeTruthy();
    const back = await browser.request(callback.href);
    expect({ status: back.status, location: back.headers.get('location') }).toEqual({ status: 302, location: '/' });
    expect(back.headers.getSetCookie().find((c) => c.startsWith('cabine_session='))).toMatch(/HttpOnly; SameSite=Strict; Path=\//);
    const me = await browser.request(`${hub.url}/api/me`);
    expect(await me.json()).toMatchObject({ id: SPECIALISTS[0].id, name: SPECIALISTS[0].name });
    expect(await signInEntries(hub)).toContainEqual({ role: 'specialist', id: SPECIALISTS[0].id, outcome: 'allowed', reason: 'oidc' });
  });
});

describe('refusals (client_secret_basic, acr "eidas1" required)', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await hubWith({ clientId: 'hub-basic', clientAuth: { method: 'client_secret_basic', secret: SECRET } }, { port });
  });

  it('signs a member of staff in to the counter page with the counter\'s own session', async () => {
    const browser = new OidcBrowser();
    const back = await browser.request((await browser.toCallback(hub.url, 'staff', STAFF_RPPS)).href);
    expect({ status: back.status, location: back.headers.get('location') }).toEqual({ status: 302, location: '/counter/' });
    const me = await browser.request(`${hub.url}${COUNTER_API.me}`);
    expect(await me.json()).toMatchObject({ id: STAFF[0].id });
    // The counter's session does not open the console.
    expect((await browser.request(`${hub.url}/api/me`)).status).toBe(401);
  });

  it('completes on one hub node a sign-in another node started (the pending request is in their shared state store), once', async () => {
    // A second node on the same data: the provider sends every browser back to the one address the nodes share.
    const { config } = hub as Hub & Pick<HubPorts, 'config'>;
    const other = await startTestHub({ consoleDir: '/nonexistent', config, media: false });
    hubs.push(other);
    const browser = new OidcBrowser();
    const callback = await browser.toCallback(other.url, 'specialist', DOCTOR_RPPS);
    expect(callback.port).toBe(String(hub.port));
    const back = await browser.request(callback.href);
    expect({ status: back.status, location: back.headers.get('location') }).toEqual({ status: 302, location: '/' });
    expect(await (await browser.request(`${hub.url}/api/me`)).json()).toMatchObject({ id: SPECIALISTS[0].id });
    // Taken out once: the node that started it refuses the same callback.
    callback.port = String(other.port);
    await expectRefused(await browser.request(callback.href), 400, 'OIDC_STATE');
  });

  it('refuses a callback whose state was altered (OIDC_STATE)', async () => {
    const browser = new OidcBrowser();
    const callback = await browser.toCallback(hub.url, 'specialist', DOCTOR_RPPS);
    callback.searchParams.set('state', 'forged-state');
    await expectRefused(await browser.request(callback.href), 400, 'OIDC_STATE');
    expect((await browser.request(`${hub.url}/api/me`)).status).toBe(401);
  });

  it('refuses a callback delivered to another browser than the one that started the sign-in (OIDC_STATE)', async () => {
    const callback = await new OidcBrowser().toCallback(hub.url, 'specialist', DOCTOR_RPPS);
    const victim = new OidcBrowser();
    await expectRefused(await victim.request(callback.href), 400, 'OIDC_STATE');
    expect((await victim.request(`${hub.url}/api/me`)).status).toBe(401);
  });

  it('refuses an ID token carrying another nonce than the one the hub sent (OIDC_NONCE)', async () => {
    const browser = new OidcBrowser();
    const callback = await browser.toCallback(hub.url, 'specialist', DOCTOR_RPPS, (url) => url.searchParams.set('nonce', 'a-nonce-the-hub-never-sent'));
    await expectRefused(await browser.request(callback.href), 400, 'OIDC_NONCE');
  });

  it('refuses an ID token issued for another audience (OIDC_AUDIENCE)', async () => {
    const browser = new OidcBrowser();
    const callback = await browser.toCallback(hub.url, 'specialist', DOCTOR_RPPS);
    provider.tamper = (claims) => ({ ...claims, aud: 'another-app', azp: undefined });
    try {
      await expectRefused(await browser.request(callback.href), 400, 'OIDC_AUDIENCE');
    } finally {
      provider.tamper = null;
    }
  });

  it('refuses an expired ID token (OIDC_EXPIRED)', async () => {
    const browser = new OidcBrowser();
    const callback = await browser.toCallback(hub.url, 'specialist', DOCTOR_RPPS);
    const past = Math.floor(Date.now() / 1000) - 3600;
    provider.tamper = (claims) => ({ ...claims, iat: past - 600, exp: past });
    try {
      await expectRefused(await browser.request(callback.href), 400, 'OIDC_EXPIRED');
    } finally {
      provider.tamper = null;
    }
  });

  it('refuses a replayed callback (single use) and a replayed authorization code under a fresh state (OIDC_INVALID_GRANT)', async () => {
    const browser = new OidcBrowser();
    const first = await browser.toCallback(hub.url, 'specialist', DOCTOR_RPPS);
    expect((await browser.request(first.href)).status).toBe(302);
    const attacker = new OidcBrowser();
    await expectRefused(await attacker.request(first.href), 400, 'OIDC_STATE');
    // The same code again, under a state the hub does hold for this browser.
    const fresh = await attacker.toCallback(hub.url, 'specialist', DOCTOR_RPPS);
    fresh.searchParams.set('code', first.searchParams.get('code')!);
    await expectRefused(await attacker.request(fresh.href), 400, 'OIDC_INVALID_GRANT');
    expect((await attacker.request(`${hub.url}/api/me`)).status).toBe(401);
  });

  it('refuses a sign-in whose acr is below the one required (OIDC_ACR)', async () => {
    const browser = new OidcBrowser();
    provider.issueAcr = 'eidas-faible';
    try {
      const callback = await browser.toCallback(hub.url, 'specialist', DOCTOR_RPPS);
      await expectRefused(await browser.request(callback.href), 403, 'OIDC_ACR');
    } finally {
      provider.issueAcr = null;
    }
    expect(await signInEntries(hub)).toContainEqual({ role: 'specialist', id: undefined, outcome: 'refused', reason: 'OIDC_ACR' });
  });

  it('refuses a subject linked to no account with a French page, and journals the refusal', async () => {
    const browser = new OidcBrowser();
    const callback = await browser.toCallback(hub.url, 'specialist', '99999999999');
    const html = await expectRefused(await browser.request(callback.href), 403, 'OIDC_UNKNOWN_ACCOUNT');
    expect(html).toContain('Ce compte n’est relié à aucun compte de ce hub');
    expect(await signInEntries(hub)).toContainEqual({ role: 'specialist', id: undefined, outcome: 'refused', reason: 'OIDC_UNKNOWN_ACCOUNT' });
    // A doctor's subject is not a member of staff's: the role comes from the hub's own pending request.
    const asStaff = new OidcBrowser();
    await expectRefused(await asStaff.request((await asStaff.toCallback(hub.url, 'staff', DOCTOR_RPPS)).href), 403, 'OIDC_UNKNOWN_ACCOUNT');
  });

  it('tells the login pages that OIDC is on and passwords still accepted', async () => {
    expect(await (await fetch(`${hub.url}${OIDC_API.config}`)).json()).toEqual({ enabled: true, label: 'Se connecter avec Pro Santé Connect', allowPasswords: true });
  });
});

describe('a hub that requires OIDC (allowPasswords: false)', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await hubWith({ clientId: 'hub-basic', clientAuth: { method: 'client_secret_basic', secret: SECRET }, allowPasswords: false, label: 'Se connecter avec e-CPS' }, { port: await freePort(), media: false });
  });

  it('refuses the right password on the counter with a clear message, opens no session, and says so to the pages', async () => {
    const res = await fetch(`${hub.url}${COUNTER_API.login}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: STAFF[0].email, password: STAFF[0].password }) });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'PASSWORDS_DISABLED', message: expect.stringContaining('Pro Santé Connect') });
    expect(res.headers.getSetCookie()).toEqual([]);
    const console = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SPECIALISTS[0].email, password: SPECIALISTS[0].password }) });
    expect({ status: console.status, cookies: console.headers.getSetCookie() }).toEqual({ status: 403, cookies: [] });
    expect(await (await fetch(`${hub.url}${OIDC_API.config}`)).json()).toEqual({ enabled: true, label: 'Se connecter avec e-CPS', allowPasswords: false });
  });
});

describe('a provider out of reach', () => {
  it('answers the sign-in with OIDC_PROVIDER_UNREACHABLE and keeps the hub up', async () => {
    const closedPort = await freePort();
    const config = await testHubConfig();
    const hub = await startTestHub({
      consoleDir: '/nonexistent',
      media: false,
      config: { ...config, oidc: { issuer: `http://127.0.0.1:${closedPort}`, clientId: 'x', clientAuth: { method: 'client_secret_basic', secret: SECRET }, redirectUri: `http://127.0.0.1:1${OIDC_API.callback}`, scope: ['openid'], acrValues: [], accountClaim: 'sub', allowPasswords: true } },
    });
    hubs.push(hub);
    await expectRefused(await fetch(`${hub.url}${OIDC_API.login}?role=specialist`, { redirect: 'manual' }), 502, 'OIDC_PROVIDER_UNREACHABLE');
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
  });

  it('says OIDC is off on a hub without it', async () => {
    const hub = await startTestHub({ consoleDir: '/nonexistent', media: false });
    hubs.push(hub);
    expect(await (await fetch(`${hub.url}${OIDC_API.config}`)).json()).toEqual({ enabled: false, label: 'Se connecter avec Pro Santé Connect', allowPasswords: true });
  });
});
