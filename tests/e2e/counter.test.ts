/**
 * The three people around a booth, end to end in Chromium through the real
 * hub with media: a booth's real host and kiosk page, the counter page of a
 * member of the booth's pharmacy, and a doctor's console.
 * - The patient presses "Appeler le pharmacien" → the counter page rings (its
 *   chime element played, a notification shown with the permission the
 *   "Activer les alertes" tap asked for) → "J'arrive" → the kiosk shows
 *   "Le pharmacien arrive : Marie", and the acknowledgement, who and when,
 *   is an incident of the session.
 * - The pharmacist enters the intake on the counter page → the patient goes
 *   to the waiting room with the reason → the doctor who takes the call sees
 *   the identity banner (NOM Prénoms, birth date, age, sex) and the reason.
 * - "Urgence" during the call → the counter rings and the console shows its
 *   emergency banner; "J'arrive" on the counter answers both; the raise and
 *   the acknowledgement, who and when, reach the hub's record.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import type { SessionEvent } from '../../src/shared/domain';
import { signInOnConsole } from '../helpers/console-page';
import { startCounterRig, type CounterRig } from '../helpers/counter-rig';
import { STAFF } from '../helpers/hub';
import { fillIntake } from '../helpers/kiosk';

const POLL = { timeout: 15_000 };

let rig: CounterRig;
let hub: Hub;
let kiosk: CounterRig['kiosk'];
/** The pages the three tests share, opened by the first: the patient's kiosk and Marie's counter. */
let patient: Page;
let counter: Page;
let doctor: Page;

beforeAll(async () => {
  rig = await startCounterRig();
  ({ hub, kiosk } = rig);
});
afterAll(() => rig?.close());

const newPage = (permissions: string[] = [], origin?: string): Promise<Page> => rig.newPage({ permissions, ...(origin ? { origin } : {}) });

/** The session's events of `type` as the hub's record holds them, once the booth has synced them. */
async function hubEvents(sessionId: string, type: string): Promise<SessionEvent[]> {
  return (await hub.record.repo.sessionItems(sessionId)).map((s) => s.item)
    .flatMap((item) => (item.kind === 'sessionEvent' && item.data.type === type ? [item.data] : []));
}

function incidents(): SessionEvent[] {
  const store = kiosk.host.store!;
  return store.db.prepare<[], { id: string }>("SELECT id FROM session_events WHERE type = 'incident' ORDER BY at, id").all()
    .map((r) => store.getSessionEvent(r.id)!);
}

