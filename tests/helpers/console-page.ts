/**
 * The specialist's console in a Chromium page: signing in through the login
 * form, as a doctor does (the one place that knows its labels).
 */
import type { Page } from 'playwright-core';
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
