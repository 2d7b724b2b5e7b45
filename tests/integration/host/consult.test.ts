/**
 * The booth's side of the consultation through a real hub (real mediasoup
 * worker, real SQLite on both ends): a real Host with its HubLink, a console
 * logged in over HTTP with its cookie. The hub's own requests reach the
 * booth's session machine, and the booth's answers, progress, devices,
 * readings and prescription come back to the console.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FakeThermometer } from '../../../devices/drivers/thermometer/fake';
import { Host } from '../../../src/host/host';
import type { Hub } from '../../../src/hub/server';
import type { ContextNote, MeasurementProgress, Prescription, ReadingNote } from '../../../src/shared/consult-protocol';
import { CaseRequest } from '../../../src/shared/case-record';
import { testConfig } from '../../helpers/config';
import { BOOTH_SECRETS, SPECIALISTS, startTestHub, testHubConfig } from '../../helpers/hub';
import { silentLog, tempDir } from '../../helpers/store';
import { ConsoleClient } from '../../resilience/support/clients';

let hub: Hub;
let hubDir: { dir: string; cleanup: () => void };
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  hubDir = tempDir('cabine-booth-consult-hub-');
  hub = await startTestHub({ consoleDir: '/nonexistent', config: await testHubConfig(hubDir.dir) });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await hub?.close();
  hubDir?.cleanup();
});

async function specialist(): Promise<ConsoleClient> {
  const client = await ConsoleClient.login(hub.url, SPECIALISTS[0].email, SPECIALISTS[0].password);
  const { ws } = client;
  // A clean close, so the hub has seen the console leave before it stops.
  cleanups.push(() => new Promise<void>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once('close', () => resolve());
    ws.close();
  }));
  return client;
}

async function booth(): Promise<{ host: Host; thermometer: FakeThermometer; prints: string }> {
  const dir = tempDir('cabine-booth-consult-');
  const prints = join(dir.dir, 'prints');
  const config = testConfig({
    boothId: 'demo-booth-1',
    hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS['demo-booth-1'] },
    store: { path: join(dir.dir, 'booth.db'), keyFile: join(dir.dir, 'booth.key'), retentionDays: 30 },
    printer: { kind: 'file', dir: prints },
  });
  const thermometer = new FakeThermometer();
  const host = new Host(config, silentLog, { drivers: [thermometer] });
  host.start();
  cleanups.push(async () => {
    await host.stop();
    dir.cleanup();
  });
  await expect.poll(() => host.hubLink.status).toBe('online');
  return { host, thermometer, prints };
}

const intake = {
  identity: { birthName: 'Martin', firstNames: 'Jeanne', birthDate: '1941-03-07', sex: 'F' as const },
  reason: { code: 'fever' as const }, pathway: { pathway: 'exception' as const, exceptionReason: 'no-gp' as const }, gp: null, reportToGp: false,
};

/** The kiosk's patient steps up to the waiting room (the pharmacist takes the intake). */
async function toWaitingRoom(host: Host): Promise<void> {
  for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }] as const) {
    await host.dispatch('sendEvent', { event });
  }
  host.sendHostEvent({ type: 'ASSISTANT_LOGIN' });
  host.sendHostEvent({ type: 'SET_INTAKE', intake, by: { via: 'booth' } });
  expect(host.view().state).toBe('waitingRoom');
}

