/**
 * The pharmacist's panel in Chromium on the booth's 1280×800 screen, through
 * the WebSocket transport (the host in this process). Pharmacist mode is
 * entered by the host event the PIN leads to (how the pharmacist gets there
 * is tested with the PIN pad elsewhere): this file is about the panel.
 * - The birth date is three fields, day / month / year, whatever the
 *   browser's locale (this Chromium runs en-US, where a date input reads
 *   month first), read back in words; impossible and future dates are
 *   refused and nothing reaches the host.
 * - The panel's session actions are on the screen without scrolling (the
 *   intake form scrolls within the panel, its save button reachable); during
 *   the call every control is; once the intake is saved at the identity step
 *   the panel closes and the waiting room shows the reason: checked by
 *   geometry, in French and in English.
 * - A panel the pharmacist hid comes back at the next pharmacist mode, even
 *   when the page renders the logout and the login as one (a busy page).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../src/host/host';
import { startWsTransport, type WsTransport } from '../../src/host/transport-ws';
import { createLogger } from '../../src/node/logger';
import { launchChromium } from '../helpers/chromium';
import { testConfig } from '../helpers/config';
import { KIOSK_DIST, ensureKioskBuilt, fillIntake } from '../helpers/kiosk';

const VIEWPORT = { width: 1280, height: 800 };
const silent = createLogger('test-host', { write: () => true } as unknown as NodeJS.WritableStream);

interface Booth { host: Host; transport: WsTransport; close(): Promise<void> }

async function startBooth(): Promise<Booth> {
  ensureKioskBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'cabine-assistant-e2e-'));
  const config = testConfig({
    store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 },
    printer: { kind: 'file', dir: join(dir, 'prints') },
  });
  const host = new Host(config, silent);
  const transport = await startWsTransport({ dispatch: host.dispatch, staticDir: KIOSK_DIST, log: silent });
  host.on('kioskEvent', (e) => transport.broadcast(e));
  host.start();
  return {
    host, transport,
    async close() {
      await transport.close();
      await host.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** A booth on the identity step in `lang`, the pharmacist's panel open. */
async function atIdentityEntry(lang: 'fr' | 'en'): Promise<{ booth: Booth; page: Page; close(): Promise<void> }> {
  const booth = await startBooth();
  // en-US on purpose: the locale whose date order misled French pharmacists.
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(booth.transport.url);
  await page.getByTestId('start').click();
  await page.getByTestId(`choose-${lang}`).click();
  await page.getByTestId('accept').click();
  await page.getByTestId('screen-identity-entry').waitFor();
  expect(booth.host.sendHostEvent({ type: 'ASSISTANT_LOGIN' })).toBe(true);
  await page.getByTestId('assistant-panel').waitFor();
  return {
    booth, page,
    async close() {
      await context.close();
      await booth.close();
    },
  };
}

/** The panel again, fresh (pharmacist mode left and entered again through the host, as the PIN would). */
async function reopenPanel(booth: Booth, page: Page): Promise<void> {
  expect(booth.host.sendHostEvent({ type: 'ASSISTANT_LOGOUT' })).toBe(true);
  await page.getByTestId('assistant-panel').waitFor({ state: 'detached' });
  expect(booth.host.sendHostEvent({ type: 'ASSISTANT_LOGIN' })).toBe(true);
  await page.getByTestId('assistant-panel').waitFor();
}

async function typeIdentity(page: Page, day: string, month: string, year: string): Promise<void> {
  await fillIntake(page, { birthName: 'Martinez', firstNames: 'Jeanne', birthDate: `${year}-${month}-${day}` });
}

/**
 * The panel's controls outside the screen, and whether the panel needs
 * scrolling to show them all. The intake form scrolls by itself: its
 * controls count once scrolled into view, not where they wait.
 */
