/**
 * FHIR R4 export of a session (the hub's GP report, a future DMP/EHR push):
 * a `collection` Bundle of vital-signs Observations (LOINC codes, UCUM units,
 * effective time, device reference, pseudonymous subject), the Devices that
 * measured them, and dermatoscope photos as Media. Follows the FHIR R4
 * vital-signs profile (https://hl7.org/fhir/R4/observation-vitalsigns.html):
 * BP is the 85354-9 panel with 8480-6/8462-4 components in mm[Hg]; SpO2 is
 * coded 2708-6 and 59408-5 in %; heart rate 8867-4 in /min; temperature
 * 8310-5 in Cel. No name, no birth date: the subject is a pseudonym.
 * Stethoscope clips are audio Media (WAV inline) with their auscultation
 * point as body site (Cabine's point name and its French words; no SNOMED CT
 * code is claimed).
 * The consultation adds the specialist's notes as a ClinicalImpression and
 * each prescribed item as a MedicationRequest (grouped by the prescription
 * number), both referring to the prescriber as a Practitioner.
 */
import type {
  Bundle, BundleEntry, ClinicalImpression, CodeableConcept, Device, Media, MedicationRequest, Observation, ObservationComponent, Practitioner,
  Quantity as FhirQuantity, Reference,
} from 'fhir/r4';
import { v5 as uuidv5 } from 'uuid';
import type { DeviceInfo, Ear, Quantity, Reading } from './domain';
import { LOINC } from './domain';
import type { Prescription } from './consult-protocol';
import { AUSCULTATION_WORDING } from './auscultation';
import type { ClipMeta, PhotoMeta } from './record-protocol';
import { QUANTITY_WORDING } from './wording';

const LOINC_SYSTEM = 'http://loinc.org';
const UCUM_SYSTEM = 'http://unitsofmeasure.org';
/** Namespace for the derived ids (devices, heart-rate observations, a case's resources in fhir-case.ts): stable across exports. */
export const CABINE_NS = '6f1c9a52-5d3e-4b8e-9a57-1f0f6b3c2d10';
export const PSEUDONYM_SYSTEM = 'urn:cabine:pseudonym';

const UNIT_DISPLAY: Record<string, string> = { Cel: '°C', '[degF]': '°F', 'mm[Hg]': 'mmHg', kPa: 'kPa', '/min': 'beats/minute', '%': '%', '1': '1' };
/** LOINC's names: each measured value's from the wording table, and the panel that groups a blood pressure. */
const DISPLAY: Record<string, string> = {
  ...Object.fromEntries(Object.entries(QUANTITY_WORDING).map(([code, w]) => [code, w.fhir])),
  [LOINC.bpPanel]: 'Blood pressure panel with all children optional',
};

export interface SessionExport {
  sessionId: string;
  /** Pseudonymous subject id: never the patient's name. */
  subjectPseudonym: string;
  readings: Reading[];
  /** Photos, with their bytes (base64) or a URL where the record serves them. */
  photos?: { meta: PhotoMeta; data?: string; url?: string }[];
  /** Stethoscope clips, with their WAV (base64) or a URL where the record serves them. */
  clips?: { meta: ClipMeta; data?: string; url?: string }[];
  /** The specialist's notes on the session (latest text), if any. */
  notes?: { text: string; author: { id: string; name: string }; at: string } | null;
  /** Prescriptions issued in the session. */
  prescriptions?: Prescription[];
  /** Bundle timestamp (defaults to now). */
  at?: string;
}

export const SPECIALIST_SYSTEM = 'urn:cabine:specialist';
export const PRESCRIPTION_SYSTEM = 'urn:cabine:prescription';
export const AUSCULTATION_POINT_SYSTEM = 'urn:cabine:auscultation-point';

const urn = (id: string) => `urn:uuid:${id}`;

function loinc(code: string): CodeableConcept {
  return { coding: [{ system: LOINC_SYSTEM, code, display: DISPLAY[code] ?? code }], text: DISPLAY[code] ?? code };
}

function quantity(q: Quantity): FhirQuantity {
  return { value: q.value, unit: UNIT_DISPLAY[q.unit] ?? q.unit, system: UCUM_SYSTEM, code: q.unit };
}

const VITAL_SIGNS: CodeableConcept[] = [{
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }],
  text: 'Vital Signs',
}];

export function deviceUuid(d: DeviceInfo): string {
  return uuidv5(`device:${d.id}:${d.serial}`, CABINE_NS);
}

