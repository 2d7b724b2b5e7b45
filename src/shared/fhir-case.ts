/**
 * FHIR R4 export of a forwarded case (exam-and-forward, tele-expertise; the
 * flows are in case-protocol.ts): one `collection` Bundle with
 * - the Patient, pseudonymous as in the session export (fhir.ts): an
 *   identifier in PSEUDONYM_SYSTEM and the administrative gender, no name,
 *   no birth date, no phone (the pharmacy holds those: the printed answer
 *   carries them, the record does not travel with them);
 * - the request as a ServiceRequest: the question and the pharmacy's note,
 *   the specialty asked (performerType), the visit's reason, the items that
 *   were skipped and why, `requester` the member of staff who compiled it in
 *   their pharmacy (a PractitionerRole joining the Practitioner to the
 *   Organization), `supportingInfo` every Observation and Media of the case;
 * - the exam: vital-signs Observations (readingObservations), the stills and
 *   stethoscope clips as Media with their body site (mediaResource,
 *   clipResource: the ear, the auscultation point), the patient's video as
 *   Media `video/webm` with its size, length and SHA-256 but never its bytes
 *   (at most 40 MB: it stays on the hub, at `videoUrl` or its urn:uuid);
 * - the answer, once there is one, as a DiagnosticReport: `basedOn` the
 *   ServiceRequest, `conclusion` the advice, `conclusionCode` the kind, the
 *   urgency, the live consultation's delay and the referral in Cabine's own
 *   code systems, `performer` the answering doctor, `media` the stills, and a
 *   MedicationRequest per prescribed item (prescriptionRequests), `basedOn`
 *   the ServiceRequest too.
 *   Why a DiagnosticReport and not a ClinicalImpression: the answer is a
 *   report issued on a request about an exam (basedOn, results, key images,
 *   a conclusion, issued, a performer), which is the DiagnosticReport's shape;
 *   a ClinicalImpression records a clinician's assessment process and has no
 *   `basedOn` to tie it to the request (the live session's notes use it,
 *   fhir.ts).
 * - two Provenances: who compiled the case (the staff member on behalf of
 *   the pharmacy, with the booth as a Device the pharmacy owns; when the booth
 *   finished it and when the hub received it)
 *   and who answered (the doctor, with the hub's signature of the answer).
 * Pure: ids are derived (UUIDv5 in fhir.ts's namespace), so the same case
 * exports to the same bundle.
 */
import type {
  Bundle, BundleEntry, CodeableConcept, Device, DiagnosticReport, Media, Observation, Organization, Patient, Practitioner, PractitionerRole, Provenance,
  Reference, ServiceRequest,
} from 'fhir/r4';
import { v5 as uuidv5 } from 'uuid';
import { AUSCULTATION_WORDING } from './auscultation';
import type { CaseAnswer } from './case-protocol';
import { type CaseManifest, type ChecklistItem, SPECIALTY_LABEL, type VideoMeta } from './case-record';
import { ANSWER_KIND_WORDING, LIVE_WITHIN_WORDING, URGENCY_WORDING } from './case-wording';
import type { DeviceInfo, Reading } from './domain';
import {
  CABINE_NS, clipResource, deviceResource, deviceUuid, mediaResource, practitionerResource, prescriptionRequests, PSEUDONYM_SYSTEM,
  readingObservations,
} from './fhir';
import { REASON_LABEL, type Sex } from './intake';
import type { ClipMeta, PhotoMeta } from './record-protocol';
import { EAR_WORDING } from './wording';

export const CASE_SYSTEM = 'urn:cabine:case';
/** What a ServiceRequest asks for: `tele-expertise` (a case answered later), Cabine's own code. */
export const CASE_REQUEST_SYSTEM = 'urn:cabine:case-request';
export const SPECIALTY_SYSTEM = 'urn:cabine:specialty';
export const STAFF_SYSTEM = 'urn:cabine:staff';
export const BOOTH_SYSTEM = 'urn:cabine:booth';
export const REASON_SYSTEM = 'urn:cabine:visit-reason';
/** The answer's codes (DiagnosticReport.code and conclusionCode): AnswerKind, urgency, liveWithin. */
export const ANSWER_KIND_SYSTEM = 'urn:cabine:case-answer-kind';
export const URGENCY_SYSTEM = 'urn:cabine:case-urgency';
export const LIVE_WITHIN_SYSTEM = 'urn:cabine:case-live-within';
/** The video's SHA-256 (hex): FHIR's Attachment.hash is SHA-1 only, so it travels as an identifier. */
export const SHA256_SYSTEM = 'urn:cabine:sha256';

