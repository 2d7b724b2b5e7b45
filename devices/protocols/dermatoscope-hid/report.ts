/**
 * Cabine dermatoscope HID input report, id 0x02 (DESIGN §3). Ours, no standard:
 *
 * ```
 * offset 0  report id     u8 = 0x02
 *        1  buttons       u8   bit0 capture, bits1–7 reserved
 *        2  polarisation  u8   0 none, 1 polarised, 2 UV, others reserved
 *        3                zero padding up to the device's fixed report size (allowed, ignored)
 * ```
 *
 * @module
 */

import { EncodeError, fail, ok } from '../result';
import type { DecodeResult } from '../result';
import { hex8, u8 } from '../bytes';

/** HID report id of the dermatoscope input report. */
export const DERMATOSCOPE_REPORT_ID = 0x02;
/** Length of the report without padding. */
export const DERMATOSCOPE_REPORT_LENGTH = 3;

const BUTTON_CAPTURE = 0x01;
const BUTTONS_RESERVED = 0xfe;

/** Lighting mode the dermatoscope is in. */
export type Polarisation = 'none' | 'polarised' | 'uv';

const POLARISATIONS: readonly Polarisation[] = ['none', 'polarised', 'uv'];

/** A decoded dermatoscope report. */
export interface DermatoscopeReport {
  /** The capture button is held down. */
  readonly capture: boolean;
  readonly polarisation: Polarisation;
}

/**
 * Decodes a dermatoscope input report, report id byte first. Reserved button
 * bits, a reserved polarisation, missing bytes and non-zero padding are errors.
 * Never throws.
 */
export function decodeDermatoscopeReport(report: Uint8Array): DecodeResult<DermatoscopeReport> {
  if (report.length < 1) return fail('TRUNCATED', 'dermatoscope report is empty', 0);
  const id = u8(report, 0);
  if (id !== DERMATOSCOPE_REPORT_ID) {
    return fail('WRONG_REPORT_ID', `dermatoscope report id is 0x${hex8(id)}, expected 0x${hex8(DERMATOSCOPE_REPORT_ID)}`, 0);
  }
  if (report.length < DERMATOSCOPE_REPORT_LENGTH) {
    return fail('TRUNCATED', `dermatoscope report needs ${DERMATOSCOPE_REPORT_LENGTH} bytes, got ${report.length}`, report.length);
  }
  const buttons = u8(report, 1);
  if (buttons & BUTTONS_RESERVED) {
    return fail('RESERVED_BITS', `dermatoscope buttons 0x${hex8(buttons)} set reserved bits 0x${hex8(buttons & BUTTONS_RESERVED)}`, 1);
  }
  const polarisationRaw = u8(report, 2);
  const polarisation = POLARISATIONS[polarisationRaw];
  if (polarisation === undefined) return fail('RESERVED_VALUE', `dermatoscope polarisation ${polarisationRaw} is reserved`, 2);
  // NOTE: HID input reports have a fixed size per report id; zero bytes past
  // our fields are padding (see the oximeter codec).
  for (let i = DERMATOSCOPE_REPORT_LENGTH; i < report.length; i += 1) {
    if (report[i] !== 0) return fail('TRAILING_BYTES', 'dermatoscope report has a non-zero byte after its fields', i);
  }
  return ok({ capture: (buttons & BUTTON_CAPTURE) !== 0, polarisation });
}

/**
 * Encodes a dermatoscope input report, report id first, padded with zeros to `padTo` bytes when given.
 * @throws {EncodeError} `VALUE_OUT_OF_RANGE` for an unknown polarisation, `TOO_LONG` when `padTo` is under 3.
 */
export function encodeDermatoscopeReport(report: DermatoscopeReport, options: { readonly padTo?: number } = {}): Uint8Array {
  const polarisation = POLARISATIONS.indexOf(report.polarisation);
  if (polarisation < 0) throw new EncodeError('VALUE_OUT_OF_RANGE', `unknown polarisation ${String(report.polarisation)}`);
  const padTo = options.padTo ?? DERMATOSCOPE_REPORT_LENGTH;
  if (padTo < DERMATOSCOPE_REPORT_LENGTH) {
    throw new EncodeError('TOO_LONG', `dermatoscope report needs ${DERMATOSCOPE_REPORT_LENGTH} bytes, padTo is ${padTo}`);
  }
  const out = new Uint8Array(padTo);
  out[0] = DERMATOSCOPE_REPORT_ID;
  out[1] = report.capture ? BUTTON_CAPTURE : 0;
  out[2] = polarisation;
  return out;
}
