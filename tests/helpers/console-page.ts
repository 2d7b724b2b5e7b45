/**
 * The specialist's console in a Chromium page: signing in through the login
 * form, as a doctor does (the one place that knows its labels).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Host } from '../../src/host/host';
import { SPECIALISTS } from './hub';

export async function signInOnConsole(page: Page, hubUrl: string, who: { email: string; password: string } = SPECIALISTS[0]): Promise<void> {
  await page.goto(hubUrl);
  await page.getByLabel('Adresse e-mail').fill(who.email);
  await page.getByLabel('Mot de passe').fill(who.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

/**
 * The doctor ends the call: "Terminer la consultation" asks first ("Terminer
 * la consultation ?"), and nothing ends until "Oui, terminer" is clicked.
 */
export async function endConsultation(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Terminer la consultation' }).click();
  await page.getByRole('button', { name: 'Oui, terminer' }).click();
}

/**
 * A patient brought to the call as in the pharmacy: language and consent on
 * the kiosk, the pharmacist's intake behind the assistant PIN, then the
 * doctor's "Prendre en charge" on the console; resolves once the kiosk shows
 * its call screen.
 */
export async function claimBooth(
  host: Pick<Host, 'dispatch' | 'sendHostEvent'>, kioskPage: Page, consolePage: Page,
  identity: { firstName: string; lastName: string; birthDate: string }, boothId = 'demo-booth-1',
): Promise<void> {
  for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }] as const) await host.dispatch('sendEvent', { event });
  host.sendHostEvent({ type: 'ASSISTANT_LOGIN' });
  host.sendHostEvent({ type: 'SET_IDENTITY', identity });
  host.sendHostEvent({ type: 'ASSISTANT_LOGOUT' });
  const entry = consolePage.locator(`li[data-booth="${boothId}"]`);
  await expect.poll(() => entry.count(), { timeout: 10_000 }).toBe(1);
  await entry.getByRole('button', { name: 'Prendre en charge' }).click();
  await kioskPage.getByTestId('screen-consultation-call').waitFor({ timeout: 10_000 });
}
