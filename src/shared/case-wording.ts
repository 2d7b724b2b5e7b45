/**
 * A case's answer in words (case-protocol.ts: AnswerKind, urgency,
 * liveWithin): one vocabulary for the printed answer at the counter and the
 * displays of the FHIR export, so the pharmacist and the record read the same
 * thing. French for paper and the record (the pharmacy's language), English
 * beside it for the counter's other language.
 */
import type { AnswerKind, CaseAnswer } from './case-protocol';
import type { Language } from './language';

export type CaseUrgency = CaseAnswer['urgency'];
export type LiveWithin = NonNullable<CaseAnswer['liveWithin']>;

export const ANSWER_KIND_WORDING: Readonly<Record<AnswerKind, Record<Language, string>>> = {
  advice: { fr: 'Conseil au patient', en: 'Advice to the patient' },
  'live-needed': { fr: 'Téléconsultation en direct nécessaire', en: 'A live consultation is needed' },
  referral: { fr: 'Orientation vers un autre praticien', en: 'Referral to another practitioner' },
};

export const URGENCY_WORDING: Readonly<Record<CaseUrgency, Record<Language, string>>> = {
  routine: { fr: 'Non urgent', en: 'Routine' },
  urgent: { fr: 'Urgent : rappeler le patient sans attendre', en: 'Urgent: call the patient back now' },
};

export const LIVE_WITHIN_WORDING: Readonly<Record<LiveWithin, Record<Language, string>>> = {
  today: { fr: 'aujourd’hui', en: 'today' },
  '48h': { fr: 'sous 48 heures', en: 'within 48 hours' },
  week: { fr: 'dans la semaine', en: 'within a week' },
};
