/**
 * The deferred cases ("Examens différés") as the doctor chooses among them:
 * the ones still to answer by due time (overdue first, so they cannot be
 * missed), then the answered ones, latest first; the due time in words.
 * Pure, so the ordering and the wording are tested without a browser.
 */
import type { CaseState, CaseSummary } from '../../../shared/case-protocol';

export const CASE_STATE_LABEL: Record<CaseState, string> = {
  incomplete: 'Incomplet (envoi en cours)',
  waiting: 'À traiter',
  answered: 'Répondu',
};

/** Still to answer: by due time, the most overdue first; answered ones after, the latest received first. */
export function orderCases(cases: readonly CaseSummary[]): CaseSummary[] {
  const open = cases.filter((c) => c.state !== 'answered').sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.caseId.localeCompare(b.caseId));
  const done = cases.filter((c) => c.state === 'answered').sort((a, b) => Date.parse(b.receivedAt) - Date.parse(a.receivedAt) || a.caseId.localeCompare(b.caseId));
  return [...open, ...done];
}

/** "3 j 4 h", "5 h 05", "12 min", "moins d’1 min". */
export function spanText(ms: number): string {
  const min = Math.floor(Math.abs(ms) / 60_000);
  if (min < 1) return 'moins d’1 min';
  if (min < 60) return `${min} min`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return `${hours} h ${String(min % 60).padStart(2, '0')}`;
  return `${Math.floor(hours / 24)} j ${hours % 24} h`;
}

/** The due time as the queue shows it: overdue ("En retard de 2 h 10") or still to come ("À rendre dans 5 h 05"); nothing once answered. */
export function dueText(c: Pick<CaseSummary, 'dueAt' | 'state'>, now: number): { overdue: boolean; text: string } {
  if (c.state === 'answered') return { overdue: false, text: 'Réponse envoyée' };
  const left = Date.parse(c.dueAt) - now;
  if (left < 0) return { overdue: true, text: `En retard de ${spanText(left)}` };
  return { overdue: false, text: `À rendre dans ${spanText(left)}` };
}

/** The question on one line (the full text is in the review). */
export function oneLine(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}
