/**
 * The counter's intake on the hub (`counter.setIntake`, src/shared/counter-protocol.ts):
 * refused unless the staff member's pharmacy is the booth's, refused when
 * the shared schema does not accept the intake on the hub's day, then handed
 * to the booth as `intake.update` naming the staff member. The booth checks
 * again (pharmacy, session, step, intake) and its answer or typed refusal
 * reaches the page as it is. Health data never goes to the log.
 */
import type { z } from 'zod';
import { CaseRequest } from '../../shared/case-record';
import type { Clock } from '../../shared/clock';
import { COUNTER_ERRORS, type SetIntakeParams } from '../../shared/counter-protocol';
import { codeOf } from '../../shared/errors';
import { acceptIntake } from '../../shared/intake';
import { INTAKE, IntakeUpdateResult, type IntakeUpdate } from '../../shared/intake-protocol';
import { refused } from '../peer';
import type { StaffRef } from './alerts';

export interface CounterIntakeOptions {
  booths: readonly { boothId: string; pharmacyId?: string | undefined; pharmacy: { name: string; city: string } }[];
  /** Requests of a booth's connection (rejects when it is offline). */
  booth: { request(boothId: string, method: string, params: unknown): Promise<unknown> };
  clock: Pick<Clock, 'now'>;
  /** Each update handed over, for the hub's log (ids and the outcome only). */
  onForwarded?: (event: { boothId: string; staffId: string; accepted: boolean; deferred: boolean }) => void;
  /** Runs once the hub's checks passed, before the booth is asked (the access journal's entry); its rejection stops the intake. */
  beforeForward?: () => Promise<void>;
}

/** A booth that could not be asked: gone, or no answer in time. */
const UNREACHABLE = new Set(['PEER_GONE', 'TIMEOUT', 'CLOSED']);

/** What each field of a case request is, in the pharmacist's words (the refusal names the ones to correct, never their values). */
const CASE_FIELDS: Record<string, string> = {
  specialty: 'la spécialité (médecine générale ou dermatologie)',
  question: 'la question posée au médecin (1 000 caractères au plus)',
  note: 'la note du pharmacien (2 000 caractères au plus)',
  contactPhone: 'le numéro où rappeler le patient (10 chiffres, par exemple 06 12 34 56 78)',
  checklist: 'la liste des examens (de 1 à 20, identifiants uniques, une vidéo au plus)',
  consent: 'l’accord du patient pour un examen répondu plus tard',
};

/** The problems of a refused case request, in French, one per field. */
export function caseProblems(error: z.ZodError): string {
  const fields = [...new Set(error.issues.map((i) => String(i.path[0] ?? '')))];
  const words = fields.map((f) => CASE_FIELDS[f] ?? (f ? `le champ « ${f.slice(0, 40)} » n’est pas attendu` : 'la demande n’a pas la forme attendue'));
  return `Demande d’examen différé refusée, rien n’a été envoyé à la cabine. À corriger : ${words.join(' ; ')}.`;
}

export async function forwardIntake(o: CounterIntakeOptions, staff: StaffRef, p: SetIntakeParams): Promise<IntakeUpdateResult> {
  const booth = o.booths.find((b) => b.boothId === p.boothId);
  // An unknown booth is refused like another pharmacy's: a page cannot probe which booths exist.
  if (!booth?.pharmacyId || booth.pharmacyId !== staff.pharmacyId) {
    throw refused(COUNTER_ERRORS.notYourPharmacy, 'this booth is not one of your pharmacy\'s');
  }
  const checked = acceptIntake(p.intake, o.clock);
  if (!checked.ok) throw refused(COUNTER_ERRORS.invalidIntake, checked.message.en);
  let deferred: IntakeUpdate['deferred'];
  if (p.deferred !== undefined) {
    const request = CaseRequest.safeParse(p.deferred);
    if (!request.success) throw refused(COUNTER_ERRORS.invalidCase, caseProblems(request.error));
    // A case names who compiled it: a sign-in without a name cannot start one.
    if (!staff.firstName.trim()) throw refused(COUNTER_ERRORS.invalidCase, 'Un examen différé est préparé par une personne nommée : connectez-vous avec votre propre compte.');
    // The patient's agreement, on the hub's clock (the page's may be wrong).
    deferred = { request: request.data, consentAt: new Date(o.clock.now()).toISOString() };
  }
  const update: IntakeUpdate = {
    sessionId: p.sessionId,
    intake: checked.intake,
    staff: { staffId: staff.staffId, name: staff.firstName, pharmacy: { name: booth.pharmacy.name, city: booth.pharmacy.city } },
    ...(deferred ? { deferred } : {}),
  };
  await o.beforeForward?.();
  let answer: unknown;
  try {
    answer = await o.booth.request(p.boothId, INTAKE.update, update);
  } catch (error) {
    const code = codeOf(error);
    if (!code || UNREACHABLE.has(code)) throw refused(COUNTER_ERRORS.boothOffline, 'the booth cannot be reached');
    // The booth's own refusal (OTHER_PHARMACY, INVALID_INTAKE) is the page's to show.
    throw refused(code, error instanceof Error ? error.message : code);
  }
  const result = IntakeUpdateResult.safeParse(answer);
  const outcome: IntakeUpdateResult = result.success ? result.data : { accepted: false };
  o.onForwarded?.({ boothId: p.boothId, staffId: staff.staffId, accepted: outcome.accepted, deferred: deferred !== undefined });
  return outcome;
}
