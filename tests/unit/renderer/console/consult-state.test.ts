import { describe, expect, it } from 'vitest';
import { consultReducer, emptyConsult, type ConsultAction, type ConsultState } from '../../../../src/renderer/console/src/consult-state';
import type { MeasurementProgress } from '../../../../src/shared/consult-protocol';
import { LOINC, type Reading } from '../../../../src/shared/domain';

const device = { id: 'bp-1', kind: 'bp-cuff' as const, model: 'SimCuff', serial: 'S1', firmware: '1.0' };
let n = 0;
function reading(kind: Reading['kind'], value: number, at: string, flags: Reading['flags'] = [], receivedAt = at): Reading {
  n++;
  return {
    id: `0190a0b0-0000-7000-8000-${String(n).padStart(12, '0')}`, sessionId: 's1', kind, code: LOINC.bpPanel,
    values: kind === 'blood-pressure'
      ? [{ code: LOINC.systolic, name: 'Systolic', value, unit: 'mm[Hg]' }, { code: LOINC.diastolic, name: 'Diastolic', value: 80, unit: 'mm[Hg]' }]
      : [{ code: kind === 'cuff-pressure' ? LOINC.cuffPressure : LOINC.bodyTemperature, name: 'x', value, unit: kind === 'cuff-pressure' ? 'mm[Hg]' : 'Cel' }],
    takenAt: at, receivedAt, device, flags,
  };
}
const run = (actions: ConsultAction[], from: ConsultState = emptyConsult): ConsultState => actions.reduce(consultReducer, from);
const progress = (p: Partial<MeasurementProgress> & Pick<MeasurementProgress, 'stage' | 'at'>): ConsultAction =>
  ({ type: 'progress', progress: { requestId: '0190a0b0-0000-7000-8000-00000000aaaa', kind: 'blood-pressure', ...p } });

