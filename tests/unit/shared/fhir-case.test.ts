import type { ValidateFunction } from 'ajv';
import type { Bundle, DiagnosticReport, FhirResource, Media, MedicationRequest, Observation, Patient, Provenance, ServiceRequest } from 'fhir/r4';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClipMeta, PhotoMeta } from '../../../src/shared/record-protocol';
import type { VideoMeta } from '../../../src/shared/case-record';
import { caseBundle, type CaseExport } from '../../../src/shared/fhir-case';
import { CLIP_ID, DERMA_CASE_ID, dermatologyAnswer, GENERAL_CASE_ID, manifest, PHOTO_ID, VIDEO_ID } from '../../helpers/case-answer';
import { fhirR4Validator } from '../../helpers/fhir-schema';
import { bloodPressure, temperature } from '../../helpers/store';

let validate: ValidateFunction;
beforeAll(() => {
  validate = fhirR4Validator();
});

const at = new Date('2026-03-02T09:10:00.000Z');
const photo: PhotoMeta = {
  id: PHOTO_ID, sessionId: 'session-ca5e', mime: 'image/jpeg', width: 1920, height: 1080, byteLength: 4, chunkCount: 1, sha256: 'a'.repeat(64),
  takenAt: at.toISOString(), polarisation: 'polarised', bodySite: 'avant-bras gauche', device: { id: 'dermatoscope-1', kind: 'dermatoscope', model: 'D-1', serial: 'SN9', firmware: '1' },
};
const otoscope: PhotoMeta = {
  id: '0190b6a8-0000-7000-8000-000000000043', sessionId: 'session-ca5f', mime: 'image/jpeg', width: 1280, height: 960, byteLength: 4, chunkCount: 1, sha256: 'b'.repeat(64),
  takenAt: at.toISOString(), polarisation: 'none', modality: 'otoscope', ear: 'left', bodySite: 'oreille gauche',
  device: { id: 'otoscope', kind: 'otoscope', model: 'USB Otoscope', serial: '', firmware: '' },
};
const video: VideoMeta = {
  id: VIDEO_ID, sessionId: 'session-ca5e', mime: 'video/webm', durationMs: 42_000, width: 1280, height: 720, byteLength: 5_000_000, chunkCount: 20,
  sha256: 'c'.repeat(64), recordedAt: at.toISOString(),
};
const clip: ClipMeta = {
  id: CLIP_ID, sessionId: 'session-ca5f', point: 'mitral', mime: 'audio/wav', sampleRate: 48_000, bitsPerSample: 16, channels: 1, durationMs: 15_000,
  byteLength: 1_440_044, chunkCount: 8, sha256: 'd'.repeat(64), recordedAt: at.toISOString(),
};

/** A dermatology case: one still, the patient's video, answered with advice and a prescription. */
function dermatologyInput(): CaseExport {
  return {
    manifest: manifest({
      caseId: DERMA_CASE_ID, specialty: 'dermatology',
      checklist: [{ id: 'i1', kind: 'dermatoscope-photo', bodySite: 'avant-bras gauche' }, { id: 'i2', kind: 'video' }],
      entries: [{ checklistId: 'i1', kind: 'dermatoscope-photo', itemId: PHOTO_ID }, { checklistId: 'i2', kind: 'video', itemId: VIDEO_ID }],
    }),
    boothId: 'booth-arles-1', readings: [], photos: [photo], clips: [], video, answer: dermatologyAnswer(), receivedAt: '2026-03-02T09:21:00.000Z',
  };
}
const dermatology = (): Bundle => caseBundle(dermatologyInput());

const temp = temperature(38.2, 'session-ca5f', at);
const bp = bloodPressure(132, 84, 71, 'session-ca5f', at);
/** A general case: readings, a clip, an otoscope still, the SpO2 skipped, no video, not answered yet. */
function general(): Bundle {
  return caseBundle({
    manifest: manifest({
      caseId: GENERAL_CASE_ID, specialty: 'general', note: '',
      checklist: [
        { id: 'i1', kind: 'temperature' }, { id: 'i2', kind: 'blood-pressure' }, { id: 'i3', kind: 'spo2' },
        { id: 'i4', kind: 'auscultation', point: 'mitral' }, { id: 'i5', kind: 'otoscope-photo', ear: 'left' },
      ],
      entries: [
        { checklistId: 'i1', kind: 'temperature', itemId: temp.id }, { checklistId: 'i2', kind: 'blood-pressure', itemId: bp.id },
        { checklistId: 'i3', kind: 'spo2', itemId: null, skipped: 'oxymètre en panne' },
        { checklistId: 'i4', kind: 'auscultation', itemId: CLIP_ID }, { checklistId: 'i5', kind: 'otoscope-photo', itemId: otoscope.id },
      ],
    }),
    boothId: 'booth-arles-1', readings: [temp, bp], photos: [otoscope], clips: [clip], video: null, answer: null, receivedAt: '2026-03-02T09:21:00.000Z',
  });
}

