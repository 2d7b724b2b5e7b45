/**
 * The consultation's data plane through a real hub (real mediasoup worker,
 * real SQLite record in a temporary folder): booths are real HubLinks with
 * their demo secrets, consoles are WebSockets logged in over HTTP with the
 * session cookie. Readings and photos reach only the claimant, measurement
 * requests and progress go both ways, prescriptions are stored and delivered
 * until the booth acknowledges them, photos and reports are served only to
 * the specialist who held the session.
 */
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { Bundle, ClinicalImpression, MedicationRequest, Observation } from 'fhir/r4';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HubLink } from '../../../src/host/hub-link';
import { isValidPrescriptionNumber } from '../../../src/hub/consult/prescription';
import type { Hub } from '../../../src/hub/server';
import { ContextCatchUp, type ContextNote, type MeasurementProgress, type PhotoNote, type Prescription, type ReadingNote } from '../../../src/shared/consult-protocol';
import type { DeviceStatus, Reading } from '../../../src/shared/domain';
import type { PhotoMeta, RecordItem } from '../../../src/shared/record-protocol';
import { hashSecret } from '../../../src/hub/directory';
import { BOOTH_SECRETS, SPECIALISTS, startTestHub, testHubConfig } from '../../helpers/hub';
import { bloodPressure, silentLog, tempDir, temperature } from '../../helpers/store';
import { ConsoleClient } from '../../resilience/support/clients';
import { fhirR4Validator } from '../../helpers/fhir-schema';

const LEROY = { email: 'dr.leroy@cabine.example', password: 'sans-consultation-ici' } as const;
let hub: Hub;
let dataDir: { dir: string; cleanup: () => void };
const links: HubLink[] = [];
const sockets: WebSocket[] = [];
const consoles: ConsoleClient[] = [];

beforeAll(async () => {
  dataDir = tempDir('cabine-consult-');
  const config = await testHubConfig();
  // A third doctor who never claims a booth here: the "no consultation" cases.
  config.specialists.push({ id: 'dr-leroy', email: LEROY.email, name: 'Dr Anne Leroy', specialty: 'Dermatologie', passwordHash: await hashSecret(LEROY.password, 1024), cases: ['dermatology'] });
  hub = await startTestHub({ consoleDir: '/nonexistent', config: { ...config, dataDir: dataDir.dir } });
});

afterEach(async () => {
  // A side that drops out keeps its room for a grace period: end each consultation as a doctor would.
  for (const c of consoles.splice(0)) if (c.ws.readyState === WebSocket.OPEN) await c.call('room.leave', {}).catch(() => undefined);
  for (const s of sockets.splice(0)) s.terminate();
  for (const l of links.splice(0)) await l.stop();
  await expect.poll(() => hub.media!.service.roomCount()).toBe(0);
});

afterAll(async () => {
  await hub?.close();
  dataDir?.cleanup();
});

async function cookieOf(i: 0 | 1 | 'leroy'): Promise<string> {
  const who = i === 'leroy' ? LEROY : SPECIALISTS[i];
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: who.email, password: who.password }) });
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

async function specialist(i: 0 | 1 | 'leroy'): Promise<ConsoleClient> {
  const client = await ConsoleClient.open(hub.url, { cookie: await cookieOf(i), origin: hub.url });
  sockets.push(client.ws);
  consoles.push(client);
  return client;
}

type BoothId = keyof typeof BOOTH_SECRETS;

async function booth(id: BoothId, setup: (l: HubLink) => void = () => {}): Promise<HubLink> {
  const l = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: id, token: BOOTH_SECRETS[id], log: silentLog, minDelayMs: 50, maxDelayMs: 100 });
  setup(l);
  links.push(l);
  l.start();
  await new Promise<void>((resolve) => (l.status === 'online' ? resolve() : l.on('status', (s) => s === 'online' && resolve())));
  return l;
}

