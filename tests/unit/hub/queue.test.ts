/** The hub's waiting queue on its own: order, places kept, the wait estimate and the grace of a booth gone offline. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONSULTATION_MS, WaitingQueue } from '../../../src/hub/media/queue';

const details = { pharmacy: null, reason: null, firstName: null, age: null, pathway: null, exceptionReason: null, sessionId: null, language: null } as const;

function queue(opts: { durations?: number[]; graceMs?: number } = {}) {
  const expired: string[] = [];
  const q = new WaitingQueue({ graceMs: opts.graceMs ?? 60_000, durations: opts.durations ?? [], onGraceOver: (id) => expired.push(id) });
  return { q, expired };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-03-02T09:00:00Z'));
});
afterEach(() => vi.useRealTimers());

describe('waiting queue', () => {
  it('keeps booths in the order they joined, and a booth that joins again keeps its place and its arrival time', () => {
    const { q } = queue();
    q.join('b1', { ...details, reason: 'Fièvre' });
    vi.advanceTimersByTime(5_000);
    q.join('b2', details);
    vi.advanceTimersByTime(5_000);
    q.join('b1', { ...details, reason: 'Toux' });
    expect(q.waiting(1).map((e) => [e.boothId, e.reason, e.since])).toEqual([
      ['b1', 'Toux', '2026-03-02T09:00:00.000Z'],
      ['b2', null, '2026-03-02T09:00:05.000Z'],
    ]);
    expect(q.position('b2')).toBe(2);
    expect(q.position('nobody')).toBe(0);
  });

  it('estimates each wait from the default duration before any consultation ended', () => {
    const { q } = queue();
    q.join('b1', details);
    q.join('b2', details);
    expect(q.meanConsultationMs()).toBe(DEFAULT_CONSULTATION_MS);
    expect(q.waiting(1).map((e) => e.etaMinutes)).toEqual([12, 24]);
    expect(q.waiting(2).map((e) => e.etaMinutes)).toEqual([6, 12]);
    expect(q.waiting(0).map((e) => e.etaMinutes)).toEqual([12, 24]);
  });

  it('estimates from the mean of the last 20 ended consultations, newest kept', () => {
    const { q } = queue({ durations: [10 * 60_000] });
    q.join('b1', details);
    expect(q.waiting(1)[0]!.etaMinutes).toBe(10);
    for (let i = 0; i < 20; i++) q.recordDuration(4 * 60_000);
    expect(q.meanConsultationMs()).toBe(4 * 60_000);
    expect(q.waiting(1)[0]!.etaMinutes).toBe(4);
  });

  it('drops an offline booth only once its grace period is over, and not if it came back', () => {
    const { q, expired } = queue({ graceMs: 60_000 });
    q.join('b1', details);
    q.join('b2', details);
    q.startGrace('b1');
    q.startGrace('b2');
    vi.advanceTimersByTime(30_000);
    q.stopGrace('b2');
    vi.advanceTimersByTime(29_999);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['b1']);
    vi.advanceTimersByTime(120_000);
    expect(expired).toEqual(['b1']);
  });

  it('hands a claimed booth over without its estimate, and forgets it', () => {
    const { q } = queue();
    q.join('b1', details);
    q.startGrace('b1');
    const taken = q.take('b1');
    expect(taken).toMatchObject({ boothId: 'b1' });
    expect(taken).not.toHaveProperty('etaMinutes');
    expect(q.has('b1')).toBe(false);
    expect(q.take('b1')).toBeUndefined();
  });

  it('leaves no timer running once closed', () => {
    const { q, expired } = queue();
    q.join('b1', details);
    q.startGrace('b1');
    q.close();
    vi.advanceTimersByTime(120_000);
    expect(expired).toEqual([]);
    expect(q.size).toBe(0);
  });
});