export function deviceResource(d: DeviceInfo): Device {
  return {
    resourceType: 'Device',
    id: deviceUuid(d),
    identifier: [{ system: 'urn:cabine:device', value: d.id }],
    // A camera (the otoscope's) tells no serial number or firmware: FHIR has no empty string, so they are left out.
    ...(d.serial ? { serialNumber: d.serial } : {}),
    deviceName: [{ name: d.model, type: 'model-name' }],
    type: { text: d.kind },
    ...(d.firmware ? { version: [{ value: d.firmware }] } : {}),
  };
}

/** Observations for one reading (a BP or SpO2 reading also yields a heart-rate Observation). */
export function readingObservations(r: Reading, subject: Reference): Observation[] {
  const base = (id: string, code: CodeableConcept): Observation => ({
    resourceType: 'Observation',
    id,
    status: r.flags.length > 0 ? 'preliminary' : 'final',
    category: VITAL_SIGNS,
    code,
    subject,
    effectiveDateTime: r.takenAt,
    issued: r.receivedAt,
    device: { reference: urn(deviceUuid(r.device)) },
    ...(r.flags.length > 0 ? { note: [{ text: `device flags: ${r.flags.join(', ')}` }] } : {}),
  });
  const byCode = new Map(r.values.map((v) => [v.code, v]));
  const out: Observation[] = [];
  const hr = byCode.get(LOINC.heartRate);
  if (r.kind === 'temperature') {
    const t = byCode.get(LOINC.bodyTemperature) ?? r.values[0]!;
    out.push({ ...base(r.id, loinc(LOINC.bodyTemperature)), valueQuantity: quantity(t) });
  } else if (r.kind === 'blood-pressure') {
    const component: ObservationComponent[] = [LOINC.systolic, LOINC.diastolic, LOINC.meanArterial]
      .filter((c) => byCode.has(c))
      .map((c) => ({ code: loinc(c), valueQuantity: quantity(byCode.get(c)!) }));
    out.push({ ...base(r.id, loinc(LOINC.bpPanel)), component });
  } else if (r.kind === 'spo2') {
    const s = byCode.get(LOINC.spo2) ?? byCode.get(LOINC.spo2Arterial) ?? r.values[0]!;
    const code: CodeableConcept = {
      coding: [
        { system: LOINC_SYSTEM, code: LOINC.spo2Arterial, display: DISPLAY[LOINC.spo2Arterial]! },
        { system: LOINC_SYSTEM, code: LOINC.spo2, display: DISPLAY[LOINC.spo2]! },
      ],
      text: 'Oxygen saturation',
    };
    out.push({ ...base(r.id, code), valueQuantity: quantity(s) });
  } else {
    return out; // cuff pressure while inflating, photos: not observations
  }
  if (hr) out.push({ ...base(uuidv5(`${r.id}:heart-rate`, CABINE_NS), loinc(LOINC.heartRate)), valueQuantity: quantity(hr), derivedFrom: [{ reference: urn(r.id) }] });
  return out;
}

/** An otoscope still's ear as its body site: SNOMED CT body structures. */
const EAR_SITE: Record<Ear, CodeableConcept> = {
  left: { coding: [{ system: 'http://snomed.info/sct', code: '89644007', display: 'Left ear structure' }], text: 'left ear' },
  right: { coding: [{ system: 'http://snomed.info/sct', code: '25577004', display: 'Right ear structure' }], text: 'right ear' },
};

export function mediaResource(p: NonNullable<SessionExport['photos']>[number], subject: Reference): Media {
  const m = p.meta;
  return {
    resourceType: 'Media',
    id: m.id,
    status: 'completed',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/media-type', code: 'image', display: 'Image' }] },
    modality: { text: m.modality === 'otoscope' ? 'otoscope' : `dermatoscope${m.polarisation === 'none' ? '' : ` (${m.polarisation})`}` },
    subject,
    createdDateTime: m.takenAt,
    ...(m.device ? { device: { reference: urn(deviceUuid(m.device)) } } : {}),
    ...(m.ear ? { bodySite: EAR_SITE[m.ear] } : m.bodySite ? { bodySite: { text: m.bodySite } } : {}),
    height: m.height,
    width: m.width,
    content: {
      contentType: m.mime,
      size: m.byteLength,
      ...(p.data ? { data: p.data } : { url: p.url ?? `urn:uuid:${m.id}` }),
    },
  };
}

