/**
 * A whole consultation call in real Chromium pages through the real hub and
 * mediasoup worker: the booth's host (WebSocket transport, its own hub link
 * with the demo booth secret) queues the booth, the specialist logs in on the
 * console, sees it waiting, claims it, and video and audio flow both ways.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import type { CallStats } from '../../src/media/quality';
import { launchChromium } from '../helpers/chromium';
import { testConfig } from '../helpers/config';
import { BOOTH_SECRETS, ensureRenderersBuilt, startTestHub } from '../helpers/hub';
import { startKioskHost } from '../helpers/kiosk';
import { endConsultation, signInOnConsole } from '../helpers/console-page';
import { screenPath } from '../helpers/screens';

let hub: Hub;
let kiosk: Awaited<ReturnType<typeof startKioskHost>>;
let browser: Browser;

beforeAll(async () => {
  ensureRenderersBuilt();
  hub = await startTestHub();
  kiosk = await startKioskHost(testConfig({
    boothId: 'demo-booth-1',
    hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS['demo-booth-1'] },
  }));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await kiosk?.close();
  await hub?.close();
});

function stats(page: Page): Promise<CallStats | null> {
  return page.evaluate(() => (window.__cabineStats ? window.__cabineStats() : null));
}

describe('consultation call through the hub', () => {
  it('lets the specialist claim the waiting booth and carries video and audio both ways', async () => {
    await expect.poll(() => kiosk.host.hubLink.status, { timeout: 10_000 }).toBe('online');

    const kioskPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await kioskPage.goto(kiosk.transport.url);

    const consolePage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signInOnConsole(consolePage, hub.url);
    await expect.poll(() => consolePage.getByText('Aucune cabine en attente.').count(), { timeout: 10_000 }).toBe(1);

    // The session machine's waitingRoom state does this; driven directly here.
    await expect(kiosk.host.media.joinQueue({ reason: 'Renouvellement' })).resolves.toMatchObject({ position: 1 });
    const entry = consolePage.locator('li[data-booth="demo-booth-1"]');
    await expect.poll(() => entry.count(), { timeout: 10_000 }).toBe(1);
    expect(await entry.textContent()).toContain('Renouvellement');

    await entry.getByRole('button', { name: 'Prendre en charge' }).click();

    const flowing = async (page: Page): Promise<boolean> => {
      const s = await stats(page);
      return !!s && s.video.framesDecoded > 0 && s.audio.packetsReceived > 0;
    };
    await expect.poll(() => flowing(kioskPage), { timeout: 20_000, interval: 250 }).toBe(true);
    await expect.poll(() => flowing(consolePage), { timeout: 20_000, interval: 250 }).toBe(true);
    // Both sides also send: each one's outgoing video is the other's incoming.
    const [k, c] = [await stats(kioskPage), await stats(consolePage)];
    expect(k!.video.framesSent).toBeGreaterThan(0);
    expect(c!.video.framesSent).toBeGreaterThan(0);
    expect(hub.media!.service.waiting()).toEqual([]);
    // The picture once the quality is measured: "Connexion en cours" beside "Le médecin vous parle" read as two statuses.
    await expect.poll(() => kioskPage.locator('.video-area__quality').getAttribute('class'), { timeout: 20_000 }).not.toContain('--unknown');
    await kioskPage.screenshot({ path: screenPath('kiosk-call.png') });
    await consolePage.screenshot({ path: screenPath('console-call.png') });

    // The specialist ends the call: the room goes, and the kiosk leaves the video.
    await endConsultation(consolePage);
    await expect.poll(() => hub.media!.service.roomCount(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => kioskPage.locator('.video-area').count(), { timeout: 10_000 }).toBe(0);
  }, 90_000);
});
