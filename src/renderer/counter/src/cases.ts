/**
 * The pharmacy's deferred cases on the counter page, the pure parts: the
 * search by pick-up code (typed as printed, "K7M-4QP", or loosely), the
 * order (urgent answers nobody has called about first, then answers not yet
 * read, then the rest, latest first) and which cases ring.
 */
import type { CounterCase } from '../../../shared/case-protocol';

/** The code as typed, reduced to the six characters the ticket carries ("k7m 4qp" → "K7M4QP"). */
export function normalizeCode(typed: string): string {
  return typed.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** The cases whose pick-up code contains what was typed; all of them when nothing was. */
export function filterCases(cases: readonly CounterCase[], typed: string): CounterCase[] {
  const code = normalizeCode(typed);
  return code ? cases.filter((c) => c.pickupCode.includes(code)) : [...cases];
}

/** An urgent answer that nobody at the counter has yet called the patient about: it rings, and stays on top. */
export function isRinging(c: Pick<CounterCase, 'answer' | 'acknowledgedBy'>): boolean {
  return c.answer?.urgency === 'urgent' && c.acknowledgedBy === null;
}

/** What the counter calls the case's state: waiting for the doctor, or the answer received. */
export function counterState(c: Pick<CounterCase, 'state' | 'answer'>): 'waiting' | 'answered' {
  return c.state === 'answered' && c.answer ? 'answered' : 'waiting';
}

export function orderCounterCases(cases: readonly CounterCase[]): CounterCase[] {
  const rank = (c: CounterCase): number => (isRinging(c) ? 0 : counterState(c) === 'answered' ? 1 : 2);
  return [...cases].sort((a, b) => rank(a) - rank(b) || Date.parse(b.receivedAt) - Date.parse(a.receivedAt) || a.caseId.localeCompare(b.caseId));
}

/** The cases ringing now, for the banner that stays on top. */
export function ringingCases(cases: readonly CounterCase[]): CounterCase[] {
  return orderCounterCases(cases).filter(isRinging);
}