describe('the counter page', () => {
  it('rings when the patient calls the pharmacist, and "J\'arrive" tells the patient who is coming', async () => {
    await expect.poll(() => kiosk.host.hubLink.status, POLL).toBe('online');
    counter = await newPage(['notifications'], hub.url);
    await counter.goto(`${hub.url}/counter/`);
    await counter.getByTestId('email').fill(STAFF[0].email);
    await counter.getByTestId('password').fill(STAFF[0].password);
    await counter.getByTestId('sign-in').click();
    await counter.getByTestId('booth-demo-booth-1').waitFor(POLL);
    // The tap browsers require before they let a page ring and notify.
    await counter.getByTestId('arm').click();
    await expect.poll(() => counter.getByTestId('arming').getAttribute('data-armed'), POLL).toBe('sound+notification');
    expect(await counter.evaluate(() => Notification.permission)).toBe('granted');

    patient = await newPage();
    await patient.goto(kiosk.transport.url);
    await patient.getByTestId('start').click();
    await patient.getByTestId('choose-fr').click();
    await patient.getByTestId('accept').click();
    await expect.poll(() => counter.getByTestId('activity-demo-booth-1').textContent(), POLL).toMatch(/étape \d sur 5/);
    await patient.getByTestId('assistant').click();
    await expect.poll(() => patient.getByTestId('alert-status').getAttribute('data-reach'), POLL).toBe('counter');
    expect(await patient.getByTestId('alert-booth-only').count()).toBe(0);

    // The counter rings: its chime element played, a notification shown; the tile says who needs help.
    await expect.poll(() => counter.evaluate(() => window.__cabineCounterRings ?? []), POLL).toEqual([
      expect.objectContaining({ ring: 1, played: true, notified: true }),
    ]);
    expect(await counter.getByTestId('booth-demo-booth-1').getAttribute('data-state')).toBe('help');
    expect(await counter.getByTestId('alert-demo-booth-1').textContent()).toContain('Le patient demande le pharmacien.');

    await counter.getByTestId('ack-demo-booth-1').click();
    await expect.poll(() => patient.getByTestId('alert-status').textContent(), POLL).toBe('Le pharmacien arrive : Marie.');
    await expect.poll(() => counter.getByTestId('coming-demo-booth-1').textContent(), POLL).toBe('Marie y va');
    await expect.poll(() => incidents().map((e) => e.data?.code), POLL).toEqual(['ALERT_RAISED', 'ALERT_ACKNOWLEDGED']);
    expect(incidents()[1]!.data).toMatchObject({ by: { via: 'counter', staffId: 'marie', name: 'Marie' } });
    expect(incidents()[1]!.at).toMatch(/^\d{4}-\d\d-\d\dT/);
  }, 120_000);

  it('takes the intake entered on the counter page, and the doctor who takes the call sees who and why', async () => {
    // The patient is at the identity step: the counter offers the intake for that session.
    await expect.poll(() => kiosk.host.view().state, POLL).toMatch(/^identity\./);
    const sessionId = kiosk.host.view().sessionId!;
    await counter.getByTestId('intake-demo-booth-1').click();
    const form = counter.getByTestId('intake-form');
    await form.waitFor(POLL);
    await fillIntake(counter, {
      birthName: 'Martin', firstNames: 'Jeanne Louise', birthDate: '1941-03-07', sex: 'F', nir: '2 41 03 75 056 123 29',
      reason: 'skin', reasonText: 'plaque au bras', pathway: 'gp-known', gp: { name: 'Dr Paul Bernard', city: 'Tours' }, reportToGp: true,
    });
    // The birth date read back in words; the NIR's wrong key named as it is typed, and nothing sent.
    expect(await counter.getByTestId('birth-date-words').textContent()).toContain('7 mars 1941');
    expect(await counter.getByTestId('nir-check').textContent()).toContain('28');
    await counter.getByTestId('save-intake').click();
    await expect.poll(() => counter.getByTestId('problem-nir').count(), POLL).toBe(1);
    expect(kiosk.host.view().state).toMatch(/^identity\./);
    await counter.getByTestId('nir').fill('2 41 03 75 056 123 28');
    await counter.getByTestId('save-intake').click();
    await expect.poll(() => counter.getByTestId('intake-saved').count(), POLL).toBe(1);

    // The kiosk goes to the waiting room with the reason; the change is the session's, naming Marie.
    await expect.poll(() => patient.getByTestId('waiting-reason').textContent(), POLL).toContain('Problème de peau : plaque au bras');
    await expect.poll(async () => (await hubEvents(sessionId, 'intake'))[0]?.data, { timeout: 30_000 })
      .toMatchObject({ by: { via: 'counter', staffId: 'marie', name: 'Marie' } });

    doctor = await newPage();
    await signInOnConsole(doctor, hub.url);
    const entry = doctor.locator('li[data-booth="demo-booth-1"]');
    await entry.getByRole('button', { name: 'Prendre en charge' }).click(POLL);
    await patient.getByTestId('screen-consultation-call').waitFor(POLL);
    const banner = doctor.getByTestId('identity-banner');
    await expect.poll(() => banner.textContent(), POLL).toContain('MARTIN Jeanne');
    const said = (await banner.textContent())!;
    expect(said).toContain('7 mars 1941');
    expect(said).toMatch(/\d+ ans/);
    expect(said).toContain('Féminin');
    expect(await doctor.getByTestId('context-reason').textContent()).toBe('Problème de peau : plaque au bras');
  }, 120_000);

  it('rings the counter and the doctor\'s console when the patient presses "Urgence" during the call, and the hub\'s record keeps who answered and when', async () => {
    const sessionId = kiosk.host.view().sessionId!;
    const rings = await counter.evaluate(() => (window.__cabineCounterRings ?? []).length);
    await patient.getByTestId('emergency').click();

    // The counter rings with the emergency, and the console shows its banner, at once.
    await expect.poll(() => counter.evaluate(() => (window.__cabineCounterRings ?? []).length), POLL).toBe(rings + 1);
    await expect.poll(() => counter.getByTestId('booth-demo-booth-1').getAttribute('data-state'), POLL).toBe('emergency');
    await expect.poll(() => doctor.getByTestId('emergency-banner').getAttribute('data-state'), POLL).toBe('raised');
    // The call stays open.
    expect(kiosk.host.view().state).toMatch(/^consultation\./);

    await counter.getByTestId('ack-demo-booth-1').click();
    await expect.poll(() => doctor.getByTestId('emergency-banner').textContent(), POLL).toContain('Marie se rend à la cabine');
    await expect.poll(() => patient.getByTestId('emergency-status').textContent(), POLL).toMatch(/vient|arrive/i);

    // In the hub's record once synced: the raise and the acknowledgement of that alert, who and when.
    const alertId = kiosk.host.view().context.alert!.id;
    const ofAlert = async () => (await hubEvents(sessionId, 'incident')).filter((e) => e.data?.alertId === alertId && e.data.reason === 'emergency');
    await expect.poll(async () => (await ofAlert()).map((e) => e.data?.code), { timeout: 30_000 }).toEqual(['ALERT_RAISED', 'ALERT_ACKNOWLEDGED']);
    const [raised, acknowledged] = await ofAlert();
    expect(raised!.data).toMatchObject({ reason: 'emergency' });
    expect(acknowledged!.data).toMatchObject({ reason: 'emergency', by: { via: 'counter', staffId: 'marie', name: 'Marie' } });
    expect(Date.parse(raised!.at)).toBeLessThanOrEqual(Date.parse(acknowledged!.at));
  }, 120_000);
});
