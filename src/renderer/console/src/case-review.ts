/**
 * The case review's pure parts: the readings grouped by kind in the order
 * they were taken (a kind taken more than once is a trend), each checklist
 * item named for the doctor, the items the pharmacist skipped with their
 * reason, and the answer form checked field by field before anything is
 * sent (`case.answer`); the hub checks again and has the last word.
 */
import { AnswerCaseParams, type AnswerKind } from '../../../shared/case-protocol';
import type { CaseEntry, ChecklistItem } from '../../../shared/case-record';
import { AUSCULTATION_WORDING } from '../../../shared/auscultation';
import type { MeasurementKind, Reading } from '../../../shared/domain';
import { EAR_WORDING } from '../../../shared/wording';
import { KIND_LABEL } from './format';
import { rowsToItems, type Row } from './prescription-rows';

/** The readings of each kind, oldest first; kinds in the order their first reading was taken. */
export function readingsByKind(readings: readonly Reading[]): { kind: MeasurementKind; readings: Reading[] }[] {
  const sorted = [...readings].sort((a, b) => Date.parse(a.takenAt) - Date.parse(b.takenAt) || a.id.localeCompare(b.id));
  const groups = new Map<MeasurementKind, Reading[]>();
  for (const r of sorted) groups.set(r.kind, [...(groups.get(r.kind) ?? []), r]);
  return [...groups].map(([kind, rs]) => ({ kind, readings: rs }));
}

/** A checklist item as the doctor reads it: "Auscultation — Foyer mitral", "Photo dermatoscope — avant-bras gauche". */
export function checklistItemText(item: ChecklistItem): string {
  switch (item.kind) {
    case 'temperature': case 'blood-pressure': case 'spo2': return KIND_LABEL[item.kind];
    case 'dermatoscope-photo': return `${KIND_LABEL['dermatoscope-photo']} — ${item.bodySite}`;
    case 'otoscope-photo': return `${KIND_LABEL['otoscope-photo']} — ${EAR_WORDING[item.ear].fr}`;
    case 'auscultation': return `Auscultation — ${AUSCULTATION_WORDING[item.point].name}`;
    case 'video': return 'Vidéo du patient';
  }
}

/** The items not taken, each named with the pharmacist's reason. */
export function skippedItems(checklist: readonly ChecklistItem[], entries: readonly CaseEntry[]): { id: string; what: string; why: string }[] {
  return entries.filter((e) => e.itemId === null).map((e) => {
    const item = checklist.find((i) => i.id === e.checklistId);
    return { id: e.checklistId, what: item ? checklistItemText(item) : e.kind, why: e.skipped?.trim() || 'raison non précisée' };
  });
}

export const ANSWER_KIND_LABEL: Record<AnswerKind, string> = {
  advice: 'Conseil au patient',
  'live-needed': 'Consultation en direct nécessaire',
  referral: 'Orientation vers un autre médecin',
};
export const LIVE_WITHIN_LABEL = { today: 'Aujourd’hui', '48h': 'Sous 48 h', week: 'Dans la semaine' } as const;
export type LiveWithin = keyof typeof LIVE_WITHIN_LABEL;

/** The answer form as typed. */
export interface AnswerDraft {
  kind: AnswerKind | null;
  advice: string;
  urgency: 'routine' | 'urgent';
  liveWithin: LiveWithin | null;
  referralTo: string;
  referralReason: string;
  /** The prescription is optional: its rows count only once the doctor chose to write one. */
  prescribe: boolean;
  rows: Row[];
  instructions: string;
}

export const emptyAnswer = (): AnswerDraft => ({ kind: null, advice: '', urgency: 'routine', liveWithin: null, referralTo: '', referralReason: '', prescribe: false, rows: [], instructions: '' });

export type AnswerField = 'kind' | 'advice' | 'liveWithin' | 'referralTo' | 'referralReason' | 'prescription';

/** The answer to send, or each problem beside its field (in French, what to do). */
export function answerOf(caseId: string, d: AnswerDraft): { ok: true; params: AnswerCaseParams } | { ok: false; problems: Map<AnswerField, string> } {
  const problems = new Map<AnswerField, string>();
  if (!d.kind) problems.set('kind', 'Choisissez le type de réponse.');
  const advice = d.advice.trim();
  if (!advice) problems.set('advice', 'Écrivez le conseil au patient, en mots simples : il est imprimé au comptoir.');
  else if (advice.length > 4_000) problems.set('advice', 'Le conseil dépasse 4 000 caractères : raccourcissez-le.');
  if (d.kind === 'live-needed' && !d.liveWithin) problems.set('liveWithin', 'Dites sous quel délai la consultation en direct est nécessaire.');
  if (d.kind === 'referral') {
    if (!d.referralTo.trim()) problems.set('referralTo', 'Dites vers qui le patient est orienté (spécialité, service).');
    if (!d.referralReason.trim()) problems.set('referralReason', 'Donnez le motif de l’orientation.');
  }
  let prescription: AnswerCaseParams['prescription'];
  if (d.prescribe) {
    const rx = rowsToItems(d.rows);
    if ('error' in rx) problems.set('prescription', rx.error);
    else prescription = { items: rx.items, instructions: d.instructions.trim() };
  }
  if (problems.size > 0 || !d.kind) return { ok: false, problems };
  const params: AnswerCaseParams = {
    caseId,
    kind: d.kind,
    advice,
    urgency: d.urgency,
    ...(d.kind === 'live-needed' && d.liveWithin ? { liveWithin: d.liveWithin } : {}),
    ...(d.kind === 'referral' ? { referral: { to: d.referralTo.trim(), reason: d.referralReason.trim() } } : {}),
    ...(prescription ? { prescription } : {}),
  };
  // The shared schema has the last word on this side too (lengths the form does not bound).
  const checked = AnswerCaseParams.safeParse(params);
  if (!checked.success) return { ok: false, problems: new Map([['advice', 'La réponse n’est pas complète : vérifiez chaque champ.']]) };
  return { ok: true, params };
}

/**
 * The hub's CASE_ALREADY_ANSWERED refusal names who answered ("already
 * answered by Dr Martin"); the doctor reads it in French, with that name.
 */
export function alreadyAnsweredText(message: string): string {
  const who = /\b(?:by|par)\s+(.+?)(?:\s+(?:at|on|le|à)\s+\d.*)?[.\s]*$/i.exec(message.trim())?.[1]?.trim();
  return who
    ? `${who} a déjà répondu à ce cas : votre réponse n’a pas été envoyée. Le cas est désormais en lecture seule.`
    : 'Un autre médecin a déjà répondu à ce cas : votre réponse n’a pas été envoyée. Le cas est désormais en lecture seule.';
}
