/**
 * The screens of the people around the booth that no other walk pictures,
 * each held to axe with 7:1 contrast and target size on (and, on the kiosk,
 * our own measurements of targets, gaps, font sizes and contrast):
 * - the kiosk's states off the happy path, host in this process: consent
 *   refused, the PIN locked out, the waiting room before any doctor is found,
 *   the pharmacist's panel during the call, a device absent when the measure
 *   starts, the prescription received during the call, the print button
 *   before any print, printing, and a print that failed; the attract screen
 *   outside opening hours (the host's clock injected);
 * - through the real hub, three pages: the counter page (sign-in, the board
 *   idle, a help alert, "J'arrive" given, an emergency), the kiosk saying who
 *   is coming, the waiting room while no doctor is connected, the console's
 *   identity banner and its emergency banner, and
 *   the kiosk once the doctor ended the call.
 * Screenshots go to kiosk-*.png, counter-*.png and console-*.png
 * (helpers/screens: the README's pictures only through `npm run screens`).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBpCuff } from '../../devices/drivers/bp-cuff/fake';
import { FakeDermatoscope } from '../../devices/drivers/dermatoscope/fake';
import { FakeOximeter } from '../../devices/drivers/oximeter/fake';
import { FakeThermometer } from '../../devices/drivers/thermometer/fake';
import { Host } from '../../src/host/host';
import type { Hub } from '../../src/hub/server';
import { startWsTransport, type WsTransport } from '../../src/host/transport-ws';
import { createLogger } from '../../src/node/logger';
import { cheapPinHash } from '../resilience/support/clients';
import { axeProblems } from '../helpers/axe';
import { launchChromium } from '../helpers/chromium';
import { ROOT, testConfig } from '../helpers/config';
import { endConsultation, signInOnConsole } from '../helpers/console-page';
import { BOOTH_SECRETS, STAFF, ensureRenderersBuilt, startTestHub, testHubConfig } from '../helpers/hub';
import { KIOSK_DIST, ensureKioskBuilt, fillIntake, holdCorner } from '../helpers/kiosk';
import { inspectKiosk } from '../helpers/kiosk-a11y';
import { screenPath } from '../helpers/screens';

const PIN = '482193';
const PATIENT = { firstName: 'Jeanne', lastName: 'Martinez', birthDate: '1941-03-07' };
const COUNTER_DIST = resolve(ROOT, 'dist/renderer/counter');
const PRESCRIPTION = (sessionId: string | null) => ({
  number: 'RX-2026-7K3M9QXA', issuedAt: new Date().toISOString(), sessionId, boothId: 'demo-booth-1',
  prescriber: { id: 'dr-martin', name: 'Dr Claire Martin', specialty: 'Médecine générale' },
  patient: { firstName: PATIENT.firstName, age: 85 },
  items: [{ name: 'Paracétamol 500 mg, comprimé', dosage: '1 comprimé toutes les 6 heures si fièvre', duration: '5 jours' }],
  instructions: 'Reconsulter si la fièvre dure plus de 3 jours.', qr: 'CABRX1.RX-2026-7K3M9QXA.c2lnbmF0dXJlLWRlLXRlc3Q',
});
/** A bound for what a page shows next, not a timing: the machine shares its two cores with other suites. */
const POLL = { timeout: 15_000 };
const silent = createLogger('test-host', { write: () => true } as unknown as NodeJS.WritableStream);

let browser: Browser;
const contexts: BrowserContext[] = [];
const closers: (() => Promise<unknown>)[] = [];

