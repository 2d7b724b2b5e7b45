/**
 * Words more than one screen or paper uses, so the patient, the doctor and
 * the GP's report read one vocabulary: UCUM units as people write them (the
 * kiosk, the console and the report alike: the pulse is "/min" everywhere), the reimbursement
 * pathway rule in French, the doctors' language (console and GP report), the
 * name of each measured value and each device for every reader, and dates.
 */
import { LOINC, type DeviceKind, type Ear, type UcumUnit } from './domain';
import type { ExceptionReason, Language, Pathway } from './session-view';

export const UNIT_SYMBOL: Record<UcumUnit, string> = {
  Cel: '°C',
  '[degF]': '°F',
  'mm[Hg]': 'mmHg',
  kPa: 'kPa',
  '/min': '/min',
  '%': '%',
  '1': '',
};

export const PATHWAY_LABEL_FR: Record<Pathway, string> = {
  'gp-known': 'Médecin traitant connu',
  'seen-12-months': 'Vu par le médecin traitant dans les 12 mois',
  exception: 'Exception au parcours de soins',
};

export const EXCEPTION_LABEL_FR: Record<ExceptionReason, string> = {
  'no-gp': 'Pas de médecin traitant',
  'gp-unavailable': 'Médecin traitant indisponible',
  emergency: 'Urgence',
  'under-16': 'Moins de 16 ans',
  'direct-access': 'Accès direct',
};

/** A measured value's name for each reader. */
export interface QuantityWording {
  /** FHIR's `display`: LOINC's own name, what a receiving system expects (English). */
  fhir: string;
  /** The doctor's console (French, a column heading). */
  console: string;
  /** Inside a line of the GP's report (French, lower case). */
  report: string;
  /** The patient's screen, in plain words. */
  kiosk: Record<Language, string>;
}

/** Every value the booth measures, by LOINC code (DESIGN §3). */
export const QUANTITY_WORDING: Readonly<Record<string, QuantityWording>> = {
  [LOINC.bodyTemperature]: { fhir: 'Body temperature', console: 'Température', report: 'température', kiosk: { fr: 'Température', en: 'Temperature' } },
  [LOINC.systolic]: { fhir: 'Systolic blood pressure', console: 'Systolique', report: 'systolique', kiosk: { fr: 'Tension haute', en: 'Systolic' } },
  [LOINC.diastolic]: { fhir: 'Diastolic blood pressure', console: 'Diastolique', report: 'diastolique', kiosk: { fr: 'Tension basse', en: 'Diastolic' } },
  [LOINC.meanArterial]: { fhir: 'Mean blood pressure', console: 'Pression artérielle moyenne', report: 'moyenne', kiosk: { fr: 'Pression moyenne', en: 'Mean pressure' } },
  [LOINC.heartRate]: { fhir: 'Heart rate', console: 'Pouls', report: 'pouls', kiosk: { fr: 'Pouls', en: 'Pulse' } },
  [LOINC.spo2]: { fhir: 'Oxygen saturation in Blood Preductal by Pulse oximetry', console: 'SpO₂', report: 'SpO2', kiosk: { fr: 'Oxygène', en: 'Oxygen' } },
  [LOINC.spo2Arterial]: { fhir: 'Oxygen saturation in Arterial blood', console: 'SaO₂', report: 'SpO2', kiosk: { fr: 'Oxygène', en: 'Oxygen' } },
};

/** The wording of a LOINC code, or undefined for a code the booth does not measure (the reading's own name is shown then). */
export function quantityWording(code: string): QuantityWording | undefined {
  return Object.hasOwn(QUANTITY_WORDING, code) ? QUANTITY_WORDING[code] : undefined;
}

/**
 * Each device's name on the console and inside a sentence to the doctor
 * (French), and to the patient on the kiosk, with its article, to open a
 * sentence ("Le tensiomètre ne répond plus").
 */
export const DEVICE_WORDING: Readonly<Record<DeviceKind, { console: string; sentence: string; kiosk: Record<Language, string> }>> = {
  thermometer: { console: 'Thermomètre', sentence: 'thermomètre', kiosk: { fr: 'Le thermomètre', en: 'The thermometer' } },
  'bp-cuff': { console: 'Tensiomètre', sentence: 'tensiomètre', kiosk: { fr: 'Le tensiomètre', en: 'The blood pressure monitor' } },
  oximeter: { console: 'Oxymètre', sentence: 'oxymètre de pouls', kiosk: { fr: 'L’oxymètre de pouls', en: 'The pulse oximeter' } },
  dermatoscope: { console: 'Dermatoscope', sentence: 'dermatoscope', kiosk: { fr: 'Le dermatoscope', en: 'The dermatoscope' } },
  otoscope: { console: 'Otoscope', sentence: 'otoscope', kiosk: { fr: 'L’otoscope', en: 'The otoscope' } },
  stethoscope: { console: 'Stéthoscope', sentence: 'stéthoscope', kiosk: { fr: 'Le stéthoscope', en: 'The stethoscope' } },
};

/** An ear's words: the otoscope still's body site, to the doctor (French) and the patient. */
export const EAR_WORDING: Readonly<Record<Ear, Record<Language, string>>> = {
  left: { fr: 'oreille gauche', en: 'left ear' },
  right: { fr: 'oreille droite', en: 'right ear' },
};

/** The patient's banner for a device that stopped answering, naming it ("a device" only for a kind the booth does not know). */
export function deviceNotResponding(kind: string, lang: Language): string {
  const name = Object.hasOwn(DEVICE_WORDING, kind) ? DEVICE_WORDING[kind as DeviceKind].kiosk[lang] : null;
  if (lang === 'fr') return `${name ?? 'Un appareil'} ne répond plus.`;
  return `${name ?? 'A device'} is not responding.`;
}

const PARIS_DATE_TIME = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long', timeStyle: 'short' });
const PARIS_TIME = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', timeStyle: 'short' });
const PARIS_CLOCK = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/** "7 mars 2026 à 00:30": a date on French paper (prescription, GP report), in Paris time whatever the computer's zone. */
export function parisDateTime(iso: string): string {
  return PARIS_DATE_TIME.format(new Date(iso));
}

/** "14:05", in Paris time. */
export function parisTime(iso: string): string {
  return PARIS_TIME.format(new Date(iso));
}

/** "14:05:09", in Paris time. */
export function parisClockTime(iso: string): string {
  return PARIS_CLOCK.format(new Date(iso));
}

/** "09:07": the hour and minute of `at` on the kiosk's own clock, as the patient's language writes it. */
export function timeOfDay(at: number | string | Date, lang: Language): string {
  return new Date(at).toLocaleTimeString(lang === 'fr' ? 'fr-FR' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
}