let seq = 1;
const readingItem = (boothId: string, r: Reading): RecordItem => ({ id: r.id, boothId, sessionId: r.sessionId, seq: seq++, kind: 'reading', data: r });
const ingest = (l: HubLink, items: RecordItem[]) => l.request<{ acked: string[]; duplicates: string[] }>('record.ingest', { batchId: uuidv7(), items });

/** A booth that queued with a session and a specialist who claimed it. */
async function claimed(boothId: BoothId, who: 0 | 1, setup?: (l: HubLink) => void): Promise<{ link: HubLink; doctor: ConsoleClient; sessionId: string }> {
  const sessionId = uuidv7();
  const link = await booth(boothId, setup);
  await link.request('queue.join', { sessionId, reason: 'Fièvre', patient: { firstName: 'Jeanne', age: 81 }, pathway: 'exception', exceptionReason: 'no-gp', language: 'fr' });
  const doctor = await specialist(who);
  await doctor.call('queue.claim', { boothId });
  return { link, doctor, sessionId };
}

const device = (kind: DeviceStatus['kind'], state: DeviceStatus['state'], model: string): DeviceStatus => ({
  deviceId: `${kind}-1`, kind, state, info: { id: `${kind}-1`, kind, model, serial: 'SN1', firmware: '1' }, at: new Date().toISOString(),
});

async function sendPhoto(l: HubLink, boothId: string, sessionId: string, bytes: Buffer, bodySite = 'avant-bras gauche'): Promise<PhotoMeta> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const meta: PhotoMeta = {
    id: uuidv7(), sessionId, mime: 'image/jpeg', width: 1920, height: 1080, byteLength: bytes.length, chunkCount: 1, sha256,
    takenAt: new Date().toISOString(), polarisation: 'polarised', bodySite,
  };
  await l.request('record.photoChunk', { photoId: meta.id, index: 0, count: 1, sha256, data: bytes.toString('base64') });
  await ingest(l, [{ id: meta.id, boothId, sessionId, seq: seq++, kind: 'photo', data: meta }]);
  return meta;
}