async function newPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  return context.newPage();
}
async function shown(page: Page, testid: string): Promise<void> {
  await page.getByTestId(testid).first().waitFor({ state: 'visible', timeout: 15_000 });
}
/** A kiosk state: axe, our measurements, kiosk-<name>.png. */
async function kioskShot(page: Page, name: string): Promise<void> {
  await inspectKiosk(page, name, screenPath(`kiosk-${name}.png`));
}
/** A counter or console page: axe (7:1 contrast, target size), then <name>.png. */
async function pageShot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  expect.soft(await axeProblems(page), `axe on ${name}`).toEqual([]);
  await page.screenshot({ path: screenPath(`${name}.png`) });
}
async function unlock(page: Page): Promise<void> {
  await holdCorner(page);
  for (const d of PIN) await page.getByTestId(`pin-${d}`).click();
  await page.getByTestId('pin-ok').click();
  await shown(page, 'assistant-panel');
}

beforeAll(async () => {
  ensureRenderersBuilt();
  if (!existsSync(resolve(COUNTER_DIST, 'index.html'))) execFileSync(process.execPath, ['scripts/build.mjs', 'counter'], { cwd: ROOT, stdio: 'inherit' });
  browser = await launchChromium({ args: ['--use-fake-device-for-media-stream=device-count=3'] });
}, 120_000);
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  for (const close of closers.reverse()) await close().catch(() => undefined);
});

/**
 * A booth alone (no hub): its host in this process with in-memory devices, its prescriptions saved to `prints`;
 * `hours` and `now` set its opening hours and its clock (the demo's config opens all day).
 */
