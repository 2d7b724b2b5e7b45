/**
 * OIDC sign-in with mutual TLS at the token endpoint (tls_client_auth, RFC
 * 8705, one of the methods Pro Santé Connect accepts): the test provider on
 * HTTPS under a test authority, the hub presenting its client certificate
 * (config `clientAuth.certFile`/`keyFile`, the authority in `caFile`). A
 * certificate whose subject the provider does not have registered is
 * refused, and no session is opened.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsFetch } from '../../../src/hub/oidc';
import type { Hub } from '../../../src/hub/server';
import { OIDC_API } from '../../../src/shared/oidc-protocol';
import { makeCertificates } from '../../helpers/coturn';
import { SPECIALISTS, freePort, startTestHub, testHubConfig } from '../../helpers/hub';
import { OidcBrowser } from '../../helpers/oidc-browser';
import { startOidcProvider, type TestOidcProvider } from '../../helpers/oidc-provider';

const DOCTOR_RPPS = '10001234567';
let dir: string;
let pki: { ca: string; caKey: string; cert: string; key: string };
let provider: TestOidcProvider;
const hubs: Hub[] = [];

/** A client certificate with subject CN=<cn>, signed by the test authority. */
function clientCertificate(cn: string): { cert: string; key: string } {
  const key = join(dir, `${cn}.key`);
  const csr = join(dir, `${cn}.csr`);
  const cert = join(dir, `${cn}.pem`);
  const ext = join(dir, `${cn}.ext`);
  const openssl = (...args: string[]): void => { execFileSync('openssl', args, { stdio: 'pipe' }); };
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`);
  writeFileSync(ext, 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  openssl('x509', '-req', '-in', csr, '-CA', pki.ca, '-CAkey', pki.caKey, '-CAcreateserial', '-out', cert, '-days', '1', '-extfile', ext);
  return { cert, key };
}

/** A browser that trusts the test authority (no client certificate: a person's browser). */
function browser(): OidcBrowser {
  const fetchCa = httpsFetch({ ca: readFileSync(pki.ca) });
  return new OidcBrowser((url, init) => (url.startsWith('https:') ? fetchCa(url, {
    method: init.method ?? 'GET', headers: Object.fromEntries(new Headers(init.headers)), body: (init.body ?? undefined) as string | undefined, redirect: 'manual',
  }) : fetch(url, init)));
}

async function hubWith(port: number, cert: { cert: string; key: string }): Promise<Hub> {
  const config = await testHubConfig();
  const hub = await startTestHub({
    port,
    consoleDir: '/nonexistent',
    config: {
      ...config,
      specialists: config.specialists.map((s) => (s.id === SPECIALISTS[0].id ? { ...s, oidcSubject: DOCTOR_RPPS } : s)),
      oidc: {
        issuer: provider.issuer, clientId: 'hub-mtls', clientAuth: { method: 'tls_client_auth', certFile: cert.cert, keyFile: cert.key, caFile: pki.ca },
        redirectUri: `http://127.0.0.1:${port}${OIDC_API.callback}`, scope: ['openid'], acrValues: [], accountClaim: 'sub', allowPasswords: true,
      },
    },
  });
  hubs.push(hub);
  return hub;
}

let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cabine-oidc-mtls-'));
  pki = makeCertificates(dir, ['127.0.0.1']);
  port = await freePort();
  provider = await startOidcProvider({
    redirectUri: `http://127.0.0.1:${port}${OIDC_API.callback}`,
    clients: [{ clientId: 'hub-mtls', method: 'tls_client_auth', subjectDn: 'CN=cabine-hub-test' }],
    tls: { cert: readFileSync(pki.cert, 'utf8'), key: readFileSync(pki.key, 'utf8'), ca: readFileSync(pki.ca, 'utf8') },
  });
});

afterAll(async () => {
  for (const hub of hubs) await hub.close();
  await provider?.close();
});

describe('tls_client_auth at the token endpoint', () => {
  it('signs the doctor in when the hub presents the registered client certificate', async () => {
    const hub = await hubWith(port, clientCertificate('cabine-hub-test'));
    const b = browser();
    const back = await b.request((await b.toCallback(hub.url, 'specialist', DOCTOR_RPPS)).href);
    expect({ status: back.status, location: back.headers.get('location') }).toEqual({ status: 302, location: '/' });
    expect(await (await b.request(`${hub.url}/api/me`)).json()).toMatchObject({ id: SPECIALISTS[0].id });
  });

  it('is refused with a certificate whose subject is not the registered one, and opens no session', async () => {
    await hubs.pop()!.close();
    const hub = await hubWith(port, clientCertificate('someone-else'));
    const b = browser();
    const res = await b.request((await b.toCallback(hub.url, 'specialist', DOCTOR_RPPS)).href);
    const html = await res.text();
    expect({ status: res.status, refused: html.includes('OIDC_PROVIDER_REFUSED') }).toEqual({ status: 400, refused: true });
    expect(res.headers.getSetCookie().filter((c) => c.startsWith('cabine_session='))).toEqual([]);
    expect((await b.request(`${hub.url}/api/me`)).status).toBe(401);
  });
});