async function panelGeometry(page: Page) {
  return page.getByTestId('assistant-panel').evaluate((panel, vp) => {
    const form = panel.querySelector('[data-testid="intake-form"]');
    const outside = Array.from(panel.querySelectorAll('button, input'))
      .filter((el) => !form?.contains(el))
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && r.height > 0)
      .filter(({ r }) => r.left < 0 || r.top < 0 || r.right > vp.width || r.bottom > vp.height)
      .map(({ el, r }) => `${el.getAttribute('data-testid') ?? el.textContent?.trim()} at ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)}`);
    return { outside, scrolls: panel.scrollHeight > panel.clientHeight + 1, controls: panel.querySelectorAll('button, input').length };
  }, VIEWPORT);
}

describe('the pharmacist\'s birth-date fields', () => {
  it('reads 07 / 03 / 1941 back as "7 mars 1941" on an en-US browser and sends 1941-03-07 to the host', async () => {
    const { booth, page, close } = await atIdentityEntry('fr');
    try {
      for (const id of ['birth-day', 'birth-month', 'birth-year']) {
        expect(await page.getByTestId(id).getAttribute('inputmode'), id).toBe('numeric');
      }
      await typeIdentity(page, '07', '03', '1941');
      await expect.poll(() => page.getByTestId('birth-date-words').textContent()).toContain('7 mars 1941');
      await page.getByTestId('save-intake').click();
      await page.getByTestId('screen-waitingRoom').waitFor();
      expect(booth.host.view().context.identity).toEqual({ firstName: 'Jeanne', lastName: 'Martinez', birthDate: '1941-03-07' });
      expect(booth.host.view().context.intake?.identity).toMatchObject({ birthName: 'Martinez', firstNames: 'Jeanne', birthDate: '1941-03-07', sex: 'F' });
      // Opened again in the waiting room, the panel shows what was saved, ready to correct.
      await reopenPanel(booth, page);
      expect(await page.getByTestId('birth-day').inputValue()).toBe('07');
      expect(await page.getByTestId('birth-date-words').textContent()).toContain('7 mars 1941');
    } finally {
      await close();
    }
  }, 60_000);

  it('reads the date back in English in an English session', async () => {
    const { page, close } = await atIdentityEntry('en');
    try {
      await typeIdentity(page, '07', '03', '1941');
      await expect.poll(() => page.getByTestId('birth-date-words').textContent()).toContain('7 March 1941');
    } finally {
      await close();
    }
  }, 60_000);

  it('refuses 31/02/1941 and a date in the future with a message, and sends nothing to the host', async () => {
    const { booth, page, close } = await atIdentityEntry('fr');
    try {
      await typeIdentity(page, '31', '02', '1941');
      await expect.poll(() => page.getByTestId('birth-date-problem').textContent()).toContain('février 1941 a 28 jours');
      await page.getByTestId('save-intake').click();
      await expect.poll(() => page.getByTestId('birth-date-problem').textContent()).toContain('31 février 1941');
      expect(booth.host.view().state).toBe('identity.entry');

      const next = String(new Date().getUTCFullYear() + 1);
      await page.getByTestId('birth-day').fill('');
      await page.getByTestId('birth-day').pressSequentially('01');
      await page.getByTestId('birth-year').fill('');
      await page.getByTestId('birth-year').pressSequentially(next);
      await expect.poll(() => page.getByTestId('birth-date-problem').textContent()).toContain('futur');
      await page.getByTestId('save-intake').click();
      await expect(page.getByTestId('birth-date-words').count()).resolves.toBe(0);
      expect(booth.host.view().state).toBe('identity.entry');
      expect(booth.host.view().context.identity ?? null).toBeNull();
    } finally {
      await close();
    }
  }, 60_000);
});

