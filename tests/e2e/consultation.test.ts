/**
 * A whole teleconsultation, as a pharmacy would run it, through the real
 * hub, with
 * the booth's simulated devices on real socat ptys (thermometer and cuff:
 * real frames read by the real drivers), the kiosk and the specialist's
 * console in Chromium. The patient walks to the waiting room (assistant PIN,
 * identity, pathway); the specialist claims the booth and asks for a
 * temperature, a blood pressure and a dermatoscope photo; the kiosk guides
 * the patient (the test clicks through the guidance); each reading reaches
 * the console with its unit and flags; the still arrives in the gallery at
 * full resolution; the prescription written on the console reaches the
 * kiosk as a QR code and a PDF file. Screenshots of the console go to
 * console-{waiting,call-readings,gallery}.png (helpers/screens: the README's
 * pictures only through `npm run screens`).
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import { Host } from '../../src/host/host';
import { startWsTransport, type WsTransport } from '../../src/host/transport-ws';
import { createLogger } from '../../src/node/logger';
import { axeProblems } from '../helpers/axe';
import { launchChromium } from '../helpers/chromium';
import { rawDefaultConfig, testConfig } from '../helpers/config';
import { BOOTH_SECRETS, ensureRenderersBuilt, startTestHub, testHubConfig } from '../helpers/hub';
import { KIOSK_DIST, fillIntake, followGuidance, holdCorner } from '../helpers/kiosk';
import { endConsultation, signInOnConsole } from '../helpers/console-page';
import { screenPath } from '../helpers/screens';

const PIN = '482193';
const PATIENT = { firstName: 'Jeanne', lastName: 'Martinez', birthDate: '1961-03-07' };
/** The key of the NIR 2 61 03 15 014 123 (97 − the number mod 97). */
const NIR_KEY = String(97 - Number(2610315014123n % 97n)).padStart(2, '0');
const PHARMACIES = {
  'demo-booth-1': { name: 'Pharmacie de la Place', city: 'Aurillac' },
  'demo-booth-2': { name: 'Pharmacie du Marché', city: 'Saint-Flour' },
} as const;
const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);

function cheapPinHash(pin: string): string {
  const salt = randomBytes(16);
  return `scrypt$1024$8$1$${salt.toString('base64')}$${scryptSync(pin, salt, 32, { N: 1024, r: 8, p: 1 }).toString('base64')}`;
}

let dir: string;
let hub: Hub;
let browser: Browser;
const closers: (() => Promise<unknown> | unknown)[] = [];

/** A booth with its host, loopback kiosk transport and (optionally) the demo's simulated devices. */
async function startBooth(boothId: keyof typeof BOOTH_SECRETS, withDevices: boolean): Promise<{ host: Host; transport: WsTransport; prints: string }> {
  const home = join(dir, boothId);
  mkdirSync(home, { recursive: true });
  const config = testConfig({
    boothId,
    pharmacy: PHARMACIES[boothId],
    hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS[boothId] },
    // The demo's devices: thermometer and cuff simulated over socat ptys (the cuff with an irregular pulse), oximeter and dermatoscope over a fake HID bus.
    devices: withDevices ? (rawDefaultConfig().devices as { kind: string; connection: Record<string, unknown> }[]).map((d) => (
      d.kind === 'bp-cuff' ? { ...d, connection: { type: 'simulated', scenario: 'irregular-pulse' } } : d)) : [],
    assistant: { pinHash: cheapPinHash(PIN), maxTries: 5, lockoutMinutes: 5 },
    store: { path: join(home, 'booth.db'), keyFile: join(home, 'booth.key'), retentionDays: 30 },
    printer: { kind: 'file', dir: join(home, 'prints') },
  });
  const host = new Host(config, silent);
  const transport = await startWsTransport({ dispatch: host.dispatch, staticDir: KIOSK_DIST, log: silent });
  host.on('kioskEvent', (e) => transport.broadcast(e));
  host.start();
  closers.push(async () => { await transport.close(); await host.stop(); });
  return { host, transport, prints: join(home, 'prints') };
}

