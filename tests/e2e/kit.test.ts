/**
 * The whole pharmacy kit in one consultation, in real Chromium pages through
 * the real hub and mediasoup worker. Chromium's fake microphones play the
 * stethoscope simulator's heart sounds at 72 /min (the demo kiosk-config's
 * stethoscope is "Fake Audio Input 2"); of its four fake cameras the
 * otoscope's is an eardrum of the otoscope's own size, through the kiosk's
 * camera seam.
 *
 * The doctor picks the mitral point on the body diagram → the kiosk shows
 * where to place the stethoscope → the console plays it (level, drawn
 * phonocardiogram, the generated heart rate) → a 15-s clip recorded at the
 * booth is listed, plays back, is stored as captured (48 kHz, 16-bit, the
 * heart at its rate) and is in the GP report (PDF, FHIR checked against the
 * official schema) → listening stops → the otoscope for the left ear: the
 * kiosk's guidance, the live view on the console by the kiosk's producer id,
 * the still at the camera's own size in the gallery with its ear.
 */
import type { Bundle, Media } from 'fhir/r4';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import { AUSCULTATION_WORDING } from '../../src/shared/auscultation';
import { EnvelopeTracker, estimateHeartRate } from '../../src/shared/heart-sound';
import { decodeWav } from '../../src/shared/wav';
import { claimBooth, endConsultation, signInOnConsole } from '../helpers/console-page';
import { fhirR4Validator } from '../helpers/fhir-schema';
import {
  boothSources, eardrumCamera, FOUR_CAMERAS, heartSoundMicrophone, isEardrum, OTOSCOPE, otoscopeTrackSize,
  phonocardiogramInk, stillOf, videoFrames,
} from '../helpers/instruments';
import type { startKioskHost } from '../helpers/kiosk';
import { startBoothRig, type BoothRig } from '../helpers/booth-rig';
import { pdfText } from '../helpers/pdf-text';

