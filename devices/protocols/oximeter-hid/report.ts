/**
 * Cabine pulse-oximeter HID input report, id 0x01 (DESIGN §3). No standard
 * exists for this report; it is ours, with Bluetooth PLX (0x2A5E/0x2A5F)
 * semantics for the values:
 *
 * ```
 * offset 0  report id      u8   = 0x01
 *        1  flags          u8   bit0 finger out, bit1 searching, bit2 low perfusion, bit3 sensor fault, bits4–7 reserved
 *        2  SpO2           u8   percent 0–100, 0x7F = unknown, other values reserved
 *        3  pulse rate     u16  LE, beats per minute, 0xFFFF = unknown
 *        5  perfusion idx  u16  LE, percent × 10
 *        7  n              u8   number of pleth samples
 *        8  pleth          n × u8
 *        8+n              zero padding up to the device's fixed report size (allowed, ignored)
 * ```
 *
 * @module
 */

import { EncodeError, fail, ok } from '../result';
import type { DecodeResult, NumericValue } from '../result';
import { hex8, isIntIn, putU16le, u16le, u8 } from '../bytes';

/** HID report id of the oximeter input report. */
export const OXIMETER_REPORT_ID = 0x01;
/** Report length without pleth samples or padding. */
export const OXIMETER_REPORT_HEADER_LENGTH = 8;

const FLAG_FINGER_OUT = 0x01;
const FLAG_SEARCHING = 0x02;
const FLAG_LOW_PERFUSION = 0x04;
const FLAG_SENSOR_FAULT = 0x08;
const FLAGS_RESERVED = 0xf0;
const SPO2_UNKNOWN = 0x7f;
const PULSE_UNKNOWN = 0xffff;

/** A decoded oximeter report. Unknown values are specials, never numbers. */
export interface OximeterReport {
  /** No finger in the probe. */
  readonly fingerOut: boolean;
  /** The device is still acquiring a signal. */
  readonly searching: boolean;
  /** Signal too weak for a reliable reading. */
  readonly lowPerfusion: boolean;
  /** Probe or sensor failure. */
  readonly sensorFault: boolean;
  /** SpO2 in percent (0–100), or unknown. */
  readonly spo2: NumericValue<'unknown'>;
  /** Pulse rate in beats per minute, or unknown. */
  readonly pulseRate: NumericValue<'unknown'>;
  /** Perfusion index in percent (one decimal). */
  readonly perfusionIndex: number;
  /** Plethysmogram samples since the previous report, 0–255 each. */
  readonly pleth: Uint8Array;
}

/** What {@link encodeOximeterReport} accepts. `pleth` may be a plain array. */
export interface OximeterReportInput extends Omit<OximeterReport, 'pleth'> {
  readonly pleth: Uint8Array | readonly number[];
}

/**
 * Decodes an oximeter input report, report id byte first (as node-hid returns
 * numbered reports). Reserved flag bits, a reserved SpO2 value, missing bytes
 * and non-zero bytes after the samples are errors. Never throws.
 */
