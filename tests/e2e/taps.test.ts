/**
 * A patient's taps in Chromium apply to the screen they were made on: two
 * taps on « Suivant » that reach the booth before the page shows the next
 * step (a double tap, a shaking finger) move the guidance one step, not two.
 * The kiosk page through the WebSocket transport, the host in this process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium';
import { testConfig } from '../helpers/config';
import { startKioskHost } from '../helpers/kiosk';
import { walkToCall } from '../helpers/measure';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('the patient\'s taps', () => {
  it('two taps on « Suivant » made before the page shows the next step move the guidance one step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cabine-taps-e2e-'));
    const booth = await startKioskHost(testConfig({
      store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 },
    }));
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(booth.transport.url);
      await walkToCall(booth.host);
      expect(booth.host.consult.measurementRequested({ requestId: '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b', kind: 'blood-pressure' })).toEqual({ accepted: true });
      await page.getByTestId('screen-consultation-guidance').waitFor();
      await expect.poll(() => page.getByTestId('guide-progress').textContent()).toContain('1');
      // Both taps in one task: the page cannot render the first one's step before the second.
      await page.getByTestId('next').evaluate((button: HTMLElement) => {
        button.click();
        button.click();
      });
      // The voice switch's tap travels behind them on the same line: once the page shows it, both were taken.
      await page.getByTestId('mute').click();
      await expect.poll(() => page.getByTestId('mute').getAttribute('aria-pressed')).toBe('true');
      expect(booth.host.view().context.measurement?.step).toBe(1);
      expect(await page.getByTestId('guide-progress').textContent()).toContain('2');
      // The next tap, on the step now shown, moves it on.
      await page.getByTestId('next').click();
      await expect.poll(() => booth.host.view().context.measurement?.step).toBe(2);
      await expect.poll(() => page.getByTestId('guide-progress').textContent()).toContain('3');
    } finally {
      await context.close();
      await booth.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