const BPM = 72;
let rig: BoothRig;
let hub: Hub;
let kiosk: Awaited<ReturnType<typeof startKioskHost>>;
let browser: Browser;
const identity = { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' };

beforeAll(async () => {
  rig = await startBoothRig({ prefix: 'cabine-kit-', browserArgs: (d) => [FOUR_CAMERAS, heartSoundMicrophone(d, BPM)] });
  ({ hub, kiosk, browser } = rig);
}, 120_000);

afterAll(() => rig?.close());

describe('the whole pharmacy kit', () => {
  it('listens at the mitral point, records a 15-s clip into the GP report and FHIR bundle, then takes an otoscope still of the left ear at the camera size', async () => {
    const { host } = kiosk;
    const sources = () => boothSources(hub, 'demo-booth-1');
    await expect.poll(() => host.hubLink.status, { timeout: 10_000 }).toBe('online');
    const kioskPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await kioskPage.addInitScript(eardrumCamera, OTOSCOPE);
    await kioskPage.goto(kiosk.transport.url);
    const consolePage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signInOnConsole(consolePage, hub.url);

    await claimBooth(host, kioskPage, consolePage, identity);
    const sessionId = host.view().sessionId!;

    // The mitral point on the body diagram; the kiosk shows where to place the stethoscope.
    await consolePage.getByRole('button', { name: 'Foyer mitral' }).click();
    const panel = kioskPage.getByTestId('auscultation');
    await panel.waitFor({ timeout: 10_000 });
    expect(await panel.getAttribute('data-point')).toBe('mitral');
    expect(await kioskPage.getByTestId('auscultation-placement').textContent()).toBe(AUSCULTATION_WORDING.mitral.placement.fr);

    // The console plays the stethoscope: its level rises, the phonocardiogram draws, the heart rate is the generated one.
    await expect.poll(sources, { timeout: 20_000 }).toContain('stethoscope');
    await consolePage.getByTestId('listening-sound').waitFor({ timeout: 20_000 });
    const heard = () => consolePage.evaluate(() => window.__cabineStethoscope?.() ?? null);
    await expect.poll(async () => (await heard())?.level ?? 0, { timeout: 20_000 }).toBeGreaterThan(0.005);
    await expect.poll(() => phonocardiogramInk(consolePage), { timeout: 10_000 }).toBeGreaterThan(50);
    // The estimate reads the last 8 s; a machine loaded enough to glitch the audio delays it, it does not change the rate.
    const rates: (number | null)[] = [];
    await expect.poll(async () => {
      const bpm = (await heard())?.bpm ?? null;
      rates.push(bpm === null ? null : Math.round(bpm * 10) / 10);
      return bpm !== null && Math.abs(bpm - BPM) <= 2;
    }, { timeout: 60_000 }).toBe(true).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; the estimates seen: ${rates.join(', ')}`);
    });

    // 15 s recorded at the booth, at the point being listened to.
    await consolePage.getByRole('button', { name: 'Enregistrer 15 s' }).click();
    await kioskPage.getByTestId('clip-recording').waitFor({ timeout: 15_000 });
    expect(await kioskPage.getByTestId('clip-recording').textContent()).toContain('Enregistrement en cours');
    await consolePage.getByTestId('clip-progress').waitFor({ timeout: 5_000 });
    const item = consolePage.locator('.clips li[data-clip-id]');
    await expect.poll(() => item.count(), { timeout: 60_000 }).toBe(1);
    expect(await item.textContent()).toContain('Foyer mitral');
    await expect.poll(() => kioskPage.getByTestId('clip-recording').count(), { timeout: 10_000 }).toBe(0);
    const audio = item.locator('audio');
    await audio.evaluate((a: HTMLAudioElement) => { void a.play().catch(() => undefined); });
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.readyState), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    expect(await audio.evaluate((a: HTMLAudioElement) => a.duration)).toBeCloseTo(15, 0);

    // The WAV the record keeps, as captured at the booth: 48 kHz, 16-bit, 15 s of the heart at its rate.
    const clipId = await item.getAttribute('data-clip-id');
    const res = await consolePage.request.get(`${hub.url}/api/clips/${clipId}`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('audio/wav');
    const bytes = await res.body();
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint16(34, true)).toBe(16);
    const pcm = decodeWav(bytes);
    expect(pcm.sampleRate).toBe(48_000);
    expect(pcm.channels[0]!.length / pcm.sampleRate).toBeCloseTo(15, 1);
    const envelope = new EnvelopeTracker(pcm.sampleRate, 15);
    envelope.push(pcm.channels[0]!);
    const clipBpm = estimateHeartRate(envelope.envelope(), envelope.envelopeRate);
    expect(clipBpm !== null && Math.abs(clipBpm - BPM) <= 2, `the clip's rate: ${clipBpm}`).toBe(true);

    // In the GP report and the FHIR bundle (valid against the official schema), the same bytes.
    const pdf = await consolePage.request.get(`${hub.url}/api/sessions/${sessionId}/report.pdf`);
    expect(pdf.status()).toBe(200);
    expect(pdfText(await pdf.body())).toMatch(/Foyer mitral — \d\d:\d\d, 15 s/);
    const bundle = await (await consolePage.request.get(`${hub.url}/api/sessions/${sessionId}/report.fhir.json`)).json() as Bundle;
    const validate = fhirR4Validator();
    expect(validate(bundle), JSON.stringify(validate.errors)).toBe(true);
    const media = bundle.entry!.map((e) => e.resource!).filter((r): r is Media => r.resourceType === 'Media' && r.content.contentType === 'audio/wav');
    expect(media).toHaveLength(1);
    expect(media[0]!.bodySite?.text).toBe('Foyer mitral');
    expect(Buffer.from(media[0]!.content.data!, 'base64').equals(bytes)).toBe(true);

    // Listening stops: the stethoscope's producer closes, the kiosk is back to the call.
    await consolePage.getByRole('button', { name: 'Arrêter l’écoute' }).click();
    await kioskPage.getByTestId('screen-consultation-call').waitFor({ timeout: 10_000 });
    await expect.poll(sources, { timeout: 20_000 }).not.toContain('stethoscope');

    // The otoscope for the left ear: the kiosk's guidance.
    const row = consolePage.locator('li[data-request-kind="otoscope-photo"]');
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    await row.getByLabel('Oreille gauche').check();
    await row.getByRole('button', { name: 'Photo otoscope' }).click();
    await kioskPage.getByTestId('screen-consultation-guidance').waitFor({ timeout: 10_000 });
    expect(await kioskPage.getByTestId('ear').getAttribute('data-ear')).toBe('left');
    expect(await kioskPage.getByTestId('instruction').textContent()).toContain('otoscope');

    // The console receives the otoscope's live view, from the kiosk's otoscope producer.
    const live = consolePage.getByRole('figure', { name: 'Otoscope en direct' }).locator('video');
    await expect.poll(() => live.count(), { timeout: 20_000 }).toBe(1);
    const first = await videoFrames(live);
    await expect.poll(() => videoFrames(live), { timeout: 20_000 }).toBeGreaterThan(first);
    const sent = await kioskPage.evaluate(() => window.__cabineProducerIds?.() ?? {});
    expect(sent.otoscope).toEqual(expect.any(String));
    const received = await consolePage.evaluate(() => window.__cabineRemoteProducers?.() ?? []);
    expect(received.filter((p) => p.source === 'otoscope')).toEqual([{ producerId: sent.otoscope, source: 'otoscope', kind: 'video' }]);

    // The still, at the otoscope camera's own size, in the gallery with its ear.
    expect(await otoscopeTrackSize(kioskPage)).toEqual(OTOSCOPE);
    for (let i = 0; i < 3; i++) await kioskPage.getByTestId('guidance').locator('[data-testid="next"], [data-testid="ready"]').click();
    await kioskPage.getByTestId('screen-consultation-result').waitFor({ timeout: 20_000 });
    const thumb = consolePage.locator('.thumbs li').filter({ hasText: 'Otoscope — oreille gauche' });
    await expect.poll(() => thumb.count(), { timeout: 30_000 }).toBe(1);
    const still = await stillOf(thumb.locator('img'));
    expect({ width: still.width, height: still.height }).toEqual(OTOSCOPE);
    expect(isEardrum(still.pixel), `pixel ${still.pixel.join(',')}`).toBe(true);
    const photoId = await thumb.getAttribute('data-photo-id');
    expect(host.store?.getPhotoMeta(photoId!)).toMatchObject({ modality: 'otoscope', ear: 'left', ...OTOSCOPE });

    await endConsultation(consolePage);
    await expect.poll(() => host.view().state, { timeout: 10_000 }).toBe('wrapUp.summary');
  }, 300_000);
});