async function startBooth(opts: { hours?: Record<string, unknown>; now?: number } = {}): Promise<{ host: Host; transport: WsTransport; prints: string }> {
  ensureKioskBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'cabine-people-screens-'));
  const prints = join(dir, 'prints');
  const config = testConfig({
    assistant: { pinHash: cheapPinHash(PIN), maxTries: 5, lockoutMinutes: 5 },
    store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 },
    printer: { kind: 'file', dir: prints },
    session: { inactivityPromptSeconds: 600, wipeAfterPromptSeconds: 30 },
    ...(opts.hours ? { openingHours: opts.hours } : {}),
  });
  const now = opts.now;
  const host = new Host(config, silent, {
    drivers: [new FakeBpCuff(), new FakeThermometer(), new FakeOximeter(), new FakeDermatoscope()],
    ...(now === undefined ? {} : { clock: { now: () => now } }),
  });
  const transport = await startWsTransport({ dispatch: host.dispatch, staticDir: KIOSK_DIST, log: silent });
  host.on('kioskEvent', (e) => transport.broadcast(e));
  host.start();
  closers.push(async () => {
    await transport.close();
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { host, transport, prints };
}

describe('the kiosk off the happy path', () => {
  it('pictures consent refused, the waiting room with no doctor yet, the pharmacist during the call, a device absent, the prescription received and a failed print', async () => {
    const booth = await startBooth();
    const send = booth.host.sendHostEvent.bind(booth.host);
    const page = await newPage();
    await page.goto(booth.transport.url);

    // "Je refuse": everything given so far is wiped at once.
    await page.getByTestId('start').click();
    await page.getByTestId('choose-fr').click();
    await shown(page, 'screen-consent');
    await page.getByTestId('decline').click();
    await shown(page, 'screen-privacyWipe');
    // The wipe screen stays 5 s on the host's clock, too short for axe on two busy cores: its checks are the
    // session walk's (kiosk-privacyWipe, the same screen); here only its picture.
    await page.screenshot({ path: screenPath('kiosk-consent-refused.png') });
    await shown(page, 'start');

    // The intake saved, the patient waits while no doctor has taken the queue yet.
    await page.getByTestId('start').click();
    await page.getByTestId('choose-fr').click();
    await page.getByTestId('accept').click();
    await shown(page, 'screen-identity-entry');
    await unlock(page);
    await fillIntake(page, { birthName: PATIENT.lastName, firstNames: PATIENT.firstName, birthDate: PATIENT.birthDate });
    await page.getByTestId('save-intake').click();
    await shown(page, 'screen-waitingRoom');
    send({ type: 'ASSISTANT_LOGOUT' });
    await page.getByTestId('assistant-panel').waitFor({ state: 'detached' });
    expect(await page.getByTestId('queue-position').textContent()).toBe('Nous cherchons un médecin pour vous.');
    await kioskShot(page, 'waitingRoom-noDoctor');

    // The pharmacist opens the panel during the call.
    send({ type: 'CLAIMED' });
    await shown(page, 'screen-consultation-call');
    await unlock(page);
    await kioskShot(page, 'assistant-call');
    await page.getByTestId('assistant-logout').click();
    await page.getByTestId('assistant-panel').waitFor({ state: 'detached' });

    // The oximeter is not there when the measure starts.
    send({ type: 'MEASUREMENT_REQUESTED', kind: 'spo2' });
    await shown(page, 'screen-consultation-guidance');
    for (const step of [2, 3]) {
      await page.getByTestId('next').click();
      await expect.poll(() => page.getByTestId('guide-progress').textContent(), POLL).toContain(`Consigne ${step} sur`);
    }
    await page.getByTestId('ready').click();
    await shown(page, 'screen-consultation-measuring');
    send({ type: 'MEASUREMENT_ERROR', code: 'PORT_NOT_FOUND' });
    await shown(page, 'screen-consultation-recovery');
    expect(await page.getByTestId('recovery').textContent()).toContain('L’appareil n’est pas branché');
    await kioskShot(page, 'consultation-device-absent');
    // "Retour" goes back through the guidance to the call.
    while (await page.getByTestId('screen-consultation-call').count() === 0) {
      await page.getByTestId('back').click();
      await page.locator('[data-testid="screen-consultation-guidance"], [data-testid="screen-consultation-call"]').first().waitFor(POLL);
    }

    // The prescription arrives during the call.
    await booth.host.consult.deliverPrescription({ prescription: PRESCRIPTION(booth.host.view().sessionId) });
    await shown(page, 'prescription-received');
    await kioskShot(page, 'consultation-prescription-received');

    // After the call: saved for the pharmacist, nothing printed yet, so "Imprimer" (never "à nouveau").
    send({ type: 'CALL_ENDED' });
    await shown(page, 'screen-wrapUp-summary');
    await page.getByTestId('next').click();
    await shown(page, 'prescription-qr');
    expect(await page.getByTestId('reprint').textContent()).toBe('Imprimer');
    await kioskShot(page, 'wrapUp-print-ready');
    // The host reports the printer at work: the button waits and says so.
    send({ type: 'PRINT_STATE', state: 'printing' });
    await expect.poll(() => page.getByTestId('reprint').textContent(), POLL).toBe('Impression en cours…');
    await kioskShot(page, 'wrapUp-printing');
    send({ type: 'PRINT_STATE', state: 'saved' });
    await expect.poll(() => page.getByTestId('reprint').textContent(), POLL).toBe('Imprimer');
    // Printing fails (the printer's folder is gone): the button sends the patient to the pharmacist.
    rmSync(booth.prints, { recursive: true, force: true });
    writeFileSync(booth.prints, 'not a folder');
    await page.getByTestId('reprint').click();
    await expect.poll(() => page.getByTestId('reprint-status').textContent(), POLL).toBe('L’impression n’a pas marché. Le pharmacien peut vous aider.');
    expect(await page.getByTestId('reprint').textContent()).toBe('Demandez au pharmacien');
    await kioskShot(page, 'wrapUp-print-failed');
  }, 180_000);

  it('pictures the attract screen outside opening hours: closed, and when it opens again', async () => {
    const day = [['09:00', '19:00']];
    // Sunday 29 November 2026 at noon in Paris: closed until Monday 9 h.
    const booth = await startBooth({ hours: { timeZone: 'Europe/Paris', mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: [] }, now: Date.parse('2026-11-29T12:00:00+01:00') });
    const page = await newPage();
    await page.goto(booth.transport.url);
    await shown(page, 'attract-closed');
    expect(await page.getByTestId('closed-fr').textContent()).toContain('Ouverte du lundi au samedi, 9 h – 19 h.');
    expect(await page.getByTestId('start').count()).toBe(0);
    await kioskShot(page, 'attract-closed');
  }, 60_000);

  it('pictures the PIN pad locked out after too many wrong codes', async () => {
    const booth = await startBooth();
    const page = await newPage();
    await page.goto(booth.transport.url);
    await page.getByTestId('start').click();
    await page.getByTestId('choose-fr').click();
    await page.getByTestId('accept').click();
    await shown(page, 'screen-identity-entry');
    await holdCorner(page);
    for (let attempt = 0; attempt < 5; attempt++) {
      for (const d of '0000') await page.getByTestId(`pin-${d}`).click();
      await page.getByTestId('pin-ok').click();
      await expect.poll(() => page.getByTestId('pin-message').textContent(), POLL).toMatch(attempt < 4 ? new RegExp(`Essais restants : ${4 - attempt}`) : /^Trop d’essais/);
    }
    await kioskShot(page, 'pinpad-locked');
  }, 120_000);
});

describe('the counter, the kiosk and the console through the real hub', () => {
  it('pictures the counter from sign-in to an emergency, the kiosk told who is coming, and the console\'s identity and emergency banners', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cabine-people-hub-'));
    mkdirSync(join(dir, 'hub'), { recursive: true });
    const hub: Hub = await startTestHub({ counterDir: COUNTER_DIST, config: await testHubConfig(join(dir, 'hub')) });
    closers.push(async () => { await hub.close(); rmSync(dir, { recursive: true, force: true }); });
    mkdirSync(join(dir, 'booth'), { recursive: true });
    const config = testConfig({
      boothId: 'demo-booth-1',
      hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS['demo-booth-1'] },
      devices: [],
      assistant: { pinHash: cheapPinHash(PIN), maxTries: 5, lockoutMinutes: 5 },
      store: { path: join(dir, 'booth', 'booth.db'), keyFile: join(dir, 'booth', 'booth.key'), retentionDays: 30 },
      printer: { kind: 'file', dir: join(dir, 'booth', 'prints') },
      session: { inactivityPromptSeconds: 600, wipeAfterPromptSeconds: 30 },
    });
    const host = new Host(config, silent);
    const transport = await startWsTransport({ dispatch: host.dispatch, staticDir: KIOSK_DIST, log: silent });
    host.on('kioskEvent', (e) => transport.broadcast(e));
    host.start();
    closers.push(async () => { await transport.close(); await host.stop(); });
    await expect.poll(() => host.hubLink.status, POLL).toBe('online');

    // The counter: signing in, then the board once alerts are on.
    const counter = await newPage({ width: 1280, height: 800 });
    await counter.context().grantPermissions(['notifications'], { origin: hub.url });
    await counter.goto(`${hub.url}/counter/`);
    await shown(counter, 'sign-in');
    await pageShot(counter, 'counter-sign-in');
    await counter.getByTestId('email').fill(STAFF[0].email);
    await counter.getByTestId('password').fill(STAFF[0].password);
    await counter.getByTestId('sign-in').click();
    await shown(counter, 'booth-demo-booth-1');
    await counter.getByTestId('arm').click();
    await expect.poll(() => counter.getByTestId('arming').getAttribute('data-armed'), POLL).toBe('sound+notification');
    await pageShot(counter, 'counter-board');

    // The patient calls the pharmacist: the counter rings; "J'arrive" tells the patient who comes.
    const kiosk = await newPage();
    await kiosk.goto(transport.url);
    await kiosk.getByTestId('start').click();
    await kiosk.getByTestId('choose-fr').click();
    await kiosk.getByTestId('accept').click();
    await shown(kiosk, 'screen-identity-entry');
    await kiosk.getByTestId('assistant').click();
    await expect.poll(() => kiosk.getByTestId('alert-status').getAttribute('data-reach'), POLL).toBe('counter');
    await kioskShot(kiosk, 'alert-calling');
    await expect.poll(() => counter.getByTestId('booth-demo-booth-1').getAttribute('data-state'), POLL).toBe('help');
    await pageShot(counter, 'counter-help');
    await counter.getByTestId('ack-demo-booth-1').click();
    await expect.poll(() => kiosk.getByTestId('alert-status').textContent(), POLL).toBe('Le pharmacien arrive : Marie.');
    await kioskShot(kiosk, 'alert-coming');
    await shown(counter, 'coming-demo-booth-1');
    await pageShot(counter, 'counter-coming');

    // Marie at the booth: the alert ended, the intake taken; the doctor takes the call and sees who and why.
    await unlock(kiosk);
    await kiosk.getByTestId('alert-resolve').click();
    await fillIntake(kiosk, {
      birthName: PATIENT.lastName, firstNames: PATIENT.firstName, birthDate: PATIENT.birthDate,
      reason: 'skin', reasonText: 'plaque au bras', pathway: 'exception', exceptionReason: 'no-gp',
      gp: { name: 'Dr Paul Bernard', city: 'Aurillac' }, reportToGp: true,
    });
    await kiosk.getByTestId('save-intake').click();
    await shown(kiosk, 'screen-waitingRoom');
    await kiosk.getByTestId('assistant-panel').waitFor({ state: 'detached' });
    host.sendHostEvent({ type: 'ASSISTANT_LOGOUT' });
    // No console open at the hub yet: the waiting room says so and offers the pharmacist.
    await shown(kiosk, 'no-doctor');
    expect(await kiosk.getByTestId('no-doctor').textContent()).toBe('Aucun médecin n’est connecté pour le moment. Vous pouvez attendre ou appeler le pharmacien.');
    await kioskShot(kiosk, 'waitingRoom-noDoctorConnected');

    const consolePage = await newPage({ width: 1440, height: 900 });
    await signInOnConsole(consolePage, hub.url);
    // A doctor connected: back to the place in the queue.
    await shown(kiosk, 'queue-position');
    const entry = consolePage.locator('li[data-booth="demo-booth-1"]');
    await expect.poll(() => entry.count(), POLL).toBe(1);
    await entry.getByRole('button', { name: 'Prendre en charge' }).click();
    await shown(kiosk, 'screen-consultation-call');
    await expect.poll(() => consolePage.getByTestId('identity-banner').textContent(), POLL).toContain(`${PATIENT.lastName.toUpperCase()} ${PATIENT.firstName}`);
    await pageShot(consolePage, 'console-identity');

    // "Urgence" during the call: the kiosk calls, the counter and the console are alerted; the counter answers.
    await kiosk.getByTestId('emergency').click();
    await shown(kiosk, 'overlay-emergency');
    await expect.poll(() => kiosk.getByTestId('emergency-status').textContent(), POLL).toBe('Nous prévenons le pharmacien.');
    await kioskShot(kiosk, 'overlay-emergency-calling');
    await expect.poll(() => counter.getByTestId('booth-demo-booth-1').getAttribute('data-state'), POLL).toBe('emergency');
    await pageShot(counter, 'counter-emergency');
    await expect.poll(() => consolePage.getByTestId('emergency-banner').getAttribute('data-state'), POLL).toBe('raised');
    await pageShot(consolePage, 'console-emergency');
    await counter.getByTestId('ack-demo-booth-1').click();
    await expect.poll(() => kiosk.getByTestId('emergency-status').textContent(), POLL).toBe('On vient vous aider.');
    await kioskShot(kiosk, 'overlay-emergency-coming');
    await kiosk.getByTestId('emergency-close').click();
    // Marie is there: she ends the alert at the booth.
    await unlock(kiosk);
    await kiosk.getByTestId('alert-resolve').click();
    await kiosk.getByTestId('assistant-logout').click();
    await kiosk.getByTestId('alert-status').waitFor({ state: 'detached' });

    // The doctor ends the call: the kiosk moves on to the end of the consultation.
    await endConsultation(consolePage);
    await shown(kiosk, 'screen-wrapUp-summary');
    await kioskShot(kiosk, 'call-ended');
  }, 240_000);
});
