/**
 * The booth's side of the consultation (src/host/consult.ts) with the real
 * session machine and the fake hub link beside the real one: requests move
 * the machine, every stage goes back once, devices and the record events
 * go out, the prescription is kept for the session only.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, createActor } from 'xstate';
import { BoothConsult, ageOn, queueJoinDetails } from '../../../src/host/consult';
import { FakeHubLink } from '../../../src/host/fake-hub-link';
import { sessionOf } from '../../../src/host/session';
import { PrescriptionPrinter, type PrinterConfig } from '../../../src/host/prescription';
import type { MeasurementProgress, Prescription } from '../../../src/shared/consult-protocol';
import type { DeviceStatus, SessionEvent } from '../../../src/shared/domain';
import { doctorIntake, Intake } from '../../../src/shared/intake';
import { createLogger } from '../../../src/node/logger';
import { sessionMachine, type SessionMachineEvent } from '../../../src/session/machine';
import { toSessionView } from '../../../src/session/view';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const identity = { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' };
const intake = Intake.parse({
  identity: { birthName: 'Martin', firstNames: 'Jeanne Louise', birthDate: '1941-03-07', sex: 'F', nir: '241037505612328' },
  reason: { code: 'fever' }, pathway: { pathway: 'gp-known' }, gp: { name: 'Dr Bernard', city: 'Tours' }, reportToGp: true,
});
const REQUEST_ID = '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b';
const NOW = Date.parse('2026-11-23T10:00:00Z');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'cabine-consult-'));
  dirs.push(d);
  return d;
}

const thermometer: DeviceStatus = { deviceId: 'thermometer-1', kind: 'thermometer', state: 'ready', at: '2026-11-23T09:00:00.000Z' };
const cuff: DeviceStatus = { deviceId: 'bp-cuff-1', kind: 'bp-cuff', state: 'disconnected', at: '2026-11-23T09:00:00.000Z' };

function setup(printer: PrinterConfig = { kind: 'file', dir: join(tmp(), 'prints') }) {
  const link = new FakeHubLink();
  for (const m of ['consult.progress', 'consult.devices', 'room.leave']) link.answers.set(m, () => ({ ok: true }));
  const events: SessionEvent[] = [];
  let consult: BoothConsult | null = null;
  const actor = createActor(sessionMachine.provide({
    actions: {
      startSession: assign({ sessionId: () => 'session-1' as string | null }),
      recordTransition: () => undefined,
      startMeasurement: () => undefined,
      notifyWipe: () => consult?.wipe(),
    },
  }), { input: { language: 'fr', measuringDevices: { 'blood-pressure': 'bp-cuff-1', temperature: 'thermometer-1' } } });
  actor.start();
  const devices = [thermometer, cuff];
  consult = new BoothConsult({
    link, session: sessionOf(actor), config: { boothId: 'demo-booth-1', pharmacy: { name: 'Pharmacie du Marché', city: 'Aurillac' } },
    printer: new PrescriptionPrinter(printer, silent), log: silent,
    recordSessionEvent: async (e) => void events.push(e), deviceStatuses: () => devices, clock: { now: () => NOW },
  });
  const send = (...es: SessionMachineEvent[]) => es.forEach((e) => actor.send(e));
  const progress = () => link.requests.filter((r) => r.method === 'consult.progress').map((r) => r.params as MeasurementProgress);
  const stages = () => progress().map((p) => (p.stage === 'guidance' ? `guidance ${p.step}/${p.steps}` : p.stage));
  const view = () => toSessionView(actor.getSnapshot());
  return { link, actor, consult, events, send, progress, stages, view, devices };
}

type H = ReturnType<typeof setup>;
function toWaitingRoom(h: H) {
  h.send({ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }, { type: 'ASSISTANT_LOGIN' },
    { type: 'SET_INTAKE', intake, by: { via: 'booth' } });
}
function toCall(h: H) {
  toWaitingRoom(h);
  h.send({ type: 'CLAIMED' });
}

function prescription(overrides: Partial<Prescription> = {}): Prescription {
  return {
    number: 'RX-2026-7K3M9QXA', issuedAt: '2026-11-23T10:05:00.000+01:00', sessionId: 'session-1', boothId: 'demo-booth-1',
    prescriber: { id: 'dr-martin', name: 'Dr Claire Martin', specialty: 'Médecine générale' },
    patient: { firstName: 'Jeanne', age: 85 },
    items: [{ name: 'Paracétamol 500 mg, comprimé', dosage: '1 comprimé 3 fois par jour', duration: '5 jours' }],
    instructions: 'Boire beaucoup.', qr: 'CABRX1.RX-2026-7K3M9QXA.signature', ...overrides,
  };
}

describe('booth consult: measurement requests and progress', () => {
  it('takes a specialist request into the call with its note and body site, and answers accepted', async () => {
    const h = setup();
    toCall(h);
    await expect(h.link.call('consult.measurementRequested', { requestId: REQUEST_ID, kind: 'dermatoscope-photo', bodySite: 'avant-bras gauche', note: 'grain de beauté' }))
      .resolves.toEqual({ accepted: true });
    expect(h.view().state).toBe('consultation.guidance');
    expect(h.view().context.measurement).toMatchObject({ kind: 'dermatoscope-photo', requestId: REQUEST_ID, bodySite: 'avant-bras gauche', note: 'grain de beauté' });
  });

  it('answers accepted: false when the patient is not in the call, and the session stays where it is', async () => {
    const h = setup();
    toWaitingRoom(h);
    await expect(h.link.call('consult.measurementRequested', { requestId: REQUEST_ID, kind: 'temperature' })).resolves.toEqual({ accepted: false });
    expect(h.view().state).toBe('waitingRoom');
    expect(h.progress()).toEqual([]);
  });

  it('refuses a malformed request with a typed error naming the field, and does not move the session', async () => {
    const h = setup();
    toCall(h);
    await expect(h.link.call('consult.measurementRequested', { requestId: 'not-a-uuid', kind: 'temperature' }))
      .rejects.toMatchObject({ code: 'INVALID_PARAMS', userMessage: { fr: expect.stringContaining('requestId') } });
    await expect(h.link.call('consult.measurementRequested', { requestId: REQUEST_ID, kind: 'cuff-pressure' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect(h.view().state).toBe('consultation.call');
  });

  it('reports each guidance step, measuring and done once each, with the request id', async () => {
    const h = setup();
    toCall(h);
    await h.link.call('consult.measurementRequested', { requestId: REQUEST_ID, kind: 'blood-pressure', note: 'bras gauche' });
    h.send({ type: 'TOGGLE_MUTE' }, { type: 'NEXT' }, { type: 'TOGGLE_MUTE' }, { type: 'NEXT' }, { type: 'NEXT' }, { type: 'NEXT' });
    h.actor.send({ type: 'READING', kind: 'cuff-pressure', deviceId: 'bp-cuff-1', values: [{ code: '8478-0', name: 'cuff', value: 90, unit: 'mm[Hg]' }], intermediate: true });
    h.actor.send({ type: 'READING', kind: 'blood-pressure', deviceId: 'bp-cuff-1', values: [{ code: '8480-6', name: 'sys', value: 128, unit: 'mm[Hg]' }], intermediate: false });
    expect(h.stages()).toEqual(['guidance 1/4', 'guidance 2/4', 'guidance 3/4', 'guidance 4/4', 'measuring', 'done']);
    expect(h.progress().every((p) => p.requestId === REQUEST_ID && p.kind === 'blood-pressure' && p.at === new Date(NOW).toISOString())).toBe(true);
    // Back to the call after the result: nothing more to say.
    h.send({ type: 'NEXT' });
    expect(h.stages()).toHaveLength(6);
  });

  it('reports a device problem as an error with its code and the message the patient sees, then measuring again on retry', async () => {
    const h = setup();
    toCall(h);
    await h.link.call('consult.measurementRequested', { requestId: REQUEST_ID, kind: 'blood-pressure' });
    h.send({ type: 'START_MEASURE' });
    h.actor.send({ type: 'MEASUREMENT_ERROR', code: 'cuff-too-loose' });
    h.send({ type: 'RETRY' });
    expect(h.stages()).toEqual(['guidance 1/4', 'measuring', 'error', 'measuring']);
    expect(h.progress()[2]!.error).toEqual({
      code: 'cuff-too-loose',
      message: { fr: expect.stringContaining('Le brassard est mal placé'), en: expect.stringContaining('The cuff is not placed correctly') },
    });
  });

  it('reports cancelled when the pharmacist skips the device, with requestId null for a measurement the pharmacist started', () => {
    const h = setup();
    toCall(h);
    h.actor.send({ type: 'ASSISTANT_START_MEASUREMENT', kind: 'spo2' });
    h.actor.send({ type: 'ASSISTANT_SKIP_DEVICE' });
    expect(h.stages()).toEqual(['guidance 1/3', 'cancelled']);
    expect(h.progress().map((p) => p.requestId)).toEqual([null, null]);
  });

  it('reports cancelled when the call ends mid-measurement, and when a new request replaces an unfinished one', async () => {
    const h = setup();
    toCall(h);
    await h.link.call('consult.measurementRequested', { requestId: REQUEST_ID, kind: 'temperature' });
    const second = '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7c';
    await h.link.call('consult.measurementRequested', { requestId: second, kind: 'spo2' });
    h.send({ type: 'START_MEASURE' });
    h.link.note('room.closed', { roomId: 'r1', reason: 'ended' });
    expect(h.progress().map((p) => `${p.kind} ${p.stage}`)).toEqual(['temperature guidance', 'temperature cancelled', 'spo2 guidance', 'spo2 measuring', 'spo2 cancelled']);
    expect(h.progress().map((p) => p.requestId)).toEqual([REQUEST_ID, REQUEST_ID, second, second, second]);
    expect(h.view().state).toBe('wrapUp.summary');
  });

  it('sends nothing while the hub link is down', async () => {
    const h = setup();
    toCall(h);
    h.link.setStatus('offline');
    h.actor.send({ type: 'ASSISTANT_START_MEASUREMENT', kind: 'temperature' });
    expect(h.progress()).toEqual([]);
  });
});

describe('booth consult: devices, queue, room', () => {
  it('sends every device status to the hub each time the link comes up and on each change', () => {
    const h = setup();
    h.link.setStatus('offline');
    h.link.setStatus('online');
    h.devices[0] = { ...thermometer, state: 'measuring' };
    h.consult.sendDevices();
    const sent = h.link.requests.filter((r) => r.method === 'consult.devices').map((r) => r.params);
    expect(sent).toEqual([{ devices: [thermometer, cuff] }, { devices: [{ ...thermometer, state: 'measuring' }, cuff] }]);
  });

  it('shows the queue position and estimate the hub notes, and ignores a malformed one', () => {
    const h = setup();
    toWaitingRoom(h);
    h.link.note('queue.position', { position: 3, etaMinutes: 12 });
    expect(h.view().context.queue).toEqual({ position: 3, etaMinutes: 12 });
    h.link.note('queue.position', { position: 'first' });
    h.link.note('queue.position', { position: 1, etaMinutes: null });
    expect(h.view().context.queue).toEqual({ position: 1, etaMinutes: null });
  });

  it('ends the call on room.closed (wrap-up follows) without telling the hub room.leave', () => {
    const h = setup();
    toCall(h);
    h.link.note('room.closed', { roomId: 'r1', reason: 'ended' });
    expect(h.view().state).toBe('wrapUp.summary');
    expect(h.link.requests.map((r) => r.method)).not.toContain('room.leave');
  });

  it('tells the wrap-up the doctor ended the call when the room closed because they left, the connection otherwise', () => {
    for (const [reason, endedBy] of [['ended', 'doctor'], ['specialistLost', 'connection'], ['mediaLost', 'connection']] as const) {
      const h = setup();
      toCall(h);
      h.link.note('room.closed', { roomId: 'r1', reason });
      expect(h.view()).toMatchObject({ state: 'wrapUp.summary', context: { callEndedBy: endedBy } });
    }
  });

  it('tells the hub room.leave when the patient cancels during the call', () => {
    const h = setup();
    toCall(h);
    h.send({ type: 'CANCEL' }, { type: 'CANCEL_CONFIRM' });
    expect(h.view().state).toBe('privacyWipe');
    expect(h.link.requests.filter((r) => r.method === 'room.leave')).toHaveLength(1);
  });

  it('queues with the first name, the age on the Paris calendar, the reason, the pathway and the session; the surname and birth date only in the intake for the claiming doctor, never the NIR', () => {
    const h = setup();
    toWaitingRoom(h);
    // 23:30 UTC on 6 March is already 7 March in Paris: Jeanne turns 85 there.
    const { intake: forDoctor, ...details } = queueJoinDetails(h.actor.getSnapshot().context, Date.parse('2026-03-06T23:30:00Z'));
    expect(details).toEqual({ patient: { firstName: 'Jeanne', age: 85 }, pathway: 'gp-known', reason: 'Fièvre', sessionId: 'session-1', language: 'fr' });
    expect(JSON.stringify(details)).not.toMatch(/Martin|1941/);
    expect(forDoctor).toEqual(doctorIntake(intake, null));
    expect(JSON.stringify(forDoctor)).not.toContain('241037505612328');
    expect(ageOn('1941-03-07', Date.parse('2026-03-06T22:59:00Z'))).toBe(84);
  });
});

describe('booth consult: identity and pathway to the record', () => {
  it('stores each intake as a session event naming who made it, with the identity and the pathway rule taken from it', () => {
    const h = setup();
    toWaitingRoom(h);
    expect(h.events.map((e) => ({ type: e.type, sessionId: e.sessionId, data: e.data }))).toEqual([
      { type: 'intake', sessionId: 'session-1', data: { by: { via: 'booth' }, intake } },
      { type: 'identity', sessionId: 'session-1', data: identity },
      { type: 'pathway', sessionId: 'session-1', data: { pathway: 'gp-known', exceptionReason: null } },
    ]);
    const corrected = { ...intake, pathway: { pathway: 'exception' as const, exceptionReason: 'no-gp' as const } };
    const marie = { via: 'counter' as const, staffId: 'staff-7', name: 'Marie' };
    h.send({ type: 'SET_INTAKE', intake: corrected, by: marie }, { type: 'TOGGLE_MUTE' });
    expect(h.events.filter((e) => e.type === 'intake').map((e) => e.data)).toEqual([{ by: { via: 'booth' }, intake }, { by: marie, intake: corrected }]);
    expect(h.events.filter((e) => e.type === 'pathway').at(-1)?.data).toEqual({ pathway: 'exception', exceptionReason: 'no-gp' });
  });
});

describe('booth consult: prescription', () => {
  it('keeps the prescription for the session, records its number, saves the PDF readable by the booth only, and deletes it at the privacy wipe', async () => {
    const dir = join(tmp(), 'prints');
    const h = setup({ kind: 'file', dir });
    toCall(h);
    await expect(h.link.call('consult.prescription', { prescription: prescription() })).resolves.toEqual({ stored: true, printed: false });
    const view = h.consult.prescription()!;
    expect(view).toMatchObject({ number: 'RX-2026-7K3M9QXA', items: [{ name: 'Paracétamol 500 mg, comprimé' }], pdf: { printed: false } });
    expect(view.qrSvg).toMatch(/^<svg[^>]*viewBox="0 0 \d+ \d+"/);
    const file = view.pdf.file!;
    expect(file.startsWith(dir)).toBe(true);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(h.events.filter((e) => e.type === 'prescription.received')).toEqual([
      expect.objectContaining({ sessionId: 'session-1', data: { number: 'RX-2026-7K3M9QXA' } }),
    ]);
    expect(h.view().context.prescription).toEqual({ received: true, note: null, number: 'RX-2026-7K3M9QXA', print: 'saved' });

    h.link.note('room.closed', { roomId: 'r1', reason: 'ended' });
    h.send({ type: 'NEXT' }, { type: 'NEXT' }, { type: 'ACCEPT' }, { type: 'FINISH' });
    expect(h.view().state).toBe('privacyWipe');
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    expect(h.consult.prescription()).toBeNull();
  });

  it('prints through the configured printer command, which gets the PDF on its standard input', async () => {
    const out = join(tmp(), 'printed.pdf');
    const h = setup({ kind: 'command', command: ['sh', '-c', 'cat > "$1"', 'lp', out] });
    toCall(h);
    await expect(h.link.call('consult.prescription', { prescription: prescription() })).resolves.toEqual({ stored: true, printed: true });
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    expect(h.consult.prescription()!.pdf).toEqual({ printed: true });
    writeFileSync(out, '');
    await expect(h.consult.reprint()).resolves.toEqual({ printed: true });
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('tells the kiosk the real print state: printing while the printer runs, then printed, or failed', async () => {
    const out = join(tmp(), 'printed.pdf');
    const h = setup({ kind: 'command', command: ['sh', '-c', 'cat > "$1"', 'lp', out] });
    const seen: (string | undefined)[] = [];
    h.actor.subscribe((s) => {
      const print = toSessionView(s).context.prescription?.print;
      if (print !== seen.at(-1)) seen.push(print);
    });
    toCall(h);
    await h.link.call('consult.prescription', { prescription: prescription() });
    expect(h.view().context.prescription?.print).toBe('printed');
    h.link.note('room.closed', { roomId: 'r1', reason: 'ended' });
    rmSync(out, { force: true });
    mkdirSync(out);
    await h.consult.reprint();
    expect(seen.slice(-3)).toEqual(['printed', 'printing', 'failed']);
    expect(h.view().context.prescription?.print).toBe('failed');
    // The failed print fell back to a saved file: the wipe deletes it.
    h.consult.wipe();
  });

  it('tells the kiosk a print failed when the printer cannot even be reached, so the patient is sent to the pharmacist', async () => {
    const dir = join(tmp(), 'prints');
    const h = setup({ kind: 'file', dir });
    toCall(h);
    await h.link.call('consult.prescription', { prescription: prescription() });
    h.link.note('room.closed', { roomId: 'r1', reason: 'ended' });
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(dir, 'not a folder');
    await expect(h.consult.reprint()).rejects.toThrow();
    expect(h.view().context.prescription?.print).toBe('failed');
  });

  it('says a prescription the file printer saved was saved, not printed, until a print is attempted', async () => {
    const h = setup();
    toCall(h);
    await h.link.call('consult.prescription', { prescription: prescription() });
    expect(h.view().context.prescription?.print).toBe('saved');
  });

  it('refuses a malformed prescription with a typed error: nothing stored, nothing printed, the session unchanged', async () => {
    const dir = join(tmp(), 'prints');
    const h = setup({ kind: 'file', dir });
    toCall(h);
    await expect(h.link.call('consult.prescription', { prescription: { ...prescription(), items: [] } }))
      .rejects.toMatchObject({ code: 'INVALID_PARAMS', userMessage: { fr: expect.stringContaining('prescription.items') } });
    await expect(h.link.call('consult.prescription', { prescription: prescription({ boothId: 'demo-booth-2' }) })).rejects.toMatchObject({ code: 'WRONG_BOOTH' });
    expect(existsSync(dir)).toBe(false);
    expect(h.events.filter((e) => e.type === 'prescription.received')).toEqual([]);
    expect(h.view().context.prescription).toMatchObject({ received: false });
  });

  it('answers a retried delivery of the same prescription without printing or recording it twice', async () => {
    const out = join(tmp(), 'count');
    const h = setup({ kind: 'command', command: ['sh', '-c', 'cat > /dev/null; echo x >> "$1"', 'lp', out] });
    toCall(h);
    await h.link.call('consult.prescription', { prescription: prescription() });
    await expect(h.link.call('consult.prescription', { prescription: prescription() })).resolves.toEqual({ stored: true, printed: true });
    expect(readFileSync(out, 'utf8')).toBe('x\n');
    expect(h.events.filter((e) => e.type === 'prescription.received')).toHaveLength(1);
  });

  it('deletes the PDFs an interrupted run left behind, and only those', () => {
    const dir = join(tmp(), 'prints');
    const h = setup({ kind: 'file', dir });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ordonnance-RX-2026-OLD00001.pdf'), '%PDF-1.3');
    writeFileSync(join(dir, 'notes.txt'), 'not ours');
    expect(h.consult.sweepLeftovers()).toBe(1);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('refuses a reprint when there is no prescription', async () => {
    const h = setup();
    await expect(h.consult.reprint()).rejects.toMatchObject({ code: 'NO_PRESCRIPTION' });
  });
});
