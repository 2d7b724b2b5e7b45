/**
 * The stethoscope's live path (DESIGN §9: each band 20–500 Hz within 3 dB
 * of the source), in real Chromium pages through the real hub and
 * mediasoup worker. The kiosk's fake microphones play the simulator's WAV
 * (heart sounds at 72 /min with breath noise); the console records what it
 * receives as the stethoscope (12 s, one whole loop of the file) and it is
 * compared with the file, per band, with src/shared/heart-sound.ts — the
 * same code that estimates the heart rate on the console.
 * 1. Fidelity: the stethoscope's settings (voice processing off, stereo
 *    Opus 128 kb/s, no DTX, FEC) per band, beside two baselines of the same
 *    run through the same path: WebRTC's default voice processing (echo
 *    cancellation, noise suppression, gain control, mono), and mono Opus at
 *    its default bitrate with processing off. The heart rate estimated from
 *    what arrived, beside the generated one.
 * 2. Point chosen on the console → its guidance on the kiosk's screen,
 *    p50/p99; baseline: → the booth's session in the auscultation state.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { writeHeartSoundWav } from '../devices/drivers/stethoscope/simulator';
import { AUSCULTATION_POINTS, AUSCULTATION_WORDING, type AuscultationPoint } from '../src/shared/auscultation';
import { bandEnergiesDb, EnvelopeTracker, estimateHeartRate, FIDELITY_BANDS } from '../src/shared/heart-sound';
import { decodeWav } from '../src/shared/wav';
import { launchChromium } from '../tests/helpers/chromium';
import { testConfig } from '../tests/helpers/config';
import { endConsultation, signInOnConsole } from '../tests/helpers/console-page';
import { BOOTH_SECRETS, ensureRenderersBuilt, startTestHub } from '../tests/helpers/hub';
import { startKioskHost } from '../tests/helpers/kiosk';
import { percentile, type BenchResult } from './types';

const BPM = 72;
const RECORD_SECONDS = 12;
const GUIDANCE_RUNS = Number(process.env.BENCH_AUSCULTATION_RUNS ?? 30);

interface Profile { audio: MediaTrackConstraints; codecOptions: Record<string, unknown> }
const PROFILES: Record<'stethoscope' | 'voice' | 'mono', { name: string; profile: Profile | null }> = {
  stethoscope: { name: 'stethoscope settings (processing off, stereo Opus 128 kb/s)', profile: null },
  voice: {
    name: 'default voice processing (AEC, NS, AGC on; mono)',
    profile: { audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 }, codecOptions: {} },
  },
  mono: {
    name: 'mono Opus, default bitrate (processing off)',
    profile: { audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 }, codecOptions: { opusStereo: false, opusDtx: false, opusFec: true } },
  },
};

function rateOf(samples: Float32Array, sampleRate: number): number | null {
  const tracker = new EnvelopeTracker(sampleRate, RECORD_SECONDS);
  tracker.push(samples);
  return estimateHeartRate(tracker.envelope(), tracker.envelopeRate);
}

async function listenAndRecord(consolePage: Page, kioskPage: Page, point: AuscultationPoint, profile: Profile | null): Promise<{ sampleRate: number; samples: Float32Array }> {
  await kioskPage.evaluate((p) => {
    if (p) window.__cabineStethoscopeProfile = p as never;
    else delete window.__cabineStethoscopeProfile;
  }, profile);
  await consolePage.getByRole('button', { name: AUSCULTATION_WORDING[point].name }).click();
  // Recorded once the console hears it as the doctor would: a level, and a heart rate from its last 8 s.
  await consolePage.waitForFunction(() => (window.__cabineStethoscope?.()?.level ?? 0) > 0.001, undefined, { timeout: 30_000 });
  await consolePage.waitForFunction(() => window.__cabineStethoscope?.()?.bpm != null, undefined, { timeout: 30_000 }).catch(() => undefined);
  const got = await consolePage.evaluate((s) => window.__cabineStethoscopeRecord!(s), RECORD_SECONDS);
  await consolePage.getByRole('button', { name: 'Arrêter l’écoute' }).click();
  await kioskPage.getByTestId('screen-consultation-call').waitFor({ timeout: 10_000 });
  await consolePage.getByTestId('listening-sound').waitFor({ state: 'detached', timeout: 20_000 });
  return { sampleRate: got.sampleRate, samples: Float32Array.from(got.samples) };
}

export async function run(): Promise<BenchResult[]> {
  ensureRenderersBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'cabine-bench-steth-'));
  const wav = join(dir, 'heart.wav');
  writeHeartSoundWav(wav, { bpm: BPM });
  const source = decodeWav(readFileSync(wav));
  const sourceDb = bandEnergiesDb(source.channels[0]!, source.sampleRate);
  const hub = await startTestHub();
  const kiosk = await startKioskHost(testConfig({
    boothId: 'demo-booth-1', hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS['demo-booth-1'] },
    media: { stethoscope: { label: '^Fake Audio Input 2$' } },
  }));
  const browser = await launchChromium({ args: [`--use-file-for-fake-audio-capture=${wav}`] });
  const results: BenchResult[] = [];
  try {
    while (kiosk.host.hubLink.status !== 'online') await new Promise((r) => setTimeout(r, 20));
    const kioskPage = await browser.newPage();
    await kioskPage.goto(kiosk.transport.url);
    const consolePage = await browser.newPage();
    await signInOnConsole(consolePage, hub.url);
    for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }] as const) await kiosk.host.dispatch('sendEvent', { event });
    kiosk.host.sendHostEvent({ type: 'ASSISTANT_LOGIN' });
    kiosk.host.sendHostEvent({ type: 'SET_IDENTITY', identity: { firstName: 'Jeanne', lastName: 'Bench', birthDate: '1950-01-01' } });
    kiosk.host.sendHostEvent({ type: 'ASSISTANT_LOGOUT' });
    await consolePage.locator('li[data-booth="demo-booth-1"] button').click();
    await kioskPage.getByTestId('screen-consultation-call').waitFor({ timeout: 20_000 });

    // 1. Fidelity, each profile through the same path.
    const received: Record<keyof typeof PROFILES, { db: number[]; bpm: number | null }> = {} as never;
    for (const key of ['stethoscope', 'voice', 'mono'] as const) {
      const got = await listenAndRecord(consolePage, kioskPage, 'mitral', PROFILES[key].profile);
      received[key] = { db: bandEnergiesDb(got.samples, got.sampleRate), bpm: rateOf(got.samples, got.sampleRate) };
    }
    const delta = (key: keyof typeof PROFILES, i: number): number => received[key].db[i]! - sourceDb[i]!;
    FIDELITY_BANDS.forEach(([lo, hi], i) => {
      const d = delta('stethoscope', i);
      results.push({
        area: 'stethoscope', name: `band ${lo}–${hi} Hz, received − source`, value: d, unit: 'dB',
        baseline: { name: PROFILES.voice.name, value: delta('voice', i) },
        note: `${Math.abs(d) <= 3 ? 'within' : 'OUTSIDE'} 3 dB; mono Opus: ${delta('mono', i).toFixed(1)} dB`,
      });
    });
    const low = [0, 1, 2];
    const lowLoss = (key: keyof typeof PROFILES): number => low.reduce((s, i) => s + delta(key, i), 0) / low.length;
    results.push({
      area: 'stethoscope', name: 'low band (20–200 Hz) mean received − source', value: lowLoss('stethoscope'), unit: 'dB',
      baseline: { name: PROFILES.voice.name, value: lowLoss('voice') }, note: `mono Opus: ${lowLoss('mono').toFixed(1)} dB`,
    });
    // Gain control moves every band: the low band against 200–500 Hz says what the path takes from the heart's sounds alone.
    const tilt = (key: keyof typeof PROFILES, i: number): number => delta(key, i) - delta(key, 3);
    for (const i of [0, 1, 2]) {
      const [lo, hi] = FIDELITY_BANDS[i]!;
      results.push({
        area: 'stethoscope', name: `band ${lo}–${hi} Hz against 200–500 Hz, received − source`, value: tilt('stethoscope', i), unit: 'dB',
        baseline: { name: PROFILES.voice.name, value: tilt('voice', i) }, note: `mono Opus: ${tilt('mono', i).toFixed(1)} dB`,
      });
    }
    results.push({
      area: 'stethoscope', name: `heart rate from the received sound (generated ${BPM} /min)`, value: received.stethoscope.bpm ?? Number.NaN, unit: '/min',
      baseline: { name: PROFILES.voice.name, value: received.voice.bpm ?? Number.NaN },
      note: `within ±2: ${received.stethoscope.bpm !== null && Math.abs(received.stethoscope.bpm - BPM) <= 2 ? 'yes' : 'NO'}; mono Opus: ${received.mono.bpm?.toFixed(1) ?? 'none'}`,
    });

    // 2. Point chosen → guidance on the kiosk (both pages on one machine: epoch times compare).
    await kioskPage.evaluate(() => delete window.__cabineStethoscopeProfile);
    const shown: number[] = [];
    const machine: number[] = [];
    for (let i = 0; i < GUIDANCE_RUNS; i++) {
      const point = AUSCULTATION_POINTS[i % AUSCULTATION_POINTS.length]!;
      // A string, not a function: tsx would wrap a named arrow in a helper the page does not have.
      const seen = kioskPage.evaluate(`new Promise((resolve) => {
        const selector = '[data-testid="auscultation"][data-point="${point}"]';
        if (document.querySelector(selector)) return resolve(performance.timeOrigin + performance.now());
        const observer = new MutationObserver(() => {
          if (!document.querySelector(selector)) return;
          observer.disconnect();
          resolve(performance.timeOrigin + performance.now());
        });
        observer.observe(document.body, { subtree: true, childList: true, attributes: true });
      })`) as Promise<number>;
      let inMachine = 0;
      const onEvent = (e: { name: string }): void => {
        if (!inMachine && e.name === 'snapshot' && kiosk.host.view().context.auscultation?.point === point) inMachine = performance.timeOrigin + performance.now();
      };
      kiosk.host.on('kioskEvent', onEvent);
      const clicked = await consolePage.evaluate((name) => {
        const button = document.querySelector<HTMLButtonElement>(`button[aria-label="${name}"]`)!;
        const at = performance.timeOrigin + performance.now();
        button.click();
        return at;
      }, AUSCULTATION_WORDING[point].name);
      const at = await seen;
      kiosk.host.off('kioskEvent', onEvent);
      shown.push(at - clicked);
      machine.push(inMachine - clicked);
    }
    await consolePage.getByRole('button', { name: 'Arrêter l’écoute' }).click();
    const note = `${GUIDANCE_RUNS} points chosen in turn; the kiosk marks the guidance's first render itself`;
    results.push(
      { area: 'stethoscope', name: 'point chosen → guidance on the kiosk, p50', value: percentile(shown, 50), unit: 'ms', baseline: { name: 'point chosen → booth session in auscultation, p50', value: percentile(machine, 50) }, note },
      { area: 'stethoscope', name: 'point chosen → guidance on the kiosk, p99', value: percentile(shown, 99), unit: 'ms', baseline: { name: 'point chosen → booth session in auscultation, p99', value: percentile(machine, 99) }, note },
    );
    await endConsultation(consolePage);
  } finally {
    await browser.close();
    await kiosk.close();
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
