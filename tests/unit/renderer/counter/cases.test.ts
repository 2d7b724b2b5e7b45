/**
 * The counter's deferred cases: the search by pick-up code, the order, and
 * which urgent answers ring until someone has called the patient.
 */
import { describe, expect, it } from 'vitest';
import type { CaseAnswer, CounterCase } from '../../../../src/shared/case-protocol';
import { counterState, filterCases, isRinging, normalizeCode, orderCounterCases, ringingCases } from '../../../../src/renderer/counter/src/cases';

let n = 0;
const answer = (urgency: 'routine' | 'urgent'): CaseAnswer => ({
  caseId: '0190a000-0000-7000-8000-000000000000', kind: 'advice', advice: 'Repos.', urgency,
  answeredBy: { id: 'doc-1', name: 'Dr Martin', specialty: 'general' }, answeredAt: '2026-12-02T10:00:00Z', signature: 'sig',
});
function counterCase(pickupCode: string, over: Partial<CounterCase> = {}): CounterCase {
  n += 1;
  return {
    caseId: `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`, boothId: 'demo-booth-1', pickupCode,
    patient: { birthName: 'Durand', firstNames: 'Jeanne', birthDate: '1955-03-01' }, contactPhone: '0612345678',
    specialty: 'general', compiledBy: 'Marie', receivedAt: `2026-12-02T0${n % 10}:00:00Z`, state: 'waiting', answer: null, acknowledgedBy: null, ...over,
  };
}

describe('the counter’s deferred cases', () => {
  it('finds a case by its pick-up code typed as printed, in lower case or in part', () => {
    const a = counterCase('K7M4QP');
    const b = counterCase('ABC234');
    expect(normalizeCode(' k7m-4qp ')).toBe('K7M4QP');
    expect(filterCases([a, b], 'k7m-4qp')).toEqual([a]);
    expect(filterCases([a, b], '234')).toEqual([b]);
    expect(filterCases([a, b], ' - ')).toEqual([a, b]);
    expect(filterCases([a, b], 'ZZZ')).toEqual([]);
  });

  it('rings for an urgent answer until someone called the patient, never for a routine one', () => {
    const urgent = counterCase('URG234', { state: 'answered', answer: answer('urgent') });
    const called = counterCase('CAL234', { state: 'answered', answer: answer('urgent'), acknowledgedBy: { staffId: 's1', name: 'Marie', at: '2026-12-02T10:05:00Z' } });
    const routine = counterCase('ROU234', { state: 'answered', answer: answer('routine') });
    expect([urgent, called, routine].map(isRinging)).toEqual([true, false, false]);
    expect(ringingCases([routine, called, urgent])).toEqual([urgent]);
  });

  it('lists ringing answers first, then answers received, then cases still waiting', () => {
    const waiting = counterCase('WAI234');
    const routine = counterCase('ROU234', { state: 'answered', answer: answer('routine') });
    const urgent = counterCase('URG234', { state: 'answered', answer: answer('urgent') });
    expect(orderCounterCases([waiting, routine, urgent]).map((c) => c.pickupCode)).toEqual(['URG234', 'ROU234', 'WAI234']);
  });

  it('says a case is waiting until its answer is there', () => {
    expect(counterState(counterCase('INC234', { state: 'incomplete' }))).toBe('waiting');
    expect(counterState(counterCase('ANS234', { state: 'answered', answer: answer('routine') }))).toBe('answered');
  });
});
