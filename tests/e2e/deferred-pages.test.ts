/**
 * The deferred exam's two pages in Chromium against a real hub and a real
 * booth host, for what stands without the hub's case store: the console
 * shows "Examens différés" beside the waiting room; the counter page's
 * "Examen différé" says each problem beside its field and sends nothing
 * until the case is complete (the booth stays at the identity step), and
 * its checklist is edited item by item. The flow through the hub's case
 * store (queue, review, answer, ring) is the lead's e2e after the merge.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import { signInOnConsole } from '../helpers/console-page';
import { startCounterRig, type CounterRig } from '../helpers/counter-rig';
import { STAFF } from '../helpers/hub';
import { fillIntake } from '../helpers/kiosk';

const POLL = { timeout: 15_000 };

let rig: CounterRig;
let hub: Hub;
let kiosk: CounterRig['kiosk'];

beforeAll(async () => {
  rig = await startCounterRig();
  ({ hub, kiosk } = rig);
});
afterAll(() => rig?.close());

const newPage = (): Promise<Page> => rig.newPage({ viewport: { width: 1280, height: 900 } });

describe('the deferred exam on the console and the counter page', () => {
  it('shows the doctor "Examens différés" beside the live waiting room', async () => {
    const doctor = await newPage();
    await signInOnConsole(doctor, hub.url);
    await doctor.getByRole('heading', { name: /Salle d’attente/ }).waitFor(POLL);
    await doctor.getByRole('heading', { name: /Examens différés/ }).waitFor(POLL);
    await expect.poll(() => doctor.getByRole('region', { name: /Examens différés/ }).textContent(), POLL).toContain('Aucun examen différé pour vos spécialités.');
  }, 60_000);

  it('says each problem of the deferred exam beside its field and sends nothing until it is complete', async () => {
    await expect.poll(() => kiosk.host.hubLink.status, POLL).toBe('online');
    for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }] as const) await kiosk.host.dispatch('sendEvent', { event });
    await expect.poll(() => kiosk.host.view().state, POLL).toMatch(/^identity\./);

    const counter = await newPage();
    await counter.goto(`${hub.url}/counter/`);
    await counter.getByTestId('email').fill(STAFF[0].email);
    await counter.getByTestId('password').fill(STAFF[0].password);
    await counter.getByTestId('sign-in').click();
    await counter.getByTestId('intake-demo-booth-1').click(POLL);
    await counter.getByTestId('intake-form').waitFor(POLL);
    await fillIntake(counter, { birthName: 'Martin', firstNames: 'Jeanne', birthDate: '1941-03-07', sex: 'F', reason: 'skin', pathway: 'gp-known', gp: { name: 'Dr Paul Bernard', city: 'Tours' } });
    await counter.getByTestId('mode-deferred').check();
    await counter.getByTestId('specialty-dermatology').check();

    // The dermatology checklist: a lesion (named "Lésion 1") and the video; the pharmacist names the site and adds the left ear.
    expect(await counter.getByTestId('checklist').locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-kind')))).toEqual(['dermatoscope-photo', 'video']);
    await counter.getByTestId('body-site-i1').fill('');
    await counter.getByTestId('add-kind').selectOption('otoscope-photo');
    await counter.getByTestId('add-item').click();
    await counter.getByTestId('ear-i3').selectOption('right');
    await counter.getByTestId('remove-i2').click();
    expect(await counter.getByTestId('checklist').locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-item')))).toEqual(['i1', 'i3']);

    await counter.getByTestId('case-phone').fill('12 34');
    await counter.getByTestId('save-intake').click();
    await expect.poll(() => counter.getByTestId('problem-case-question').textContent(), POLL).toBe('Écrivez la question posée au médecin.');
    expect(await counter.getByTestId('problem-case-phone').textContent()).toContain('10 chiffres');
    expect(await counter.getByTestId('problem-case-consent').textContent()).toContain('consentement');
    expect(await counter.getByTestId('problem-body-site-i1').textContent()).toBe('Indiquez la zone du corps de cette lésion.');
    expect(await counter.getByTestId('body-site-i1').getAttribute('aria-invalid')).toBe('true');
    expect(await counter.getByTestId('intake-problems').textContent()).toContain('4');
    // Nothing reached the booth: the patient is still at the identity step.
    expect(await counter.getByTestId('intake-saved').count()).toBe(0);
    expect(kiosk.host.view().state).toMatch(/^identity\./);
  }, 120_000);
});
