/**
 * Encryption in transit on the hub (issue #21): with a certificate the hub
 * serves HTTPS and WSS, every answer carries HSTS and the session cookie is
 * Secure; a booth reaches it only if it trusts the authority; and a hub
 * asked to listen in clear beyond loopback does not start.
 */
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { HubLink, openTrusting } from '../../../src/host/hub-link';
import { createLogger } from '../../../src/node/logger';
import type { Hub } from '../../../src/hub/server';
import { makeCertificates } from '../../helpers/coturn';
import { BOOTH_SECRETS, SPECIALISTS, freePort, startTestHub, testHubConfig } from '../../helpers/hub';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
let hub: Hub | null = null;
let link: HubLink | null = null;

afterEach(async () => {
  await link?.stop();
  link = null;
  await hub?.close();
  hub = null;
});

function certificates(): { ca: Buffer; cert: string; key: string } {
  const made = makeCertificates(mkdtempSync(join(tmpdir(), 'cabine-hub-tls-')), ['127.0.0.1']);
  return { ca: readFileSync(made.ca), cert: made.cert, key: made.key };
}

/** One HTTPS request trusting `ca`: status, headers, body. */
function httpsCall(url: string, ca: Buffer, init: { method?: string; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', ca, headers: init.body ? { 'content-type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

function online(l: HubLink): Promise<void> {
  return new Promise((resolve) => (l.status === 'online' ? resolve() : l.on('status', (s) => s === 'online' && resolve())));
}

describe('the hub over TLS', () => {
  it('serves HTTPS with HSTS and a Secure session cookie when its config names a certificate', async () => {
    const { ca, cert, key } = certificates();
    hub = await startTestHub({ config: { ...(await testHubConfig()), tls: { certFile: cert, keyFile: key } } });
    expect(hub.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const health = await httpsCall(`${hub.url}/health`, ca);
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toMatch(/max-age=\d{8}/);

    const login = await httpsCall(`${hub.url}/api/login`, ca, { method: 'POST', body: JSON.stringify({ email: SPECIALISTS[0].email, password: SPECIALISTS[0].password }) });
    expect(login.status).toBe(200);
    expect(String(login.headers['set-cookie'])).toMatch(/; Secure/);
  });

  it('lets a booth that trusts the authority connect over WSS, and a booth that does not is refused the certificate', async () => {
    const { ca, cert, key } = certificates();
    hub = await startTestHub({ config: { ...(await testHubConfig()), tls: { certFile: cert, keyFile: key } } });
    const url = `wss://127.0.0.1:${hub.port}/booth`;
    const errors: string[] = [];
    const untrusting = new HubLink({ url, boothId: 'demo-booth-1', token: BOOTH_SECRETS['demo-booth-1'], log: silent, minDelayMs: 50, maxDelayMs: 100,
      openSocket: (u, h, on) => openTrusting(undefined)(u, h, { ...on, error: (m) => { errors.push(m); on.error(m); } }) });
    untrusting.start();
    await expect.poll(() => errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/certificate/i);
    expect(untrusting.status).not.toBe('online');
    await untrusting.stop();

    link = new HubLink({ url, boothId: 'demo-booth-1', token: BOOTH_SECRETS['demo-booth-1'], log: silent, minDelayMs: 50, maxDelayMs: 100, openSocket: openTrusting(ca) });
    link.start();
    await online(link);
    expect(await link.request('queue.join', {})).toBeDefined();
  });

  it('answers in clear on loopback without HSTS, and marks what a TLS terminator in front forwarded', async () => {
    hub = await startTestHub();
    const plain = await fetch(`${hub.url}/health`);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    const forwarded = await fetch(`${hub.url}/api/login`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ email: SPECIALISTS[0].email, password: SPECIALISTS[0].password }),
    });
    expect(forwarded.headers.get('strict-transport-security')).toMatch(/max-age/);
    expect(forwarded.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('does not start in clear on another interface than loopback, nor with a certificate it cannot read', async () => {
    const port = await freePort();
    await expect(startTestHub({ host: '0.0.0.0', port })).rejects.toMatchObject({ code: 'TLS_REQUIRED' });
    // Nothing was left listening on that port.
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    await expect(startTestHub({ config: { ...(await testHubConfig()), tls: { certFile: '/nonexistent/hub.pem', keyFile: '/nonexistent/hub.key' } } }))
      .rejects.toMatchObject({ code: 'TLS_UNREADABLE' });
  });
});