describe('booth consult through a real hub', () => {
  it('leaves the live queue when the counter turns the wait into a deferred exam, and never joins it during the exam', async () => {
    const { host } = await booth();
    const doctor = await specialist();
    await toWaitingRoom(host);
    type Entry = { boothId: string };
    const listed = () => doctor.of<{ booths: Entry[] }>('queue.updated').at(-1)?.booths.some((b) => b.boothId === 'demo-booth-1');
    await expect.poll(listed).toBe(true);
    const deferred = {
      request: CaseRequest.parse({ specialty: 'general', question: 'Toux ?', contactPhone: '0612345678', consent: true, checklist: [{ id: 'i1', kind: 'temperature' }] }),
      consentAt: new Date().toISOString(),
      compiledBy: { staffId: 'staff-7', name: 'Claire', pharmacy: { name: 'Pharmacie', city: 'Ville' } },
    };
    expect(host.sendHostEvent({ type: 'SET_INTAKE', intake, by: { via: 'counter', staffId: 'staff-7', name: 'Claire' }, deferred })).toBe(true);
    expect(host.view().state).toBe('exam.checklist');
    await expect.poll(listed).toBe(false);
    // Taking an item of the exam does not queue the booth again.
    await host.dispatch('sendEvent', { event: { type: 'EXAM_CHOOSE', itemId: 'i1' } });
    expect(host.view().state).toBe('exam.guidance');
    await expect(doctor.call('queue.claim', { boothId: 'demo-booth-1' })).rejects.toBeDefined();
    expect(listed()).toBe(false);
  });

  it('queues with the patient context, takes the specialist\'s measurement request and reports its stages and reading back', async () => {
    const { host, thermometer } = await booth();
    const doctor = await specialist();
    await toWaitingRoom(host);
    type Entry = { boothId: string; firstName: string | null; age: number | null; pathway: string | null; exceptionReason: string | null; sessionId: string | null };
    await expect.poll(() => doctor.of<{ booths: Entry[] }>('queue.updated').at(-1)?.booths.find((b) => b.boothId === 'demo-booth-1')).toMatchObject({
      firstName: 'Jeanne', age: expect.any(Number), pathway: 'exception', exceptionReason: 'no-gp', sessionId: host.view().sessionId,
    });
    expect(JSON.stringify(doctor.notes)).not.toContain('Martin');

    await doctor.call('queue.claim', { boothId: 'demo-booth-1' });
    await expect.poll(() => host.view().state).toBe('consultation.call');
    // The devices the booth sent on connecting are in the context the console gets at the claim.
    await expect.poll(() => doctor.of<ContextNote>('consult.context').at(-1)?.devices.map((d) => `${d.deviceId} ${d.state}`)).toEqual(['thermometer-1 ready']);

    const { requestId } = await doctor.call<{ requestId: string }>('consult.requestMeasurement', { kind: 'temperature', note: 'au milieu du front' });
    await expect.poll(() => host.view().state).toBe('consultation.guidance');
    expect(host.view().context.measurement).toMatchObject({ kind: 'temperature', requestId, note: 'au milieu du front' });
    await host.dispatch('sendEvent', { event: { type: 'START_MEASURE' } });
    await expect.poll(() => thermometer.calls).toContain('measure');
    // A device status change reaches the console too.
    await expect.poll(() => doctor.of<{ devices: { state: string }[] }>('consult.devices').at(-1)?.devices.map((d) => d.state)).toEqual(['measuring']);
    thermometer.emitTemperature(37.8);
    await expect.poll(() => host.view().state).toBe('consultation.result');

    await expect.poll(() => doctor.of<MeasurementProgress>('consult.progress').filter((p) => p.requestId === requestId).map((p) => p.stage))
      .toEqual(expect.arrayContaining(['guidance', 'measuring', 'done']));
    const stages = doctor.of<MeasurementProgress>('consult.progress').filter((p) => p.requestId === requestId && p.stage !== 'requested').map((p) => p.stage);
    expect(stages).toEqual(['guidance', 'measuring', 'done']);
    await expect.poll(() => doctor.of<ReadingNote>('consult.reading').map((n) => n.reading.values[0]!.value)).toEqual([37.8]);
  });

  it('receives the prescription the specialist writes, saves it for the session only, and ends the call when the hub closes the room', async () => {
    const { host, prints } = await booth();
    const doctor = await specialist();
    await toWaitingRoom(host);
    await doctor.call('queue.claim', { boothId: 'demo-booth-1' });
    await expect.poll(() => host.view().state).toBe('consultation.call');

    const { prescription } = await doctor.call<{ prescription: Prescription }>('consult.prescribe', {
      items: [{ name: 'Paracétamol 500 mg, comprimé', dosage: '1 comprimé 3 fois par jour', duration: '5 jours' }],
      instructions: 'Revoir votre médecin si la fièvre dure plus de 3 jours.',
    });
    await expect.poll(() => host.view().context.prescription).toMatchObject({ received: true, number: prescription.number });
    const { prescription: shown } = await host.dispatch('getPrescription', {}) as { prescription: { number: string; qrSvg: string; pdf: { printed: boolean; file?: string } } };
    expect(shown).toMatchObject({ number: prescription.number, pdf: { printed: false } });
    expect(shown.qrSvg.startsWith('<svg')).toBe(true);
    expect(shown.pdf.file!.startsWith(prints)).toBe(true);
    expect(existsSync(shown.pdf.file!)).toBe(true);

    await doctor.call('room.leave', {});
    await expect.poll(() => host.view().state).toBe('wrapUp.summary');
    await host.dispatch('sendEvent', { event: { type: 'NEXT' } });
    await host.dispatch('sendEvent', { event: { type: 'NEXT' } });
    await host.dispatch('sendEvent', { event: { type: 'DECLINE' } });
    await host.dispatch('sendEvent', { event: { type: 'FINISH' } });
    expect(host.view().state).toBe('privacyWipe');
    expect(existsSync(shown.pdf.file!)).toBe(false);
    await expect(host.dispatch('getPrescription', {})).resolves.toEqual({ prescription: null });
  });
});
