/**
 * The login pages in Chromium on a hub with OIDC: the console and the
 * counter show « Se connecter avec Pro Santé Connect » (held to axe, 7:1
 * and target size); following it through the test provider's own sign-in
 * page signs the doctor into the console and the pharmacist into the
 * counter. A hub that refuses passwords shows no password form.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OidcConfig } from '../../src/hub/directory';
import type { Hub } from '../../src/hub/server';
import { OIDC_API } from '../../src/shared/oidc-protocol';
import { axeProblems } from '../helpers/axe';
import { launchChromium } from '../helpers/chromium';
import { ROOT } from '../helpers/config';
import { CONSOLE_DIST, SPECIALISTS, STAFF, freePort, startTestHub, testHubConfig } from '../helpers/hub';
import { OIDC_LOGIN_FIELD, OIDC_SUBMIT, startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider';

const COUNTER_DIST = resolve(ROOT, 'dist/renderer/counter');
const SECRET = 'test-client-secret-0123456789abcdef';
const DOCTOR_RPPS = '10001234567';
const STAFF_RPPS = '20001234567';
const POLL = { timeout: 15_000 };

let browser: Browser;
let provider: TestOidcProvider;
const hubs: Hub[] = [];
const ports: number[] = [];

async function hubWith(port: number, oidc: Partial<OidcConfig> = {}): Promise<Hub> {
  const config = await testHubConfig();
  const hub = await startTestHub({
    port,
    counterDir: COUNTER_DIST,
    config: {
      ...config,
      specialists: config.specialists.map((s) => (s.id === SPECIALISTS[0].id ? { ...s, oidcSubject: DOCTOR_RPPS } : s)),
      staff: config.staff.map((s) => (s.id === STAFF[0].id ? { ...s, oidcSubject: STAFF_RPPS } : s)),
      oidc: {
        issuer: provider.issuer, clientId: 'hub', clientAuth: { method: 'client_secret_basic', secret: SECRET }, redirectUri: `http://127.0.0.1:${port}${OIDC_API.callback}`,
        scope: ['openid'], acrValues: ['eidas1'], accountClaim: 'sub', allowPasswords: true, ...oidc,
      },
    },
  });
  hubs.push(hub);
  return hub;
}

async function newPage(): Promise<Page> {
  return (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
}

beforeAll(async () => {
  // The two login pages only (the kiosk is not needed here).
  if (!existsSync(resolve(CONSOLE_DIST, 'index.html')) || !existsSync(resolve(COUNTER_DIST, 'index.html'))) {
    execFileSync(process.execPath, ['scripts/build.mjs', 'console', 'counter'], { cwd: ROOT, stdio: 'inherit' });
  }
  ports.push(await freePort(), await freePort());
  provider = await startOidcProvider({
    redirectUri: `http://127.0.0.1:${ports[0]}${OIDC_API.callback}`,
    clients: [{ clientId: 'hub', method: 'client_secret_basic', secret: SECRET }],
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const hub of hubs) await hub.close();
  await provider?.close();
});

describe('signing in with Pro Santé Connect', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await hubWith(ports[0]!);
  });

  it('takes a doctor from the console\'s button through the provider\'s page into the console', async () => {
    const page = await newPage();
    await page.goto(`${hub.url}/`);
    const link = page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' });
    await link.waitFor(POLL);
    // The password form stays beside it while the hub accepts passwords.
    expect(await page.getByLabel('Mot de passe').count()).toBe(1);
    expect(await axeProblems(page)).toEqual([]);
    await link.click();
    await page.locator(OIDC_LOGIN_FIELD).fill(DOCTOR_RPPS);
    await page.locator(OIDC_SUBMIT).click();
    await page.getByRole('button', { name: 'Se déconnecter' }).waitFor(POLL);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.getByText(SPECIALISTS[0].name).count()).toBeGreaterThan(0);
  });

  it('takes a pharmacist from the counter\'s button into the counter page', async () => {
    const page = await newPage();
    await page.goto(`${hub.url}/counter/`);
    const link = page.getByTestId('oidc-sign-in');
    await link.waitFor(POLL);
    expect(await axeProblems(page)).toEqual([]);
    await link.click();
    await page.locator(OIDC_LOGIN_FIELD).fill(STAFF_RPPS);
    await page.locator(OIDC_SUBMIT).click();
    await page.getByTestId('booth-demo-booth-1').waitFor(POLL);
    expect(new URL(page.url()).pathname).toBe('/counter/');
  });
});

describe('a hub that refuses passwords', () => {
  it('shows the Pro Santé Connect button and no password form', async () => {
    const hub = await hubWith(ports[1]!, { allowPasswords: false });
    for (const path of ['/', '/counter/']) {
      const page = await newPage();
      await page.goto(`${hub.url}${path}`);
      await page.getByTestId('oidc-sign-in').waitFor(POLL);
      expect(await page.locator('input[type="password"]').count()).toBe(0);
      expect(await axeProblems(page)).toEqual([]);
    }
  });
});
