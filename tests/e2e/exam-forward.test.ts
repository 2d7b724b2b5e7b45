/**
 * Exam-and-forward end to end in Chromium, the three people and the hub
 * real (issue #20's "Done when"):
 * - Marie, signed in on the counter page, turns the patient's intake into an
 *   « Examen différé » for dermatology: a lesion at its body site, the mitral
 *   point, the patient's video, the question, her note, the phone number,
 *   the patient's consent.
 * - The hub goes down. At the kiosk the exam goes on: the dermatoscope still
 *   (Chromium's fake camera at full size), a 15-s stethoscope clip (a
 *   generated heart sound as the microphone), a few seconds of video kept
 *   after its replay; « Envoyer le dossier » gives the pick-up code, printed.
 * - The hub comes back on the same port and data: the booth's outbox drains
 *   and the case appears in the dermatologist's « Examens différés ». He
 *   reviews the still at full resolution, the clip, the video, and answers
 *   with advice and a prescription, marked urgent.
 * - The counter page shows « Réponse reçue » under the pick-up code, rings
 *   with the number to call until « J'ai appelé le patient », and prints the
 *   answer with its prescription (the PDF's words checked).
 * - The record keeps who compiled, who answered and when.
 * Screenshots: the counter's compilation, the kiosk's checklist, the case
 * queue, the review and the counter's answer (`npm run screens` puts them in the README's pictures).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { hashSecret, type HubConfig } from '../../src/hub/directory';
import type { Hub } from '../../src/hub/server';
import { caseBundleUrl } from '../../src/shared/case-protocol';
import type { CaseManifest } from '../../src/shared/case-record';
import type { Bundle, DiagnosticReport, Media, ServiceRequest } from 'fhir/r4';
import { launchChromium } from '../helpers/chromium';
import { testConfig } from '../helpers/config';
import { signInOnConsole } from '../helpers/console-page';
import { COUNTER_DIST, ensureCounterBuilt } from '../helpers/counter-rig';
import { BOOTH_SECRETS, CONSOLE_DIST, STAFF, freePort, freshDataDir, startTestHub, testHubConfig } from '../helpers/hub';
import { fhirR4Validator } from '../helpers/fhir-schema';
import { FOUR_CAMERAS, heartSoundMicrophone } from '../helpers/instruments';
import { fillIntake, followGuidance, startKioskHost } from '../helpers/kiosk';
import { pdfText } from '../helpers/pdf-text';
import { screenPath } from '../helpers/screens';

const POLL = { timeout: 15_000 };
const DERMATOLOGIST = { id: 'dr-bernard', email: 'dr.bernard@cabine.example', password: 'dermato-demo-0000', name: 'Dr Paul Bernard' };

let dir: string;
let hubConfig: HubConfig;
let port: number;
let hub: Hub | null = null;
let kiosk: Awaited<ReturnType<typeof startKioskHost>>;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function startHub(): Promise<Hub> {
  hub = await startTestHub({ port, consoleDir: CONSOLE_DIST, counterDir: COUNTER_DIST, config: hubConfig });
  return hub;
}

beforeAll(async () => {
  ensureCounterBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cabine-exam-forward-'));
  hubConfig = await testHubConfig(freshDataDir());
  hubConfig.specialists.push({
    id: DERMATOLOGIST.id, email: DERMATOLOGIST.email, name: DERMATOLOGIST.name, specialty: 'Dermatologie',
    passwordHash: await hashSecret(DERMATOLOGIST.password, 1024), cases: ['dermatology'],
  });
  port = await freePort();
  await startHub();
  kiosk = await startKioskHost(testConfig({
    boothId: 'demo-booth-1',
    pharmacy: { name: 'Pharmacie test 1', city: 'Aurillac' },
    hub: { url: `ws://127.0.0.1:${port}/booth`, token: BOOTH_SECRETS['demo-booth-1'] },
    store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 },
    printer: { kind: 'file', dir: join(dir, 'prints') },
    // The dermatoscope's driver (its capture button, simulated): a still is a measurement of an installed instrument.
    devices: [{ id: 'dermatoscope-1', kind: 'dermatoscope', label: 'Dermatoscope', connection: { type: 'simulated', scenario: 'normal' } }],
  }));
  browser = await launchChromium({ args: [FOUR_CAMERAS, heartSoundMicrophone(dir, 72)] });
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await kiosk?.close();
  await hub?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function newPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  return context.newPage();
}

async function signInOnCounter(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/counter/`);
  await page.getByTestId('email').fill(STAFF[0].email);
  await page.getByTestId('password').fill(STAFF[0].password);
  await page.getByTestId('sign-in').click();
}

async function checklistState(page: Page, id: string): Promise<string | null> {
  await page.getByTestId('exam-checklist').waitFor({ timeout: 60_000 });
  return page.getByTestId(`exam-item-${id}`).getAttribute('data-state');
}

describe('a case compiled at the booth while the hub is down, answered later', () => {
  it('goes from the counter and the kiosk to the dermatologist\'s queue, his answer back to the counter, printed', async () => {
    const patient = await newPage();
    const counter = await newPage();
    // What each page showed when a step failed, for the person reading the failure.
    onTestFailed(async () => {
      for (const [i, context] of contexts.entries()) {
        for (const page of context.pages()) await page.screenshot({ path: join(tmpdir(), `exam-forward-failed-${i}.png`), fullPage: true }).catch(() => undefined);
      }
    });
    await expect.poll(() => kiosk.host.hubLink.status, POLL).toBe('online');
    await patient.goto(kiosk.transport.url);
    await patient.getByTestId('start').click();
    await patient.getByTestId('choose-fr').click();
    await patient.getByTestId('accept').click();
    await expect.poll(() => kiosk.host.view().state, POLL).toMatch(/^identity\./);
    const sessionId = kiosk.host.view().sessionId!;

    // 1. Marie turns the intake into a deferred exam for dermatology.
    await signInOnCounter(counter, hub!.url);
    await counter.getByTestId('intake-demo-booth-1').click(POLL);
    await counter.getByTestId('intake-form').waitFor(POLL);
    await fillIntake(counter, {
      birthName: 'Martin', firstNames: 'Jeanne Louise', birthDate: '1941-03-07', sex: 'F',
      reason: 'skin', reasonText: 'grain de beauté qui change', pathway: 'gp-known', gp: { name: 'Dr Anne Leroy', city: 'Aurillac' },
    });
    await counter.getByTestId('mode-deferred').check();
    await counter.getByTestId('specialty-dermatology').check();
    await counter.getByTestId('body-site-i1').fill('Dos, omoplate gauche');
    await counter.getByTestId('add-kind').selectOption('auscultation');
    await counter.getByTestId('add-item').click();
    await counter.getByTestId('point-i3').selectOption('mitral');
    await counter.getByTestId('case-question').fill('Ce grain de beauté est-il suspect ? Faut-il une exérèse ?');
    await counter.getByTestId('case-note').fill('Lésion brune de 8 mm, bords irréguliers, a grossi depuis l’été selon la patiente.');
    await counter.getByTestId('case-phone').fill('06 12 34 56 78');
    await counter.getByTestId('case-consent').check();
    await counter.screenshot({ path: screenPath('counter-case-compile.png'), fullPage: true });
    await counter.getByTestId('save-intake').click();
    // The form closes as the booth leaves the intake; the page says the exam started, the board what the booth does.
    await expect.poll(() => counter.getByTestId('deferred-started').textContent(), POLL).toContain('Examen différé lancé');
    await expect.poll(() => counter.getByTestId('activity-demo-booth-1').textContent(), POLL).toBe('Examen différé en cours à la cabine');

    // The kiosk shows the checklist, nothing of what the doctor reads (phone, question) on the patient's screen.
    await patient.getByTestId('exam-checklist').waitFor(POLL);
    expect(await patient.textContent('body')).not.toContain('06 12');
    expect(await patient.textContent('body')).not.toContain('exérèse');

    // 2. The hub goes down: the exam goes on at the kiosk.
    await hub!.close();
    hub = null;
    await expect.poll(() => kiosk.host.hubLink.status, POLL).not.toBe('online');
    await patient.screenshot({ path: screenPath('kiosk-exam-checklist-dermatology.png') });

    // The lesion: the dermatoscope's guidance, the still taken at the camera's size.
    await patient.getByTestId('exam-do-i1').click();
    await followGuidance(patient);
    await patient.getByTestId('result').waitFor({ timeout: 30_000 });
    await patient.getByTestId('next').click();
    await expect.poll(() => checklistState(patient, 'i1'), { timeout: 30_000 }).toBe('done');

    // The mitral point: where to place the chest piece, then 15 s recorded from the stethoscope.
    await patient.getByTestId('exam-do-i3').click();
    await patient.getByTestId('exam-auscultation').waitFor(POLL);
    await patient.getByTestId('ready').click();
    await patient.getByTestId('exam-clip-recording').waitFor(POLL);
    await expect.poll(() => checklistState(patient, 'i3'), { timeout: 60_000 }).toBe('done');

    // The video: the indicator and the countdown, a few seconds, replayed, kept.
    await patient.getByTestId('exam-do-i2').click();
    await patient.getByTestId('exam-video-start').click(POLL);
    await patient.getByTestId('exam-video-recording').waitFor(POLL);
    await expect.poll(() => patient.getByTestId('exam-video-recording').textContent(), { timeout: 20_000 }).toMatch(/Encore (5[0-6]|[1-4]\d|\d) secondes/);
    await patient.getByTestId('exam-video-stop').click();
    await patient.getByTestId('exam-video-keep').click({ timeout: 20_000 });
    await expect.poll(() => checklistState(patient, 'i2'), { timeout: 30_000 }).toBe('done');

    // Sent, offline: the pick-up code, and its ticket printed.
    await patient.getByTestId('exam-send').click();
    await patient.getByTestId('exam-pickup').waitFor({ timeout: 30_000 });
    const shown = (await patient.getByTestId('exam-pickup-code').textContent())!;
    const code = shown.replace('-', '');
    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);
    expect(readdirSync(join(dir, 'prints')).some((f) => f.includes(code))).toBe(true);
    expect(kiosk.host.hubLink.status).not.toBe('online');
    await patient.getByTestId('finish').click();
    await expect.poll(() => kiosk.host.view().state, POLL).toMatch(/^(privacyWipe|attract)/);

    // 3. The hub comes back: the outbox drains, the case is complete in the dermatologist's queue.
    const back = await startHub();
    const doctor = await newPage({ width: 1440, height: 900 });
    await signInOnConsole(doctor, back.url, DERMATOLOGIST);
    const queue = doctor.getByRole('region', { name: /Examens différés/ });
    const entry = queue.locator('li[data-case]');
    await expect.poll(() => entry.getAttribute('data-state').catch(() => null), { timeout: 90_000 }).toBe('waiting');
    expect(await entry.textContent()).toContain('Jeanne');
    expect(await entry.textContent()).toContain('Pharmacie test 1');
    await doctor.screenshot({ path: screenPath('console-case-queue.png') });

    // 4. The review: who and why, the question, the still at full resolution, the clip, the video.
    await entry.getByRole('button', { name: /^Ouvrir le cas/ }).click();
    const review = doctor.locator('article[data-case]');
    await review.waitFor(POLL);
    expect(await doctor.getByTestId('identity-banner').textContent()).toContain('MARTIN Jeanne');
    expect(await doctor.getByTestId('case-question').textContent()).toContain('Ce grain de beauté est-il suspect');
    expect(await doctor.getByTestId('case-compiled-by').textContent()).toContain('Marie');
    const still = review.locator('.thumbs li').filter({ hasText: 'Dos, omoplate gauche' });
    await expect.poll(() => still.count(), POLL).toBe(1);
    await still.getByRole('button').click();
    const zoomed = doctor.getByRole('dialog').locator('.zoom__view img');
    await expect.poll(() => zoomed.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), POLL).toBeGreaterThanOrEqual(1920);
    await doctor.keyboard.press('Escape');
    const clip = review.locator('li[data-clip-id]');
    expect(await clip.textContent()).toContain('Foyer mitral');
    const wav = await doctor.request.get(`${back.url}/api/clips/${await clip.getAttribute('data-clip-id')}`);
    expect(wav.status()).toBe(200);
    expect(wav.headers()['content-type']).toBe('audio/wav');
    const audio = clip.locator('audio');
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.readyState), POLL).toBeGreaterThanOrEqual(1);
    expect(await audio.evaluate((a: HTMLAudioElement) => a.duration)).toBeCloseTo(15, 0);
    const video = review.locator('video[data-video-id]');
    // A frame decoded (HAVE_CURRENT_DATA): the recording plays, not only its header.
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), POLL).toBeGreaterThanOrEqual(2);
    // Played a moment, as the doctor would: the patient's frames on the screen, not the loading wheel.
    await video.evaluate(async (v: HTMLVideoElement) => {
      v.muted = true;
      await v.play();
      await new Promise((r) => setTimeout(r, 500));
      v.pause();
    });
    expect(await video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(0);
    await doctor.screenshot({ path: screenPath('console-case-review.png'), fullPage: true });

    // 5. The answer: advice in plain words and a prescription, urgent.
    const form = doctor.getByRole('form', { name: 'Réponse au cas' });
    await form.getByLabel('Conseil au patient', { exact: true }).check();
    await form.getByLabel('Conseil au patient, en mots simples (imprimé au comptoir)').fill('Cette lésion doit être retirée. Prenez rendez-vous chez un dermatologue dans les 15 jours ; en attendant, protégez-la du soleil.');
    await form.getByLabel('Urgente').check();
    await form.getByLabel('Joindre une ordonnance').check();
    await form.getByLabel('Médicament, ligne 1').fill('Crème solaire SPF 50+');
    await form.getByLabel('Posologie, ligne 1').fill('Appliquer sur la zone avant chaque exposition');
    await form.getByRole('button', { name: 'Signer et envoyer la réponse' }).click();
    const answered = doctor.getByTestId('case-answer');
    await answered.waitFor(POLL);
    expect(await answered.getAttribute('data-urgency')).toBe('urgent');

    // The case as a FHIR bundle, valid against the official R4 schema: the request, the still at its site, the clip, the answer.
    const caseId = (await review.getAttribute('data-case'))!;
    const bundle = await (await doctor.request.get(new URL(caseBundleUrl(caseId), back.url).toString())).json() as Bundle;
    const validate = fhirR4Validator();
    expect(validate(bundle), JSON.stringify(validate.errors)).toBe(true);
    const resources = bundle.entry!.map((e) => e.resource!);
    expect((resources.find((r) => r.resourceType === 'ServiceRequest') as ServiceRequest).note?.map((n) => n.text).join(' ')).toContain('Ce grain de beauté est-il suspect');
    expect((resources.find((r) => r.resourceType === 'DiagnosticReport') as DiagnosticReport).conclusion).toContain('Cette lésion doit être retirée');
    const media = resources.filter((r): r is Media => r.resourceType === 'Media');
    expect(media.map((m) => m.bodySite?.text).filter(Boolean)).toEqual(expect.arrayContaining(['Dos, omoplate gauche', 'Foyer mitral']));

    // 6. The counter: « Réponse reçue » under the code, the ring with the number to call, the printed answer.
    if (await counter.getByTestId('sign-in').count()) await signInOnCounter(counter, back.url);
    const row = counter.getByTestId(`case-${code}`);
    await expect.poll(() => row.getAttribute('data-state').catch(() => null), { timeout: 30_000 }).toBe('answered');
    await counter.getByTestId(`case-ring-${code}`).waitFor(POLL);
    expect(await counter.getByTestId(`case-phone-${code}`).textContent()).toContain('06 12 34 56 78');
    await counter.getByTestId(`case-open-${code}`).click();
    expect(await counter.getByTestId(`case-answer-${code}`).textContent()).toContain('Cette lésion doit être retirée');
    await counter.screenshot({ path: screenPath('counter-case-answer.png'), fullPage: true });
    const print = await counter.getByTestId(`case-print-${code}`).getAttribute('href');
    const pdf = await counter.request.get(new URL(print!, back.url).toString());
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    const printed = pdfText(await pdf.body());
    expect(printed).toContain('Cette lésion doit être retirée');
    expect(printed).toContain('Crème solaire SPF 50+');
    expect(printed).toContain(`${code.slice(0, 3)}-${code.slice(3)}`);
    await counter.getByTestId(`case-called-${code}`).click();
    await expect.poll(() => counter.getByTestId(`case-ring-${code}`).count(), POLL).toBe(0);

    // 7. The record: who compiled, who answered, when; the acknowledgement by Marie.
    const [stored] = await back.record.repo.casesOfSession(sessionId);
    expect(stored).toMatchObject({ state: 'answered', pickupCode: code, specialty: 'dermatology' });
    expect(stored!.answer).toMatchObject({ answeredBy: { id: DERMATOLOGIST.id }, urgency: 'urgent', kind: 'advice' });
    expect(stored!.acknowledgedBy).toMatchObject({ staffId: 'marie' });
    const manifest = (await back.record.repo.sessionItems(sessionId)).map((s) => s.item).find((i) => i.kind === 'case')!.data as CaseManifest;
    expect(manifest.compiledBy).toMatchObject({ staffId: 'marie', name: 'Marie' });
    expect(manifest.entries.map((e) => [e.checklistId, e.itemId !== null])).toEqual([['i1', true], ['i2', true], ['i3', true]]);
  }, 300_000);
});
