/**
 * "Urgence" during a call reaches the doctor at once, in Chromium through the
 * real hub: the patient presses "Urgence" on the kiosk → the console shows
 * the emergency banner and enlarges the patient's video; a console reloaded
 * while the emergency stands shows both again (the hub's catch-up carries it);
 * the pharmacist's answer is named; once the alert is resolved the banner
 * goes and the video is back to its column. Screenshot:
 * console-call-emergency.png (helpers/screens).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import { axeProblems } from '../helpers/axe';
import { startCall, type CallInProgress } from '../helpers/call';
import { launchChromium } from '../helpers/chromium';
import { screenPath } from '../helpers/screens';
import { ensureRenderersBuilt, startTestHub, testHubConfig } from '../helpers/hub';

/** A bound for what the page shows next, not a timing: the machine shares its two cores with other suites. */
const POLL = { timeout: 15_000 };
let dir: string;
let hub: Hub | undefined;
let browser: Browser | undefined;
let call: CallInProgress | undefined;

beforeAll(async () => {
  ensureRenderersBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cabine-console-emergency-'));
  hub = await startTestHub({ config: await testHubConfig(dir) });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await call?.close();
  await browser?.close();
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

const banner = (page: Page) => page.getByTestId('emergency-banner');
/** The patient's video as laid out on the doctor's screen. */
async function videoBox(page: Page): Promise<{ width: number; height: number; top: number; bottom: number }> {
  const box = await page.getByLabel('Vidéo du patient').boundingBox();
  return { width: box?.width ?? 0, height: box?.height ?? 0, top: box?.y ?? -1, bottom: box ? box.y + box.height : 0 };
}
const enlarged = (page: Page): Promise<boolean> => page.locator('.consult--emergency').count().then((n) => n === 1);

describe('"Urgence" on the doctor\'s console', () => {
  it('shows the banner and enlarges the patient\'s video at once, again after a reload, until the alert is resolved', async () => {
    call = await startCall(browser!, hub!.url, hub!.port, dir);
    const { kiosk, kioskPage, consolePage: doctor } = call;
    const normal = await videoBox(doctor);
    expect(normal.width).toBeGreaterThan(0);
    expect(await banner(doctor).count()).toBe(0);

    // The doctor had scrolled down to the notes: the emergency brings the patient's video back into view.
    await doctor.getByRole('textbox', { name: 'Notes de consultation' }).scrollIntoViewIfNeeded();
    await doctor.mouse.wheel(0, 3000);
    await kioskPage.getByTestId('emergency').click();
    await banner(doctor).waitFor(POLL);
    expect(await banner(doctor).getAttribute('data-state')).toBe('raised');
    expect(await enlarged(doctor)).toBe(true);
    const bannerBottom = async () => { const b = await banner(doctor).boundingBox(); return b ? b.y + b.height : Number.POSITIVE_INFINITY; };
    // Whole under the banner (which stays at the top of the screen).
    await expect.poll(async () => (await videoBox(doctor)).top - (await bannerBottom()), POLL).toBeGreaterThanOrEqual(0);
    const big = await videoBox(doctor);
    // Wider, larger, and whole on the doctor's screen under the banner.
    expect(big.width).toBeGreaterThan(normal.width * 1.3);
    expect(big.width * big.height).toBeGreaterThan(normal.width * normal.height * 1.5);
    expect(big.bottom).toBeLessThanOrEqual(doctor.viewportSize()!.height);
    await doctor.screenshot({ path: screenPath('console-call-emergency.png') });
    expect(await axeProblems(doctor, { legacy: true }), 'axe on the emergency view').toEqual([]);

    // A console that reloads while the emergency stands learns of it from the hub, not from a note it missed.
    await doctor.reload();
    await banner(doctor).waitFor(POLL);
    expect(await banner(doctor).getAttribute('data-state')).toBe('raised');
    await expect.poll(() => enlarged(doctor), POLL).toBe(true);

    // The pharmacist at the booth answers: the doctor reads who is there; the video stays enlarged while it stands.
    const alertId = kiosk.host.view().context.alert!.id;
    expect(kiosk.host.sendHostEvent({ type: 'ALERT_ACKNOWLEDGED', alertId, by: { via: 'booth', name: 'Marie' } })).toBe(true);
    await expect.poll(() => banner(doctor).getAttribute('data-state'), POLL).toBe('acknowledged');
    expect(await banner(doctor).textContent()).toContain('Marie est à la cabine');
    expect(await enlarged(doctor)).toBe(true);

    // Resolved: the banner goes and the video is back in its column.
    expect(kiosk.host.sendHostEvent({ type: 'ALERT_RESOLVED', alertId, by: { via: 'booth', name: 'Marie' } })).toBe(true);
    await expect.poll(() => banner(doctor).count(), POLL).toBe(0);
    expect(await enlarged(doctor)).toBe(false);
    const back = await videoBox(doctor);
    expect(Math.abs(back.width - normal.width)).toBeLessThan(normal.width * 0.05);
  }, 180_000);
});
