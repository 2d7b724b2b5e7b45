/**
 * The otoscope in real Chromium pages through the real hub and mediasoup
 * worker: the doctor asks for the left ear from the console, the kiosk shows
 * the otoscope's guidance, the console receives the otoscope's live view as
 * its own video (named by the kiosk's producer id), the still is stored at
 * the camera's own resolution and shows in the gallery with its ear; then
 * the otoscope is unplugged while in view and both sides say so, the still
 * already taken staying where it was.
 *
 * Chromium feeds one picture to all its fake cameras: the otoscope's
 * (kiosk-config `media.otoscope`, "fake_device_3") is replaced, through the
 * kiosk's camera seam, by the eardrum of ../helpers/instruments.ts.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import { eardrumCamera, FOUR_CAMERAS, isEardrum, OTOSCOPE, otoscopeTrackSize, stillOf, videoFrames as frames } from '../helpers/instruments';
import type { startKioskHost } from '../helpers/kiosk';
import { startBoothRig, type BoothRig } from '../helpers/booth-rig';
import { claimBooth, endConsultation, signInOnConsole } from '../helpers/console-page';
import { screenPath } from '../helpers/screens';

let rig: BoothRig;
let hub: Hub;
let kiosk: Awaited<ReturnType<typeof startKioskHost>>;
let browser: Browser;
const identity = { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' };

beforeAll(async () => {
  rig = await startBoothRig({ prefix: 'cabine-otoscope-', browserArgs: () => [FOUR_CAMERAS] });
  ({ hub, kiosk, browser } = rig);
}, 120_000);

afterAll(() => rig?.close());

describe('otoscope', () => {
  it('asked for the left ear: guidance, live view on the console by its producer, a still at the camera size in the gallery; unplugged in view: said on both sides, the still kept', async () => {
    const { host } = kiosk;
    await expect.poll(() => host.hubLink.status, { timeout: 10_000 }).toBe('online');
    const kioskPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await kioskPage.addInitScript(eardrumCamera, OTOSCOPE);
    await kioskPage.goto(kiosk.transport.url);
    const consolePage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signInOnConsole(consolePage, hub.url);

    await claimBooth(host, kioskPage, consolePage, identity);

    // The booth listed the otoscope its page found: its row asks for an ear before it can ask.
    const row = consolePage.locator('li[data-request-kind="otoscope-photo"]');
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    const ask = row.getByRole('button', { name: 'Photo otoscope' });
    expect(await ask.isDisabled()).toBe(true);
    await row.getByLabel('Oreille gauche').check();
    await ask.click();

    // The kiosk: the otoscope's guidance, for the left ear.
    await kioskPage.getByTestId('screen-consultation-guidance').waitFor({ timeout: 10_000 });
    expect(await kioskPage.getByTestId('ear').getAttribute('data-ear')).toBe('left');
    expect(await kioskPage.getByTestId('ear').textContent()).toContain('oreille gauche');
    expect(await kioskPage.getByTestId('instruction').textContent()).toContain('otoscope');
    // Spoken too, as every measurement's guidance.
    await expect.poll(() => kioskPage.evaluate(() => window.__cabineSpoken ?? []), { timeout: 10_000 }).toContain('fr/guide.otoscope-photo.1');

    // The console: the otoscope's own video, decoded, from the kiosk's otoscope producer.
    const live = consolePage.getByRole('figure', { name: 'Otoscope en direct' }).locator('video');
    await expect.poll(() => live.count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => live.evaluate((v: HTMLVideoElement) => v.videoWidth).catch(() => 0), { timeout: 20_000 }).toBeGreaterThan(0);
    const first = await frames(live);
    await expect.poll(() => frames(live), { timeout: 20_000 }).toBeGreaterThan(first);
    const sent = await kioskPage.evaluate(() => window.__cabineProducerIds?.() ?? {});
    expect(sent.otoscope).toEqual(expect.any(String));
    const received = await consolePage.evaluate(() => window.__cabineRemoteProducers?.() ?? []);
    expect(received.filter((p) => p.source === 'otoscope')).toEqual([{ producerId: sent.otoscope, source: 'otoscope', kind: 'video' }]);
    // The patient's call video is not the otoscope's.
    expect(received.find((p) => p.source === 'camera')?.producerId).not.toBe(sent.otoscope);
    await kioskPage.screenshot({ path: screenPath('otoscope-kiosk-guidance.png') });
    await consolePage.screenshot({ path: screenPath('otoscope-console-live.png') });

    // The still: taken when the patient is ready, at the camera's own size.
    const settings = await otoscopeTrackSize(kioskPage);
    expect(settings).toEqual(OTOSCOPE);
    for (let i = 0; i < 3; i++) await kioskPage.getByTestId('guidance').locator('[data-testid="next"], [data-testid="ready"]').click();
    await kioskPage.getByTestId('screen-consultation-result').waitFor({ timeout: 20_000 });
    const thumb = consolePage.locator('.thumbs li').filter({ hasText: 'Otoscope — oreille gauche' });
    await expect.poll(() => thumb.count(), { timeout: 30_000 }).toBe(1);
    const stored = await stillOf(thumb.locator('img'));
    expect({ width: stored.width, height: stored.height }).toEqual(settings);
    // The eardrum's pink-grey, not Chromium's fake pattern: the otoscope's own picture.
    expect(isEardrum(stored.pixel), `pixel ${stored.pixel.join(',')}`).toBe(true);
    const photoId = await thumb.getAttribute('data-photo-id');
    expect(host.store?.getPhotoMeta(photoId!)).toMatchObject({ modality: 'otoscope', ear: 'left', width: OTOSCOPE.width, height: OTOSCOPE.height });

    // Asked again, then unplugged while in view: the kiosk says which device, the console loses the view and marks it unplugged.
    await kioskPage.getByTestId('next').click();
    await kioskPage.getByTestId('screen-consultation-call').waitFor();
    await row.getByLabel('Oreille droite').check();
    await ask.click();
    await kioskPage.getByTestId('screen-consultation-guidance').waitFor({ timeout: 10_000 });
    await expect.poll(() => live.count(), { timeout: 20_000 }).toBe(1);
    await kioskPage.evaluate(() => window.__unplugOtoscope!());
    await kioskPage.locator('[data-testid="device-absent"][data-role="otoscope"]').waitFor({ timeout: 10_000 });
    expect(await kioskPage.getByTestId('device-absent-line').textContent()).toBe('L’otoscope ne répond plus.');
    await expect.poll(() => consolePage.getByRole('figure', { name: 'Otoscope en direct' }).count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => row.locator('.badge').textContent(), { timeout: 10_000 }).toContain('Débranché');
    expect(await ask.isDisabled()).toBe(true);
    // Nothing lost: the still taken before is still there.
    expect(await thumb.count()).toBe(1);

    await endConsultation(consolePage);
    await expect.poll(() => host.view().state, { timeout: 10_000 }).toBe('wrapUp.summary');
  }, 180_000);
});
