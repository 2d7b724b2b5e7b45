/**
 * The guided auscultation in real Chromium pages through the real hub and
 * mediasoup worker. Chromium's fake microphones play the stethoscope
 * simulator's WAV (heart sounds at 72 /min, `--use-file-for-fake-audio-capture`);
 * kiosk-config names "Fake Audio Input 2" as the stethoscope. The console
 * asks for the mitral point → the kiosk shows where to place it, spoken →
 * the booth's stethoscope producer (source 'stethoscope') reaches the
 * console, which plays it instead of the booth's microphone; a breath
 * instruction reaches the kiosk; stop closes the producer. Then a
 * stethoscope that is not there: both sides say so. The phonocardiogram,
 * the heart rate and the recorded clip are walked in kit.test.ts.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import { AUSCULTATION_WORDING, BREATH_WORDING } from '../../src/shared/auscultation';
import type { KioskConfig } from '../../src/shared/config';
import { axeProblems } from '../helpers/axe';
import { claimBooth, endConsultation, signInOnConsole } from '../helpers/console-page';
import { boothSources as sourcesOf, heartSoundMicrophone } from '../helpers/instruments';
import type { startKioskHost } from '../helpers/kiosk';
import { startBoothRig, type BoothRig } from '../helpers/booth-rig';
import { screenPath } from '../helpers/screens';

const BPM = 72;
let rig: BoothRig;
let hub: Hub;
let kiosk: Awaited<ReturnType<typeof startKioskHost>>;
let config: KioskConfig;
let browser: Browser;
const identity = { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' };

beforeAll(async () => {
  rig = await startBoothRig({ prefix: 'cabine-ausc-', browserArgs: (d) => [heartSoundMicrophone(d, BPM)], config: { media: { stethoscope: { label: '^Fake Audio Input 2$' } } } });
  ({ hub, kiosk, browser, config } = rig);
}, 120_000);

afterAll(() => rig?.close());

const boothSources = (): string[] => sourcesOf(hub, 'demo-booth-1');

describe('guided auscultation', () => {
  it('guides the kiosk to the mitral point and plays the stethoscope on the console instead of the booth microphone; breath and stop reach the kiosk', async () => {
    const { host } = kiosk;
    await expect.poll(() => host.hubLink.status, { timeout: 10_000 }).toBe('online');
    const kioskPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await kioskPage.goto(kiosk.transport.url);
    const consolePage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signInOnConsole(consolePage, hub.url);

    await claimBooth(host, kioskPage, consolePage, identity);
    const remoteVideo = consolePage.getByLabel('Vidéo du patient');
    await expect.poll(() => remoteVideo.evaluate((v: HTMLVideoElement) => v.muted), { timeout: 10_000 }).toBe(false);

    // The doctor picks the mitral point on the body diagram.
    await consolePage.getByRole('button', { name: 'Foyer mitral' }).click();
    const panel = kioskPage.getByTestId('auscultation');
    await panel.waitFor({ timeout: 10_000 });
    expect(await panel.getAttribute('data-point')).toBe('mitral');
    expect(await kioskPage.getByTestId('auscultation-placement').textContent()).toBe(AUSCULTATION_WORDING.mitral.placement.fr);
    expect(await kioskPage.evaluate(() => window.__cabineSpoken ?? [])).toContain('fr/guide.auscultation.mitral');

    // The stethoscope is its own producer, and the console plays it.
    await expect.poll(boothSources, { timeout: 20_000 }).toContain('stethoscope');
    await expect.poll(() => panel.getAttribute('data-status'), { timeout: 20_000 }).toBe('listening');
    await consolePage.getByTestId('listening-sound').waitFor({ timeout: 20_000 });
    const heard = () => consolePage.evaluate(() => window.__cabineStethoscope?.() ?? null);
    await expect.poll(async () => (await heard())?.level ?? 0, { timeout: 20_000 }).toBeGreaterThan(0.005);
    // The booth's microphone is not played on the doctor's side while listening.
    expect(await remoteVideo.evaluate((v: HTMLVideoElement) => v.muted)).toBe(true);
    await expect.poll(() => consolePage.getByTestId('listening-status').textContent(), { timeout: 10_000 }).toContain('Écoute en cours — Foyer mitral');

    // A breath instruction, shown big and spoken.
    await consolePage.getByRole('button', { name: 'Retenez votre respiration' }).click();
    const breath = kioskPage.getByTestId('auscultation-breath');
    await breath.waitFor({ timeout: 10_000 });
    expect(await breath.textContent()).toBe(BREATH_WORDING.hold.fr);
    expect(await kioskPage.evaluate(() => window.__cabineSpoken ?? [])).toContain('fr/speak.breath.hold');

    await kioskPage.screenshot({ path: screenPath('kiosk-auscultation.png') });
    await consolePage.getByRole('region', { name: 'Stéthoscope' }).or(consolePage.locator('section.listening')).first().scrollIntoViewIfNeeded();
    await consolePage.screenshot({ path: screenPath('console-listening.png') });
    expect(await axeProblems(consolePage, { legacy: true }), 'axe on the listening panel').toEqual([]);
    expect(await axeProblems(kioskPage, { legacy: true }), 'axe on the kiosk guidance').toEqual([]);

    // Stop: the producer closes, the kiosk is back to the call, the booth's microphone plays again.
    await consolePage.getByRole('button', { name: 'Arrêter l’écoute' }).click();
    await kioskPage.getByTestId('screen-consultation-call').waitFor({ timeout: 10_000 });
    await expect.poll(boothSources, { timeout: 20_000 }).not.toContain('stethoscope');
    await expect.poll(() => consolePage.getByTestId('listening-sound').count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => remoteVideo.evaluate((v: HTMLVideoElement) => v.muted), { timeout: 10_000 }).toBe(false);

    // A stethoscope that is not there (unplugged before the doctor asks): both sides say so, nothing is sent.
    config.media.stethoscope = { label: '^Stéthoscope absent$' };
    await consolePage.getByRole('button', { name: 'Poumon droit, dans le dos' }).click();
    const error = kioskPage.getByTestId('auscultation-error');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.getAttribute('data-code')).toBe('MEDIA_DEVICE_NOT_FOUND');
    const consoleError = consolePage.getByTestId('listening-error');
    await consoleError.waitFor({ timeout: 10_000 });
    expect(await consoleError.textContent()).toContain('stéthoscope n’est pas branché');
    expect(boothSources()).not.toContain('stethoscope');

    await endConsultation(consolePage);
    await expect.poll(() => host.view().state, { timeout: 10_000 }).toBe('wrapUp.summary');
  }, 180_000);
});
