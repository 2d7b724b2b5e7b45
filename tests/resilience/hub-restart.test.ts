/**
 * A hub crash in the middle of a call (issue #8 item 6): the hub runs as its
 * own process; a booth (real host, kiosk page in Chromium) and a specialist
 * (console page in Chromium) are in a call; the hub is SIGKILLed and started
 * again on the same port and data. The booth's link and the console come
 * back by themselves, the hub restores the claim under the same room, both
 * sides hear `room.resumed`, rebuild their media, and decode new frames.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodingAgainAt, startCall, stats, type CallInProgress } from '../helpers/call';
import { launchChromium } from '../helpers/chromium';
import { ensureRenderersBuilt, freePort, spawnHubProcess, writeHubConfigFile, type HubProcess } from '../helpers/hub';

let dir: string;
let hub: HubProcess | undefined;
let call: CallInProgress | undefined;
let browser: Browser | undefined;

beforeAll(() => {
  ensureRenderersBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cabine-hub-restart-'));
}, 120_000);

afterAll(async () => {
  await call?.close();
  await browser?.close();
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Frames keep coming: a second reading is above the first. */
async function framesIncrease(page: Page): Promise<void> {
  const before = (await stats(page))!.video.framesDecoded;
  await expect.poll(async () => (await stats(page))?.video.framesDecoded ?? 0, { timeout: 15_000, interval: 250 }).toBeGreaterThan(before);
}

describe('hub restart mid-call', () => {
  it('brings both sides of the call back to decoding frames after the hub is killed and started again', async () => {
    const configFile = await writeHubConfigFile(dir);
    const port = await freePort();
    hub = await spawnHubProcess(configFile, port);
    browser = await launchChromium();
    call = await startCall(browser, hub.url, port, dir);
    const { kiosk, kioskPage, consolePage } = call;

    // Every message the kiosk's call status shows from now on.
    await kioskPage.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __bannerSeen: string[] }).__bannerSeen = seen;
      new MutationObserver(() => {
        // The one call status beside the video, or the network banner that stands in for it.
        const text = document.querySelector('[data-testid="call-status"][data-status="reconnecting"], [data-testid="banner-network"]')?.textContent;
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const killedAt = Date.now();
    await hub.kill();
    hub = await spawnHubProcess(configFile, port);

    await expect.poll(() => decodingAgainAt(kioskPage, killedAt), { timeout: 30_000, interval: 250 }).not.toBeNull();
    await expect.poll(() => decodingAgainAt(consolePage, killedAt), { timeout: 30_000, interval: 250 }).not.toBeNull();
    await framesIncrease(kioskPage);
    await framesIncrease(consolePage);
    // The patient was told, calmly, that the call is being restored.
    const banners = await kioskPage.evaluate(() => (window as unknown as { __bannerSeen: string[] }).__bannerSeen);
    expect(banners.join(' | ')).toMatch(/La connexion est interrompue, nous rétablissons l.appel/);
    // Still the same consultation: the kiosk never left the call, and its "restoring" banner is gone.
    expect(kiosk.host.view().state).toMatch(/^consultation/);
    await expect.poll(() => kioskPage.locator('[data-testid="call-status"][data-status="reconnecting"], [data-testid="banner-network"]').count(), { timeout: 15_000 }).toBe(0);
  }, 150_000);
});
