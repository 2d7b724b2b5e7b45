/**
 * Clinical safety: during a measurement the kiosk shows as the live value,
 * and takes as the result, only what the device doing the measurement sends
 * of the measurement's own kinds. Properties over readings of every kind
 * from every device, interleaved at random, checked against a small model
 * after each reading.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { MeasurementKind, Quantity, UcumUnit } from '../../../src/shared/domain';
import { sessionMachine, type SessionMachineEvent } from '../../../src/session/machine';
import { toSessionView } from '../../../src/session/view';

/** The booth's instruments: which device takes each kind of measurement. */
const MEASURING_DEVICES = { temperature: 'thermometer-1', 'blood-pressure': 'bp-cuff-1', 'cuff-pressure': 'bp-cuff-1', spo2: 'oximeter-1', 'dermatoscope-photo': 'dermatoscope-1' };
/** Every device a reading can come from, a second oximeter (not the measuring one) included. */
const DEVICES = ['thermometer-1', 'bp-cuff-1', 'oximeter-1', 'oximeter-2', 'dermatoscope-1'];
const READING_KINDS: MeasurementKind[] = ['temperature', 'blood-pressure', 'cuff-pressure', 'spo2'];
const UNITS: UcumUnit[] = ['Cel', '[degF]', 'mm[Hg]', 'kPa', '/min', '%'];

type ReadingEvent = Extract<SessionMachineEvent, { type: 'READING' }>;

const readingEvent: fc.Arbitrary<ReadingEvent> = fc.record({
  type: fc.constant('READING' as const),
  kind: fc.constantFrom(...READING_KINDS),
  deviceId: fc.constantFrom(...DEVICES),
  values: fc.array(fc.record({
    code: fc.constantFrom('8310-5', '8480-6', '8478-0', '59408-5'),
    name: fc.constant('value'),
    value: fc.integer({ min: 0, max: 300 }),
    unit: fc.constantFrom(...UNITS),
  }), { minLength: 1, maxLength: 3 }) as fc.Arbitrary<Quantity[]>,
  intermediate: fc.boolean(),
});

function inMeasurement(kind: 'temperature' | 'blood-pressure' | 'spo2') {
  const actor = createActor(sessionMachine.provide({
    actions: { recordTransition: () => undefined, startMeasurement: () => undefined, notifyWipe: () => undefined },
  }), { input: { language: 'fr', measuringDevices: MEASURING_DEVICES } }).start();
  for (const e of [
    { type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }, { type: 'ASSISTANT_LOGIN' },
    { type: 'SET_IDENTITY', identity: { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' } },
    { type: 'CLAIMED' },
    { type: 'MEASUREMENT_REQUESTED', kind }, { type: 'START_MEASURE' },
  ] as SessionMachineEvent[]) actor.send(e);
  expect(toSessionView(actor.getSnapshot()).state).toBe('consultation.measuring');
  return actor;
}

/** What the kiosk must show: the model of the rule, written from the rule itself rather than the code. */
function expected(kind: MeasurementKind, events: ReadingEvent[]) {
  const device = MEASURING_DEVICES[kind as keyof typeof MEASURING_DEVICES];
  const liveKind = kind === 'blood-pressure' ? 'cuff-pressure' : kind;
  let live: { value: number; unit: UcumUnit } | null = null;
  const states: { live: number | null; liveUnit: UcumUnit | null; result: Quantity[] | null }[] = [];
  let result: Quantity[] | null = null;
  for (const e of events) {
    const ours = e.deviceId === device;
    if (result === null && ours && e.kind === kind && !e.intermediate) {
      result = e.values;
      live = null;
    } else if (result === null && ours && e.kind === liveKind && (e.intermediate || liveKind !== kind)) {
      live = { value: e.values[0]!.value, unit: e.values[0]!.unit };
    }
    states.push({ live: live?.value ?? null, liveUnit: live?.unit ?? null, result });
  }
  return states;
}

describe('the live value and the result of a measurement', () => {
  for (const kind of ['blood-pressure', 'temperature', 'spo2'] as const) {
    it(`during ${kind}: only the measuring device's own kinds are ever shown live or taken as the result, whatever else streams in`, () => {
      fc.assert(fc.property(fc.array(readingEvent, { minLength: 1, maxLength: 30 }), (events) => {
        const actor = inMeasurement(kind);
        const model = expected(kind, events);
        events.forEach((e, i) => {
          actor.send(e);
          const m = actor.getSnapshot().context.measurement!;
          expect({ live: m.live, liveUnit: m.liveUnit, result: m.result }).toEqual(model[i]);
          expect(toSessionView(actor.getSnapshot()).state).toBe(model[i]!.result ? 'consultation.result' : 'consultation.measuring');
        });
        actor.stop();
      }), { numRuns: 300 });
    });
  }

  it('leaves a blood pressure measuring when another device reports an error; the cuff\'s own error stops it', () => {
    const actor = inMeasurement('blood-pressure');
    actor.send({ type: 'MEASUREMENT_ERROR', code: 'DEVICE_REPORTED_ERROR', deviceId: 'oximeter-1' });
    expect(toSessionView(actor.getSnapshot()).state).toBe('consultation.measuring');
    actor.send({ type: 'MEASUREMENT_ERROR', code: 'TIMEOUT', deviceId: 'bp-cuff-1' });
    expect(toSessionView(actor.getSnapshot())).toMatchObject({ state: 'consultation.recovery', context: { measurement: { error: 'TIMEOUT' } } });
    actor.stop();
  });

  it('never shows the oximeter\'s SpO₂ as the cuff pressure of a blood-pressure measurement (the reported case)', () => {
    const actor = inMeasurement('blood-pressure');
    const shown: (number | null)[] = [];
    const cuff = (value: number): ReadingEvent => ({ type: 'READING', kind: 'cuff-pressure', deviceId: 'bp-cuff-1', values: [{ code: '8478-0', name: 'cuff', value, unit: 'mm[Hg]' }], intermediate: true });
    const spo2 = (value: number): ReadingEvent => ({ type: 'READING', kind: 'spo2', deviceId: 'oximeter-1', values: [{ code: '59408-5', name: 'SpO2', value, unit: '%' }, { code: '8867-4', name: 'pulse', value: 72, unit: '/min' }], intermediate: false });
    for (const e of [cuff(20), cuff(50), cuff(80), spo2(97), cuff(110), cuff(120), spo2(98), cuff(100)]) {
      actor.send(e);
      shown.push(actor.getSnapshot().context.measurement!.live);
    }
    expect(shown).toEqual([20, 50, 80, 80, 110, 120, 120, 100]);
    expect(actor.getSnapshot().context.measurement).toMatchObject({ liveUnit: 'mm[Hg]', result: null });
    actor.stop();
  });
});
