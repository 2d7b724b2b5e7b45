/**
 * Bluetooth GATT Blood Pressure Measurement (0x2A35) and Intermediate Cuff
 * Pressure (0x2A36), as relayed verbatim by our serial cuff. Both share one layout:
 *
 * ```
 * flags u8 | systolic SFLOAT | diastolic SFLOAT | MAP SFLOAT | [timestamp Date Time (7)]
 *          | [pulse rate SFLOAT] | [user id u8] | [measurement status u16]
 * ```
 *
 * @module
 */

import { EncodeError, fail, ok } from '../result';
import type { DecodeResult, NumericValue } from '../result';
import { concat, hex8, isIntIn, putU16le, u16le, u8 } from '../bytes';
import { DATE_TIME_LENGTH, decodeDateTime, encodeDateTime } from '../date-time';
import type { GattDateTime } from '../date-time';
import { SFLOAT_LENGTH, decodeSfloat, encodeSfloat } from '../ieee11073';
import type { MderEncodeOptions, MderFloat, MderInput } from '../ieee11073';

/** 16-bit UUID of Blood Pressure Measurement (the final result). */
export const BLOOD_PRESSURE_MEASUREMENT_UUID = 0x2a35;
/** 16-bit UUID of Intermediate Cuff Pressure (sent while the cuff inflates/deflates). */
export const INTERMEDIATE_CUFF_PRESSURE_UUID = 0x2a36;

// NOTE: GATT Specification Supplement, Blood Pressure Measurement flags: bit 0
// units (0 mmHg, 1 kPa), bit 1 Time Stamp, bit 2 Pulse Rate, bit 3 User ID,
// bit 4 Measurement Status present; bits 5–7 reserved for future use.
const FLAG_KPA = 0x01;
const FLAG_TIMESTAMP = 0x02;
const FLAG_PULSE = 0x04;
const FLAG_USER = 0x08;
const FLAG_STATUS = 0x10;
const FLAGS_RESERVED = 0xe0;

// NOTE: GATT Specification Supplement, Measurement Status: bit 0 body movement,
// bit 1 cuff fit too loose, bit 2 irregular pulse, bits 3–4 pulse rate range
// (0 within, 1 exceeds upper limit, 2 less than lower limit, 3 reserved),
// bit 5 improper measurement position, bits 6–15 reserved for future use.
const STATUS_BODY_MOVEMENT = 0x0001;
const STATUS_CUFF_LOOSE = 0x0002;
const STATUS_IRREGULAR_PULSE = 0x0004;
const STATUS_RANGE_SHIFT = 3;
const STATUS_RANGE_MASK = 0x0018;
const STATUS_IMPROPER_POSITION = 0x0020;
const STATUS_RESERVED = 0xffc0;

// NOTE: Blood Pressure Service: User ID 0xFF means "unknown user".
const USER_UNKNOWN = 0xff;

/** UCUM code of the pressure unit. */
export type PressureUnit = 'mm[Hg]' | 'kPa';

/** Pulse rate relative to the device's limits. */
export type PulseRateRange = 'within' | 'exceeds-upper' | 'below-lower';

const RANGES: readonly PulseRateRange[] = ['within', 'exceeds-upper', 'below-lower'];

/** The Measurement Status bits the device reported. */
export interface MeasurementStatus {
  readonly bodyMovement: boolean;
  readonly cuffTooLoose: boolean;
  readonly irregularPulse: boolean;
  readonly pulseRateRange: PulseRateRange;
  readonly improperPosition: boolean;
}

/** Fields after the three pressures, common to both characteristics. */
export interface BloodPressureOptionalFields {
  /** When the device took the measurement, if it says. */
  readonly timestamp?: GattDateTime;
  /** Pulse rate in beats per minute, or a special, if present. */
  readonly pulseRate?: MderFloat;
  /** User index on a multi-user device, or `unknown` (0xFF), if present. */
  readonly userId?: NumericValue<'unknown'>;
  /** Measurement status, if present. */
  readonly status?: MeasurementStatus;
}

/** A decoded Blood Pressure Measurement (0x2A35). Specials other than 'reserved' may appear in any pressure. */
export interface BloodPressureMeasurement extends BloodPressureOptionalFields {
  readonly unit: PressureUnit;
  readonly systolic: MderFloat;
  readonly diastolic: MderFloat;
  readonly meanArterialPressure: MderFloat;
}

/** A decoded Intermediate Cuff Pressure (0x2A36). */
export interface IntermediateCuffPressure extends BloodPressureOptionalFields {
  readonly unit: PressureUnit;
  /** The current cuff pressure (carried in the systolic field). */
  readonly cuffPressure: MderFloat;
}

/** Optional fields as the encoders accept them. */
export interface BloodPressureOptionalInput {
  readonly timestamp?: GattDateTime;
  readonly pulseRate?: MderInput;
  readonly userId?: number | NumericValue<'unknown'>;
  readonly status?: MeasurementStatus;
}

