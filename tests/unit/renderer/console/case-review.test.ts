/**
 * The case review's pure parts: readings grouped by kind as a trend, the
 * skipped items named with their reason, the answer form checked field by
 * field, the "already answered" refusal in the doctor's words.
 */
import { describe, expect, it } from 'vitest';
import { AnswerCaseParams, CASE_ERRORS } from '../../../../src/shared/case-protocol';
import type { Reading } from '../../../../src/shared/domain';
import { alreadyAnsweredText, answerOf, emptyAnswer, readingsByKind, skippedItems, type AnswerDraft } from '../../../../src/renderer/console/src/case-review';
import { frenchError } from '../../../../src/renderer/console/src/errors';

const CASE_ID = '0190a000-0000-7000-8000-000000000001';
let n = 0;
function reading(kind: Reading['kind'], at: string, value: number): Reading {
  n += 1;
  return {
    id: `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`, sessionId: 's1', kind, code: '8310-5',
    values: [{ code: '8310-5', name: 'Body temperature', value, unit: 'Cel' }], takenAt: at, receivedAt: at,
    device: { id: 'd1', kind: 'thermometer', model: 'T1', serial: '1', firmware: '1' }, flags: [],
  } as Reading;
}
const draft = (over: Partial<AnswerDraft>): AnswerDraft => ({ ...emptyAnswer(), ...over });

describe('the case review', () => {
  it('groups the readings by kind, each kind in the order its values were taken', () => {
    const t2 = reading('temperature', '2026-12-02T09:10:00Z', 38.4);
    const t1 = reading('temperature', '2026-12-02T09:00:00Z', 38.9);
    const s = reading('spo2', '2026-12-02T09:05:00Z', 97);
    const groups = readingsByKind([t2, s, t1]);
    expect(groups.map((g) => g.kind)).toEqual(['temperature', 'spo2']);
    expect(groups[0]!.readings.map((r) => r.values[0]!.value)).toEqual([38.9, 38.4]);
  });

  it('names each skipped item with the pharmacist’s reason, and only those', () => {
    const skipped = skippedItems(
      [{ id: 'i1', kind: 'temperature' }, { id: 'i2', kind: 'auscultation', point: 'mitral' }, { id: 'i3', kind: 'otoscope-photo', ear: 'left' }, { id: 'i4', kind: 'video' }],
      [
        { checklistId: 'i1', kind: 'temperature', itemId: '0190a000-0000-7000-8000-000000000009' },
        { checklistId: 'i2', kind: 'auscultation', itemId: null, skipped: 'stéthoscope en panne' },
        { checklistId: 'i3', kind: 'otoscope-photo', itemId: null, skipped: 'Otoscope — conduit bouché' },
        { checklistId: 'i4', kind: 'video', itemId: null },
      ],
    );
    expect(skipped).toEqual([
      { id: 'i2', what: 'Auscultation — Foyer mitral', why: 'stéthoscope en panne' },
      { id: 'i3', what: 'Photo otoscope — oreille gauche', why: 'Otoscope — conduit bouché' },
      { id: 'i4', what: 'Vidéo du patient', why: 'raison non précisée' },
    ]);
  });
});

describe('the answer form', () => {
  it('asks for the kind and the advice before anything is sent', () => {
    const r = answerOf(CASE_ID, draft({ advice: '   ' }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect([...r.problems.keys()].sort()).toEqual(['advice', 'kind']);
  });

  it('asks how soon for a live consultation, and to whom and why for a referral', () => {
    const live = answerOf(CASE_ID, draft({ kind: 'live-needed', advice: 'Consultez.' }));
    expect(!live.ok && [...live.problems.keys()]).toEqual(['liveWithin']);
    const referral = answerOf(CASE_ID, draft({ kind: 'referral', advice: 'Voyez un dermatologue.', referralTo: 'Dermatologie' }));
    expect(!referral.ok && [...referral.problems.keys()]).toEqual(['referralReason']);
  });

  it('sends an advice the shared schema accepts, without the fields of other kinds', () => {
    const r = answerOf(CASE_ID, draft({ kind: 'advice', advice: '  Hydratez la peau matin et soir.  ', urgency: 'urgent', liveWithin: 'today', referralTo: 'x' }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.params).toEqual({ caseId: CASE_ID, kind: 'advice', advice: 'Hydratez la peau matin et soir.', urgency: 'urgent' });
    expect(AnswerCaseParams.safeParse(r.params).success).toBe(true);
  });

  it('carries a referral and a prescription from the live prescription’s rows', () => {
    const r = answerOf(CASE_ID, draft({
      kind: 'referral', advice: 'Prenez rendez-vous.', referralTo: 'Dermatologie', referralReason: 'Lésion à retirer',
      prescribe: true, rows: [{ key: 1, name: 'Crème émolliente', dosage: '2 fois par jour', duration: '', quantity: '' }, { key: 2, name: '', dosage: '', duration: '', quantity: '' }], instructions: ' Sur peau sèche ',
    }));
    expect(r.ok && r.params).toMatchObject({ referral: { to: 'Dermatologie', reason: 'Lésion à retirer' }, prescription: { items: [{ name: 'Crème émolliente', dosage: '2 fois par jour' }], instructions: 'Sur peau sèche' } });
  });

  it('refuses a prescription chosen but left without a posology, and nothing else', () => {
    const r = answerOf(CASE_ID, draft({ kind: 'advice', advice: 'Repos.', prescribe: true, rows: [{ key: 1, name: 'Paracétamol', dosage: '', duration: '', quantity: '' }] }));
    expect(!r.ok && Object.fromEntries(r.problems)).toEqual({ prescription: 'Ligne 1 : indiquez la posologie de « Paracétamol ».' });
  });
});

describe('a case answered by someone else first', () => {
  it('names who answered, from the hub’s refusal', () => {
    expect(alreadyAnsweredText('case already answered by Dr Claire Martin')).toMatch(/^Dr Claire Martin a déjà répondu à ce cas/);
    expect(alreadyAnsweredText('case already answered by Dr Claire Martin at 2026-12-02T09:00:00Z')).toMatch(/^Dr Claire Martin a déjà répondu/);
    expect(frenchError('case.answer', CASE_ERRORS.alreadyAnswered, 'déjà répondu par Dr Paul Roy.')).toMatch(/^Dr Paul Roy a déjà répondu/);
  });

  it('still says it in words when the refusal names nobody', () => {
    expect(alreadyAnsweredText('')).toMatch(/^Un autre médecin a déjà répondu à ce cas/);
  });
});