export interface CaseExport {
  manifest: CaseManifest;
  boothId: string;
  readings: Reading[];
  photos: PhotoMeta[];
  clips: ClipMeta[];
  video: VideoMeta | null;
  answer: CaseAnswer | null;
  /** When the whole case reached the hub. */
  receivedAt: string;
  /**
   * The subject's pseudonym. The hub passes report.ts's `pseudonym(sessionId)`
   * so the case and the session's GP report name the same subject; without it,
   * one is derived here from the session id (pure code has no SHA-256).
   */
  subjectPseudonym?: string;
  /** Where the hub serves the video (absolute URL); without it, its urn:uuid. */
  videoUrl?: string;
}

const urn = (id: string) => `urn:uuid:${id}`;
const ref = (r: { resourceType: string; id?: string }, display?: string): Reference => ({ reference: urn(r.id!), ...(display ? { display } : {}) });
const uuid = (name: string) => uuidv5(name, CABINE_NS);

const GENDER: Record<Sex, Patient['gender']> = { F: 'female', M: 'male', I: 'other' };

/** A checklist item in the pharmacist's words, for the ServiceRequest's note of what was skipped. */
function itemWords(item: ChecklistItem): string {
  switch (item.kind) {
    case 'temperature': return 'Température';
    case 'blood-pressure': return 'Tension artérielle';
    case 'spo2': return 'Saturation en oxygène';
    case 'dermatoscope-photo': return `Photo au dermatoscope (${item.bodySite})`;
    case 'otoscope-photo': return `Photo à l’otoscope (${EAR_WORDING[item.ear].fr})`;
    case 'auscultation': return `Auscultation (${AUSCULTATION_WORDING[item.point].name})`;
    case 'video': return 'Vidéo du patient';
  }
}

function videoMedia(v: VideoMeta, subject: Reference, url: string | undefined): Media {
  return {
    resourceType: 'Media',
    id: v.id,
    identifier: [{ system: SHA256_SYSTEM, value: v.sha256 }],
    status: 'completed',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/media-type', code: 'video', display: 'Video' }] },
    modality: { text: 'vidéo du patient (description du problème)' },
    subject,
    createdDateTime: v.recordedAt,
    width: v.width,
    height: v.height,
    duration: v.durationMs / 1000,
    // NOTE: never the bytes inline (up to MAX_VIDEO_BYTES): the bundle would be unusable; the record serves them.
    content: { contentType: v.mime, size: v.byteLength, url: url ?? urn(v.id) },
  };
}

/** base64url (the hub's signatures) as FHIR's base64Binary. */
function base64(b64url: string): string {
  const s = b64url.replace(/-/g, '+').replace(/_/g, '/');
  return s + '='.repeat((4 - (s.length % 4)) % 4);
}

function answerCodes(a: CaseAnswer): CodeableConcept[] {
  const codes: CodeableConcept[] = [
    { coding: [{ system: ANSWER_KIND_SYSTEM, code: a.kind, display: ANSWER_KIND_WORDING[a.kind].fr }], text: ANSWER_KIND_WORDING[a.kind].fr },
    { coding: [{ system: URGENCY_SYSTEM, code: a.urgency, display: URGENCY_WORDING[a.urgency].fr }], text: URGENCY_WORDING[a.urgency].fr },
  ];
  if (a.liveWithin) {
    const words = `Téléconsultation ${LIVE_WITHIN_WORDING[a.liveWithin].fr}`;
    codes.push({ coding: [{ system: LIVE_WITHIN_SYSTEM, code: a.liveWithin, display: words }], text: words });
  }
  // A referral names a free-text recipient: no code claimed, its words only.
  if (a.referral) codes.push({ text: `Orientation : ${a.referral.to} — ${a.referral.reason}` });
  return codes;
}