/** What {@link encodeBloodPressureMeasurement} accepts. */
export interface BloodPressureMeasurementInput extends BloodPressureOptionalInput {
  readonly unit: PressureUnit;
  readonly systolic: MderInput;
  readonly diastolic: MderInput;
  readonly meanArterialPressure: MderInput;
}

/** What {@link encodeIntermediateCuffPressure} accepts. */
export interface IntermediateCuffPressureInput extends BloodPressureOptionalInput {
  readonly unit: PressureUnit;
  readonly cuffPressure: MderInput;
}

interface Decoded extends BloodPressureOptionalFields {
  readonly unit: PressureUnit;
  readonly pressures: readonly [MderFloat, MderFloat, MderFloat];
}

const PRESSURE_NAMES = ['systolic', 'diastolic', 'mean arterial pressure'] as const;

function decodeCommon(bytes: Uint8Array, what: string): DecodeResult<Decoded> {
  if (bytes.length < 1) return fail('TRUNCATED', `${what} needs a flags byte`, 0);
  const flags = u8(bytes, 0);
  if (flags & FLAGS_RESERVED) {
    return fail('RESERVED_BITS', `${what} flags 0x${hex8(flags)} set reserved bits 0x${hex8(flags & FLAGS_RESERVED)}`, 0);
  }
  const length =
    1 +
    3 * SFLOAT_LENGTH +
    (flags & FLAG_TIMESTAMP ? DATE_TIME_LENGTH : 0) +
    (flags & FLAG_PULSE ? SFLOAT_LENGTH : 0) +
    (flags & FLAG_USER ? 1 : 0) +
    (flags & FLAG_STATUS ? 2 : 0);
  if (bytes.length < length) {
    return fail('TRUNCATED', `${what} with flags 0x${hex8(flags)} needs ${length} bytes, got ${bytes.length}`, bytes.length);
  }
  if (bytes.length > length) return fail('TRAILING_BYTES', `${what} has ${bytes.length - length} extra bytes`, length);

  const pressures: MderFloat[] = [];
  let at = 1;
  for (const name of PRESSURE_NAMES) {
    const value = readSfloat(bytes, at, `${what} ${name}`);
    if (!value.ok) return value;
    pressures.push(value.value);
    at += SFLOAT_LENGTH;
  }
  let timestamp: GattDateTime | undefined;
  if (flags & FLAG_TIMESTAMP) {
    const decoded = decodeDateTime(bytes, at);
    if (!decoded.ok) return decoded;
    timestamp = decoded.value;
    at += DATE_TIME_LENGTH;
  }
  let pulseRate: MderFloat | undefined;
  if (flags & FLAG_PULSE) {
    const decoded = readSfloat(bytes, at, `${what} pulse rate`);
    if (!decoded.ok) return decoded;
    pulseRate = decoded.value;
    at += SFLOAT_LENGTH;
  }
  let userId: NumericValue<'unknown'> | undefined;
  if (flags & FLAG_USER) {
    const raw = u8(bytes, at);
    userId = raw === USER_UNKNOWN ? { ok: false, special: 'unknown' } : { ok: true, value: raw };
    at += 1;
  }
  let status: MeasurementStatus | undefined;
  if (flags & FLAG_STATUS) {
    const raw = u16le(bytes, at);
    if (raw & STATUS_RESERVED) {
      return fail('RESERVED_BITS', `${what} measurement status 0x${raw.toString(16)} sets reserved bits`, at);
    }
    const pulseRateRange = RANGES[(raw & STATUS_RANGE_MASK) >> STATUS_RANGE_SHIFT];
    if (pulseRateRange === undefined) return fail('RESERVED_VALUE', `${what} pulse rate range 3 is reserved`, at);
    status = {
      bodyMovement: (raw & STATUS_BODY_MOVEMENT) !== 0,
      cuffTooLoose: (raw & STATUS_CUFF_LOOSE) !== 0,
      irregularPulse: (raw & STATUS_IRREGULAR_PULSE) !== 0,
      pulseRateRange,
      improperPosition: (raw & STATUS_IMPROPER_POSITION) !== 0,
    };
  }
  const [systolic, diastolic, map] = pressures as [MderFloat, MderFloat, MderFloat];
  return ok({
    unit: flags & FLAG_KPA ? 'kPa' : 'mm[Hg]',
    pressures: [systolic, diastolic, map],
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(pulseRate === undefined ? {} : { pulseRate }),
    ...(userId === undefined ? {} : { userId }),
    ...(status === undefined ? {} : { status }),
  });
}

function readSfloat(bytes: Uint8Array, at: number, what: string): DecodeResult<MderFloat> {
  const value = decodeSfloat(bytes, at);
  if (value.ok && !value.value.ok && value.value.special === 'reserved') {
    return fail('RESERVED_VALUE', `${what} is a reserved IEEE 11073 SFLOAT value`, at);
  }
  return value;
}

function optionalFields(d: Decoded): BloodPressureOptionalFields {
  return {
    ...(d.timestamp === undefined ? {} : { timestamp: d.timestamp }),
    ...(d.pulseRate === undefined ? {} : { pulseRate: d.pulseRate }),
    ...(d.userId === undefined ? {} : { userId: d.userId }),
    ...(d.status === undefined ? {} : { status: d.status }),
  };
}

