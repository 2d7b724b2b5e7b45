/**
 * "Examen différé" on the counter page, the pure parts: the checklist edited
 * from the specialty's default (items added and removed, a lesion's body
 * site, an ear, an auscultation point), the request checked field by field
 * against the shared schema before anything is sent (`counter.setIntake`
 * with `deferred`); the hub checks again and has the last word.
 */
import type { AuscultationPoint } from '../../../shared/auscultation';
import { CaseRequest, DEFAULT_CHECKLIST, type CaseRequestInput, type CaseSpecialty, type ChecklistItem, type ChecklistKind } from '../../../shared/case-record';
import type { Ear } from '../../../shared/domain';
import type { Key } from './i18n';

export interface DeferredDraft {
  specialty: CaseSpecialty;
  question: string;
  note: string;
  contactPhone: string;
  checklist: ChecklistItem[];
  consent: boolean;
}

export const newDeferred = (specialty: CaseSpecialty = 'general'): DeferredDraft => ({
  specialty, question: '', note: '', contactPhone: '', checklist: DEFAULT_CHECKLIST[specialty].map((i) => ({ ...i })), consent: false,
});

/** Another specialty starts from its own checklist; what was typed besides is kept. */
export function withSpecialty(d: DeferredDraft, specialty: CaseSpecialty): DeferredDraft {
  return specialty === d.specialty ? d : { ...d, specialty, checklist: DEFAULT_CHECKLIST[specialty].map((i) => ({ ...i })) };
}

/** The kinds an item can be added as; at most one video. */
export const ADDABLE_KINDS: readonly ChecklistKind[] = ['temperature', 'blood-pressure', 'spo2', 'dermatoscope-photo', 'otoscope-photo', 'auscultation', 'video'];
export const MAX_ITEMS = 20;

export function canAdd(checklist: readonly ChecklistItem[], kind: ChecklistKind): boolean {
  return checklist.length < MAX_ITEMS && !(kind === 'video' && checklist.some((i) => i.kind === 'video'));
}

/** A fresh id ("i7"): one more than the highest "iN", so ids stay unique after removals. */
function nextId(checklist: readonly ChecklistItem[]): string {
  const max = Math.max(0, ...checklist.map((i) => Number(/^i(\d+)$/.exec(i.id)?.[1] ?? 0)));
  return `i${max + 1}`;
}

/** The item added at the end; a lesion's body site starts empty (the pharmacist names it), an ear left, a point mitral. */
export function addItem(checklist: readonly ChecklistItem[], kind: ChecklistKind): ChecklistItem[] {
  if (!canAdd(checklist, kind)) return [...checklist];
  const id = nextId(checklist);
  const item: ChecklistItem = kind === 'dermatoscope-photo' ? { id, kind, bodySite: '' }
    : kind === 'otoscope-photo' ? { id, kind, ear: 'left' }
    : kind === 'auscultation' ? { id, kind, point: 'mitral' }
    : { id, kind };
  return [...checklist, item];
}

export function removeItem(checklist: readonly ChecklistItem[], id: string): ChecklistItem[] {
  return checklist.filter((i) => i.id !== id);
}

/** Changes the one detail an item has (body site, ear, point); other items and other kinds are left as they are. */
export function setDetail(checklist: readonly ChecklistItem[], id: string, detail: { bodySite: string } | { ear: Ear } | { point: AuscultationPoint }): ChecklistItem[] {
  return checklist.map((i) => {
    if (i.id !== id) return i;
    if (i.kind === 'dermatoscope-photo' && 'bodySite' in detail) return { ...i, bodySite: detail.bodySite };
    if (i.kind === 'otoscope-photo' && 'ear' in detail) return { ...i, ear: detail.ear };
    if (i.kind === 'auscultation' && 'point' in detail) return { ...i, point: detail.point };
    return i;
  });
}

/** A problem's field: 'question', 'note', 'contactPhone', 'consent', 'checklist', or 'checklist.<id>' (an item's detail). */
export type DeferredProblems = Map<string, Key>;

/** The request to send, or each problem by field (words in i18n.ts, both languages). */
export function deferredRequest(d: DeferredDraft): { ok: true; request: CaseRequestInput } | { ok: false; problems: DeferredProblems } {
  const request: CaseRequestInput = {
    specialty: d.specialty,
    question: d.question,
    note: d.note,
    contactPhone: d.contactPhone,
    checklist: d.checklist.map((i) => (i.kind === 'dermatoscope-photo' ? { ...i, bodySite: i.bodySite.trim() } : i)),
    consent: d.consent as true,
  };
  const parsed = CaseRequest.safeParse(request);
  if (parsed.success) return { ok: true, request };
  const problems: DeferredProblems = new Map();
  for (const issue of parsed.error.issues) {
    const [head, index] = issue.path;
    if (head === 'question') problems.set('question', d.question.trim() ? 'deferred.problem.questionLong' : 'deferred.problem.question');
    else if (head === 'note') problems.set('note', 'deferred.problem.note');
    else if (head === 'contactPhone') problems.set('contactPhone', 'deferred.problem.phone');
    else if (head === 'consent') problems.set('consent', 'deferred.problem.consent');
    else if (head === 'checklist' && typeof index === 'number' && d.checklist[index]) problems.set(`checklist.${d.checklist[index].id}`, 'deferred.problem.bodySite');
    else if (head === 'checklist') problems.set('checklist', d.checklist.length === 0 ? 'deferred.problem.empty' : 'deferred.problem.checklist');
    else problems.set('form', 'deferred.problem.checklist');
  }
  return { ok: false, problems };
}
