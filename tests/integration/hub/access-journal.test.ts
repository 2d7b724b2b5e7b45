/**
 * The access journal on a real hub (real record on SQLite, or PostgreSQL with
 * CABINE_TEST_HUB_STORE=postgresql; real booth links, consoles and counter
 * pages over WebSocket, real HTTP): every read and write of patient data
 * leaves an entry naming who (account and role), what (ids), from where, and
 * whether it was allowed; a signed-in caller refused a foreign item leaves a
 * refused entry; a stranger without a cookie leaves none; with the journal
 * out of reach, a photo, a report or a session's context is refused (503 /
 * JOURNAL_UNAVAILABLE) and not a byte of it leaves. The journal here is the
 * in-memory one the hub takes through HubOptions.journal: what is tested is
 * what the features report, not the chain (h21journal's tests).
 */
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HubLink } from '../../../src/host/hub-link';
import { MemoryJournal } from '../../../src/hub/journal/fake';
import type { JournalEntry } from '../../../src/hub/journal/types';
import type { Hub } from '../../../src/hub/server';
import { CASE, caseBundleUrl, caseAnswerPdfUrl } from '../../../src/shared/case-protocol';
import { COUNTER, COUNTER_API, COUNTER_WS_PATH } from '../../../src/shared/counter-protocol';
import type { PhotoMeta, RecordItem } from '../../../src/shared/record-protocol';
import { caseParts, sendCase } from '../../helpers/cases';
import { BOOTH_SECRETS, SPECIALISTS, STAFF, startTestHub, testHubConfig } from '../../helpers/hub';
import { silentLog, temperature } from '../../helpers/store';
import { ConsoleClient } from '../../resilience/support/clients';

const journal = new MemoryJournal();
let hub: Hub;
const links: HubLink[] = [];
const clients: ConsoleClient[] = [];

beforeAll(async () => {
  hub = await startTestHub({ consoleDir: '/nonexistent', config: await testHubConfig(), journal });
});

afterEach(async () => {
  journal.failing = null;
  const open = clients.splice(0);
  for (const c of open) if (c.ws.readyState === WebSocket.OPEN) await c.call('room.leave', {}).catch(() => undefined);
  for (const c of open) c.ws.terminate();
  for (const l of links.splice(0)) await l.stop();
  await expect.poll(() => hub.media!.service.roomCount()).toBe(0);
});

afterAll(async () => {
  await hub?.close();
});

/** Entries written from now on: `since()` gives the mark, `after(mark)` what came after it. */
const since = (): number => journal.entries.length;
const after = (mark: number): JournalEntry[] => journal.entries.slice(mark);

