/**
 * The console's deferred cases: the ones still to answer by due time, the
 * overdue first; answered ones after; the due time in words.
 */
import { describe, expect, it } from 'vitest';
import type { CaseSummary } from '../../../../src/shared/case-protocol';
import { dueText, oneLine, orderCases, spanText } from '../../../../src/renderer/console/src/case-queue';

const NOW = Date.parse('2026-12-02T10:00:00Z');
const H = 3_600_000;
let n = 0;
function summary(over: Partial<CaseSummary> & { dueInH: number }): CaseSummary {
  n += 1;
  const { dueInH, ...rest } = over;
  return {
    caseId: `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    specialty: 'general', state: 'waiting',
    patient: { firstName: 'Jeanne', age: 71 }, reason: 'Toux', question: 'Faut-il une radio ?',
    pharmacy: { name: 'Pharmacie du Centre', city: 'Laval' },
    receivedAt: new Date(NOW + (dueInH - 24) * H).toISOString(), dueAt: new Date(NOW + dueInH * H).toISOString(),
    answeredBy: null, ...rest,
  };
}

describe('the deferred cases queue', () => {
  it('puts the overdue cases first, the most overdue at the top, then those due soonest', () => {
    const later = summary({ dueInH: 20 });
    const overdue = summary({ dueInH: -1 });
    const veryOverdue = summary({ dueInH: -30 });
    const soon = summary({ dueInH: 2 });
    expect(orderCases([later, overdue, soon, veryOverdue]).map((c) => c.caseId)).toEqual([veryOverdue, overdue, soon, later].map((c) => c.caseId));
  });

  it('lists answered cases after every case still to answer, however late they were', () => {
    const answered = summary({ dueInH: -50, state: 'answered', answeredBy: 'Dr Martin' });
    const waiting = summary({ dueInH: 60, specialty: 'dermatology' });
    const incomplete = summary({ dueInH: 70, state: 'incomplete' });
    expect(orderCases([answered, incomplete, waiting]).map((c) => c.state)).toEqual(['waiting', 'incomplete', 'answered']);
  });

  it('says how late an overdue case is, and how long is left for the others', () => {
    expect(dueText({ state: 'waiting', dueAt: new Date(NOW - 2 * H - 10 * 60_000).toISOString() }, NOW)).toEqual({ overdue: true, text: 'En retard de 2 h 10' });
    expect(dueText({ state: 'waiting', dueAt: new Date(NOW + 5 * H + 5 * 60_000).toISOString() }, NOW)).toEqual({ overdue: false, text: 'À rendre dans 5 h 05' });
    expect(dueText({ state: 'waiting', dueAt: new Date(NOW + 50 * H).toISOString() }, NOW).text).toBe('À rendre dans 2 j 2 h');
    expect(dueText({ state: 'answered', dueAt: new Date(NOW - 50 * H).toISOString() }, NOW)).toEqual({ overdue: false, text: 'Réponse envoyée' });
  });

  it('words short spans in minutes', () => {
    expect(spanText(30_000)).toBe('moins d’1 min');
    expect(spanText(-12 * 60_000)).toBe('12 min');
  });

  it('keeps the question to one line, cut with an ellipsis', () => {
    expect(oneLine('Cette lésion\nest-elle   suspecte ?')).toBe('Cette lésion est-elle suspecte ?');
    const cut = oneLine('a'.repeat(300), 50);
    expect(cut).toHaveLength(50);
    expect(cut.endsWith('…')).toBe(true);
  });
});
