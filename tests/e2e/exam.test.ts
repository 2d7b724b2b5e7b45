/**
 * "Examen différé" at the kiosk in real Chromium through the WebSocket
 * transport, with the hub down (nothing listens where the booth looks for
 * it): the counter's request (as the host's intake.update hands it to the
 * session) opens the checklist; the temperature is taken on the in-memory
 * thermometer, the stethoscope point skipped with a reason, the video
 * recorded from Chromium's fake camera and microphone with its indicator and
 * countdown, replayed and kept; "Envoyer le dossier" stores the case and the
 * pick-up code shows, large. Every screen passes axe (7:1 contrast, target
 * size) and our own measurements; screenshots as kiosk-exam-<step>.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeThermometer } from '../../devices/drivers/thermometer/fake';
import { Host } from '../../src/host/host';
import { startWsTransport, type WsTransport } from '../../src/host/transport-ws';
import { createLogger } from '../../src/node/logger';
import { CaseRequest } from '../../src/shared/case-record';
import { Intake } from '../../src/shared/intake';
import { launchChromium } from '../helpers/chromium';
import { testConfig } from '../helpers/config';
import { KIOSK_DIST, ensureKioskBuilt, followGuidance } from '../helpers/kiosk';
import { inspectKiosk } from '../helpers/kiosk-a11y';
import { screenPath } from '../helpers/screens';

const silent = createLogger('test-host', { write: () => true } as unknown as NodeJS.WritableStream);
const intake = Intake.parse({
  identity: { birthName: 'Martin', firstNames: 'Jeanne', birthDate: '1941-03-07', sex: 'F' },
  reason: { code: 'skin', text: 'plaque au coude' }, pathway: { pathway: 'exception', exceptionReason: 'no-gp' }, gp: null, reportToGp: false,
});
const deferred = {
  request: CaseRequest.parse({
    specialty: 'general', question: 'Fièvre et toux depuis trois jours ?', contactPhone: '06 12 34 56 78', consent: true,
    checklist: [{ id: 'i1', kind: 'temperature' }, { id: 'i2', kind: 'auscultation', point: 'lung-back-left' }, { id: 'i3', kind: 'video' }],
  }),
  consentAt: new Date().toISOString(),
  compiledBy: { staffId: 'staff-7', name: 'Claire', pharmacy: { name: 'Pharmacie du Port', city: 'Le Palais' } },
};

let browser: Browser;
let host: Host;
let transport: WsTransport;
let thermometer: FakeThermometer;
let dir: string;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

beforeAll(async () => {
  ensureKioskBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cabine-exam-e2e-'));
  const config = testConfig({
    hub: { url: `ws://127.0.0.1:${await closedPort()}/booth`, token: 'booth-a-secret-0123456789' },
    store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 },
    printer: { kind: 'file', dir: join(dir, 'prints') },
  });
  thermometer = new FakeThermometer();
  host = new Host(config, silent, { drivers: [thermometer] });
  transport = await startWsTransport({ dispatch: host.dispatch, staticDir: KIOSK_DIST, log: silent });
  host.on('kioskEvent', (e) => transport.broadcast(e));
  host.start();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await transport?.close();
  await host?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function screen(page: Page, testid: string, timeoutMs = 10_000) {
  await page.getByTestId(testid).waitFor({ state: 'visible', timeout: timeoutMs });
}

describe('the exam at the kiosk, hub down', () => {
  it('takes the checklist item by item, skips one with a reason, records and keeps the video, sends the case and shows the pick-up code', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(transport.url);
    await screen(page, 'lang-fr');
    await page.getByTestId('lang-fr').click();
    await screen(page, 'accept');
    await page.getByTestId('accept').click();
    await expect.poll(() => host.view().state).toBe('identity.entry');
    expect(host.sendHostEvent({ type: 'SET_INTAKE', intake, by: { via: 'counter', staffId: 'staff-7', name: 'Claire' }, deferred })).toBe(true);

    await screen(page, 'exam-checklist');
    expect(await page.getByTestId('exam-item-i1').getAttribute('data-state')).toBe('todo');
    expect(await page.getByTestId('exam-send').isDisabled()).toBe(true);
    // Nothing of the request the doctor reads is on the patient's screen.
    expect(await page.textContent('body')).not.toContain('06 12');
    await inspectKiosk(page, 'exam-checklist', screenPath('kiosk-exam-checklist.png'));

    // 1. The temperature, guided as in a call.
    await page.getByTestId('exam-do-i1').click();
    await screen(page, 'guidance');
    await followGuidance(page);
    await expect.poll(() => thermometer.calls, { timeout: 10_000 }).toContain('measure');
    thermometer.emitTemperature(38.4);
    await screen(page, 'result');
    await page.getByTestId('next').click();
    await screen(page, 'exam-checklist');
    expect(await page.getByTestId('exam-item-i1').getAttribute('data-state')).toBe('done');

    // 2. No stethoscope today: skipped, with one of the large reasons.
    await page.getByTestId('exam-skip-i2').click();
    await screen(page, 'exam-skip');
    await inspectKiosk(page, 'exam-skip', screenPath('kiosk-exam-skip.png'));
    await page.getByTestId('exam-skip-reason-1').click();
    await expect.poll(() => page.getByTestId('exam-item-i2').getAttribute('data-state')).toBe('skipped');

    // 3. The video: the indicator and the countdown while recording, then the replay, then kept.
    await page.getByTestId('exam-do-i3').click();
    await screen(page, 'exam-video');
    await inspectKiosk(page, 'exam-video', screenPath('kiosk-exam-video.png'));
    await page.getByTestId('exam-video-start').click();
    await screen(page, 'exam-video-recording');
    expect(await page.getByTestId('exam-video-recording').textContent()).toMatch(/Encore \d+ secondes/);
    await page.screenshot({ path: screenPath('kiosk-exam-video-recording.png') });
    // Let the recorder hand over a few pieces (bounded by the condition, not by a time).
    await expect.poll(() => page.getByTestId('exam-video-recording').textContent(), { timeout: 15_000 }).toMatch(/Encore (5[0-7]|[1-4]\d|\d) secondes/);
    await page.getByTestId('exam-video-stop').click();
    await screen(page, 'exam-video-replay', 15_000);
    await inspectKiosk(page, 'exam-video-replay', screenPath('kiosk-exam-video-replay.png'));
    await page.getByTestId('exam-video-keep').click();
    await screen(page, 'exam-checklist', 20_000);
    expect(await page.getByTestId('exam-item-i3').getAttribute('data-state')).toBe('done');
    const videoId = (host.session.context().exam!.items.i3 as { itemId: string }).itemId;
    expect(host.store!.getVideoMeta(videoId)).toMatchObject({ mime: 'video/webm', width: expect.any(Number) });
    expect(host.store!.getVideoMeta(videoId)!.byteLength).toBeGreaterThan(1000);

    // 4. Sent: the manifest stored after its parts, the code shown large.
    await page.getByTestId('exam-send').click();
    await screen(page, 'exam-pickup', 15_000);
    const code = host.session.context().exam!.pickupCode!;
    expect(await page.getByTestId('exam-pickup-code').textContent()).toBe(`${code.slice(0, 3)}-${code.slice(3)}`);
    expect(host.store!.outboxBatch(500).filter((e) => e.kind !== 'sessionEvent').map((e) => e.kind)).toEqual(['reading', 'video', 'case']);
    await inspectKiosk(page, 'exam-pickup', screenPath('kiosk-exam-pickup.png'));
    await page.getByTestId('finish').click();
    await expect.poll(() => host.view().state).toBe('privacyWipe');
    await context.close();
  }, 120_000);
});
