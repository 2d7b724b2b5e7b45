/**
 * Words more than one screen or paper uses, so the patient, the doctor and
 * the GP's report read one vocabulary: UCUM units as people write them (the
 * kiosk and the report; the console says "bpm" for `/min`), and the
 * reimbursement pathway rule in French, the doctors' language (console and
 * GP report).
 */
import type { UcumUnit } from './domain';
import type { ExceptionReason, Pathway } from './session-view';

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