describe('the pharmacist\'s panel on a 1280×800 screen', () => {
  for (const lang of ['fr', 'en'] as const) {
    it(`${lang}: shows every control without scrolling, on the identity step and during the call, with five long incidents`, async () => {
      const { booth, page, close } = await atIdentityEntry(lang);
      try {
        // The worst case: the panel lists the last five incidents, each a long message.
        for (let i = 0; i < 5; i++) {
          booth.host.acceptDeviceStatus({
            deviceId: `oximeter-${i}`, kind: 'oximeter', state: 'error', at: new Date().toISOString(),
            error: { code: 'NO_RESPONSE', message: {
              fr: 'L’oxymètre ne répond pas. Vérifiez son câble, rebranchez-le, puis relancez la mesure depuis ce panneau.',
              en: 'The oximeter does not answer. Check its cable, plug it in again, then start the measurement again from this panel.',
            } },
          });
        }
        await reopenPanel(booth, page);
        await expect.poll(() => page.getByTestId('incidents').locator('li').count()).toBe(5);
        await page.screenshot({ path: `/tmp/assistant-panel-${lang}-identity.png` });
        expect(await panelGeometry(page)).toMatchObject({ outside: [], scrolls: false });
        expect(await page.getByTestId('assistant-logout').isVisible()).toBe(true);
        // The intake form's last control is reached by scrolling the form, and is then on the screen.
        await page.getByTestId('save-intake').scrollIntoViewIfNeeded();
        const save = await page.getByTestId('save-intake').boundingBox();
        expect(save && save.y >= 0 && save.y + save.height <= VIEWPORT.height).toBe(true);

        // To the call: the intake, queue, claimed.
        await typeIdentity(page, '07', '03', '1941');
        await page.getByTestId('save-intake').click();
        await page.getByTestId('screen-waitingRoom').waitFor();
        expect(booth.host.sendHostEvent({ type: 'CLAIMED' })).toBe(true);
        await page.getByTestId('screen-consultation-call').waitFor();
        await reopenPanel(booth, page);
        await page.getByTestId('assistant-measure-temperature').waitFor();
        await page.screenshot({ path: `/tmp/assistant-panel-${lang}-call.png` });
        const inCall = await panelGeometry(page);
        expect(inCall).toMatchObject({ outside: [], scrolls: false });
        expect(inCall.controls).toBeGreaterThanOrEqual(10);
      } finally {
        await close();
      }
    }, 90_000);

    it(`${lang}: closes once the intake is saved, and the waiting room shows the reason uncovered`, async () => {
      const { page, close } = await atIdentityEntry(lang);
      try {
        await typeIdentity(page, '07', '03', '1941');
        await page.getByTestId('save-intake').click();
        await page.getByTestId('screen-waitingRoom').waitFor();
        await page.getByTestId('assistant-panel').waitFor({ state: 'detached' });
        await page.screenshot({ path: `/tmp/assistant-panel-${lang}-saved.png` });
        expect(await page.getByTestId('waiting-reason').textContent()).toContain(lang === 'fr' ? 'Fièvre' : 'Fever');
        expect(await page.locator('.assistant, .dialog-backdrop').count()).toBe(0);
      } finally {
        await close();
      }
    }, 60_000);
  }
});

describe('the pharmacist\'s hidden panel', () => {
  it('comes back when pharmacist mode is entered again, even when the logout and the login reach the page together', async () => {
    const { booth, page, close } = await atIdentityEntry('fr');
    try {
      await page.getByTestId('assistant-hide').click();
      await page.getByTestId('assistant-panel').waitFor({ state: 'detached' });
      for (let round = 0; round < 5; round++) {
        // The page is busy (a loaded booth) while both snapshots arrive: it takes them before it renders either.
        await page.evaluate(() => {
          setTimeout(() => {
            const end = Date.now() + 400;
            while (Date.now() < end);
          }, 0);
        });
        await new Promise((r) => setTimeout(r, 100));
        expect(booth.host.sendHostEvent({ type: 'ASSISTANT_LOGOUT' })).toBe(true);
        expect(booth.host.sendHostEvent({ type: 'ASSISTANT_LOGIN' })).toBe(true);
        await page.getByTestId('assistant-panel').waitFor({ timeout: 5_000 });
        await page.getByTestId('assistant-hide').click();
        await page.getByTestId('assistant-panel').waitFor({ state: 'detached' });
      }
    } finally {
      await close();
    }
  }, 60_000);
});