describe('consultation state from the hub notes', () => {
  it('keeps one row per reading id however often the note repeats', () => {
    const r = reading('temperature', 37.2, '2026-01-15T12:00:00Z');
    const s = run([{ type: 'reading', reading: r }, { type: 'reading', reading: r }, { type: 'context', note: ctx(), readings: [r] }]);
    expect(s.readings.map((x) => x.id)).toEqual([r.id]);
  });

  it('keeps readings in the order taken whatever the order they arrive in', () => {
    const [a, b, c] = [reading('temperature', 36.5, '2026-01-15T12:00:01Z'), reading('temperature', 36.9, '2026-01-15T12:00:02Z'), reading('temperature', 37.4, '2026-01-15T12:00:03Z')];
    const s = run([c, a, b].map((r): ConsultAction => ({ type: 'reading', reading: r })));
    expect(s.readings.map((r) => r.id)).toEqual([a.id, b.id, c.id]);
  });

  it('sends cuff pressures to the gauge, not the rows, and stops the gauge at the final blood pressure', () => {
    const s1 = run([
      { type: 'reading', reading: reading('cuff-pressure', 80, '2026-01-15T12:00:01Z') },
      { type: 'reading', reading: reading('cuff-pressure', 150, '2026-01-15T12:00:02Z') },
      { type: 'reading', reading: reading('blood-pressure', 150, '2026-01-15T12:00:03Z', ['intermediate']) },
    ]);
    expect(s1.readings).toEqual([]);
    expect(s1.cuff).toMatchObject({ value: 150, active: true });
    const s2 = run([{ type: 'reading', reading: reading('blood-pressure', 128, '2026-01-15T12:00:09Z') }], s1);
    expect(s2.readings).toHaveLength(1);
    expect(s2.cuff?.active).toBe(false);
    // A late cuff pressure from before the result does not bring the gauge back.
    const s3 = run([{ type: 'reading', reading: reading('cuff-pressure', 60, '2026-01-15T12:00:05Z') }], s2);
    expect(s3.cuff?.active).toBe(false);
  });

  it('moves the cuff gauge only with the cuff\'s own pressures: another device\'s value is never shown as a cuff pressure', () => {
    const oximeter = { id: 'oximeter-1', kind: 'oximeter' as const, model: 'SimOx', serial: 'O1', firmware: '1.0' };
    const spo2 = (value: number, at: string, flags: Reading['flags']): Reading => ({
      ...reading('cuff-pressure', value, at), kind: 'spo2', code: LOINC.spo2, device: oximeter, flags,
      values: [{ code: LOINC.spo2, name: 'SpO2', value, unit: '%' }],
    });
    const notCuff = (r: Reading, kind: Reading['kind']): Reading => ({ ...r, kind, device: oximeter });
    const s = run([
      { type: 'reading', reading: reading('cuff-pressure', 80, '2026-01-15T12:00:01Z') },
      { type: 'reading', reading: spo2(97, '2026-01-15T12:00:02Z', ['intermediate']) },
      { type: 'reading', reading: notCuff(reading('cuff-pressure', 98, '2026-01-15T12:00:03Z'), 'cuff-pressure') },
      { type: 'reading', reading: spo2(96, '2026-01-15T12:00:04Z', ['searching']) },
    ]);
    expect(s.cuff).toMatchObject({ value: 80, unit: 'mm[Hg]', active: true });
  });

  it('leaves the gauge off after the result when a reloaded console catches up in any order', () => {
    // The cuff stamps its result from when the measurement began: older than the last deflation pressures.
    const cuffs = [80, 150, 120, 90].map((v, i) => reading('cuff-pressure', v, `2026-01-15T12:00:0${i + 1}Z`));
    const result = reading('blood-pressure', 128, '2026-01-15T12:00:01Z', [], '2026-01-15T12:00:06Z');
    const s = run([{ type: 'context', note: ctx(), readings: [result, ...cuffs].reverse() }]);
    expect(s.readings.map((r) => r.id)).toEqual([result.id]);
    expect(s.cuff?.active).toBe(false);
    const live = run([...cuffs, result].map((r): ConsultAction => ({ type: 'reading', reading: r })));
    expect(live.cuff?.active).toBe(false);
  });

  it('follows a request through its stages, never letting an older note or the hub\'s late "requested" overwrite a newer stage', () => {
    const id = '0190a0b0-0000-7000-8000-00000000aaaa';
    const s = run([
      progress({ stage: 'guidance', step: 1, steps: 3, at: '2026-01-15T12:00:02Z' }),
      // The hub's answer to our request can arrive after the booth's first progress.
      { type: 'requested', requestId: id, kind: 'blood-pressure', note: 'bras gauche', at: '2026-01-15T12:00:01Z' },
      progress({ stage: 'measuring', at: '2026-01-15T12:00:05Z' }),
      progress({ stage: 'guidance', step: 3, steps: 3, at: '2026-01-15T12:00:04Z' }),
    ]);
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]).toMatchObject({ requestId: id, stage: 'measuring', note: 'bras gauche' });
    // The hub's own "requested" (its clock, sent once the booth answered) never takes a request back.
    expect(run([progress({ stage: 'requested', at: '2026-01-15T12:00:30Z' })], s).requests[0]!.stage).toBe('measuring');
    // After a device error the pharmacist retries: measuring again.
    const retried = run([progress({ stage: 'error', at: '2026-01-15T12:00:06Z' }), progress({ stage: 'measuring', at: '2026-01-15T12:00:07Z' })], s);
    expect(retried.requests[0]!.stage).toBe('measuring');
    const done = run([progress({ stage: 'done', at: '2026-01-15T12:00:09Z' }), progress({ stage: 'measuring', at: '2026-01-15T12:00:10Z' })], s);
    expect(done.requests[0]!.stage).toBe('done');
  });

  it('lists a measurement the pharmacist started as its own entry, and a second one after it ended as another', () => {
    const s = run([
      progress({ requestId: null, kind: 'temperature', stage: 'measuring', at: '2026-01-15T12:00:01Z' }),
      progress({ requestId: null, kind: 'temperature', stage: 'done', at: '2026-01-15T12:00:02Z' }),
      progress({ requestId: null, kind: 'temperature', stage: 'guidance', step: 1, steps: 2, at: '2026-01-15T12:00:03Z' }),
    ]);
    expect(s.requests.map((r) => r.stage)).toEqual(['guidance', 'done']);
  });

  it('takes the devices from the context and then from each devices note', () => {
    const s = run([{ type: 'context', note: ctx() }, { type: 'devices', devices: [] }]);
    expect(s.context?.boothId).toBe('demo-booth-1');
    expect(s.devices).toEqual([]);
  });
});

function ctx() {
  return {
    boothId: 'demo-booth-1', roomId: 'r1', pharmacy: { name: 'Pharmacie test 1', city: 'Aurillac' },
    patient: { sessionId: 's1', firstName: 'Marie', age: 34, reason: null, pathway: 'gp-known' as const, exceptionReason: null, language: 'fr' as const, intake: null },
    devices: [{ deviceId: 'bp-1', kind: 'bp-cuff' as const, state: 'ready' as const, at: '2026-01-15T12:00:00Z' }],
  };
}
