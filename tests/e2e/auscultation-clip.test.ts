/**
 * A recorded stethoscope clip end to end, in real Chromium pages through the
 * real hub: the console asks for 15 s at the mitral point, the kiosk records
 * them from the configured stethoscope (Chromium's fake microphone fed from
 * a WAV this test writes: 100 Hz tone bursts), the clip is sealed at the
 * booth, synced by the outbox, listed on the console where it plays back,
 * and is in the GP report (PDF and FHIR, checked against the official
 * schema). The stored WAV is 48 kHz, 16-bit, 15 s.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Media } from 'fhir/r4';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import { decodeWav, encodeWav } from '../../src/shared/wav';
import { launchChromium } from '../helpers/chromium';
import { testConfig } from '../helpers/config';
import { endConsultation, signInOnConsole } from '../helpers/console-page';
import { fhirR4Validator } from '../helpers/fhir-schema';
import { BOOTH_SECRETS, ensureRenderersBuilt, startTestHub } from '../helpers/hub';
import { startKioskHost } from '../helpers/kiosk';
import { pdfText } from '../helpers/pdf-text';

let hub: Hub;
let kiosk: Awaited<ReturnType<typeof startKioskHost>>;
let browser: Browser;
let dir: string;
const identity = { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' };

/** 100 Hz bursts of 150 ms, one every 0.8 s (a slow heart), for 4 s: Chromium loops the file. */
function toneBursts(): Uint8Array {
  const rate = 48_000;
  const samples = new Float32Array(rate * 4).map((_, i) => {
    const t = i / rate;
    return t % 0.8 < 0.15 ? 0.6 * Math.sin(2 * Math.PI * 100 * t) : 0;
  });
  return encodeWav({ sampleRate: rate, channels: [samples] });
}

beforeAll(async () => {
  ensureRenderersBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cabine-clip-'));
  const wav = join(dir, 'stethoscope.wav');
  writeFileSync(wav, toneBursts());
  hub = await startTestHub();
  kiosk = await startKioskHost(testConfig({
    boothId: 'demo-booth-1',
    hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS['demo-booth-1'] },
    store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 },
    printer: { kind: 'file', dir: join(dir, 'prints') },
    // Chromium's fake microphones: the default one is the call's, "Fake Audio Input 1" plays the stethoscope.
    media: { stethoscope: { label: '^Fake Audio Input 1$' } },
  }));
  browser = await launchChromium({ args: [`--use-file-for-fake-audio-capture=${wav}`] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await kiosk?.close();
  await hub?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a recorded stethoscope clip', () => {
  it('is recorded at the booth for the mitral point, listed and played on the console, and in the GP report and FHIR bundle', async () => {
    const { host } = kiosk;
    await expect.poll(() => host.hubLink.status, { timeout: 10_000 }).toBe('online');
    const kioskPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await kioskPage.goto(kiosk.transport.url);
    const consolePage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signInOnConsole(consolePage, hub.url);

    for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }] as const) await host.dispatch('sendEvent', { event });
    host.sendHostEvent({ type: 'ASSISTANT_LOGIN' });
    host.sendHostEvent({ type: 'SET_IDENTITY', identity });
    host.sendHostEvent({ type: 'ASSISTANT_LOGOUT' });
    const entry = consolePage.locator('li[data-booth="demo-booth-1"]');
    await expect.poll(() => entry.count(), { timeout: 10_000 }).toBe(1);
    await entry.getByRole('button', { name: 'Prendre en charge' }).click();
    await kioskPage.getByTestId('screen-consultation-call').waitFor({ timeout: 10_000 });
    const sessionId = host.view().sessionId!;

    // The doctor listens at the mitral point; the clip is recorded there.
    await consolePage.getByRole('button', { name: 'Foyer mitral' }).click();
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

    // The WAV the record keeps: as captured at the booth.
    const url = await item.getAttribute('data-clip-id').then((id) => `${hub.url}/api/clips/${id}`);
    const res = await consolePage.request.get(url);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('audio/wav');
    const bytes = await res.body();
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint16(34, true)).toBe(16);
    const pcm = decodeWav(bytes);
    expect(pcm.sampleRate).toBe(48_000);
    expect(pcm.channels[0]!.length / pcm.sampleRate).toBeCloseTo(15, 1);
    // The stethoscope's sound, not silence (the bursts reach the file).
    const peak = pcm.channels[0]!.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeGreaterThan(0.1);

    const pdf = await consolePage.request.get(`${hub.url}/api/sessions/${sessionId}/report.pdf`);
    expect(pdf.status()).toBe(200);
    expect(pdfText(await pdf.body())).toMatch(/Foyer mitral — \d\d:\d\d, 15 s/);
    const fhir = await consolePage.request.get(`${hub.url}/api/sessions/${sessionId}/report.fhir.json`);
    const bundle = await fhir.json() as Bundle;
    const validate = fhirR4Validator();
    expect(validate(bundle)).toBe(true);
    const media = bundle.entry!.map((e) => e.resource!).filter((r): r is Media => r.resourceType === 'Media' && r.content.contentType === 'audio/wav');
    expect(media).toHaveLength(1);
    expect(media[0]!.bodySite?.text).toBe('Foyer mitral');
    expect(Buffer.from(media[0]!.content.data!, 'base64').equals(bytes)).toBe(true);

    await endConsultation(consolePage);
    await expect.poll(() => host.view().state, { timeout: 10_000 }).toBe('wrapUp.summary');
  }, 180_000);
});