export function clipResource(c: NonNullable<SessionExport['clips']>[number], subject: Reference): Media {
  const m = c.meta;
  const name = AUSCULTATION_WORDING[m.point].name;
  return {
    resourceType: 'Media',
    id: m.id,
    status: 'completed',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/media-type', code: 'audio', display: 'Audio' }] },
    modality: { text: 'stéthoscope (auscultation)' },
    subject,
    createdDateTime: m.recordedAt,
    bodySite: { coding: [{ system: AUSCULTATION_POINT_SYSTEM, code: m.point, display: name }], text: name },
    duration: m.durationMs / 1000,
    note: [{ text: `PCM ${m.bitsPerSample} bits, ${m.sampleRate} Hz, ${m.channels === 1 ? 'mono' : 'stéréo'}` }],
    content: {
      contentType: m.mime,
      size: m.byteLength,
      ...(c.data ? { data: c.data } : { url: c.url ?? `urn:uuid:${m.id}` }),
    },
  };
}

function practitionerUuid(id: string): string {
  return uuidv5(`practitioner:${id}`, CABINE_NS);
}

export function practitionerResource(id: string, name: string): Practitioner {
  return { resourceType: 'Practitioner', id: practitionerUuid(id), identifier: [{ system: SPECIALIST_SYSTEM, value: id }], name: [{ text: name }] };
}

function notesResource(e: SessionExport, notes: NonNullable<SessionExport['notes']>, subject: Reference): ClinicalImpression {
  return {
    resourceType: 'ClinicalImpression',
    id: uuidv5(`notes:${e.sessionId}`, CABINE_NS),
    status: 'completed',
    description: 'Notes de téléconsultation',
    subject,
    date: notes.at,
    assessor: { reference: urn(practitionerUuid(notes.author.id)), display: notes.author.name },
    summary: notes.text,
  };
}

/** One MedicationRequest per prescribed item; the prescription number groups them. */
export function prescriptionRequests(p: Prescription, subject: Reference): MedicationRequest[] {
  return p.items.map((item, i) => ({
    resourceType: 'MedicationRequest',
    id: uuidv5(`prescription:${p.number}:${i}`, CABINE_NS),
    identifier: [{ system: PRESCRIPTION_SYSTEM, value: `${p.number}/${i + 1}` }],
    groupIdentifier: { system: PRESCRIPTION_SYSTEM, value: p.number },
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: { text: item.name },
    subject,
    authoredOn: p.issuedAt,
    requester: { reference: urn(practitionerUuid(p.prescriber.id)), display: p.prescriber.name },
    dosageInstruction: [{ sequence: 1, text: [item.dosage, item.duration ? `pendant ${item.duration}` : ''].filter(Boolean).join(', ') }],
    ...(item.quantity || p.instructions ? { note: [item.quantity ? { text: `Quantité : ${item.quantity}` } : null, p.instructions ? { text: p.instructions } : null].filter((n) => n !== null) } : {}),
  }));
}

/** One session as a FHIR R4 `collection` Bundle. */
export function sessionBundle(e: SessionExport): Bundle {
  const subject: Reference = { identifier: { system: PSEUDONYM_SYSTEM, value: e.subjectPseudonym } };
  const entries: BundleEntry[] = [];
  const devices = new Map<string, DeviceInfo>();
  for (const r of e.readings) devices.set(deviceUuid(r.device), r.device);
  for (const p of e.photos ?? []) if (p.meta.device) devices.set(deviceUuid(p.meta.device), p.meta.device);
  for (const [id, d] of devices) entries.push({ fullUrl: urn(id), resource: deviceResource(d) });
  for (const r of e.readings) for (const o of readingObservations(r, subject)) entries.push({ fullUrl: urn(o.id!), resource: o });
  for (const p of e.photos ?? []) entries.push({ fullUrl: urn(p.meta.id), resource: mediaResource(p, subject) });
  for (const c of e.clips ?? []) entries.push({ fullUrl: urn(c.meta.id), resource: clipResource(c, subject) });
  const practitioners = new Map<string, string>();
  if (e.notes) practitioners.set(e.notes.author.id, e.notes.author.name);
  for (const p of e.prescriptions ?? []) practitioners.set(p.prescriber.id, p.prescriber.name);
  for (const [id, name] of practitioners) entries.push({ fullUrl: urn(practitionerUuid(id)), resource: practitionerResource(id, name) });
  if (e.notes) {
    const ci = notesResource(e, e.notes, subject);
    entries.push({ fullUrl: urn(ci.id!), resource: ci });
  }
  for (const p of e.prescriptions ?? []) for (const mr of prescriptionRequests(p, subject)) entries.push({ fullUrl: urn(mr.id!), resource: mr });
  return {
    resourceType: 'Bundle',
    id: uuidv5(`session:${e.sessionId}`, CABINE_NS),
    identifier: { system: 'urn:cabine:session', value: e.sessionId },
    type: 'collection',
    timestamp: e.at ?? new Date().toISOString(),
    entry: entries,
  };
}
