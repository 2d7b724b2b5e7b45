/**
 * The patient's first sight of the booth, in a real Chromium through the
 * WebSocket transport: the attract text in large French type, touch targets
 * an elderly finger can hit, and a screenshot for the README.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium';
import { startKioskHost } from '../helpers/kiosk';
import { screenPath } from '../helpers/screens';

let browser: Browser;
let kiosk: Awaited<ReturnType<typeof startKioskHost>>;

beforeAll(async () => {
  kiosk = await startKioskHost();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await kiosk?.close();
});

describe('attract screen in Chromium', () => {
  it('shows "Touchez l\'écran pour commencer" with touch targets of at least 64×64 px, and hides the launch secret', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(kiosk.transport.url);
    const start = page.getByTestId('start');
    await expect.poll(() => start.textContent()).toContain("Touchez l'écran pour commencer");
    // The secret leaves the address bar as soon as the page has read it.
    expect(new URL(page.url()).hash).toBe('');

    const targets = await page.$$eval('button, a, [role="button"]', (els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { text: el.textContent?.trim(), width: r.width, height: r.height };
      }));
    expect(targets.length).toBeGreaterThanOrEqual(3);
    for (const t of targets) {
      expect.soft(t.width, `${t.text} width`).toBeGreaterThanOrEqual(64);
      expect.soft(t.height, `${t.text} height`).toBeGreaterThanOrEqual(64);
    }
    const fontSize = await start.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(fontSize).toBeGreaterThanOrEqual(28);

    await page.screenshot({ path: screenPath('kiosk-attract.png') });
    await page.close();
  });

  it('moves to the language step when the patient touches the screen', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(kiosk.transport.url);
    await page.getByTestId('start').click();
    await expect.poll(async () => (await kiosk.host.view()).state).not.toBe('attract');
    await page.close();
  });

  it('refuses to run when opened without the launch secret', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(kiosk.transport.url.replace(/#.*$/, ''));
    await expect.poll(() => errors.join(' ')).toMatch(/launch secret/);
    await page.close();
  });
});