async function cookieOf(who: { email: string; password: string }, path = '/api/login'): Promise<string> {
  const res = await fetch(`${hub.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: who.email, password: who.password }) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

async function doctor(i: 0 | 1): Promise<ConsoleClient> {
  const c = await ConsoleClient.open(hub.url, { cookie: await cookieOf(SPECIALISTS[i]), origin: hub.url });
  clients.push(c);
  return c;
}

async function counterPage(who: (typeof STAFF)[number]): Promise<ConsoleClient> {
  const page = await ConsoleClient.open(hub.url, { cookie: await cookieOf(who, COUNTER_API.login), origin: hub.url }, COUNTER_WS_PATH);
  clients.push(page);
  return page;
}

async function booth(id: keyof typeof BOOTH_SECRETS): Promise<HubLink> {
  const l = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: id, token: BOOTH_SECRETS[id], log: silentLog, minDelayMs: 50, maxDelayMs: 100 });
  links.push(l);
  l.start();
  await expect.poll(() => l.status).toBe('online');
  return l;
}

let seq = 1;
const ingest = (l: HubLink, items: RecordItem[]) => l.request<{ acked: string[] }>('record.ingest', { batchId: uuidv7(), items });

async function sendPhoto(l: HubLink, sessionId: string, bytes: Buffer): Promise<PhotoMeta> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const meta: PhotoMeta = {
    id: uuidv7(), sessionId, mime: 'image/jpeg', width: 1920, height: 1080, byteLength: bytes.length, chunkCount: 1, sha256,
    takenAt: new Date().toISOString(), polarisation: 'polarised', bodySite: 'avant-bras gauche',
  };
  await l.request('record.photoChunk', { photoId: meta.id, index: 0, count: 1, sha256, data: bytes.toString('base64') });
  await ingest(l, [{ id: meta.id, boothId: 'demo-booth-1', sessionId, seq: seq++, kind: 'photo', data: meta }]);
  return meta;
}

/** demo-booth-1 queued with a session, claimed by Dr Martin, a photo of the session stored and the claim recorded. */
async function consultation(): Promise<{ link: HubLink; martin: ConsoleClient; sessionId: string; photo: PhotoMeta; bytes: Buffer }> {
  const sessionId = uuidv7();
  const link = await booth('demo-booth-1');
  await link.request('queue.join', { sessionId, reason: 'Fièvre', patient: { firstName: 'Jeanne', age: 81 }, pathway: 'exception', exceptionReason: 'no-gp', language: 'fr' });
  const martin = await doctor(0);
  await martin.call('queue.claim', { boothId: 'demo-booth-1' });
  await expect.poll(async () => (await hub.record.repo.claimsOf('dr-martin', sessionId)).length).toBe(1);
  const bytes = Buffer.from('JPEG-BYTES-OF-A-SKIN-LESION');
  const photo = await sendPhoto(link, sessionId, bytes);
  return { link, martin, sessionId, photo, bytes };
}

const MARTIN = { role: 'specialist', id: 'dr-martin' } as const;

describe('the access journal of a consultation', () => {
  it('journals the opening of a session once, then each photo, report and FHIR export the doctor reads, and the booth\'s batch and notes as writes', async () => {
    const mark = since();
    const { link, martin, sessionId, photo, bytes } = await consultation();
    await martin.call('consult.context', {});
    await martin.call('consult.context', {});
    await ingest(link, [{ id: uuidv7(), boothId: 'demo-booth-1', sessionId, seq: seq++, kind: 'reading', data: temperature(38.2, sessionId) }]);
    await martin.call('consult.saveNotes', { text: 'Fièvre depuis deux jours.' });
    const got = await fetch(`${hub.url}/api/photos/${photo.id}`, { headers: { cookie: martin.cookie } });
    expect(Buffer.from(await got.arrayBuffer())).toEqual(bytes);
    expect((await fetch(`${hub.url}/api/sessions/${sessionId}/report.pdf`, { headers: { cookie: martin.cookie } })).status).toBe(200);
    expect((await fetch(`${hub.url}/api/sessions/${sessionId}/report.fhir.json`, { headers: { cookie: martin.cookie } })).status).toBe(200);

    const entries = after(mark);
    // Once per opening: the claim's context and two consult.context calls make one entry; live readings make none.
    expect(entries.filter((e) => e.resource === 'consult.session')).toEqual([
      expect.objectContaining({ actor: MARTIN, action: 'read', outcome: 'allowed', sessionId, boothId: 'demo-booth-1', from: '127.0.0.1' }),
    ]);
    expect(entries.filter((e) => e.resource === 'record.item')).toEqual([
      expect.objectContaining({ actor: { role: 'booth', id: 'demo-booth-1' }, action: 'write', outcome: 'allowed', sessionId, boothId: 'demo-booth-1' }),
      expect.objectContaining({ actor: { role: 'booth', id: 'demo-booth-1' }, action: 'write', outcome: 'allowed', sessionId }),
    ]);
    expect(entries.find((e) => e.resource === 'notes')).toMatchObject({ actor: MARTIN, action: 'write', outcome: 'allowed', sessionId, boothId: 'demo-booth-1' });
    expect(entries.find((e) => e.resource === 'photo')).toMatchObject({ actor: MARTIN, action: 'read', outcome: 'allowed', resourceId: photo.id, sessionId, boothId: 'demo-booth-1', from: '127.0.0.1' });
    expect(entries.find((e) => e.resource === 'report')).toMatchObject({ actor: MARTIN, action: 'read', outcome: 'allowed', resourceId: sessionId, sessionId, boothId: 'demo-booth-1' });
    expect(entries.find((e) => e.resource === 'report.fhir')).toMatchObject({ actor: MARTIN, action: 'export', outcome: 'allowed', sessionId });
    // Ids, never the data: no first name, no reason, no notes in any entry.
    expect(JSON.stringify(entries)).not.toMatch(/Jeanne|Fièvre|deux jours/);
  });

  it('journals another doctor refused the photo and the report as refused, and a caller without a cookie not at all', async () => {
    const { sessionId, photo } = await consultation();
    const durand = await doctor(1);
    // Its queue of cases, journaled as the console connects (before the note is sent), is not what is looked at here.
    await expect.poll(() => durand.of(CASE.queueNote).length).toBe(1);
    const mark = since();
    expect((await fetch(`${hub.url}/api/photos/${photo.id}`, { headers: { cookie: durand.cookie } })).status).toBe(404);
    expect((await fetch(`${hub.url}/api/sessions/${sessionId}/report.pdf`, { headers: { cookie: durand.cookie } })).status).toBe(404);
    expect(after(mark)).toEqual([
      expect.objectContaining({ actor: { role: 'specialist', id: 'dr-durand' }, action: 'read', resource: 'photo', resourceId: photo.id, sessionId, outcome: 'refused', reason: 'FORBIDDEN' }),
      expect.objectContaining({ actor: { role: 'specialist', id: 'dr-durand' }, action: 'read', resource: 'report', sessionId, outcome: 'refused', reason: 'FORBIDDEN' }),
    ]);

    const stranger = since();
    for (let i = 0; i < 20; i++) expect((await fetch(`${hub.url}/api/photos/${photo.id}`)).status).toBe(401);
    expect(after(stranger)).toEqual([]);
  });

  it('refuses a photo, a report and the session\'s context with JOURNAL_UNAVAILABLE, and no byte of them, while the journal cannot be written', async () => {
    const { martin, sessionId, photo, bytes } = await consultation();
    journal.failing = new Error('journal disk gone');
    const mark = since();

    const res = await fetch(`${hub.url}/api/photos/${photo.id}`, { headers: { cookie: martin.cookie } });
    expect(res.status).toBe(503);
    const body = Buffer.from(await res.arrayBuffer());
    expect(JSON.parse(body.toString())).toMatchObject({ error: 'JOURNAL_UNAVAILABLE', message: expect.stringMatching(/journal des accès/) });
    expect(body.includes(bytes)).toBe(false);
    const pdf = await fetch(`${hub.url}/api/sessions/${sessionId}/report.pdf`, { headers: { cookie: martin.cookie } });
    expect(pdf.status).toBe(503);
    expect(pdf.headers.get('content-type')).toMatch(/json/);
    expect(await pdf.json()).toMatchObject({ error: 'JOURNAL_UNAVAILABLE' });
    // A write is refused too, and nothing is stored.
    await expect(martin.call('consult.saveNotes', { text: 'à ne pas perdre' })).rejects.toMatchObject({ code: 'JOURNAL_UNAVAILABLE' });
    expect(await hub.record.repo.notes(sessionId)).toBeNull();
    expect(after(mark)).toEqual([]);

    journal.failing = null;
    const again = await fetch(`${hub.url}/api/photos/${photo.id}`, { headers: { cookie: martin.cookie } });
    expect(Buffer.from(await again.arrayBuffer())).toEqual(bytes);
  });

  it('sends no context to a doctor whose claim cannot be journaled, and refuses consult.context until it can', async () => {
    const sessionId = uuidv7();
    const link = await booth('demo-booth-1');
    await link.request('queue.join', { sessionId, reason: 'Toux', patient: { firstName: 'Louis', age: 40 }, pathway: 'exception', exceptionReason: 'no-gp', language: 'fr' });
    const martin = await doctor(0);
    journal.failing = new Error('journal disk gone');
    await martin.call('queue.claim', { boothId: 'demo-booth-1' });
    await expect(martin.call('consult.context', {})).rejects.toMatchObject({ code: 'JOURNAL_UNAVAILABLE' });
    expect(martin.of('consult.context')).toEqual([]);

    journal.failing = null;
    const mark = since();
    await expect(martin.call('consult.context', {})).resolves.toMatchObject({ patient: { sessionId, firstName: 'Louis' } });
    expect(after(mark)).toEqual([expect.objectContaining({ actor: MARTIN, resource: 'consult.session', sessionId, outcome: 'allowed' })]);
  });
});

describe('the access journal of sign-ins', () => {
  it('journals a right password with the account, a wrong one as an anonymous refusal naming the account tried but never the e-mail typed, and a sign-out', async () => {
    const mark = since();
    const cookie = await cookieOf(SPECIALISTS[0]);
    const wrong = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'inconnu.nulle-part@example.org', password: 'devine' }) });
    expect(wrong.status).toBe(401);
    const tried = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SPECIALISTS[0].email.toUpperCase(), password: 'devine' }) });
    expect(tried.status).toBe(401);
    await fetch(`${hub.url}/api/logout`, { method: 'POST', headers: { cookie } });
    const staff = await cookieOf(STAFF[0], COUNTER_API.login);
    await fetch(`${hub.url}${COUNTER_API.logout}`, { method: 'POST', headers: { cookie: staff } });

    expect(after(mark)).toEqual([
      expect.objectContaining({ actor: MARTIN, action: 'sign-in', outcome: 'allowed', from: '127.0.0.1' }),
      expect.objectContaining({ actor: { role: 'anonymous' }, action: 'sign-in', resource: 'account', outcome: 'refused', reason: 'BAD_CREDENTIALS', from: '127.0.0.1' }),
      expect.objectContaining({ actor: { role: 'anonymous' }, action: 'sign-in', resource: 'account', resourceId: MARTIN.id, outcome: 'refused', reason: 'BAD_CREDENTIALS', from: '127.0.0.1' }),
      expect.objectContaining({ actor: MARTIN, action: 'sign-out', outcome: 'allowed' }),
      expect.objectContaining({ actor: { role: 'staff', id: 'marie' }, action: 'sign-in', outcome: 'allowed' }),
      expect.objectContaining({ actor: { role: 'staff', id: 'marie' }, action: 'sign-out', outcome: 'allowed' }),
    ]);
    expect(after(mark)[1]).not.toHaveProperty('resourceId');
    expect(JSON.stringify(after(mark))).not.toContain('inconnu');
    expect(JSON.stringify(after(mark)).toLowerCase()).not.toContain(SPECIALISTS[0].email.toLowerCase());
  });

  it('refuses a sign-in with 503 and no session cookie while the journal cannot be written', async () => {
    journal.failing = new Error('journal disk gone');
    const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SPECIALISTS[0].email, password: SPECIALISTS[0].password }) });
    expect(res.status).toBe(503);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.json()).toMatchObject({ error: 'JOURNAL_UNAVAILABLE' });
  });
});

describe('the access journal of forwarded cases and the counter', () => {
  it('journals a case opened, exported and answered by the doctor, the counter\'s board, case list, printed answer and acknowledgement, each with the case id', async () => {
    const link = await booth('demo-booth-1');
    const c = caseParts('demo-booth-1', 'general');
    await sendCase(link, c);
    await expect.poll(async () => (await hub.record.repo.caseRow(c.caseId))?.state).toBe('waiting');
    const mark = since();
    const martin = await doctor(0);
    await martin.call(CASE.open, { caseId: c.caseId });
    expect((await fetch(`${hub.url}${caseBundleUrl(c.caseId)}`, { headers: { cookie: martin.cookie } })).status).toBe(200);
    await martin.call(CASE.answer, { caseId: c.caseId, kind: 'advice', advice: 'Hydratez la peau matin et soir.', urgency: 'routine' });
    const page = await counterPage(STAFF[0]);
    await expect.poll(() => page.of(COUNTER.boardNote).length).toBe(1);
    await page.call(CASE.counterList, {});
    const pdf = await fetch(`${hub.url}${caseAnswerPdfUrl(c.caseId)}`, { headers: { cookie: page.cookie } });
    expect(pdf.status).toBe(200);
    await page.call(CASE.acknowledge, { caseId: c.caseId });

    const entries = after(mark).filter((e) => e.action !== 'sign-in');
    const ofCase = { caseId: c.caseId, resourceId: c.caseId, outcome: 'allowed' };
    expect(entries.find((e) => e.resource === 'case' && e.caseId)).toMatchObject({ ...ofCase, actor: MARTIN, action: 'read', sessionId: c.sessionId, boothId: 'demo-booth-1' });
    expect(entries.find((e) => e.resource === 'case.fhir')).toMatchObject({ ...ofCase, actor: MARTIN, action: 'export' });
    expect(entries.find((e) => e.resource === 'case.answer' && e.action === 'write')).toMatchObject({ ...ofCase, actor: MARTIN });
    const marie = { role: 'staff', id: 'marie' };
    expect(entries.find((e) => e.resource === 'counter.board')).toMatchObject({ actor: marie, action: 'read', outcome: 'allowed' });
    expect(entries.filter((e) => e.resource === 'counter.case' && e.reason === 'list').length).toBeGreaterThanOrEqual(2);
    expect(entries.find((e) => e.resource === 'case.answer' && e.action === 'read')).toMatchObject({ ...ofCase, actor: marie });
    expect(entries.find((e) => e.resource === 'counter.case' && e.action === 'write')).toMatchObject({ ...ofCase, actor: marie });
    expect(JSON.stringify(entries)).not.toMatch(/Martin|Jeanne|0612345678|Hydratez/);
  });

  it('journals another pharmacy\'s member of staff refused a case\'s answer, and nothing leaves while the journal cannot be written', async () => {
    const link = await booth('demo-booth-1');
    const c = caseParts('demo-booth-1', 'general');
    await sendCase(link, c);
    await expect.poll(async () => (await hub.record.repo.caseRow(c.caseId))?.state).toBe('waiting');
    const martin = await doctor(0);
    await martin.call(CASE.answer, { caseId: c.caseId, kind: 'advice', advice: 'Repos.', urgency: 'routine' });
    const paul = await cookieOf(STAFF[1], COUNTER_API.login);
    const mark = since();
    expect((await fetch(`${hub.url}${caseAnswerPdfUrl(c.caseId)}`, { headers: { cookie: paul } })).status).toBe(404);
    expect(after(mark)).toEqual([
      expect.objectContaining({ actor: { role: 'staff', id: 'paul' }, resource: 'case.answer', caseId: c.caseId, outcome: 'refused', reason: 'UNKNOWN_CASE' }),
    ]);

    const marie = await cookieOf(STAFF[0], COUNTER_API.login);
    journal.failing = new Error('journal disk gone');
    const pdf = await fetch(`${hub.url}${caseAnswerPdfUrl(c.caseId)}`, { headers: { cookie: marie } });
    expect(pdf.status).toBe(503);
    expect(await pdf.json()).toMatchObject({ error: 'JOURNAL_UNAVAILABLE' });
    const bundle = await fetch(`${hub.url}${caseBundleUrl(c.caseId)}`, { headers: { cookie: martin.cookie } });
    expect(bundle.status).toBe(503);
    await expect(martin.call(CASE.open, { caseId: c.caseId })).rejects.toMatchObject({ code: 'JOURNAL_UNAVAILABLE' });
  });
});
