/**
 * The `oidc` block of the hub config and the pending sign-ins: key and
 * certificate files are found beside the config file, a bad client
 * authentication method is refused naming the field, and a pending sign-in
 * serves once and not after its 10 minutes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHubConfig } from '../../../src/hub/directory';
import { OIDC_PENDING_TTL_MS, type PendingSignIn } from '../../../src/hub/oidc';
import { LocalSignInState } from '../../../src/hub/state/sign-in-state';
import { ConfigError } from '../../../src/shared/errors';

const oidc = { issuer: 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet', clientId: 'cabine-hub', redirectUri: 'https://hub.cabine.example/api/oidc/callback' };

function configFile(block: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-oidc-config-'));
  const file = join(dir, 'hub.json');
  writeFileSync(file, JSON.stringify({ oidc: block }));
  return file;
}

describe('the oidc block of the hub config', () => {
  it('finds the private key and the client certificate files beside the config file', () => {
    const jwt = configFile({ ...oidc, clientAuth: { method: 'private_key_jwt', keyFile: 'keys/oidc.pem' } });
    expect(loadHubConfig(jwt).oidc?.clientAuth).toEqual({ method: 'private_key_jwt', keyFile: join(jwt, '..', 'keys/oidc.pem'), alg: 'ES256' });
    const tls = configFile({ ...oidc, clientAuth: { method: 'tls_client_auth', certFile: 'hub.crt', keyFile: 'hub.key', caFile: 'psc-ca.pem' } });
    expect(loadHubConfig(tls).oidc?.clientAuth).toEqual({
      method: 'tls_client_auth', certFile: join(tls, '..', 'hub.crt'), keyFile: join(tls, '..', 'hub.key'), caFile: join(tls, '..', 'psc-ca.pem'),
    });
  });

  it('fills the defaults: scope openid and email, no acr, the sub claim, passwords still allowed', () => {
    const c = loadHubConfig(configFile({ ...oidc, clientAuth: { method: 'client_secret_basic', secret: 'a-secret-of-32-characters-000000' } }));
    expect(c.oidc).toMatchObject({ scope: ['openid', 'email'], acrValues: [], accountClaim: 'sub', allowPasswords: true });
  });

  it('refuses an unknown client authentication method, naming the field and the choices', () => {
    const file = configFile({ ...oidc, clientAuth: { method: 'client_secret_jwt', secret: 'x'.repeat(32) } });
    expect(() => loadHubConfig(file)).toThrow(ConfigError);
    expect(() => loadHubConfig(file)).toThrow(/oidc\.clientAuth[\s\S]*private_key_jwt/);
  });
});

describe('pending sign-ins in one process (LocalSignInState, beside the state stores)', () => {
  const pending = (state: string, now: number): PendingSignIn => ({ state, verifier: 'v', nonce: 'n', role: 'specialist', binding: 'b', expires: now + OIDC_PENDING_TTL_MS });
  const put = (store: LocalSignInState, p: PendingSignIn): Promise<void> => store.putPendingSignIn('oidc', p.state, p, p.expires);

  it('serves a pending sign-in once, and only to its own kind', async () => {
    const store = new LocalSignInState({ now: () => 0 });
    await put(store, pending('s1', 0));
    expect(await store.takePendingSignIn('totp', 's1')).toBeNull();
    expect((await store.takePendingSignIn<PendingSignIn>('oidc', 's1'))?.state).toBe('s1');
    expect(await store.takePendingSignIn('oidc', 's1')).toBeNull();
  });

  it('refuses a pending sign-in past its ten minutes', async () => {
    let now = 0;
    const store = new LocalSignInState({ now: () => now });
    await put(store, pending('s1', 0));
    now = OIDC_PENDING_TTL_MS + 1;
    expect(await store.takePendingSignIn('oidc', 's1')).toBeNull();
  });

  it('keeps at most its bound, dropping the soonest to expire', async () => {
    const store = new LocalSignInState({ now: () => 0 }, 2);
    for (const [s, at] of [['s1', 0], ['s2', 1], ['s3', 2]] as const) await put(store, pending(s, at));
    expect([await store.takePendingSignIn('oidc', 's1'), (await store.takePendingSignIn<PendingSignIn>('oidc', 's2'))?.state, (await store.takePendingSignIn<PendingSignIn>('oidc', 's3'))?.state]).toEqual([null, 's2', 's3']);
  });
});
