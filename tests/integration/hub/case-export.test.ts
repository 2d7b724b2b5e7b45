/**
 * A forwarded case leaving the hub over HTTP, on a real hub (real booth link,
 * real consoles, the real record): the answer printed at the counter
 * (`caseAnswerPdfUrl`, the pharmacy's staff only) and the case as a FHIR R4
 * Bundle (`caseBundleUrl`, the doctors of its specialty only), valid against
 * the official schema. Strangers get one 404 for everything and learn nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Bundle, DiagnosticReport, FhirResource, Media, Patient, Practitioner, PractitionerRole, Provenance, ServiceRequest } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HubLink } from '../../../src/host/hub-link';
import { pseudonym } from '../../../src/hub/consult/report';
import { hashSecret } from '../../../src/hub/directory';
import type { Hub } from '../../../src/hub/server';
import { createLogger } from '../../../src/node/logger';
import { CASE, caseAnswerPdfUrl, caseBundleUrl, caseVideoUrl, type CaseAnswer } from '../../../src/shared/case-protocol';
import { COUNTER_API } from '../../../src/shared/counter-protocol';
import { PSEUDONYM_SYSTEM } from '../../../src/shared/fhir';
import { caseParts, ingest, sendCase, upload, type CaseParts } from '../../helpers/cases';
import { fhirR4Validator } from '../../helpers/fhir-schema';
import { BOOTH_SECRETS, SPECIALISTS, STAFF, startTestHub, testHubConfig } from '../../helpers/hub';
import { pdfText } from '../../helpers/pdf-text';
import { ConsoleClient } from '../../resilience/support/clients';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const BERNARD = { id: 'dr-bernard', email: 'dr.bernard@cabine.example', password: 'consultation-derm', name: 'Dr Paul Bernard' };
const ADVICE = 'Plaque d’eczéma : crème émolliente matin et soir, revoir le médecin traitant si elle s’étend.';
let hub: Hub;
let link: HubLink;
// Compiled before the hub starts (seconds on a busy machine): no idle gap between a test's requests.
let validate: ReturnType<typeof fhirR4Validator>;
const clients: ConsoleClient[] = [];

beforeAll(async () => {
  validate = fhirR4Validator();
  const config = await testHubConfig();
  config.specialists.push({ id: BERNARD.id, email: BERNARD.email, name: BERNARD.name, specialty: 'Dermatologie', cases: ['dermatology'], passwordHash: await hashSecret(BERNARD.password, 1024) });
  hub = await startTestHub({ consoleDir: '/nonexistent', config });
  link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: 'demo-booth-1', token: BOOTH_SECRETS['demo-booth-1'], log: silent, minDelayMs: 50, maxDelayMs: 200 });
  link.start();
  await vi.waitFor(() => expect(link.status).toBe('online'), { timeout: 10_000 });
});
afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  await link?.stop();
  await hub?.close();
});

async function doctor(who: { email: string; password: string }): Promise<ConsoleClient> {
  const c = await ConsoleClient.login(hub.url, who.email, who.password);
  clients.push(c);
  return c;
}

/** The counter's session cookie of a member of staff (as the counter page signs in). */
async function staffCookie(who: (typeof STAFF)[number]): Promise<string> {
  const res = await fetch(`${hub.url}${COUNTER_API.login}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: who.email, password: who.password }) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

const get = (path: string, cookie?: string) => fetch(`${hub.url}${path}`, cookie ? { headers: { cookie } } : {});
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function waitingCase(): Promise<CaseParts> {
  const c = caseParts('demo-booth-1', 'general');
  await sendCase(link, c);
  await expect.poll(async () => (await hub.record.repo.caseRow(c.caseId))?.state).toBe('waiting');
  return c;
}

async function answeredCase(martin: ConsoleClient): Promise<{ c: CaseParts; answer: CaseAnswer }> {
  const c = await waitingCase();
  const answer = await martin.call<CaseAnswer>(CASE.answer, {
    caseId: c.caseId, kind: 'advice', advice: ADVICE, urgency: 'routine',
    prescription: { items: [{ name: 'Dexeryl crème', dosage: 'une application matin et soir' }] },
  });
  return { c, answer };
}

/** What a refused reader may see: nothing of the case, its patient or its answer. */
function expectNothingOf(body: string, c: CaseParts): void {
  for (const secret of [c.caseId, 'K7M', 'Jeanne', 'Martin', 'Dexeryl', 'eczéma', '0612345678']) expect(body, secret).not.toContain(secret);
}

describe('the printed answer at the counter', () => {
  it('gives Marie her pharmacy\'s answer as a PDF with the advice and the prescription number, named by the pick-up code only', async () => {
    const martin = await doctor(SPECIALISTS[0]);
    const { c, answer } = await answeredCase(martin);
    const res = await get(caseAnswerPdfUrl(c.caseId), await staffCookie(STAFF[0]));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="reponse-K7M-4QP.pdf"');
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text.replace(/\s+/g, ' ')).toContain(ADVICE);
    expect(text).toContain(answer.prescription!.number);
    expect(text).toContain('K7M-4QP');
    expect(text).toContain('Pharmacie test 1');
  });

  it('refuses Paul of another pharmacy and a forged id with one 404, no cookie and a doctor\'s cookie with a 401, and shows none of them anything', async () => {
    const martin = await doctor(SPECIALISTS[0]);
    const { c } = await answeredCase(martin);
    const paul = await staffCookie(STAFF[1]);
    const marie = await staffCookie(STAFF[0]);
    const theirs = await get(caseAnswerPdfUrl(c.caseId), paul);
    const forged = await get(caseAnswerPdfUrl(randomUUID()), marie);
    const malformed = await get(caseAnswerPdfUrl('../../sessions'), marie);
    expect([theirs.status, forged.status, malformed.status]).toEqual([404, 404, 404]);
    const bodies = [await theirs.text(), await forged.text(), await malformed.text()];
    expect(new Set(bodies).size).toBe(1);
    expectNothingOf(bodies[0]!, c);
    expect(theirs.headers.get('content-disposition')).toBeNull();

    for (const cookie of [undefined, martin.cookie]) {
      const res = await get(caseAnswerPdfUrl(c.caseId), cookie);
      expect(res.status).toBe(401);
      const body = await res.text();
      expect(JSON.parse(body)).toMatchObject({ error: 'NOT_LOGGED_IN', message: expect.stringContaining('comptoir') });
      expectNothingOf(body, c);
    }
  });

  it('says in words that a case with no answer yet has nothing to print (409)', async () => {
    const c = await waitingCase();
    const res = await get(caseAnswerPdfUrl(c.caseId), await staffCookie(STAFF[0]));
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ error: 'CASE_NOT_ANSWERED', message: expect.stringContaining('pas encore de réponse') });
  });
});

const resources = (b: Bundle): FhirResource[] => (b.entry ?? []).map((e) => e.resource!);
const ofType = <T extends FhirResource>(b: Bundle, type: T['resourceType']): T[] => resources(b).filter((r): r is T => r.resourceType === type);
const byUrn = (b: Bundle, urn: string | undefined): FhirResource | undefined => b.entry?.find((e) => e.fullUrl === urn)?.resource;

describe('the case as a FHIR R4 Bundle', () => {
  it('exports an answered case, valid against the official schema, with the request, the answer, the stills by body site, the video by its address, and who compiled and who answered', async () => {
    const martin = await doctor(SPECIALISTS[0]);
    const { c, answer } = await answeredCase(martin);
    const res = await get(caseBundleUrl(c.caseId), martin.cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const bundle = (await res.json()) as Bundle;

    expect(validate(bundle), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });

    // The subject: the pseudonym of the session's GP report, no name.
    const [patient] = ofType<Patient>(bundle, 'Patient');
    expect(patient!.identifier).toEqual([{ system: PSEUDONYM_SYSTEM, value: pseudonym(c.sessionId) }]);
    expect(JSON.stringify(bundle)).not.toMatch(/Jeanne|0612345678/);

    // The request, by Marie at her pharmacy, with every part as supporting information.
    const [request] = ofType<ServiceRequest>(bundle, 'ServiceRequest');
    expect(request).toMatchObject({ status: 'completed', intent: 'order', identifier: [{ value: c.caseId }] });
    expect(request!.note?.map((n) => n.text)).toEqual(expect.arrayContaining(['Question : Cette lésion est-elle suspecte ?', 'Non réalisé : Saturation en oxygène — oxymètre en panne']));
    const role = byUrn(bundle, request!.requester?.reference) as PractitionerRole;
    expect(role.resourceType).toBe('PractitionerRole');
    expect((byUrn(bundle, role.practitioner?.reference) as Practitioner).name).toEqual([{ text: 'Marie' }]);

    // The answer: a DiagnosticReport on the request, the advice as its conclusion, Dr Martin its performer, the prescription beside it.
    const [report] = ofType<DiagnosticReport>(bundle, 'DiagnosticReport');
    expect(report).toMatchObject({ status: 'final', conclusion: ADVICE, basedOn: [{ reference: `urn:uuid:${request!.id}` }], issued: answer.answeredAt });
    expect((byUrn(bundle, report!.performer?.[0]?.reference) as Practitioner).name?.[0]?.text).toBe('Dr Claire Martin');
    expect(JSON.stringify(ofType(bundle, 'MedicationRequest'))).toContain(answer.prescription!.number);

    // The still with its body site; the video by its absolute address on the hub, never inline, and the bytes there are the booth's.
    const media = ofType<Media>(bundle, 'Media');
    expect(media.find((m) => m.id === c.photo.id)?.bodySite).toEqual({ text: 'avant-bras gauche' });
    const video = media.find((m) => m.id === c.video.id)!;
    expect(video.content).toEqual({ contentType: 'video/webm', size: c.videoBytes.length, url: `${hub.url}${caseVideoUrl(c.video.id)}` });
    const served = await fetch(video.content.url!, { headers: { cookie: martin.cookie } });
    expect(sha256(Buffer.from(await served.arrayBuffer()))).toBe(sha256(c.videoBytes));

    // Provenance: Marie compiled on behalf of the pharmacy, Dr Martin answered and signed.
    const provenance = ofType<Provenance>(bundle, 'Provenance');
    const compiled = provenance.find((p) => p.target.some((t) => t.reference === `urn:uuid:${request!.id}`))!;
    expect((byUrn(bundle, compiled.agent[0]!.who.reference) as Practitioner).name).toEqual([{ text: 'Marie' }]);
    expect(compiled.agent[0]!.onBehalfOf?.display).toBe('Pharmacie test 1');
    const answered = provenance.find((p) => p.target.some((t) => t.reference === `urn:uuid:${report!.id}`))!;
    expect(answered.agent[0]!.who.display).toBe('Dr Claire Martin');
    expect(answered.signature?.[0]?.data).toEqual(expect.any(String));
  });

  it('exports a case still waiting as an open request with no answer', async () => {
    const durand = await doctor(SPECIALISTS[1]);
    const c = await waitingCase();
    const res = await get(caseBundleUrl(c.caseId), durand.cookie);
    expect(res.status).toBe(200);
    const bundle = (await res.json()) as Bundle;
    expect(validate(bundle)).toBe(true);
    expect(ofType<ServiceRequest>(bundle, 'ServiceRequest')[0]?.status).toBe('active');
    expect(ofType(bundle, 'DiagnosticReport')).toEqual([]);
  });

  it('refuses a doctor of another specialty and a forged id with one 404, a case still on its way with a 409, and no cookie or a counter\'s cookie with a 401', async () => {
    const martin = await doctor(SPECIALISTS[0]);
    const bernard = await doctor(BERNARD);
    const c = await waitingCase();
    const other = await get(caseBundleUrl(c.caseId), bernard.cookie);
    const forged = await get(caseBundleUrl(randomUUID()), martin.cookie);
    expect([other.status, forged.status]).toEqual([404, 404]);
    const bodies = [await other.text(), await forged.text()];
    expect(bodies[0]).toBe(bodies[1]);
    expectNothingOf(bodies[0]!, c);

    for (const cookie of [undefined, await staffCookie(STAFF[0])]) {
      const res = await get(caseBundleUrl(c.caseId), cookie);
      expect(res.status).toBe(401);
      expectNothingOf(await res.text(), c);
    }

    // The manifest is in, the video is not: the doctor is told the case is not whole yet.
    const partial = caseParts('demo-booth-1', 'general');
    await upload(link, partial.photo, partial.photoBytes);
    await ingest(link, [partial.reading, partial.photo, partial.manifest]);
    const early = await get(caseBundleUrl(partial.caseId), martin.cookie);
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ error: 'CASE_INCOMPLETE', message: expect.stringContaining('pièces') });
  });
});