/** One forwarded case, answered or not, as a FHIR R4 `collection` Bundle. */
export function caseBundle(e: CaseExport): Bundle {
  const m = e.manifest;
  const pseudonym = e.subjectPseudonym ?? `P-${uuid(`subject:${m.sessionId}`).replace(/-/g, '').slice(0, 10).toUpperCase()}`;
  const entries: BundleEntry[] = [];
  const add = <T extends { resourceType: string; id?: string }>(r: T): T => {
    entries.push({ fullUrl: urn(r.id!), resource: r as unknown as NonNullable<BundleEntry['resource']> });
    return r;
  };

  const patient = add<Patient>({
    resourceType: 'Patient',
    id: uuid(`patient:${m.sessionId}`),
    identifier: [{ system: PSEUDONYM_SYSTEM, value: pseudonym }],
    gender: GENDER[m.patient.sex],
  });
  const subject: Reference = { reference: urn(patient.id!), identifier: { system: PSEUDONYM_SYSTEM, value: pseudonym } };

  // Who compiled it, where.
  const { compiledBy } = m;
  const pharmacy = add<Organization>({
    resourceType: 'Organization',
    id: uuid(`pharmacy:${compiledBy.pharmacy.name}|${compiledBy.pharmacy.city}`),
    type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov', display: 'Healthcare Provider' }], text: 'Pharmacie' }],
    name: compiledBy.pharmacy.name,
    address: [{ city: compiledBy.pharmacy.city, country: 'FR' }],
  });
  const staff = add<Practitioner>({
    resourceType: 'Practitioner',
    id: uuid(`staff:${compiledBy.staffId}`),
    identifier: [{ system: STAFF_SYSTEM, value: compiledBy.staffId }],
    name: [{ text: compiledBy.name }],
  });
  const staffRole = add<PractitionerRole>({
    resourceType: 'PractitionerRole',
    id: uuid(`staff-role:${compiledBy.staffId}|${pharmacy.id!}`),
    practitioner: ref(staff, compiledBy.name),
    organization: ref(pharmacy, compiledBy.pharmacy.name),
    code: [{ text: 'Équipe officinale' }],
  });

  // The booth the case was compiled in, the pharmacy's.
  const booth = add<Device>({
    resourceType: 'Device',
    id: uuid(`booth:${e.boothId}`),
    identifier: [{ system: BOOTH_SYSTEM, value: e.boothId }],
    type: { text: 'cabine de téléconsultation' },
    owner: ref(pharmacy, compiledBy.pharmacy.name),
  });

  // The exam: the devices that measured, then each part.
  const devices = new Map<string, DeviceInfo>();
  for (const r of e.readings) devices.set(deviceUuid(r.device), r.device);
  for (const p of e.photos) if (p.device) devices.set(deviceUuid(p.device), p.device);
  for (const d of devices.values()) add(deviceResource(d));
  const observations: Observation[] = e.readings.flatMap((r) => readingObservations(r, subject)).map(add);
  const stills: Media[] = e.photos.map((p) => add(mediaResource({ meta: p }, subject)));
  const clips: Media[] = e.clips.map((c) => add(clipResource({ meta: c }, subject)));
  const video: Media | null = e.video ? add(videoMedia(e.video, subject, e.videoUrl)) : null;
  const parts: Reference[] = [...observations, ...stills, ...clips, ...(video ? [video] : [])].map((r) => ref(r));

  const checklist = new Map(m.checklist.map((i) => [i.id, i]));
  const skipped = m.entries.filter((x) => x.itemId === null).map((x) => {
    const item = checklist.get(x.checklistId);
    return `Non réalisé : ${item ? itemWords(item) : x.kind}${x.skipped ? ` — ${x.skipped}` : ''}`;
  });
  const specialty = SPECIALTY_LABEL.fr[m.specialty];
  const reason = m.patient.reason;
  const request = add<ServiceRequest>({
    resourceType: 'ServiceRequest',
    id: uuid(`case:${m.caseId}:request`),
    identifier: [{ system: CASE_SYSTEM, value: m.caseId }],
    status: e.answer ? 'completed' : 'active',
    intent: 'order',
    code: { coding: [{ system: CASE_REQUEST_SYSTEM, code: 'tele-expertise', display: 'Téléexpertise' }], text: `Téléexpertise — ${specialty}` },
    subject,
    authoredOn: m.completedAt,
    requester: ref(staffRole, `${compiledBy.name}, ${compiledBy.pharmacy.name}`),
    performerType: { coding: [{ system: SPECIALTY_SYSTEM, code: m.specialty, display: specialty }], text: specialty },
    reasonCode: [{ coding: [{ system: REASON_SYSTEM, code: reason.code, display: REASON_LABEL.fr[reason.code] }], text: reason.text ?? REASON_LABEL.fr[reason.code] }],
    ...(parts.length > 0 ? { supportingInfo: parts } : {}),
    note: [
      { authorReference: ref(staff, compiledBy.name), time: m.completedAt, text: `Question : ${m.question}` },
      ...(m.note.trim() !== '' ? [{ authorReference: ref(staff, compiledBy.name), time: m.completedAt, text: `Note de la pharmacie : ${m.note}` }] : []),
      ...skipped.map((text) => ({ text })),
    ],
  });
  add<Provenance>({
    resourceType: 'Provenance',
    id: uuid(`case:${m.caseId}:compiled`),
    target: [ref(request), ...parts],
    occurredDateTime: m.completedAt,
    recorded: e.receivedAt,
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'CREATE', display: 'create' }], text: 'Dossier constitué en pharmacie' },
    agent: [{
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author', display: 'Author' }] },
      who: ref(staff, compiledBy.name),
      onBehalfOf: ref(pharmacy, compiledBy.pharmacy.name),
    }, {
      // The booth gathered the parts and stored them: an assembler in Provenance's words.
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'assembler', display: 'Assembler' }] },
      who: ref(booth, e.boothId),
    }],
  });

  const a = e.answer;
  if (a) {
    const doctors = new Map<string, Practitioner>();
    const doctor = (id: string, name: string, specialty: string): Practitioner => {
      const p = doctors.get(id) ?? add<Practitioner>({ ...practitionerResource(id, name), qualification: [{ code: { text: specialty } }] });
      doctors.set(id, p);
      return p;
    };
    const answeredBy = doctor(a.answeredBy.id, a.answeredBy.name, a.answeredBy.specialty);
    if (a.prescription) doctor(a.prescription.prescriber.id, a.prescription.prescriber.name, a.prescription.prescriber.specialty);
    const report = add<DiagnosticReport>({
      resourceType: 'DiagnosticReport',
      id: uuid(`case:${m.caseId}:answer`),
      identifier: [{ system: CASE_SYSTEM, value: `${m.caseId}/answer` }],
      basedOn: [ref(request)],
      status: 'final',
      code: { coding: [{ system: CASE_REQUEST_SYSTEM, code: 'tele-expertise', display: 'Téléexpertise' }], text: `Réponse de téléexpertise — ${specialty}` },
      subject,
      effectiveDateTime: a.answeredAt,
      issued: a.answeredAt,
      performer: [ref(answeredBy, a.answeredBy.name)],
      resultsInterpreter: [ref(answeredBy, a.answeredBy.name)],
      ...(observations.length > 0 ? { result: observations.map((o) => ref(o)) } : {}),
      ...(stills.length > 0 ? { media: stills.map((s) => ({ link: ref(s) })) } : {}),
      conclusion: a.advice,
      conclusionCode: answerCodes(a),
    });
    const prescribed = a.prescription
      ? prescriptionRequests(a.prescription, subject).map((mr) => add({ ...mr, basedOn: [ref(request)] }))
      : [];
    add<Provenance>({
      resourceType: 'Provenance',
      id: uuid(`case:${m.caseId}:answered`),
      target: [ref(report), ...prescribed.map((mr) => ref(mr))],
      occurredDateTime: a.answeredAt,
      recorded: a.answeredAt,
      activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'CREATE', display: 'create' }], text: 'Réponse du médecin' },
      agent: [{
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author', display: 'Author' }] },
        who: ref(answeredBy, a.answeredBy.name),
      }],
      signature: [{
        type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.1', display: 'Author\'s Signature' }],
        when: a.answeredAt,
        who: ref(answeredBy, a.answeredBy.name),
        targetFormat: 'application/json',
        data: base64(a.signature),
      }],
    });
  }

  return {
    resourceType: 'Bundle',
    id: uuid(`case:${m.caseId}`),
    identifier: { system: CASE_SYSTEM, value: m.caseId },
    type: 'collection',
    timestamp: a?.answeredAt ?? e.receivedAt,
    entry: entries,
  };
}
