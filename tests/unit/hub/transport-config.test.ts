/** Outside loopback every link is TLS: the hub's and the booth's configs refuse any plain address to another machine, naming it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHubConfig } from '../../../src/hub/directory';
import { parseKioskConfig } from '../../../src/shared/config';
import { ConfigError } from '../../../src/shared/errors';
import { isLoopbackHost, plainPostgres, plainRemoteLink } from '../../../src/shared/transport';
import { testConfig } from '../../helpers/config';

function hubRefusal(config: unknown): ConfigError {
  const file = join(mkdtempSync(join(tmpdir(), 'hub-transport-')), 'hub.json');
  writeFileSync(file, JSON.stringify(config));
  try {
    loadHubConfig(file);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('the config was accepted');
}

const OIDC = { clientId: 'cabine', clientAuth: { method: 'client_secret_basic', secret: 's'.repeat(20) } };

describe('links in clear', () => {
  it('are allowed on loopback only', () => {
    for (const host of ['127.0.0.1', '127.8.0.1', 'localhost', '::1', '[::1]', 'hub.localhost']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['10.0.0.4', 'hub.example.fr', '128.0.0.1', '::2', 'localhost.example.fr']) expect(isLoopbackHost(host)).toBe(false);
    expect(plainRemoteLink('ws://127.0.0.1:8443/booth')).toBeNull();
    expect(plainRemoteLink('turn:[::1]:3478')).toBeNull();
    expect(plainRemoteLink('wss://hub.example.fr/booth')).toBeNull();
    expect(plainRemoteLink('turns:turn.example.fr:443?transport=tcp')).toBeNull();
    expect(plainRemoteLink('ws://10.0.0.4:8443/booth')).toMatch(/wss:\/\//);
    expect(plainRemoteLink('http://hub.example.fr')).toMatch(/https:\/\//);
    expect(plainRemoteLink('turn:turn.example.fr:3478')).toMatch(/turns:/);
  });

  it('to a database on another machine need sslmode', () => {
    expect(plainPostgres('postgresql://cabine@127.0.0.1:5432/cabine')).toBeNull();
    expect(plainPostgres('postgresql://cabine@db.internal/cabine?sslmode=verify-full')).toBeNull();
    expect(plainPostgres('postgresql://cabine@db.internal/cabine')).toMatch(/sslmode=verify-full/);
    expect(plainPostgres('postgresql://cabine@db.internal/cabine?sslmode=disable')).toMatch(/sslmode=verify-full/);
  });
});

describe('the hub config', () => {
  it.each([
    ['its own address', { node: { url: 'http://node-a.cabine.example:8443' } }, 'node.url'],
    ['an allowed origin', { allowedOrigins: ['https://ok.example', 'http://console.example'] }, 'allowedOrigins[1]'],
    ['the OIDC provider', { oidc: { ...OIDC, issuer: 'http://psc.example', redirectUri: 'https://hub.example/api/oidc/callback' } }, 'oidc.issuer'],
    ['the OIDC callback', { oidc: { ...OIDC, issuer: 'https://psc.example', redirectUri: 'http://hub.example/api/oidc/callback' } }, 'oidc.redirectUri'],
    ['a TURN server', { turn: { urls: ['turn:turn.example.org:3478'], secret: 's'.repeat(20) } }, 'turn.urls[0]'],
    ['the database', { store: { engine: 'postgresql', url: 'postgresql://cabine@db.internal/cabine' }, keyDir: '/k' }, 'store.url'],
  ])('refuses %s in clear to another machine, naming the field', (_what, config, path) => {
    const error = hubRefusal(config);
    expect(error.issues.map((i) => i.path)).toContain(path);
  });

  it('takes the same addresses encrypted, or in clear on loopback', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-transport-'));
    const file = join(dir, 'hub.json');
    writeFileSync(file, JSON.stringify({
      node: { url: 'http://127.0.0.1:8443' },
      allowedOrigins: ['https://console.example', 'http://localhost:5173'],
      oidc: { ...OIDC, issuer: 'https://psc.example', redirectUri: 'https://hub.example/api/oidc/callback' },
      turn: { urls: ['turns:turn.example.org:443?transport=tcp', 'turn:127.0.0.1:3478'], secret: 's'.repeat(20) },
      store: { engine: 'postgresql', url: 'postgresql://cabine@db.internal/cabine?sslmode=verify-full' },
      keyDir: dir,
    }));
    expect(loadHubConfig(file).node?.url).toBe('http://127.0.0.1:8443');
  });
});

describe('the booth config', () => {
  it('refuses a plain hub address to another machine, and names which one', () => {
    const refused = (hub: object): ConfigError => {
      try {
        parseKioskConfig({ ...testConfig(), hub: { token: 'x'.repeat(20), ...hub } }, 'kiosk.json');
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error('accepted');
    };
    expect(refused({ url: 'ws://hub.example.fr/booth' }).issues[0]!.path).toBe('hub.url');
    expect(refused({ url: 'wss://hub.example.fr/booth', fallbackUrls: ['ws://10.0.0.5/booth'] }).issues[0]!.path).toBe('hub.fallbackUrls[0]');
    expect(parseKioskConfig({ ...testConfig(), hub: { url: 'ws://127.0.0.1:9/booth', token: 'x'.repeat(20) } }).hub.url).toBe('ws://127.0.0.1:9/booth');
  });
});
