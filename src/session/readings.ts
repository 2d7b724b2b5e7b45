/**
 * Which device reading belongs to the measurement in progress (clinical
 * safety: a value nobody asked for must not enter the record). Pure: the
 * session machine's guards and the host's store gate ask the same questions
 * here, so what is shown and what is recorded cannot disagree.
 *
 * - A reading is the measurement's only when it comes from the device doing
 *   the measurement. The oximeter streams every second whatever is being
 *   measured: its SpO₂ was once shown as the cuff pressure of a
 *   blood-pressure measurement, in mmHg.
 * - The live value is the measurement's own live kind: the cuff pressure
 *   during a blood pressure; an intermediate reading of the measured kind
 *   otherwise. The result is a final reading of the measured kind.
 * - Outside a measurement someone asked for (the specialist's request or
 *   the pharmacist's), a reading is neither stored, sent nor shown.
 */
import type { MeasurementKind, Reading } from '../shared/domain';

/** A reading as the session sees it: its kind, the device it came from, whether the device is still measuring. */
export interface ReadingOrigin {
  kind: MeasurementKind;
  deviceId: string;
  intermediate: boolean;
}

/** The measurement in progress: its kind and the device taking it (null when the booth has none). */
export interface MeasurementInProgress {
  kind: MeasurementKind;
  deviceId: string | null;
}

/** What a reading is to the measurement in progress. */
export type ReadingRole = 'live' | 'result' | 'none';

export function readingRole(measurement: MeasurementInProgress | null, reading: ReadingOrigin): ReadingRole {
  if (!measurement || measurement.deviceId === null || reading.deviceId !== measurement.deviceId) return 'none';
  if (measurement.kind === 'blood-pressure') {
    if (reading.kind === 'cuff-pressure') return 'live';
    return reading.kind === 'blood-pressure' && !reading.intermediate ? 'result' : 'none';
  }
  if (reading.kind !== measurement.kind) return 'none';
  return reading.intermediate ? 'live' : 'result';
}

/** A value the device gives while it is still measuring (cuff pressure, a "searching" oximeter), not a result. */
export function isIntermediate(reading: Pick<Reading, 'kind' | 'flags'>): boolean {
  return reading.kind === 'cuff-pressure' || reading.flags.includes('intermediate') || reading.flags.includes('searching');
}

/** The session as the store gate needs it: the patient's screen (flow path), the session id, the measurement. */
export interface SessionAtReading {
  flow: string;
  sessionId: string | null;
  measurement: MeasurementInProgress | null;
}

/** The screens where an instrument measures: in the call, and in a forwarded case's exam. */
const MEASURING_SCREENS = new Set(['consultation.measuring', 'exam.measuring']);

/**
 * Whether the host records a device's reading (stores it, then sends and
 * shows it): only while the patient is being measured (`consultation.measuring`, `exam.measuring`)
 * for a measurement the specialist or the pharmacist asked for, from the
 * device taking it, of its own kinds, stamped with this session.
 */
export function recordsReading(session: SessionAtReading, reading: Pick<Reading, 'kind' | 'flags' | 'sessionId' | 'device'>): boolean {
  if (!MEASURING_SCREENS.has(session.flow) || session.sessionId === null || reading.sessionId !== session.sessionId) return false;
  return readingRole(session.measurement, { kind: reading.kind, deviceId: reading.device.id, intermediate: isIntermediate(reading) }) !== 'none';
}
