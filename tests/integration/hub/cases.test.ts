/**
 * Forwarded cases on a real hub (real booth links, real consoles and counter
 * pages over WebSocket, the real record): a case is queued only once every
 * part has arrived, whatever the order; one answer wins and the other doctor
 * is told who; the answer is signed and its prescription never queued for the
 * booth; another specialty, another pharmacy and a forged id are refused and
 * learn nothing; the video's cap holds before a byte is stored and a cut
 * upload resumes; an urgent answer rings until someone at the counter takes
 * it; the counter's deferred request reaches the booth stamped on the hub's clock.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubLink } from '../../../src/host/hub-link';
import { verifyCaseAnswer } from '../../../src/hub/consult/case-answer';
import { isValidPrescriptionNumber } from '../../../src/hub/consult/prescription';
import { hashSecret } from '../../../src/hub/directory';
import type { Hub } from '../../../src/hub/server';
import { createLogger } from '../../../src/node/logger';
import { CASE, caseVideoUrl, type CaseAnswer, type CaseFile, type CaseQueueNote, type CounterCase } from '../../../src/shared/case-protocol';
import { MAX_VIDEO_BYTES } from '../../../src/shared/case-record';
import { COUNTER, COUNTER_API, COUNTER_WS_PATH } from '../../../src/shared/counter-protocol';
import type { IntakeInput } from '../../../src/shared/intake';
import { INTAKE, type IntakeUpdate } from '../../../src/shared/intake-protocol';
import { photoUrl } from '../../../src/shared/consult-protocol';
import { caseParts, ingest, sendCase, upload, type CaseParts } from '../../helpers/cases';
import { BOOTH_SECRETS, SPECIALISTS, STAFF, freshDataDir, startTestHub, testHubConfig } from '../../helpers/hub';
import { ConsoleClient } from '../../resilience/support/clients';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const BERNARD = { id: 'dr-bernard', email: 'dr.bernard@cabine.example', password: 'consultation-derm', name: 'Dr Paul Bernard' };
let hub: Hub;
let dataDir: string;
const links: { boothId: string; link: HubLink }[] = [];
const clients: ConsoleClient[] = [];

beforeAll(async () => {
  const config = await testHubConfig();
  dataDir = config.dataDir;
  config.specialists.push({ id: BERNARD.id, email: BERNARD.email, name: BERNARD.name, specialty: 'Dermatologie', cases: ['dermatology'], passwordHash: await hashSecret(BERNARD.password, 1024) });
  // The shortest re-ring the config allows: the urgent answer's second ring comes within the test.
  hub = await startTestHub({ consoleDir: '/nonexistent', config: { ...config, counter: { ringAgainSeconds: 5 } } });
});
afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  for (const l of links) await l.link.stop();
  await hub?.close();
});

async function booth(boothId: keyof typeof BOOTH_SECRETS): Promise<HubLink> {
  // One link per booth: two would keep replacing each other.
  for (const old of links.filter((l) => l.boothId === boothId)) await old.link.stop();
  const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId, token: BOOTH_SECRETS[boothId], log: silent, minDelayMs: 50, maxDelayMs: 200 });
  links.push({ boothId, link });
  link.start();
  await expect.poll(() => link.status).toBe('online');
  return link;
}

async function doctor(who: { email: string; password: string }): Promise<ConsoleClient> {
  const c = await ConsoleClient.login(hub.url, who.email, who.password);
  clients.push(c);
  return c;
}

async function counterPage(who: (typeof STAFF)[number]): Promise<ConsoleClient> {
  const res = await fetch(`${hub.url}${COUNTER_API.login}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: who.email, password: who.password }) });
  const page = await ConsoleClient.open(hub.url, { cookie: res.headers.get('set-cookie')!.split(';')[0]!, origin: hub.url }, COUNTER_WS_PATH);
  clients.push(page);
  return page;
}

const queued = (c: ConsoleClient, caseId: string): CaseQueueNote['cases'][number] | undefined =>
  c.of<CaseQueueNote>(CASE.queueNote).at(-1)?.cases.find((s) => s.caseId === caseId);

const answer = (caseId: string, over: Record<string, unknown> = {}) => ({
  caseId, kind: 'advice', advice: 'Lésion bénigne : hydratez la peau matin et soir.', urgency: 'routine',
  prescription: { items: [{ name: 'Dexeryl crème', dosage: 'une application matin et soir' }] }, ...over,
});

async function waitingCase(link: HubLink, specialty: 'general' | 'dermatology' = 'general'): Promise<CaseParts> {
  const c = caseParts('demo-booth-1', specialty);
  await sendCase(link, c);
  await expect.poll(async () => (await hub.record.repo.caseRow(c.caseId))?.state).toBe('waiting');
  return c;
}

describe('forwarded cases on the hub', () => {
  it('keeps a case whose manifest arrives before its parts incomplete, and queues it with a note once its last upload and item land', async () => {
    const link = await booth('demo-booth-1');
    const martin = await doctor(SPECIALISTS[0]);
    const bernard = await doctor(BERNARD);
    const c = caseParts('demo-booth-1', 'general');

    await ingest(link, [c.manifest]);
    expect(await hub.record.repo.caseRow(c.caseId)).toMatchObject({ state: 'incomplete', pharmacyId: 'pharmacie-test-1', specialty: 'general', pickupCode: 'K7M4QP', receivedAt: null });
    await upload(link, c.photo, c.photoBytes);
    await ingest(link, [c.reading, c.photo]);
    await upload(link, c.video, c.videoBytes, 0, 1);
    expect((await hub.record.repo.caseRow(c.caseId))?.state).toBe('incomplete');
    expect((await martin.call<{ cases: { caseId: string }[] }>(CASE.list)).cases.map((s) => s.caseId)).not.toContain(c.caseId);
    await expect(martin.call(CASE.open, { caseId: c.caseId })).rejects.toMatchObject({ code: 'CASE_INCOMPLETE' });

    await upload(link, c.video, c.videoBytes, 1);
    await ingest(link, [c.video]);
    await expect.poll(() => queued(martin, c.caseId)).toMatchObject({ state: 'waiting', specialty: 'general', patient: { firstName: 'Jeanne', age: expect.any(Number) }, question: 'Cette lésion est-elle suspecte ?' });
    const row = await hub.record.repo.caseRow(c.caseId);
    expect(row?.receivedAt).toEqual(expect.any(String));
    expect(queued(martin, c.caseId)?.dueAt).toBe(new Date(Date.parse(row!.receivedAt!) + 24 * 3600_000).toISOString());
    expect(JSON.stringify(bernard.notes)).not.toContain(c.caseId);

    const file = await martin.call<CaseFile>(CASE.open, { caseId: c.caseId });
    expect(file).toMatchObject({ compiledBy: 'Marie, Pharmacie test 1', note: 'Apparue il y a trois semaines.', answer: null, video: { url: caseVideoUrl(c.video.id) } });
    expect(file.readings.map((r) => r.id)).toEqual([c.reading.id]);
    expect(file.photos.map((p) => p.url)).toEqual([photoUrl(c.photo.id)]);
  });

  it('lets two doctors answer at once: exactly one wins, signed, and the other is told who answered', async () => {
    const link = await booth('demo-booth-1');
    const c = await waitingCase(link);
    const martin = await doctor(SPECIALISTS[0]);
    const durand = await doctor(SPECIALISTS[1]);
    const results = await Promise.allSettled([
      martin.call<CaseAnswer>(CASE.answer, answer(c.caseId)),
      durand.call<CaseAnswer>(CASE.answer, answer(c.caseId, { advice: 'Consultez en présentiel.', prescription: undefined })),
    ]);
    const won = results.filter((r): r is PromiseFulfilledResult<CaseAnswer> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = won[0]!.value;
    expect(lost[0]!.reason).toMatchObject({ code: 'CASE_ALREADY_ANSWERED', message: expect.stringContaining(winner.answeredBy.name) });

    const key = Buffer.from(readFileSync(join(dataDir, 'prescription.key'), 'utf8').trim(), 'base64');
    expect(verifyCaseAnswer(winner, key)).toBe(true);
    expect(verifyCaseAnswer({ ...winner, advice: 'autre chose' }, key)).toBe(false);
    const stored = await hub.record.repo.caseRow(c.caseId);
    expect(stored).toMatchObject({ state: 'answered', answer: winner, answeredBy: winner.answeredBy.id });
    if (winner.prescription) {
      expect(isValidPrescriptionNumber(winner.prescription.number)).toBe(true);
      expect(winner.prescription).toMatchObject({ sessionId: c.sessionId, boothId: 'demo-booth-1', patient: { firstName: 'Jeanne' } });
      // Printed at the counter: never queued for a booth that has wiped the session.
      expect((await hub.record.repo.pendingPrescriptions('demo-booth-1')).map((p) => p.number)).not.toContain(winner.prescription.number);
    }
    await expect(martin.call(CASE.answer, answer(c.caseId))).rejects.toMatchObject({ code: 'CASE_ALREADY_ANSWERED' });
    await expect.poll(() => queued(durand, c.caseId)).toMatchObject({ state: 'answered', answeredBy: winner.answeredBy.name });
  });

  it('refuses a doctor of another specialty, a counter of another pharmacy and a forged case id, and shows none of them anything', async () => {
    const link = await booth('demo-booth-1');
    const c = await waitingCase(link, 'dermatology');
    const martin = await doctor(SPECIALISTS[0]);
    const bernard = await doctor(BERNARD);
    const paul = await counterPage(STAFF[1]);
    const marie = await counterPage(STAFF[0]);

    expect((await martin.call<{ cases: { caseId: string }[] }>(CASE.list)).cases.map((s) => s.caseId)).not.toContain(c.caseId);
    await expect(martin.call(CASE.open, { caseId: c.caseId })).rejects.toMatchObject({ code: 'NOT_YOUR_SPECIALTY' });
    await expect(martin.call(CASE.answer, answer(c.caseId))).rejects.toMatchObject({ code: 'NOT_YOUR_SPECIALTY' });
    const forged = randomUUID();
    await expect(bernard.call(CASE.open, { caseId: forged })).rejects.toMatchObject({ code: 'UNKNOWN_CASE' });
    await expect(bernard.call(CASE.answer, answer(forged))).rejects.toMatchObject({ code: 'UNKNOWN_CASE' });

    // The blobs: the dermatologist reads them (the video by ranges), the other doctor gets the one 404 for everything.
    const get = (who: ConsoleClient, path: string, headers: Record<string, string> = {}) => fetch(`${hub.url}${path}`, { headers: { cookie: who.cookie, ...headers } });
    for (const path of [photoUrl(c.photo.id), caseVideoUrl(c.video.id), caseVideoUrl(forged)]) {
      const res = await get(martin, path);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain(c.caseId);
    }
    expect(Buffer.from(await (await get(bernard, photoUrl(c.photo.id))).arrayBuffer()).equals(c.photoBytes)).toBe(true);
    const ranged = await get(bernard, caseVideoUrl(c.video.id), { range: 'bytes=100-199' });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 100-199/${c.videoBytes.length}`);
    expect(ranged.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await ranged.arrayBuffer()).equals(c.videoBytes.subarray(100, 200))).toBe(true);
    expect((await get(bernard, caseVideoUrl(c.video.id), { range: `bytes=${c.videoBytes.length}-` })).status).toBe(416);

    // The counter: its own pharmacy's cases only; another's is unknown to it.
    await expect.poll(async () => (await marie.call<{ cases: CounterCase[] }>(CASE.counterList)).cases.map((x) => x.caseId)).toContain(c.caseId);
    expect((await paul.call<{ cases: CounterCase[] }>(CASE.counterList)).cases.map((x) => x.caseId)).not.toContain(c.caseId);
    await expect(paul.call(CASE.acknowledge, { caseId: c.caseId })).rejects.toMatchObject({ code: 'UNKNOWN_CASE' });
    await expect(paul.call(CASE.acknowledge, { caseId: forged })).rejects.toMatchObject({ code: 'UNKNOWN_CASE' });
    expect(JSON.stringify(paul.notes)).not.toContain(c.caseId);
    expect(await hub.cases.counterCaseFor({ staffId: 'marie', firstName: 'Marie', pharmacyId: 'pharmacie-test-1' }, c.caseId)).toMatchObject({ caseId: c.caseId, contactPhone: '0612345678' });
    await expect(hub.cases.counterCaseFor({ staffId: 'paul', firstName: 'Paul', pharmacyId: 'pharmacie-test-2' }, c.caseId)).rejects.toMatchObject({ code: 'UNKNOWN_CASE' });
  });

  it('refuses a video declared over the cap before storing a byte', async () => {
    const link = await booth('demo-booth-2');
    const blobId = randomUUID();
    await expect(link.request('record.blobChunk', { blobId, contentType: 'video/webm', totalBytes: MAX_VIDEO_BYTES + 1, index: 0, count: 161, sha256: 'a'.repeat(64) }, { bytes: Buffer.alloc(192 * 1024) }))
      .rejects.toMatchObject({ code: 'BINARY_TOO_LARGE' });
    expect(await hub.record.repo.blobComplete(blobId)).toBe(false);
    expect(await hub.record.repo.photoBytes(blobId)).toBeNull();
  });

  it('resumes a video upload cut midway and accepts the video once whole', async () => {
    const c = caseParts('demo-booth-2', 'general', { name: 'Pharmacie test 2', city: 'Aurillac' });
    const first = await booth('demo-booth-2');
    await upload(first, c.video, c.videoBytes, 0, 1);
    await first.stop();
    await expect(ingest(await booth('demo-booth-2'), [c.video])).rejects.toMatchObject({ code: 'VIDEO_INCOMPLETE' });
    const again = await booth('demo-booth-2');
    // The outbox sends the cut upload again from its start: chunks held are taken again without harm.
    await upload(again, c.video, c.videoBytes);
    await expect(ingest(again, [c.video])).resolves.toMatchObject({ acked: [c.video.id] });
    expect((await hub.record.repo.photoBytes(c.video.id))?.equals(c.videoBytes)).toBe(true);
  });

  it('rings the pharmacy\'s counter for an urgent answer until a member of staff takes it, and records who', async () => {
    const link = await booth('demo-booth-1');
    const c = await waitingCase(link);
    const marie = await counterPage(STAFF[0]);
    const paul = await counterPage(STAFF[1]);
    const martin = await doctor(SPECIALISTS[0]);
    await expect(marie.call(CASE.acknowledge, { caseId: c.caseId })).rejects.toMatchObject({ code: 'CASE_NOT_ANSWERED' });
    await martin.call(CASE.answer, answer(c.caseId, { kind: 'live-needed', liveWithin: 'today', urgency: 'urgent', prescription: undefined }));
    const rings = () => marie.of<{ caseId: string; ring: number }>(CASE.ringNote).filter((r) => r.caseId === c.caseId).map((r) => r.ring);
    await expect.poll(rings).toEqual([1]);
    await expect.poll(rings, { timeout: 15_000 }).toEqual([1, 2]);
    expect(JSON.stringify(paul.notes)).not.toContain(c.caseId);

    await expect(marie.call(CASE.acknowledge, { caseId: c.caseId })).resolves.toMatchObject({ acknowledgedBy: { staffId: 'marie', name: 'Marie Dubois' } });
    await expect.poll(() => marie.of<{ cases: CounterCase[] }>(CASE.counterNote).at(-1)?.cases.find((x) => x.caseId === c.caseId)?.acknowledgedBy).toMatchObject({ staffId: 'marie', name: 'Marie Dubois' });
    expect((await hub.record.repo.caseRow(c.caseId))?.acknowledgedBy).toMatchObject({ staffId: 'marie' });
    const heard = rings().length;
    // Past the next re-ring: nothing more.
    await new Promise((r) => setTimeout(r, 6_000));
    expect(rings()).toHaveLength(heard);
  });

  it('carries a deferred case request to the booth with the consent stamped on the hub\'s clock, and refuses a malformed one in words, sending nothing', async () => {
    const link = await booth('demo-booth-1');
    const updates: IntakeUpdate[] = [];
    link.handle(INTAKE.update, (p) => {
      updates.push(p as IntakeUpdate);
      return { accepted: true };
    });
    const intake: IntakeInput = {
      identity: { birthName: 'Martin', firstNames: 'Jeanne Louise', birthDate: '1941-03-07', sex: 'F', nir: '2 41 03 75 056 123 28' },
      reason: { code: 'skin', text: 'plaque au bras' }, pathway: { pathway: 'gp-known' }, gp: null, reportToGp: false,
    };
    const request = { specialty: 'dermatology', question: 'Cette lésion est-elle suspecte ?', contactPhone: '06 12 34 56 78', checklist: [{ id: 'i1', kind: 'dermatoscope-photo', bodySite: 'avant-bras gauche' }], consent: true };
    const marie = await counterPage(STAFF[0]);
    const before = Date.now();
    await expect(marie.call(COUNTER.setIntake, { boothId: 'demo-booth-1', sessionId: 'session-case', intake, deferred: request })).resolves.toEqual({ accepted: true });
    expect(updates).toHaveLength(1);
    expect(updates[0]!.deferred).toEqual({ request: { ...request, contactPhone: '0612345678', note: '' }, consentAt: expect.any(String) });
    expect(Date.parse(updates[0]!.deferred!.consentAt)).toBeGreaterThanOrEqual(before - 1_000);
    expect(updates[0]!.staff).toMatchObject({ staffId: 'marie', name: 'Marie' });

    updates.length = 0;
    const refusal = marie.call(COUNTER.setIntake, { boothId: 'demo-booth-1', sessionId: 'session-case', intake, deferred: { ...request, contactPhone: '12', consent: false } });
    await expect(refusal).rejects.toMatchObject({ code: 'INVALID_CASE', message: expect.stringMatching(/numéro où rappeler.*accord du patient|accord du patient.*numéro où rappeler/) });
    await expect(marie.call(COUNTER.setIntake, { boothId: 'demo-booth-1', sessionId: 'session-case', intake, deferred: 'dermato' })).rejects.toMatchObject({ code: 'INVALID_CASE' });
    expect(updates).toEqual([]);
  });
});

describe('a hub that stopped between storing a case\'s last part and queueing it', () => {
  it('queues the case when it starts again, for the first doctor who opens the queue', async () => {
    const config = await testHubConfig(freshDataDir());
    let first: Hub | null = await startTestHub({ consoleDir: '/nonexistent', config });
    let second: Hub | null = null;
    const link = new HubLink({ url: `ws://127.0.0.1:${first.port}/booth`, boothId: 'demo-booth-2', token: BOOTH_SECRETS['demo-booth-2'], log: silent, minDelayMs: 50, maxDelayMs: 200 });
    try {
      link.start();
      await expect.poll(() => link.status).toBe('online');
      const c = caseParts('demo-booth-2', 'general', { name: 'Pharmacie test 2', city: 'Aurillac' });
      await upload(link, c.photo, c.photoBytes);
      await upload(link, c.video, c.videoBytes);
      await ingest(link, [c.reading, c.photo, c.video]);
      await link.stop();
      // The manifest stored, the hub gone before it looked at it: what a crash between the two leaves.
      await first.record.repo.ingest('demo-booth-2', randomUUID(), [c.manifest], 'pharmacie-test-2');
      expect((await first.record.repo.caseRow(c.caseId))?.state).toBe('incomplete');
      await first.close();
      first = null;

      second = await startTestHub({ consoleDir: '/nonexistent', config });
      // The first doctor to open the queue finds the case in it.
      const martin = await ConsoleClient.login(second.url, SPECIALISTS[0].email, SPECIALISTS[0].password);
      clients.push(martin);
      await expect.poll(() => martin.of<CaseQueueNote>(CASE.queueNote).at(-1)?.cases.find((x) => x.caseId === c.caseId)?.state).toBe('waiting');
      expect((await second.record.repo.caseRow(c.caseId))?.state).toBe('waiting');
    } finally {
      await link.stop();
      await first?.close();
      await second?.close();
    }
  });
});