const resources = (b: Bundle): FhirResource[] => b.entry!.map((e) => e.resource!);
function only<T extends FhirResource>(b: Bundle, type: T['resourceType']): T[] {
  return resources(b).filter((r): r is T => r.resourceType === type);
}
const one = <T extends FhirResource>(b: Bundle, type: T['resourceType']): T => {
  const all = only<T>(b, type);
  expect(all).toHaveLength(1);
  return all[0]!;
};
/** Every entry's fullUrl, to check that references resolve inside the bundle. */
const urls = (b: Bundle) => new Set(b.entry!.map((e) => e.fullUrl));
function expectValid(b: Bundle): void {
  const ok = validate(b);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

describe('FHIR R4 export of a forwarded case', () => {
  it('is valid against the official FHIR R4 JSON schema: a dermatology case answered with advice and a prescription', () => {
    expectValid(dermatology());
  });

  it('is valid against the official FHIR R4 JSON schema: a general case with readings, a clip, a skipped item and no answer yet', () => {
    expectValid(general());
  });

  it.each([
    // NOTE: the JSON schema requires only complex elements (a primitive such as `intent` may come as `_intent`): the mutations drop those.
    ['the ServiceRequest loses its subject', (b: Bundle) => { delete (one<ServiceRequest>(b, 'ServiceRequest') as Partial<ServiceRequest>).subject; }],
    ['the Patient loses its resourceType', (b: Bundle) => { delete (one<Patient>(b, 'Patient') as unknown as Record<string, unknown>).resourceType; }],
    ['the DiagnosticReport loses its code', (b: Bundle) => { delete (one<DiagnosticReport>(b, 'DiagnosticReport') as Partial<DiagnosticReport>).code; }],
    ['a Provenance loses its target', (b: Bundle) => { delete (only<Provenance>(b, 'Provenance')[0] as Partial<Provenance>).target; }],
    ['the video Media loses its content', (b: Bundle) => { delete (only<Media>(b, 'Media').find((m) => m.id === VIDEO_ID) as Partial<Media>).content; }],
    ['a MedicationRequest loses its subject', (b: Bundle) => { delete (one<MedicationRequest>(b, 'MedicationRequest') as Partial<MedicationRequest>).subject; }],
  ])('is caught by the schema when %s (so the check can fail)', (_what, mutate) => {
    const b = dermatology();
    expect(validate(b)).toBe(true);
    mutate(b);
    expect(validate(b)).toBe(false);
  });

  it('keeps the patient pseudonymous: a Patient with a pseudonym and a gender, never the name, birth date or phone', () => {
    const b = dermatology();
    const patient = one<Patient>(b, 'Patient');
    expect(patient).toMatchObject({ gender: 'female', identifier: [{ system: 'urn:cabine:pseudonym', value: expect.stringMatching(/^P-[0-9A-F]{10}$/) }] });
    expect(patient.name).toBeUndefined();
    expect(patient.birthDate).toBeUndefined();
    const json = JSON.stringify(b);
    for (const secret of ['MARTIN', 'Jeanne', '1961-04-12', '0612345678', 'K7M4QP']) expect(json).not.toContain(secret);
    for (const r of [...only<Media>(b, 'Media'), one<ServiceRequest>(b, 'ServiceRequest'), one<DiagnosticReport>(b, 'DiagnosticReport')]) {
      expect(r.subject!.reference).toBe(`urn:uuid:${patient.id}`);
    }
  });

  it('takes the pseudonym the hub gives, so the case and the GP report name the same subject', () => {
    const b = caseBundle({ ...dermatologyInput(), subjectPseudonym: 'P-ABCDEF1234' });
    expect(one<Patient>(b, 'Patient').identifier).toEqual([{ system: 'urn:cabine:pseudonym', value: 'P-ABCDEF1234' }]);
  });

  it('states the request: the question, the pharmacy’s note, the specialty, who compiled it in which pharmacy, when, and every part as supporting info', () => {
    const b = dermatology();
    const sr = one<ServiceRequest>(b, 'ServiceRequest');
    expect(sr).toMatchObject({
      status: 'completed', intent: 'order', authoredOn: '2026-03-02T09:20:00.000Z',
      identifier: [{ system: 'urn:cabine:case', value: DERMA_CASE_ID }],
      code: { coding: [{ system: 'urn:cabine:case-request', code: 'tele-expertise' }] },
      performerType: { coding: [{ system: 'urn:cabine:specialty', code: 'dermatology', display: 'Dermatologie' }] },
    });
    expect(sr.note!.map((n) => n.text)).toEqual(['Question : Cette lésion est-elle suspecte ?', 'Note de la pharmacie : Lésion apparue il y a trois semaines, grossit.']);
    const role = resources(b).find((r) => `urn:uuid:${r.id}` === sr.requester!.reference)!;
    expect(role.resourceType).toBe('PractitionerRole');
    const practitioner = resources(b).find((r) => role.resourceType === 'PractitionerRole' && `urn:uuid:${r.id}` === role.practitioner!.reference);
    const organization = resources(b).find((r) => role.resourceType === 'PractitionerRole' && `urn:uuid:${r.id}` === role.organization!.reference);
    expect(practitioner).toMatchObject({ resourceType: 'Practitioner', identifier: [{ system: 'urn:cabine:staff', value: 'staff-claire' }], name: [{ text: 'Claire Dubois' }] });
    expect(organization).toMatchObject({ resourceType: 'Organization', name: 'Pharmacie du Marché', address: [{ city: 'Arles' }] });
    expect(sr.supportingInfo!.map((r) => r.reference)).toEqual([`urn:uuid:${PHOTO_ID}`, `urn:uuid:${VIDEO_ID}`]);
  });

  it('points the request at every Observation and Media of a general case, and names the skipped item and why', () => {
    const b = general();
    const sr = one<ServiceRequest>(b, 'ServiceRequest');
    expect(sr.status).toBe('active');
    const parts = [...only<Observation>(b, 'Observation'), ...only<Media>(b, 'Media')].map((r) => `urn:uuid:${r.id}`);
    expect(parts).toHaveLength(5); // temperature, BP panel, heart rate, otoscope still, clip
    expect(sr.supportingInfo!.map((r) => r.reference).sort()).toEqual(parts.sort());
    for (const r of sr.supportingInfo!) expect(urls(b)).toContain(r.reference);
    expect(sr.note!.map((n) => n.text)).toEqual(['Question : Faut-il une consultation rapide pour cette toux ?', 'Non réalisé : Saturation en oxygène — oxymètre en panne']);
    expect(only<DiagnosticReport>(b, 'DiagnosticReport')).toEqual([]);
    expect(only<MedicationRequest>(b, 'MedicationRequest')).toEqual([]);
    expect(only<Provenance>(b, 'Provenance')).toHaveLength(1);
  });

  it('gives each still its body site (the lesion’s words, the ear coded) and each clip its auscultation point', () => {
    const derm = only<Media>(dermatology(), 'Media').find((m) => m.id === PHOTO_ID)!;
    expect(derm.bodySite).toEqual({ text: 'avant-bras gauche' });
    const media = only<Media>(general(), 'Media');
    expect(media.find((m) => m.id === otoscope.id)!.bodySite!.coding![0]).toMatchObject({ system: 'http://snomed.info/sct', code: '89644007' });
    expect(media.find((m) => m.id === CLIP_ID)!.bodySite!.coding![0]).toMatchObject({ system: 'urn:cabine:auscultation-point', code: 'mitral' });
  });

  it('exports the patient’s video as video/webm Media with its size, length and hash, never its bytes', () => {
    const v = only<Media>(dermatology(), 'Media').find((m) => m.id === VIDEO_ID)!;
    expect(v).toMatchObject({
      type: { coding: [{ code: 'video' }] }, duration: 42, width: 1280, height: 720,
      identifier: [{ system: 'urn:cabine:sha256', value: 'c'.repeat(64) }],
      content: { contentType: 'video/webm', size: 5_000_000, url: `urn:uuid:${VIDEO_ID}` },
    });
    expect(v.content.data).toBeUndefined();
    const served = caseBundle({ ...dermatologyInput(), videoUrl: 'https://hub.example/api/videos/x' });
    expect(only<Media>(served, 'Media').find((m) => m.id === VIDEO_ID)!.content.url).toBe('https://hub.example/api/videos/x');
  });

  it('exports the answer as a final DiagnosticReport based on the request: the advice, its kind and urgency coded, the doctor, the stills', () => {
    const b = dermatology();
    const dr = one<DiagnosticReport>(b, 'DiagnosticReport');
    const sr = one<ServiceRequest>(b, 'ServiceRequest');
    expect(dr).toMatchObject({ status: 'final', issued: '2026-03-03T14:05:00.000Z', conclusion: dermatologyAnswer().advice, basedOn: [{ reference: `urn:uuid:${sr.id}` }] });
    expect(dr.conclusionCode!.map((c) => [c.coding?.[0]?.system, c.coding?.[0]?.code])).toEqual([['urn:cabine:case-answer-kind', 'advice'], ['urn:cabine:case-urgency', 'routine']]);
    const doctor = resources(b).find((r) => `urn:uuid:${r.id}` === dr.performer![0]!.reference)!;
    expect(doctor).toMatchObject({ resourceType: 'Practitioner', identifier: [{ system: 'urn:cabine:specialist', value: 'dr-leroy' }], name: [{ text: 'Dr Anne Leroy' }] });
    expect(dr.media!.map((m) => m.link.reference)).toEqual([`urn:uuid:${PHOTO_ID}`]);
  });

  it('codes a live consultation’s delay and words a referral in the answer', () => {
    const live = caseBundle({ ...dermatologyInput(), answer: { ...dermatologyAnswer(), kind: 'live-needed', urgency: 'urgent', liveWithin: '48h', prescription: undefined } });
    expectValid(live);
    expect(one<DiagnosticReport>(live, 'DiagnosticReport').conclusionCode!.map((c) => c.coding?.[0]?.code ?? c.text))
      .toEqual(['live-needed', 'urgent', '48h']);
    const referred = caseBundle({ ...dermatologyInput(), answer: { ...dermatologyAnswer(), kind: 'referral', referral: { to: 'Dermatologue en cabinet', reason: 'exérèse à prévoir' } } });
    expectValid(referred);
    expect(one<DiagnosticReport>(referred, 'DiagnosticReport').conclusionCode!.at(-1)).toEqual({ text: 'Orientation : Dermatologue en cabinet — exérèse à prévoir' });
  });

  it('adds the prescription as MedicationRequests by the answering doctor, based on the request', () => {
    const b = dermatology();
    const [mr] = only<MedicationRequest>(b, 'MedicationRequest');
    expect(mr).toMatchObject({
      groupIdentifier: { value: 'RX-2026-000123' }, intent: 'order', medicationCodeableConcept: { text: 'Crème émolliente 200 ml' },
      basedOn: [{ reference: `urn:uuid:${one<ServiceRequest>(b, 'ServiceRequest').id}` }],
    });
    expect(urls(b)).toContain(mr!.requester!.reference);
  });

  it('says in Provenance who compiled the case for which pharmacy and who answered it, with the answer’s signature', () => {
    const b = dermatology();
    const [compiled, answered] = only<Provenance>(b, 'Provenance');
    expect(compiled).toMatchObject({
      occurredDateTime: '2026-03-02T09:20:00.000Z', recorded: '2026-03-02T09:21:00.000Z',
      agent: [{ who: { display: 'Claire Dubois' }, onBehalfOf: { display: 'Pharmacie du Marché' } }, { who: { display: 'booth-arles-1' } }],
    });
    const booth = resources(b).find((r) => `urn:uuid:${r.id}` === compiled!.agent[1]!.who.reference)!;
    expect(booth).toMatchObject({ resourceType: 'Device', identifier: [{ system: 'urn:cabine:booth', value: 'booth-arles-1' }], owner: { display: 'Pharmacie du Marché' } });
    expect(compiled!.target.map((t) => t.reference)).toContain(`urn:uuid:${one<ServiceRequest>(b, 'ServiceRequest').id}`);
    expect(answered).toMatchObject({ recorded: '2026-03-03T14:05:00.000Z', agent: [{ who: { display: 'Dr Anne Leroy' } }] });
    expect(answered!.target.map((t) => t.reference)).toEqual([one<DiagnosticReport>(b, 'DiagnosticReport'), one<MedicationRequest>(b, 'MedicationRequest')].map((r) => `urn:uuid:${r.id}`));
    expect(Buffer.from(answered!.signature![0]!.data!, 'base64').equals(Buffer.from(dermatologyAnswer().signature, 'base64url'))).toBe(true);
    for (const p of [compiled!, answered!]) for (const t of p.target) expect(urls(b)).toContain(t.reference);
  });

  it('exports the same case to the same bundle (derived ids)', () => {
    expect(dermatology()).toEqual(dermatology());
  });
});