export function decodeOximeterReport(report: Uint8Array): DecodeResult<OximeterReport> {
  if (report.length < 1) return fail('TRUNCATED', 'oximeter report is empty', 0);
  const id = u8(report, 0);
  if (id !== OXIMETER_REPORT_ID) {
    return fail('WRONG_REPORT_ID', `oximeter report id is 0x${hex8(id)}, expected 0x${hex8(OXIMETER_REPORT_ID)}`, 0);
  }
  if (report.length < OXIMETER_REPORT_HEADER_LENGTH) {
    return fail('TRUNCATED', `oximeter report needs ${OXIMETER_REPORT_HEADER_LENGTH} bytes, got ${report.length}`, report.length);
  }
  const flags = u8(report, 1);
  if (flags & FLAGS_RESERVED) {
    return fail('RESERVED_BITS', `oximeter flags 0x${hex8(flags)} set reserved bits 0x${hex8(flags & FLAGS_RESERVED)}`, 1);
  }
  const spo2Raw = u8(report, 2);
  if (spo2Raw !== SPO2_UNKNOWN && spo2Raw > 100) return fail('RESERVED_VALUE', `SpO2 value 0x${hex8(spo2Raw)} is reserved`, 2);
  const pulseRaw = u16le(report, 3);
  const perfusionRaw = u16le(report, 5);
  const count = u8(report, 7);
  const end = OXIMETER_REPORT_HEADER_LENGTH + count;
  if (report.length < end) return fail('TRUNCATED', `oximeter report announces ${count} pleth samples, has ${report.length - OXIMETER_REPORT_HEADER_LENGTH}`, report.length);
  // NOTE: HID input reports have a fixed size per report id, and some hosts
  // (Windows' HID stack) hand back the full size: zero bytes after the samples
  // are padding. Anything non-zero there is not ours to ignore.
  for (let i = end; i < report.length; i += 1) {
    if (report[i] !== 0) return fail('TRAILING_BYTES', `oximeter report has non-zero byte after the pleth samples`, i);
  }
  return ok({
    fingerOut: (flags & FLAG_FINGER_OUT) !== 0,
    searching: (flags & FLAG_SEARCHING) !== 0,
    lowPerfusion: (flags & FLAG_LOW_PERFUSION) !== 0,
    sensorFault: (flags & FLAG_SENSOR_FAULT) !== 0,
    spo2: spo2Raw === SPO2_UNKNOWN ? { ok: false, special: 'unknown' } : { ok: true, value: spo2Raw },
    pulseRate: pulseRaw === PULSE_UNKNOWN ? { ok: false, special: 'unknown' } : { ok: true, value: pulseRaw },
    perfusionIndex: perfusionRaw / 10,
    pleth: report.slice(OXIMETER_REPORT_HEADER_LENGTH, end),
  });
}

/**
 * Encodes an oximeter input report, report id first, padded with zeros to
 * `padTo` bytes when given.
 * @throws {EncodeError} `VALUE_OUT_OF_RANGE` for a value the field cannot
 *   carry (SpO2 outside 0–100, pulse outside 0–65534, perfusion index outside
 *   0–6553.4, a sample outside 0–255), `TOO_LONG` for more than 255 samples or
 *   a report longer than `padTo`.
 */
export function encodeOximeterReport(report: OximeterReportInput, options: { readonly padTo?: number } = {}): Uint8Array {
  const pleth = report.pleth;
  if (pleth.length > 0xff) throw new EncodeError('TOO_LONG', `${pleth.length} pleth samples, at most 255 fit`);
  const length = OXIMETER_REPORT_HEADER_LENGTH + pleth.length;
  const padTo = options.padTo ?? length;
  if (padTo < length) throw new EncodeError('TOO_LONG', `oximeter report needs ${length} bytes, padTo is ${padTo}`);
  const spo2 = report.spo2.ok ? report.spo2.value : SPO2_UNKNOWN;
  if (report.spo2.ok && !isIntIn(spo2, 0, 100)) throw new EncodeError('VALUE_OUT_OF_RANGE', `SpO2 ${spo2} is outside 0–100`);
  const pulse = report.pulseRate.ok ? report.pulseRate.value : PULSE_UNKNOWN;
  if (report.pulseRate.ok && !isIntIn(pulse, 0, PULSE_UNKNOWN - 1)) {
    throw new EncodeError('VALUE_OUT_OF_RANGE', `pulse rate ${pulse} is outside 0–65534`);
  }
  const perfusion = Math.round(report.perfusionIndex * 10);
  if (!isIntIn(perfusion, 0, 0xffff)) {
    throw new EncodeError('VALUE_OUT_OF_RANGE', `perfusion index ${report.perfusionIndex} is outside 0–6553.5`);
  }
  const out = new Uint8Array(padTo);
  out[0] = OXIMETER_REPORT_ID;
  out[1] =
    (report.fingerOut ? FLAG_FINGER_OUT : 0) |
    (report.searching ? FLAG_SEARCHING : 0) |
    (report.lowPerfusion ? FLAG_LOW_PERFUSION : 0) |
    (report.sensorFault ? FLAG_SENSOR_FAULT : 0);
  out[2] = spo2;
  putU16le(out, 3, pulse);
  putU16le(out, 5, perfusion);
  out[7] = pleth.length;
  for (let i = 0; i < pleth.length; i += 1) {
    const sample = pleth[i] ?? -1;
    if (!isIntIn(sample, 0, 0xff)) throw new EncodeError('VALUE_OUT_OF_RANGE', `pleth sample ${sample} is not a byte`);
    out[OXIMETER_REPORT_HEADER_LENGTH + i] = sample;
  }
  return out;
}