/**
 * Decodes a Blood Pressure Measurement (0x2A35) value. Reserved flag or status
 * bits, reserved SFLOATs, reserved Date Time parts, missing and extra bytes are
 * errors. Never throws.
 */
export function decodeBloodPressureMeasurement(bytes: Uint8Array): DecodeResult<BloodPressureMeasurement> {
  const d = decodeCommon(bytes, 'blood pressure measurement');
  if (!d.ok) return d;
  const [systolic, diastolic, meanArterialPressure] = d.value.pressures;
  return ok({ unit: d.value.unit, systolic, diastolic, meanArterialPressure, ...optionalFields(d.value) });
}

/**
 * Decodes an Intermediate Cuff Pressure (0x2A36) value; the same checks as
 * {@link decodeBloodPressureMeasurement}, and the unused diastolic and MAP
 * fields must hold NaN. Never throws.
 */
export function decodeIntermediateCuffPressure(bytes: Uint8Array): DecodeResult<IntermediateCuffPressure> {
  const d = decodeCommon(bytes, 'intermediate cuff pressure');
  if (!d.ok) return d;
  const [cuffPressure, diastolic, map] = d.value.pressures;
  // NOTE: GATT Specification Supplement, Intermediate Cuff Pressure: the
  // current cuff pressure is carried in the systolic field; the diastolic and
  // MAP fields are unused and set to the IEEE 11073 special value NaN.
  for (const [value, offset, name] of [
    [diastolic, 3, 'diastolic'],
    [map, 5, 'mean arterial pressure'],
  ] as const) {
    if (value.ok || value.special !== 'NaN') {
      return fail('RESERVED_VALUE', `intermediate cuff pressure ${name} field must be NaN`, offset);
    }
  }
  return ok({ unit: d.value.unit, cuffPressure, ...optionalFields(d.value) });
}

function encodeCommon(
  unit: PressureUnit,
  pressures: readonly [MderInput, MderInput, MderInput],
  optional: BloodPressureOptionalInput,
  options: MderEncodeOptions,
): Uint8Array {
  let flags = unit === 'kPa' ? FLAG_KPA : 0;
  const parts: Uint8Array[] = pressures.map((p) => encodeSfloat(p, options));
  if (optional.timestamp !== undefined) {
    flags |= FLAG_TIMESTAMP;
    parts.push(encodeDateTime(optional.timestamp));
  }
  if (optional.pulseRate !== undefined) {
    flags |= FLAG_PULSE;
    parts.push(encodeSfloat(optional.pulseRate, options));
  }
  if (optional.userId !== undefined) {
    flags |= FLAG_USER;
    const id = optional.userId;
    const raw = typeof id === 'number' ? id : id.ok ? id.value : USER_UNKNOWN;
    if (!isIntIn(raw, 0, 0xff)) throw new EncodeError('VALUE_OUT_OF_RANGE', `user id ${raw} is not a byte`);
    parts.push(Uint8Array.of(raw));
  }
  if (optional.status !== undefined) {
    flags |= FLAG_STATUS;
    const s = optional.status;
    const range = RANGES.indexOf(s.pulseRateRange);
    if (range < 0) throw new EncodeError('VALUE_OUT_OF_RANGE', `unknown pulse rate range ${String(s.pulseRateRange)}`);
    const raw =
      (s.bodyMovement ? STATUS_BODY_MOVEMENT : 0) |
      (s.cuffTooLoose ? STATUS_CUFF_LOOSE : 0) |
      (s.irregularPulse ? STATUS_IRREGULAR_PULSE : 0) |
      (range << STATUS_RANGE_SHIFT) |
      (s.improperPosition ? STATUS_IMPROPER_POSITION : 0);
    const bytes = new Uint8Array(2);
    putU16le(bytes, 0, raw);
    parts.push(bytes);
  }
  return concat([Uint8Array.of(flags), ...parts]);
}

/**
 * Encodes a Blood Pressure Measurement (0x2A35) value; optional fields set the
 * matching flag (120/80 mmHg, MAP 93, pulse 72 → `04 78 00 50 00 5D 00 48 00`).
 * @throws {EncodeError} when a value cannot be encoded.
 */
export function encodeBloodPressureMeasurement(m: BloodPressureMeasurementInput, options: MderEncodeOptions = {}): Uint8Array {
  return encodeCommon(m.unit, [m.systolic, m.diastolic, m.meanArterialPressure], m, options);
}

/**
 * Encodes an Intermediate Cuff Pressure (0x2A36) value, with NaN in the unused
 * diastolic and MAP fields.
 * @throws {EncodeError} when a value cannot be encoded.
 */
export function encodeIntermediateCuffPressure(m: IntermediateCuffPressureInput, options: MderEncodeOptions = {}): Uint8Array {
  const nan = { ok: false, special: 'NaN' } as const;
  return encodeCommon(m.unit, [m.cuffPressure, nan, nan], m, options);
}
