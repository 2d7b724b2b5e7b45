/**
 * The second factor in Chromium (issue #21): on the console login, a doctor
 * whose account has a TOTP secret types the password, is asked for the code
 * of the authenticator app (a numeric one-time-code field), is told a wrong
 * code is wrong, and gets in with the right one; the code step passes axe as
 * the login does. The counter page asks the same of a member of staff.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import { base32Decode, newTotpSecret, totpAt } from '../../src/node/totp';
import { axeProblems } from '../helpers/axe';
import { launchChromium } from '../helpers/chromium';
import { ensureRenderersBuilt, SPECIALISTS, STAFF, startTestHub, testHubConfig } from '../helpers/hub';

const CODE_LABEL = 'Code de votre application d’authentification';
const secrets = { doctor: newTotpSecret(), staff: newTotpSecret() };
const codeOf = (secret: string, offsetMs = 0): string => totpAt(base32Decode(secret), Date.now() + offsetMs);
/** A code no step of the window gives (the current one shifted by half the range). */
const wrongCodeOf = (secret: string): string => {
  const window = [-30_000, 0, 30_000].map((d) => codeOf(secret, d));
  let n = Number(window[1]);
  do n = (n + 500_000) % 1_000_000; while (window.includes(String(n).padStart(6, '0')));
  return String(n).padStart(6, '0');
};

let hub: Hub | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  ensureRenderersBuilt();
  const config = await testHubConfig();
  hub = await startTestHub({
    config: {
      ...config,
      specialists: config.specialists.map((s) => (s.id === SPECIALISTS[0].id ? { ...s, totpSecret: secrets.doctor } : s)),
      staff: config.staff.map((s) => (s.id === STAFF[0].id ? { ...s, totpSecret: secrets.staff } : s)),
    },
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hub?.close();
});

describe('TOTP on the sign-in pages', () => {
  it('asks the doctor for the code after the password, refuses a wrong one and signs in with the right one', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(hub!.url);
    await page.getByLabel('Adresse e-mail').fill(SPECIALISTS[0].email);
    await page.getByLabel('Mot de passe').fill(SPECIALISTS[0].password);
    await page.getByRole('button', { name: 'Se connecter' }).click();

    const code = page.getByLabel(CODE_LABEL);
    await code.waitFor();
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    expect(await page.context().cookies()).toEqual([]);
    expect(await axeProblems(page, { legacy: true }), 'axe on the code step').toEqual([]);

    await code.fill(wrongCodeOf(secrets.doctor));
    await page.getByRole('button', { name: 'Valider le code' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^Code incorrect/);
    expect(await page.context().cookies()).toEqual([]);

    await code.fill(codeOf(secrets.doctor));
    await page.getByRole('button', { name: 'Valider le code' }).click();
    await page.getByRole('heading', { level: 1, name: 'Cabine — console' }).waitFor();
    expect((await page.context().cookies()).map((c) => c.name)).toEqual(['cabine_session']);
    await page.close();
  });

  it('asks a member of staff for the code on the counter page', async () => {
    const page = await browser!.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${hub!.url}/counter/`);
    await page.getByLabel('Adresse e-mail').fill(STAFF[0].email);
    await page.getByLabel('Mot de passe').fill(STAFF[0].password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    const code = page.getByLabel(CODE_LABEL);
    await code.waitFor();
    expect(await axeProblems(page, { legacy: true }), 'axe on the counter code step').toEqual([]);
    await code.fill(codeOf(secrets.staff));
    await page.getByRole('button', { name: 'Valider le code' }).click();
    await expect.poll(async () => (await page.context().cookies()).map((c) => c.name)).toEqual(['cabine_counter']);
    await expect.poll(() => page.getByLabel(CODE_LABEL).count()).toBe(0);
    await page.close();
  });
});