beforeAll(async () => {
  ensureRenderersBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cabine-consultation-e2e-'));
  mkdirSync(join(dir, 'hub'), { recursive: true });
  const config = await testHubConfig();
  // The hub's directory names each booth's pharmacy.
  config.booths = config.booths.map((b) => ({ ...b, pharmacy: PHARMACIES[b.boothId as keyof typeof PHARMACIES] }));
  hub = await startTestHub({ config: { ...config, dataDir: join(dir, 'hub') } });
  // The call's camera (first) and the dermatoscope (the last; a camera shared with the call cannot give more than the
  // call opened it at). Three fake devices: Chromium's second one sends Y16 frames WebRTC never encodes.
  browser = await launchChromium({ args: ['--use-fake-device-for-media-stream=device-count=3'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
  await hub?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function screen(page: Page, testid: string, timeout = 15_000): Promise<void> {
  await page.getByTestId(testid).first().waitFor({ state: 'visible', timeout });
}

/** The request's entry in the console's progress list. */
function requestEntry(consolePage: Page, kind: string) {
  return consolePage.locator('.progress-list li').filter({ hasText: kind }).first();
}

describe('a teleconsultation from the booth to the specialist and back', () => {
  it('carries readings, a full-resolution photo and a prescription between the kiosk and the console', async () => {
    const booth = await startBooth('demo-booth-1', true);
    const other = await startBooth('demo-booth-2', false);
    await expect.poll(() => booth.host.hubLink.status, { timeout: 10_000 }).toBe('online');
    await expect.poll(() => other.host.hubLink.status, { timeout: 10_000 }).toBe('online');

    const kiosk = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // axe needs a page from an explicit context.
    const consolePage = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    const errors: string[] = [];
    consolePage.on('pageerror', (e) => errors.push(e.message));

    // Test hook: the page's WebSockets, so the test can cut the console's link as a network drop would.
    await consolePage.addInitScript(() => {
      const sockets: WebSocket[] = [];
      (window as unknown as { __sockets: WebSocket[] }).__sockets = sockets;
      const Native = window.WebSocket;
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          sockets.push(this);
        }
      };
    });

    // The specialist logs in and waits.
    await signInOnConsole(consolePage, hub.url);
    await expect.poll(() => consolePage.getByText('Aucune cabine en attente.').count(), { timeout: 10_000 }).toBe(1);

    // Another booth is already waiting (its host joins the queue directly).
    await other.host.media.joinQueue({ reason: 'Douleur au genou depuis hier', patient: { firstName: 'Lucas', age: 11 }, pathway: 'exception', exceptionReason: 'under-16', language: 'fr' });

    // The patient, helped by the pharmacist: language, consent; the intake with the PIN (the patient is asked no pathway).
    await kiosk.goto(booth.transport.url);
    await kiosk.getByTestId('start').click();
    await screen(kiosk, 'screen-language');
    await kiosk.getByTestId('choose-fr').click();
    await screen(kiosk, 'screen-consent');
    await kiosk.getByTestId('accept').click();
    await screen(kiosk, 'screen-identity-entry');
    await holdCorner(kiosk);
    for (const d of PIN) await kiosk.getByTestId(`pin-${d}`).click();
    await kiosk.getByTestId('pin-ok').click();
    await screen(kiosk, 'assistant-panel');
    await fillIntake(kiosk, {
      birthName: PATIENT.lastName, firstNames: PATIENT.firstName, birthDate: PATIENT.birthDate, sex: 'F',
      nir: '2 61 03 15 014 123', reason: 'skin', reasonText: 'plaque au bras', pathway: 'exception', exceptionReason: 'no-gp',
      gp: { name: 'Dr Paul Bernard', city: 'Aurillac' }, reportToGp: true,
    });
    // The NIR's key is checked as it is typed: a wrong one names the right one; nothing is sent meanwhile.
    await kiosk.getByTestId('nir').fill('2 61 03 15 014 123 99');
    await expect.poll(() => kiosk.getByTestId('nir-check').textContent()).toContain(`clé attendue : ${NIR_KEY}`);
    await kiosk.getByTestId('save-intake').click();
    await expect.poll(() => kiosk.getByTestId('problem-nir').textContent()).toContain('clé');
    expect(booth.host.view().state).toBe('identity.entry');
    await kiosk.getByTestId('nir').fill(`2 61 03 15 014 123 ${NIR_KEY}`);
    await expect.poll(() => kiosk.getByTestId('nir-check').textContent()).toContain('correcte');
    await kiosk.getByTestId('save-intake').click();
    await screen(kiosk, 'screen-waitingRoom');
    await kiosk.getByTestId('assistant-panel').waitFor({ state: 'detached' });
    expect(await kiosk.getByTestId('waiting-reason').textContent()).toContain('Problème de peau : plaque au bras');

    // Both booths in the waiting room, with what the doctor needs to choose.
    const entry = consolePage.locator('li[data-booth="demo-booth-1"]');
    await expect.poll(() => entry.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => consolePage.locator('li[data-booth]').count()).toBe(2);
    const entryText = await entry.textContent();
    expect(entryText).toContain('Pharmacie de la Place');
    expect(entryText).toContain('Aurillac');
    expect(entryText).toContain(PATIENT.firstName);
    expect(entryText).toMatch(/\d+ ans/);
    expect(entryText).toContain('Exception : Pas de médecin traitant');
    expect(entryText).toContain('Problème de peau : plaque au bras');
    expect(entryText).not.toContain(PATIENT.lastName);
    const otherText = await consolePage.locator('li[data-booth="demo-booth-2"]').textContent();
    expect(otherText).toContain('Douleur au genou depuis hier');
    expect(otherText).toContain('Exception : Moins de 16 ans');
    expect(await axeProblems(consolePage), 'axe on the waiting room').toEqual([]);
    await consolePage.screenshot({ path: screenPath('console-waiting.png') });

    // The claim: the call, the patient's context and the booth's devices.
    await entry.getByRole('button', { name: 'Prendre en charge' }).click();
    await screen(kiosk, 'screen-consultation-call', 20_000);
    const context = consolePage.locator('section.context');
    await expect.poll(() => context.textContent(), { timeout: 10_000 }).toContain('Pharmacie de la Place, Aurillac');
    expect(await context.textContent()).toContain('Exception : Pas de médecin traitant');
    // Who and why, from the pharmacist's intake: the identity banner above the call, the reason, the report's addressee.
    const banner = consolePage.getByTestId('identity-banner');
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toContain(`${PATIENT.lastName.toUpperCase()} ${PATIENT.firstName}`);
    expect(await banner.textContent()).toContain('née le 7 mars 1961');
    expect(await banner.textContent()).toMatch(/\d+ ans/);
    expect(await banner.textContent()).toContain('Féminin');
    expect(await consolePage.getByTestId('context-reason').textContent()).toBe('Problème de peau : plaque au bras');
    expect(await consolePage.getByTestId('context-report').textContent()).toContain('Dr Paul Bernard (Aurillac)');
    expect(await consolePage.locator('body').textContent()).not.toContain('2610315014123');
    expect(await context.textContent()).toContain('Français');
    await expect.poll(() => consolePage.locator('.devices li[data-state="ready"]').count(), { timeout: 15_000 }).toBe(4);

    // Temperature, twice (the second makes a trend).
    for (let round = 1; round <= 2; round++) {
      await consolePage.getByRole('button', { name: 'Température', exact: true }).click();
      await followGuidance(kiosk);
      await screen(kiosk, 'screen-consultation-result', 20_000);
      await expect.poll(() => consolePage.locator('tr[data-kind="temperature"]').count(), { timeout: 10_000 }).toBe(round);
      await expect.poll(() => requestEntry(consolePage, 'Température').getAttribute('data-stage')).toBe('done');
      await kiosk.getByTestId('next').click();
      await screen(kiosk, 'screen-consultation-call');
    }
    const temperature = consolePage.locator('tr[data-kind="temperature"]').first();
    expect(await temperature.textContent()).toMatch(/\d+,\d\u00a0°C/);
    expect(await temperature.textContent()).toMatch(/\d{2}:\d{2}:\d{2}/);
    expect(await temperature.textContent()).toContain('(sim)');
    expect(await consolePage.locator('figure[data-trend="temperature"] svg[role="img"]').getAttribute('aria-label')).toMatch(/Tendance Température : .+ → .+ °C/);

    // Blood pressure with an instruction; the cuff's live pressure drives a gauge, never a row.
    await consolePage.getByLabel('Consigne (facultatif)').fill('bras gauche');
    await consolePage.getByRole('button', { name: 'Tension artérielle', exact: true }).click();
    expect(await kiosk.getByTestId('requested-by').textContent()).toContain('bras gauche');
    await expect.poll(() => requestEntry(consolePage, 'Tension artérielle').textContent()).toContain('Le patient suit les instructions (étape 1/');
    await followGuidance(kiosk);
    await screen(kiosk, 'screen-consultation-result', 30_000);
    const bp = consolePage.locator('tr[data-kind="blood-pressure"]');
    await expect.poll(() => bp.count(), { timeout: 10_000 }).toBe(1);
    expect(await bp.textContent()).toMatch(/\d+\/\d+\u00a0mmHg/);
    expect(await bp.textContent()).toMatch(/Pouls\s*\d+\u00a0\/min/);
    expect(await bp.locator('[data-flag="irregular-pulse"]').textContent()).toBe('Pouls irrégulier');
    expect(await consolePage.locator('tr[data-kind="cuff-pressure"]').count()).toBe(0);
    expect(await consolePage.locator('[data-testid="cuff-gauge"]').count()).toBe(0);
    expect(await requestEntry(consolePage, 'Tension artérielle').textContent()).toContain('(bras gauche)');
    await expect.poll(() => requestEntry(consolePage, 'Tension artérielle').getAttribute('data-stage')).toBe('done');
    await kiosk.getByTestId('next').click();
    await screen(kiosk, 'screen-consultation-call');

    // SpO₂ asked and left on the kiosk's guidance: the console shows it in progress.
    await consolePage.getByRole('button', { name: 'Saturation (SpO₂)', exact: true }).click();
    await screen(kiosk, 'screen-consultation-guidance');
    await expect.poll(() => requestEntry(consolePage, 'Saturation').getAttribute('data-stage')).toBe('guidance');
    expect(await axeProblems(consolePage), 'axe on the call view').toEqual([]);
    await consolePage.screenshot({ path: screenPath('console-call-readings.png'), fullPage: true });
    await kiosk.getByTestId('back').click();
    await screen(kiosk, 'screen-consultation-call');

    // A reloaded console returns to its call and catches up with the readings already taken.
    await consolePage.reload();
    await expect.poll(() => consolePage.getByRole('heading', { level: 2, name: /Consultation en cours/ }).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => consolePage.locator('tr[data-kind="temperature"]').count(), { timeout: 10_000 }).toBe(2);
    expect(await consolePage.locator('tr[data-kind="blood-pressure"]').count()).toBe(1);
    await expect.poll(() => consolePage.locator('.devices li[data-state="ready"]').count(), { timeout: 10_000 }).toBe(4);

    // The dermatoscope, twice: each still at the camera's full resolution lands in the gallery with its body site.
    for (const [i, site] of ['dos, omoplate gauche', 'avant-bras gauche'].entries()) {
      await consolePage.getByLabel('Zone du corps').fill(site);
      await consolePage.getByRole('button', { name: 'Photo dermatoscope', exact: true }).click();
      if (i === 0) {
        // While the patient places it, the dermatoscope's live view has its own panel beside the call.
        await screen(kiosk, 'screen-consultation-guidance');
        const live = consolePage.getByRole('figure', { name: 'Dermatoscope en direct' }).locator('video');
        await expect.poll(() => live.evaluate((v: HTMLVideoElement) => v.videoWidth).catch(() => 0), { timeout: 15_000 }).toBeGreaterThan(0);
      }
      await followGuidance(kiosk);
      // (The simulated capture button, pressed every 20 s, may add a retake: at least one still per request.)
      await expect.poll(() => consolePage.locator('.thumbs li').filter({ hasText: site }).count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
      expect(await consolePage.locator('.thumbs li').count()).toBeGreaterThanOrEqual(i + 1);
      await screen(kiosk, 'screen-consultation-result', 20_000);
      await kiosk.getByTestId('next').click();
      await screen(kiosk, 'screen-consultation-call');
    }
    const thumb = consolePage.locator('.thumbs li').filter({ hasText: 'avant-bras gauche' }).first();
    await thumb.getByRole('button').click();
    const zoom = consolePage.getByRole('dialog');
    const image = zoom.locator('.zoom__view img');
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 10_000 }).toBeGreaterThanOrEqual(1920);
    const natural = await image.evaluate((img: HTMLImageElement) => `${img.naturalWidth} × ${img.naturalHeight} px`);
    expect(await consolePage.getByTestId('zoom-resolution').textContent()).toBe(natural);
    expect(await axeProblems(consolePage), 'axe on the zoomed photo').toEqual([]);
    await consolePage.screenshot({ path: screenPath('console-gallery.png') });
    await zoom.getByRole('button', { name: 'Taille réelle (100 %)' }).click();
    expect(await image.evaluate((img: HTMLImageElement) => Math.round(img.getBoundingClientRect().width))).toBe(await image.evaluate((img: HTMLImageElement) => img.naturalWidth));
    // The arrow keys go through the other photos; Escape closes.
    await consolePage.keyboard.press('ArrowLeft');
    await expect.poll(() => zoom.getByRole('heading').textContent()).toContain('dos, omoplate gauche');
    await consolePage.keyboard.press('Escape');
    await expect.poll(() => consolePage.getByRole('dialog').count()).toBe(0);

    // The link to the hub drops: the console says so, keeps the call view, and comes back by itself.
    await consolePage.evaluate(() => {
      const w = window as unknown as { __sockets: WebSocket[]; __bannerSeen: boolean };
      w.__bannerSeen = false;
      new MutationObserver(() => {
        if ([...document.querySelectorAll('[role="alert"]')].some((el) => el.textContent === 'Connexion perdue, reconnexion…')) w.__bannerSeen = true;
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
      for (const ws of w.__sockets) ws.close();
    });
    await expect.poll(() => consolePage.evaluate(() => (window as unknown as { __bannerSeen: boolean }).__bannerSeen)).toBe(true);
    await expect.poll(() => consolePage.getByText('Connexion perdue, reconnexion…').count(), { timeout: 20_000 }).toBe(0);
    expect(await consolePage.getByRole('heading', { level: 2, name: /Consultation en cours/ }).count()).toBe(1);
    expect(await consolePage.locator('tr[data-kind="temperature"]').count()).toBe(2);

    // Notes, saved after a pause.
    await consolePage.getByRole('textbox', { name: 'Notes de consultation' }).fill('Fièvre modérée, tension à recontrôler.');
    await expect.poll(() => consolePage.locator('#notes-status').textContent(), { timeout: 10_000 }).toBe('Enregistré');

    // The prescription: signed on the console, delivered to the booth.
    // An empty field looks empty: its example is marked as one ("ex. …", in italics), not a value already typed.
    const drug = consolePage.getByLabel('Médicament, ligne 1');
    expect(await drug.getAttribute('placeholder')).toMatch(/^ex\. /);
    expect(await drug.evaluate((el) => getComputedStyle(el, '::placeholder').fontStyle)).toBe('italic');
    await consolePage.getByLabel('Médicament, ligne 1').fill('Paracétamol 500 mg, comprimé');
    await consolePage.getByLabel('Posologie, ligne 1').fill('1 comprimé 3 fois par jour');
    await consolePage.getByLabel('Durée, ligne 1').fill('5 jours');
    await consolePage.getByLabel('Quantité, ligne 1').fill('1 boîte');
    await consolePage.getByRole('button', { name: 'Signer et envoyer' }).click();
    const issued = consolePage.locator('.issued');
    await expect.poll(() => issued.count(), { timeout: 10_000 }).toBe(1);
    const number = (await issued.getAttribute('data-prescription'))!;
    expect(number).toMatch(/^[A-Z0-9-]{8,40}$/);
    expect(await issued.locator('img.issued__qr').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await expect.poll(() => issued.locator('[data-delivered]').getAttribute('data-delivered'), { timeout: 15_000 }).toBe('yes');
    expect(await issued.textContent()).toContain('Envoyée à la cabine');

    // The doctor ends the call: the kiosk wraps up with the QR code; the booth holds the PDF.
    // Ending asks first: "Annuler" keeps the call.
    await consolePage.getByRole('button', { name: 'Terminer la consultation' }).click();
    await consolePage.getByRole('alertdialog', { name: 'Terminer la consultation ?' }).waitFor();
    await consolePage.getByRole('button', { name: 'Annuler' }).click();
    expect(await consolePage.getByRole('heading', { level: 2, name: /Consultation en cours/ }).count()).toBe(1);
    await endConsultation(consolePage);
    await expect.poll(() => consolePage.getByRole('heading', { level: 2, name: /Consultation terminée/ }).count(), { timeout: 10_000 }).toBe(1);
    // The wrap-up: the notes are still the doctor's to complete, and saved.
    await consolePage.getByRole('textbox', { name: 'Notes de consultation' }).fill('Fièvre modérée, tension à recontrôler. Revoir dans 48 h si la fièvre persiste.');
    await expect.poll(() => consolePage.locator('#notes-status').textContent(), { timeout: 10_000 }).toBe('Enregistré');
    await screen(kiosk, 'screen-wrapUp-summary', 15_000);
    await kiosk.getByTestId('next').click();
    await screen(kiosk, 'prescription-qr');
    expect(await kiosk.getByTestId('prescription-number').textContent()).toBe(number);
    expect(await kiosk.getByTestId('prescription-qr').locator('svg').count()).toBe(1);
    const held = booth.host.consult.prescription();
    expect(held?.number).toBe(number);
    expect(held?.pdf.file && existsSync(held.pdf.file)).toBe(true);
    expect(readFileSync(held!.pdf.file!).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // The wrap-up keeps the report links; the report is the specialist's to fetch.
    const pdfLink = consolePage.getByRole('link', { name: 'Compte rendu PDF' });
    const report = await consolePage.request.get(new URL((await pdfLink.getAttribute('href'))!, hub.url).toString());
    expect(report.status()).toBe(200);
    expect((await report.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const fhir = await consolePage.request.get(new URL((await consolePage.getByRole('link', { name: 'FHIR' }).getAttribute('href'))!, hub.url).toString());
    expect(fhir.status()).toBe(200);
    expect(((await fhir.json()) as { resourceType: string }).resourceType).toBe('Bundle');

    await consolePage.screenshot({ path: join(dir, 'console-wrap-up.png'), fullPage: true });
    if (process.env.CABINE_KEEP_SHOTS) await consolePage.screenshot({ path: '/tmp/console-wrap-up.png', fullPage: true });
    await consolePage.getByRole('button', { name: 'Retour à la salle d’attente' }).click();
    await expect.poll(() => consolePage.locator('li[data-booth="demo-booth-2"]').count()).toBe(1);
    expect(errors).toEqual([]);
    await kiosk.close();
    await consolePage.close();
  }, 420_000);
});
