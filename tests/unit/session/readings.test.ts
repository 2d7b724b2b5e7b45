/**
 * The host's store gate (src/session/readings.ts, clinical safety): a device's
 * reading is recorded only while the patient is measured for a requested
 * measurement, from the instrument taking it, of its own kinds, stamped
 * with this session.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MEASUREMENT_KINDS, READING_FLAGS, type MeasurementKind, type Reading } from '../../../src/shared/domain';
import { isIntermediate, recordsReading, type SessionAtReading } from '../../../src/session/readings';

const device = (id: string) => ({ id, kind: 'oximeter' as const, model: 'm', serial: 's', firmware: 'f' });
const reading = (kind: MeasurementKind, deviceId: string, flags: Reading['flags'] = [], sessionId: string | null = 's-1') => ({ kind, flags, sessionId, device: device(deviceId) });
const measuring = (kind: MeasurementKind, deviceId: string | null): SessionAtReading => ({ flow: 'consultation.measuring', sessionId: 's-1', measurement: { kind, deviceId } });

describe('which readings the host records', () => {
  it('records the measuring instrument\'s readings of the measurement\'s kinds', () => {
    expect(recordsReading(measuring('blood-pressure', 'bp-cuff-1'), reading('cuff-pressure', 'bp-cuff-1', ['intermediate']))).toBe(true);
    expect(recordsReading(measuring('blood-pressure', 'bp-cuff-1'), reading('blood-pressure', 'bp-cuff-1'))).toBe(true);
    expect(recordsReading(measuring('blood-pressure', 'bp-cuff-1'), reading('blood-pressure', 'bp-cuff-1', ['cuff-too-loose']))).toBe(true);
    expect(recordsReading(measuring('spo2', 'oximeter-1'), reading('spo2', 'oximeter-1', ['searching']))).toBe(true);
    expect(recordsReading(measuring('temperature', 'thermometer-1'), reading('temperature', 'thermometer-1'))).toBe(true);
  });

  it('records no other instrument\'s reading and no other kind during a measurement', () => {
    expect(recordsReading(measuring('blood-pressure', 'bp-cuff-1'), reading('spo2', 'oximeter-1'))).toBe(false);
    expect(recordsReading(measuring('blood-pressure', 'bp-cuff-1'), reading('spo2', 'bp-cuff-1'))).toBe(false);
    expect(recordsReading(measuring('spo2', 'oximeter-1'), reading('spo2', 'oximeter-2'))).toBe(false);
    expect(recordsReading(measuring('temperature', 'thermometer-1'), reading('cuff-pressure', 'thermometer-1'))).toBe(false);
    expect(recordsReading(measuring('temperature', null), reading('temperature', 'thermometer-1'))).toBe(false);
  });

  it('records nothing outside the measuring screen, without a measurement, or stamped with another session', () => {
    fc.assert(fc.property(
      fc.constantFrom('attract', 'language', 'waitingRoom', 'consultation.call', 'consultation.guidance', 'consultation.result', 'consultation.recovery', 'wrapUp.summary', 'privacyWipe'),
      fc.constantFrom(...MEASUREMENT_KINDS), fc.constantFrom(...MEASUREMENT_KINDS), fc.subarray([...READING_FLAGS]),
      (flow, measured, kind, flags) => {
        const session = { flow, sessionId: 's-1', measurement: { kind: measured, deviceId: 'd-1' } };
        expect(recordsReading(session, reading(kind, 'd-1', flags))).toBe(false);
      },
    ));
    expect(recordsReading({ flow: 'consultation.measuring', sessionId: 's-1', measurement: null }, reading('spo2', 'oximeter-1'))).toBe(false);
    expect(recordsReading(measuring('spo2', 'oximeter-1'), reading('spo2', 'oximeter-1', [], 's-0'))).toBe(false);
    expect(recordsReading(measuring('spo2', 'oximeter-1'), reading('spo2', 'oximeter-1', [], null))).toBe(false);
  });

  it('takes cuff pressures, "intermediate" and "searching" readings as values given while still measuring', () => {
    expect(isIntermediate({ kind: 'cuff-pressure', flags: [] })).toBe(true);
    expect(isIntermediate({ kind: 'spo2', flags: ['searching'] })).toBe(true);
    expect(isIntermediate({ kind: 'temperature', flags: ['intermediate'] })).toBe(true);
    expect(isIntermediate({ kind: 'blood-pressure', flags: ['irregular-pulse'] })).toBe(false);
  });
});