describe('readings relay', () => {
  it('sends the claimant the context at once, then each stored reading once with its id; a re-sent batch and an older session relay nothing; another specialist gets none', async () => {
    const { link, doctor, sessionId } = await claimed('demo-booth-1', 0);
    const other = await specialist(1);
    await expect.poll(() => doctor.of<ContextNote>('consult.context').length).toBe(1);
    expect(doctor.of<ContextNote>('consult.context')[0]).toMatchObject({
      boothId: 'demo-booth-1', pharmacy: { name: 'Pharmacie test 1' },
      patient: { sessionId, firstName: 'Jeanne', age: 81, pathway: 'exception', exceptionReason: 'no-gp', reason: 'Fièvre', language: 'fr' },
    });

    const first = temperature(38.4, sessionId);
    const stale = temperature(36.9, 'an-earlier-session');
    const items = [readingItem('demo-booth-1', first), readingItem('demo-booth-1', stale)];
    expect((await ingest(link, items)).acked).toEqual([first.id, stale.id]);
    expect((await ingest(link, items)).duplicates).toEqual([first.id, stale.id]);
    const second = bloodPressure(141, 88, 76, sessionId);
    await ingest(link, [readingItem('demo-booth-1', second)]);

    // The batches were answered in order, so the second reading's note comes after anything the resend could have sent.
    await expect.poll(() => doctor.of<ReadingNote>('consult.reading').length).toBeGreaterThanOrEqual(2);
    expect(doctor.of<ReadingNote>('consult.reading').map((n) => n.reading.id)).toEqual([first.id, second.id]);
    expect(doctor.of<ReadingNote>('consult.reading')[0]).toEqual({ boothId: 'demo-booth-1', roomId: hub.media!.service.roomOfBooth('demo-booth-1')!.id, reading: first });
    expect(other.of('consult.reading')).toEqual([]);

    // A reloaded console catches up from the record.
    const reloaded = await specialist(0);
    const ctx = await reloaded.call<ContextNote & { readings: Reading[]; photos: PhotoNote[] }>('consult.context', {});
    expect(ctx.readings.map((r) => r.id)).toEqual([first.id, second.id]);
    expect(ctx.patient.firstName).toBe('Jeanne');
    await expect(other.call('consult.context', {})).rejects.toMatchObject({ code: 'NO_ROOM' });
  });

  it('relays a photo as a note with its URL, and forwards the booth device list into the context', async () => {
    const { link, doctor, sessionId } = await claimed('demo-booth-2', 1);
    const devices = [device('thermometer', 'ready', 'TH-1'), device('dermatoscope', 'ready', 'D-1')];
    await link.request('consult.devices', { devices });
    await expect.poll(() => doctor.of('consult.devices')).toEqual([{ boothId: 'demo-booth-2', devices }]);
    const meta = await sendPhoto(link, 'demo-booth-2', sessionId, Buffer.from('not really a jpeg'));
    await expect.poll(() => doctor.of<PhotoNote>('consult.photo')).toEqual([{ boothId: 'demo-booth-2', roomId: expect.any(String), photo: meta, url: `/api/photos/${meta.id}` }]);
    const ctx = await doctor.call<ContextNote & { photos: PhotoNote[] }>('consult.context', {});
    expect(ctx.devices).toEqual(devices);
    expect(ctx.photos.map((p) => p.photo.id)).toEqual([meta.id]);
  });

  it('refuses a malformed device list or progress from a booth and keeps the previous list', async () => {
    const { link, doctor } = await claimed('demo-booth-1', 0);
    const devices = [device('oximeter', 'ready', 'OX-1')];
    await link.request('consult.devices', { devices });
    await expect(link.request('consult.devices', { devices: [{ kind: 'toaster' }] })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(link.request('consult.progress', { requestId: null, kind: 'spo2', stage: 'exploded', at: new Date().toISOString() })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect((await doctor.call<ContextNote>('consult.context', {})).devices).toEqual(devices);
  });
});

describe('measurement requests', () => {
  it('are refused without a room, for a missing or unplugged device, and when the booth is offline, each with a French message', async () => {
    const lonely = await specialist('leroy');
    await expect(lonely.call('consult.requestMeasurement', { kind: 'temperature' })).rejects.toMatchObject({ code: 'NO_ROOM', message: expect.stringContaining('salle d’attente') });

    const { link, doctor } = await claimed('demo-booth-1', 0);
    await link.request('consult.devices', { devices: [device('thermometer', 'ready', 'TH-1'), device('bp-cuff', 'disconnected', 'BP-1')] });
    await expect(doctor.call('consult.requestMeasurement', { kind: 'spo2' })).rejects.toMatchObject({ code: 'NO_DEVICE', message: expect.stringContaining('oxymètre') });
    await expect(doctor.call('consult.requestMeasurement', { kind: 'blood-pressure' })).rejects.toMatchObject({ code: 'NO_DEVICE', message: expect.stringMatching(/tensiomètre \(BP-1\) est débranché/) });
    await expect(doctor.call('consult.requestMeasurement', { kind: 'cuff-pressure' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });

    await link.stop();
    await expect.poll(() => hub.booths.peer('demo-booth-1')).toBeUndefined();
    await expect(doctor.call('consult.requestMeasurement', { kind: 'temperature' })).rejects.toMatchObject({ code: 'BOOTH_OFFLINE', message: expect.stringContaining('hors ligne') });
  });

  it('for the otoscope: carry the ear to the booth, refuse an ear that does not exist, and say the booth has no otoscope in good French', async () => {
    const received: unknown[] = [];
    const { link, doctor } = await claimed('demo-booth-2', 0, (l) => l.handle('consult.measurementRequested', (p) => {
      received.push(p);
      return { accepted: true };
    }));
    await link.request('consult.devices', { devices: [device('thermometer', 'ready', 'TH-1')] });
    await expect(doctor.call('consult.requestMeasurement', { kind: 'otoscope-photo', ear: 'left' })).rejects.toMatchObject({ code: 'NO_DEVICE', message: expect.stringContaining('pas d’otoscope') });
    await link.request('consult.devices', { devices: [device('thermometer', 'ready', 'TH-1'), device('otoscope', 'ready', 'USB Otoscope')] });
    for (const ear of ['middle', 'Left', undefined]) {
      await expect(doctor.call('consult.requestMeasurement', { kind: 'otoscope-photo', ...(ear ? { ear } : {}) })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    }
    const { requestId } = await doctor.call<{ requestId: string }>('consult.requestMeasurement', { kind: 'otoscope-photo', ear: 'right' });
    expect(received).toEqual([{ kind: 'otoscope-photo', ear: 'right', requestId }]);
    await link.request('consult.devices', { devices: [device('otoscope', 'disconnected', 'USB Otoscope')] });
    await expect(doctor.call('consult.requestMeasurement', { kind: 'otoscope-photo', ear: 'left' })).rejects.toMatchObject({ code: 'NO_DEVICE', message: expect.stringMatching(/L’otoscope \(USB Otoscope\) est débranché/) });
  });

  it('reach the booth with a request id, the console hears "requested" and then the booth\'s progress; a booth elsewhere in the flow answers NOT_NOW', async () => {
    const received: unknown[] = [];
    let accept = true;
    const { link, doctor } = await claimed('demo-booth-2', 0, (l) => l.handle('consult.measurementRequested', (p) => {
      received.push(p);
      return { accepted: accept };
    }));
    await link.request('consult.devices', { devices: [device('thermometer', 'ready', 'TH-1')] });
    const { requestId } = await doctor.call<{ requestId: string }>('consult.requestMeasurement', { kind: 'temperature', note: 'sous la langue' });
    expect(received).toEqual([{ kind: 'temperature', note: 'sous la langue', requestId }]);
    await expect.poll(() => doctor.of<MeasurementProgress>('consult.progress')).toEqual([{ requestId, kind: 'temperature', stage: 'requested', at: expect.any(String) }]);

    const measuring: MeasurementProgress = { requestId, kind: 'temperature', stage: 'guidance', step: 2, steps: 3, at: new Date().toISOString() };
    await link.request('consult.progress', measuring);
    await expect.poll(() => doctor.of<MeasurementProgress>('consult.progress').at(-1)).toEqual(measuring);

    accept = false;
    await expect(doctor.call('consult.requestMeasurement', { kind: 'temperature' })).rejects.toMatchObject({ code: 'NOT_NOW', message: expect.stringContaining('écran de consultation') });
    expect(doctor.of<MeasurementProgress>('consult.progress').filter((p) => p.stage === 'requested')).toHaveLength(1);
  });
});

describe('notes and prescription', () => {
  it('stores the latest notes of the session with their author', async () => {
    const { doctor, sessionId } = await claimed('demo-booth-1', 0);
    await doctor.call('consult.saveNotes', { text: 'Fièvre depuis 2 jours.' });
    await doctor.call('consult.saveNotes', { text: 'Fièvre depuis 2 jours. Pas de signe de gravité.' });
    expect(await hub.record.repo.notes(sessionId)).toMatchObject({ text: 'Fièvre depuis 2 jours. Pas de signe de gravité.', authorId: 'dr-martin' });
    await expect(doctor.call('consult.saveNotes', { text: 'x'.repeat(20_001) })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
  });

  it('keeps the last of several saves sent without waiting, as typing pauses send them, on either engine', async () => {
    const { doctor, sessionId } = await claimed('demo-booth-1', 0);
    const texts = Array.from({ length: 20 }, (_, i) => `Note, version ${i + 1}.`);
    await Promise.all(texts.map((text) => doctor.call('consult.saveNotes', { text })));
    expect(await hub.record.repo.notes(sessionId)).toMatchObject({ text: texts.at(-1) });
  });

  it('gives a reloaded console the notes already stored with the context catch-up, and them to no other specialist', async () => {
    const { doctor } = await claimed('demo-booth-1', 0);
    expect((await doctor.call<ContextCatchUp>('consult.context', {})).notes).toBeNull();
    await doctor.call('consult.saveNotes', { text: 'Fièvre depuis 2 jours. Pas de signe de gravité.' });
    doctor.ws.close();

    // A fresh connection of the same doctor, as a page reload makes.
    const reloaded = await specialist(0);
    const ctx = ContextCatchUp.parse(await reloaded.call('consult.context', {}));
    expect(ctx.notes).toMatchObject({ text: 'Fièvre depuis 2 jours. Pas de signe de gravité.' });
    await expect((await specialist(1)).call('consult.context', {})).rejects.toMatchObject({ code: 'NO_ROOM' });
  });

  it('issues a numbered prescription, keeps it pending while the booth cannot take it, and delivers it on reconnect exactly once', async () => {
    const delivered: Prescription[][] = [[], [], []];
    let connection = 0;
    const handler = (l: HubLink, i: number) => l.handle('consult.prescription', (p) => {
      const { prescription } = p as { prescription: Prescription };
      delivered[i]!.push(prescription);
      // The first connection's printer is jammed: the booth refuses, the hub must keep it.
      if (i === 0) throw Object.assign(new Error('printer jammed'), { code: 'PRINT_FAILED' });
      return { stored: true, printed: true };
    });
    const { link, doctor, sessionId } = await claimed('demo-booth-1', 0, (l) => handler(l, connection++));
    const items = [{ name: 'Paracétamol 500 mg, comprimé', dosage: '1 comprimé 3 fois par jour', duration: '5 jours', quantity: '1 boîte' }];
    const { prescription } = await doctor.call<{ prescription: Prescription }>('consult.prescribe', { items, instructions: 'Reconsulter si la fièvre persiste.' });
    expect(isValidPrescriptionNumber(prescription.number)).toBe(true);
    expect(prescription).toMatchObject({
      sessionId, boothId: 'demo-booth-1', items, instructions: 'Reconsulter si la fièvre persiste.',
      prescriber: { id: 'dr-martin', name: 'Dr Claire Martin', specialty: 'Médecine générale' }, patient: { firstName: 'Jeanne', age: 81 },
    });
    await expect.poll(() => delivered[0]!.length).toBe(1);
    expect(delivered[0]![0]).toEqual(prescription);
    const repo = hub.record.repo;
    expect((await repo.pendingPrescriptions('demo-booth-1')).map((p) => p.number)).toEqual([prescription.number]);

    // The booth reconnects (a new connection replaces the old one): the hub delivers it again, and it is acknowledged.
    await link.stop();
    const again = await booth('demo-booth-1', (l) => handler(l, connection++));
    await expect.poll(async () => (await repo.pendingPrescriptions('demo-booth-1')).length).toBe(0);
    expect(delivered[1]).toEqual([prescription]);
    expect(await repo.sessionPrescriptions(sessionId)).toEqual([{ prescription, deliveredAt: expect.any(String), printed: true }]);

    // A third connection gets only what is new.
    await again.stop();
    await booth('demo-booth-1', (l) => handler(l, connection++));
    const next = await doctor.call<{ prescription: Prescription }>('consult.prescribe', { items: [{ name: 'Ibuprofène 200 mg', dosage: '1 comprimé si douleur' }] });
    await expect.poll(() => delivered[2]!.map((p) => p.number)).toEqual([next.prescription.number]);
    expect(next.prescription.number).not.toBe(prescription.number);
  });

  it('keeps a prescription issued while the booth is offline and delivers it when the booth returns', async () => {
    const got: string[] = [];
    const { link, doctor } = await claimed('demo-booth-2', 1);
    await link.stop();
    await expect.poll(() => hub.booths.peer('demo-booth-2')).toBeUndefined();
    const { prescription } = await doctor.call<{ prescription: Prescription }>('consult.prescribe', { items: [{ name: 'Amoxicilline 1 g', dosage: '1 comprimé matin et soir', duration: '6 jours' }] });
    await booth('demo-booth-2', (l) => l.handle('consult.prescription', (p) => {
      got.push((p as { prescription: Prescription }).prescription.number);
      return { stored: true, printed: false };
    }));
    await expect.poll(() => got).toEqual([prescription.number]);
    await expect.poll(async () => (await hub.record.repo.pendingPrescriptions('demo-booth-2')).length).toBe(0);
  });

  it('after the doctor ends the call, still takes the notes and a prescription for that session (wrap-up) until the next claim', async () => {
    const got: string[] = [];
    const { doctor, sessionId } = await claimed('demo-booth-2', 0, (l) => l.handle('consult.prescription', (p) => {
      got.push((p as { prescription: Prescription }).prescription.number);
      return { stored: true, printed: true };
    }));
    await doctor.call('room.leave', {});
    await expect(doctor.call('consult.requestMeasurement', { kind: 'temperature' })).rejects.toMatchObject({ code: 'NO_ROOM' });
    await doctor.call('consult.saveNotes', { text: 'Compte rendu rédigé après l’appel.' });
    const { prescription } = await doctor.call<{ prescription: Prescription }>('consult.prescribe', { items: [{ name: 'Paracétamol 1 g', dosage: '1 comprimé' }] });
    expect(prescription).toMatchObject({ sessionId, boothId: 'demo-booth-2', patient: { firstName: 'Jeanne' } });
    await expect.poll(() => got).toEqual([prescription.number]);
    await expect.poll(() => doctor.of('consult.prescriptionDelivered')).toEqual([{ number: prescription.number, printed: true }]);
    expect(await hub.record.repo.notes(sessionId)).toMatchObject({ text: 'Compte rendu rédigé après l’appel.' });

    // The next patient: what the doctor writes now goes to the new session.
    const next = await booth('demo-booth-1');
    const nextSession = uuidv7();
    await next.request('queue.join', { sessionId: nextSession });
    await doctor.call('queue.claim', { boothId: 'demo-booth-1' });
    await doctor.call('consult.saveNotes', { text: 'Nouveau patient.' });
    expect((await hub.record.repo.notes(sessionId))!.text).toBe('Compte rendu rédigé après l’appel.');
    expect((await hub.record.repo.notes(nextSession))!.text).toBe('Nouveau patient.');
  });

  it('refuses a prescription without items or without a room', async () => {
    const lonely = await specialist('leroy');
    await expect(lonely.call('consult.prescribe', { items: [{ name: 'X', dosage: 'Y' }] })).rejects.toMatchObject({ code: 'NO_ROOM' });
    const { doctor } = await claimed('demo-booth-1', 0);
    await expect(doctor.call('consult.prescribe', { items: [] })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
  });
});

describe('photos and reports over HTTP', () => {
  it('serve a photo\'s exact bytes to the claimant only: 404 for another specialist or an unknown id, 401 without a session', async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.from('a dermatoscope still'), 0xff, 0xd9]);
    const { link, doctor } = await claimed('demo-booth-2', 0);
    const meta = await sendPhoto(link, 'demo-booth-2', (await doctor.call<ContextNote>('consult.context', {})).patient.sessionId!, bytes);
    const url = `${hub.url}/api/photos/${meta.id}`;
    const mine = await fetch(url, { headers: { cookie: doctor.cookie } });
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toBe('image/jpeg');
    expect(mine.headers.get('cache-control')).toBe('no-store');
    expect(mine.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await mine.arrayBuffer())).toEqual(bytes);

    const durand = await cookieOf(1);
    const theirs = await fetch(url, { headers: { cookie: durand } });
    const unknown = await fetch(`${hub.url}/api/photos/${randomUUID()}`, { headers: { cookie: durand } });
    expect([theirs.status, unknown.status]).toEqual([404, 404]);
    expect(await theirs.text()).toBe(await unknown.text());
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { cookie: 'cabine_session=forged' } })).status).toBe(401);
    expect((await fetch(url, { method: 'POST', headers: { cookie: doctor.cookie } })).status).toBe(405);
    // Odd ids are just unknown ones: no error, no hint.
    for (const odd of ['..%2F..%2Frecord.db', '%E0%A4%A', 'x'.repeat(300)]) {
      const res = await fetch(`${hub.url}/api/photos/${odd}`, { headers: { cookie: doctor.cookie } });
      expect([odd, res.status, await res.text()]).toEqual([odd, 404, await (await fetch(`${hub.url}/api/photos/${randomUUID()}`, { headers: { cookie: doctor.cookie } })).text()]);
    }
  });

  it('serve the photo of a booth that gave no session id to the claimant while the consultation lasts, and no longer after it', async () => {
    const link = await booth('demo-booth-1');
    await link.request('queue.join', { patient: { firstName: 'Paul' } });
    const doctor = await specialist(0);
    await doctor.call('queue.claim', { boothId: 'demo-booth-1' });
    const bytes = Buffer.from('a still without a session');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const meta: PhotoMeta = { id: uuidv7(), sessionId: null, mime: 'image/png', width: 10, height: 10, byteLength: bytes.length, chunkCount: 1, sha256, takenAt: new Date().toISOString(), polarisation: 'none' };
    await link.request('record.photoChunk', { photoId: meta.id, index: 0, count: 1, sha256, data: bytes.toString('base64') });
    await ingest(link, [{ id: meta.id, boothId: 'demo-booth-1', sessionId: null, seq: seq++, kind: 'photo', data: meta }]);
    await expect.poll(() => doctor.of<PhotoNote>('consult.photo').map((n) => n.photo.id)).toEqual([meta.id]);
    const url = `${hub.url}/api/photos/${meta.id}`;
    const during = await fetch(url, { headers: { cookie: doctor.cookie } });
    expect(during.status).toBe(200);
    expect(Buffer.from(await during.arrayBuffer())).toEqual(bytes);
    expect((await fetch(url, { headers: { cookie: await cookieOf(1) } })).status).toBe(404);
    await doctor.call('room.leave', {});
    expect((await fetch(url, { headers: { cookie: doctor.cookie } })).status).toBe(404);
  });

  describe('the GP report', () => {
    let validate: ValidateFunction;
    beforeAll(() => {
      validate = fhirR4Validator();
    });

    it('is a PDF and a valid FHIR R4 bundle holding the readings, notes and prescription, for the specialist who held the session only', async () => {
      const { link, doctor, sessionId } = await claimed('demo-booth-1', 0);
      const identity: RecordItem = {
        id: uuidv7(), boothId: 'demo-booth-1', sessionId, seq: seq++, kind: 'sessionEvent',
        data: { id: uuidv7(), sessionId, type: 'identity', at: new Date().toISOString(), data: { firstName: 'Jeanne', lastName: 'Durand', birthDate: '1944-05-02' } },
      };
      const t = temperature(38.4, sessionId);
      const bp = bloodPressure(141, 88, 76, sessionId);
      await ingest(link, [identity, readingItem('demo-booth-1', t), readingItem('demo-booth-1', bp)]);
      const photo = await sendPhoto(link, 'demo-booth-1', sessionId, Buffer.from('jpeg bytes'));
      await doctor.call('consult.saveNotes', { text: 'Syndrome grippal probable.' });
      const { prescription } = await doctor.call<{ prescription: Prescription }>('consult.prescribe', { items: [{ name: 'Paracétamol 1 g', dosage: '1 comprimé toutes les 6 heures', duration: '3 jours' }] });

      const base = `${hub.url}/api/sessions/${sessionId}`;
      const pdf = await fetch(`${base}/report.pdf`, { headers: { cookie: doctor.cookie } });
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      expect(pdf.headers.get('cache-control')).toBe('no-store');
      const pdfBytes = Buffer.from(await pdf.arrayBuffer());
      expect(pdfBytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      // The prescription's QR code is an embedded image.
      expect(pdfBytes.toString('latin1')).toMatch(/\/Subtype \/Image/);

      const fhir = await fetch(`${base}/report.fhir.json`, { headers: { cookie: doctor.cookie } });
      expect(fhir.status).toBe(200);
      const bundle = await fhir.json() as Bundle;
      expect(validate(bundle)).toBe(true);
      const resources = bundle.entry!.map((e) => e.resource!);
      const observations = resources.filter((r): r is Observation => r.resourceType === 'Observation').map((o) => o.id);
      expect(observations).toEqual(expect.arrayContaining([t.id, bp.id]));
      expect(resources.filter((r) => r.resourceType === 'Media').map((m) => m.id)).toEqual([photo.id]);
      expect(resources.find((r): r is ClinicalImpression => r.resourceType === 'ClinicalImpression')!.summary).toBe('Syndrome grippal probable.');
      const orders = resources.filter((r): r is MedicationRequest => r.resourceType === 'MedicationRequest');
      expect(orders.map((o) => [o.groupIdentifier!.value, o.medicationCodeableConcept!.text, o.status, o.intent])).toEqual([[prescription.number, 'Paracétamol 1 g', 'active', 'order']]);
      expect(orders[0]!.dosageInstruction![0]!.text).toBe('1 comprimé toutes les 6 heures, pendant 3 jours');
      const prescriber = resources.find((r) => r.resourceType === 'Practitioner')!;
      expect(orders[0]!.requester!.reference).toBe(`urn:uuid:${prescriber.id}`);
      // The bundle names no one: the subject is a pseudonym.
      expect(JSON.stringify(bundle)).not.toContain('Durand');

      const durand = await cookieOf(1);
      expect((await fetch(`${base}/report.pdf`, { headers: { cookie: durand } })).status).toBe(404);
      expect((await fetch(`${base}/report.fhir.json`, { headers: { cookie: durand } })).status).toBe(404);
      expect((await fetch(`${hub.url}/api/sessions/${uuidv7()}/report.pdf`, { headers: { cookie: doctor.cookie } })).status).toBe(404);
      expect((await fetch(`${base}/report.pdf`)).status).toBe(401);
    });

    it('is caught by the schema when a resource is broken (so the validation can fail)', async () => {
      const { doctor, sessionId } = await claimed('demo-booth-2', 1);
      await doctor.call('consult.prescribe', { items: [{ name: 'Paracétamol 1 g', dosage: '1 comprimé' }] });
      const bundle = await (await fetch(`${hub.url}/api/sessions/${sessionId}/report.fhir.json`, { headers: { cookie: doctor.cookie } })).json() as Bundle;
      expect(validate(bundle)).toBe(true);
      // NOTE: the schema checks structure, not code values (status, intent are plain `code`s): those are asserted above.
      delete (bundle.entry!.find((e) => e.resource!.resourceType === 'MedicationRequest')!.resource as unknown as Record<string, unknown>).subject;
      expect(validate(bundle)).toBe(false);
    });
  });
});

it('keeps the prescription signing key in a 0600 file of the hub data folder', async () => {
  const { doctor } = await claimed('demo-booth-1', 0);
  await doctor.call('consult.prescribe', { items: [{ name: 'X', dosage: 'Y' }] });
  const { statSync } = await import('node:fs');
  expect(statSync(join(dataDir.dir, 'prescription.key')).mode & 0o777).toBe(0o600);
});
