/**
 * Signing out in one tab signs out the others, in Chromium through the real
 * hub: a doctor with the console open in two tabs signs out in one, and the
 * other shows the sign-in and no longer names them; a pharmacist's second
 * counter tab does the same. Before, the second tab stayed connected and
 * went on receiving the queue and any call's readings.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import { launchChromium } from '../helpers/chromium';
import { ensureRenderersBuilt, SPECIALISTS, STAFF, startTestHub } from '../helpers/hub';

let hub: Hub | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  ensureRenderersBuilt();
  hub = await startTestHub();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hub?.close();
});

describe('signing out in one tab', () => {
  it('brings the doctor\'s other console tab back to the sign-in', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    const first = await context.newPage();
    await first.goto(hub!.url);
    await first.getByLabel('Adresse e-mail').fill(SPECIALISTS[0].email);
    await first.getByLabel('Mot de passe').fill(SPECIALISTS[0].password);
    await first.getByRole('button', { name: 'Se connecter' }).click();
    await first.getByRole('heading', { level: 1, name: 'Cabine — console' }).waitFor();
    const second = await context.newPage();
    await second.goto(hub!.url);
    await second.getByRole('heading', { level: 1, name: 'Cabine — console' }).waitFor();
    await expect.poll(() => second.getByRole('status').textContent()).toBe('Connecté');

    await first.getByRole('button', { name: 'Se déconnecter' }).click();
    await second.getByLabel('Adresse e-mail').waitFor();
    expect(await second.getByText(SPECIALISTS[0].name).count()).toBe(0);
    await context.close();
  });

  it('brings the pharmacist\'s other counter tab back to the sign-in', async () => {
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
    const first = await context.newPage();
    await first.goto(`${hub!.url}/counter/`);
    await first.getByLabel('Adresse e-mail').fill(STAFF[0].email);
    await first.getByLabel('Mot de passe').fill(STAFF[0].password);
    await first.getByRole('button', { name: 'Se connecter' }).click();
    const signOut = first.getByRole('button', { name: 'Se déconnecter' });
    await signOut.waitFor();
    const second = await context.newPage();
    await second.goto(`${hub!.url}/counter/`);
    await second.getByRole('button', { name: 'Se déconnecter' }).waitFor();
    await expect.poll(() => hub!.counter.pagesOf(STAFF[0].pharmacyId).length).toBe(2);

    await signOut.click();
    await second.getByLabel('Adresse e-mail').waitFor();
    expect(await second.getByRole('button', { name: 'Se déconnecter' }).count()).toBe(0);
    await context.close();
  });
});
