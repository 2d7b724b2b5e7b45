/**
 * Bluetooth GATT Temperature Measurement characteristic (0x2A1C), as relayed
 * verbatim by our serial thermometer.
 *
 * ```
 * flags u8 | temperature FLOAT (4) | [timestamp Date Time (7)] | [temperature type u8]
 * ```
 *
 * @module
 */

import { EncodeError, fail, ok } from '../result';
import type { DecodeResult } from '../result';
import { concat, hex8, u8 } from '../bytes';
import { DATE_TIME_LENGTH, decodeDateTime, encodeDateTime } from '../date-time';
import type { GattDateTime } from '../date-time';
import { FLOAT_LENGTH, decodeFloat, encodeFloat } from '../ieee11073';
import type { MderEncodeOptions, MderFloat, MderInput } from '../ieee11073';

/** 16-bit UUID of the Temperature Measurement characteristic. */
export const TEMPERATURE_MEASUREMENT_UUID = 0x2a1c;

// NOTE: GATT Specification Supplement, Temperature Measurement flags: bit 0
// units (0 °C, 1 °F), bit 1 Time Stamp present, bit 2 Temperature Type
// present, bits 3–7 reserved for future use.
const FLAG_FAHRENHEIT = 0x01;
const FLAG_TIMESTAMP = 0x02;
const FLAG_TYPE = 0x04;
const FLAGS_RESERVED = 0xf8;

/** Measurement site. */
export type TemperatureSite =
  | 'armpit'
  | 'body'
  | 'ear'
  | 'finger'
  | 'gastrointestinal-tract'
  | 'mouth'
  | 'rectum'
  | 'toe'
  | 'tympanum';

// NOTE: GATT Specification Supplement, Temperature Type: 1 armpit, 2 body
// (general), 3 ear (usually earlobe), 4 finger, 5 gastro-intestinal tract,
// 6 mouth, 7 rectum, 8 toe, 9 tympanum (ear drum); 0 and 10–255 reserved.
const SITES: readonly TemperatureSite[] = [
  'armpit',
  'body',
  'ear',
  'finger',
  'gastrointestinal-tract',
  'mouth',
  'rectum',
  'toe',
  'tympanum',
];

/** UCUM code of the temperature unit. */
export type TemperatureUnit = 'Cel' | '[degF]';

/** A decoded Temperature Measurement. */
export interface TemperatureMeasurement {
  /** `Cel` (°C) or `[degF]` (°F), from flags bit 0. */
  readonly unit: TemperatureUnit;
  /** The temperature, or an IEEE 11073 special (NaN, NRes, ±INF). Never 'reserved': that is a decode error. */
  readonly temperature: MderFloat;
  /** When the device took the measurement, if it says. */
  readonly timestamp?: GattDateTime;
  /** Where on the body, if the device says. */
  readonly site?: TemperatureSite;
}

/** What {@link encodeTemperatureMeasurement} accepts: like the decoded form, with any float input. */
export interface TemperatureMeasurementInput {
  readonly unit: TemperatureUnit;
  readonly temperature: MderInput;
  readonly timestamp?: GattDateTime;
  readonly site?: TemperatureSite;
}

/**
 * Decodes a Temperature Measurement value. Reserved flag bits, a reserved
 * FLOAT, a reserved Date Time part or a reserved site are errors; so are
 * missing and extra bytes. Never throws.
 */
export function decodeTemperatureMeasurement(bytes: Uint8Array): DecodeResult<TemperatureMeasurement> {
  if (bytes.length < 1) return fail('TRUNCATED', 'temperature measurement needs a flags byte', 0);
  const flags = u8(bytes, 0);
  if (flags & FLAGS_RESERVED) {
    return fail('RESERVED_BITS', `temperature measurement flags 0x${hex8(flags)} set reserved bits 0x${hex8(flags & FLAGS_RESERVED)}`, 0);
  }
  const hasTimestamp = (flags & FLAG_TIMESTAMP) !== 0;
  const hasType = (flags & FLAG_TYPE) !== 0;
  const length = 1 + FLOAT_LENGTH + (hasTimestamp ? DATE_TIME_LENGTH : 0) + (hasType ? 1 : 0);
  if (bytes.length < length) {
    return fail('TRUNCATED', `temperature measurement with flags 0x${hex8(flags)} needs ${length} bytes, got ${bytes.length}`, bytes.length);
  }
  if (bytes.length > length) {
    return fail('TRAILING_BYTES', `temperature measurement has ${bytes.length - length} extra bytes`, length);
  }

  const temperature = decodeFloat(bytes, 1);
  if (!temperature.ok) return temperature;
  if (!temperature.value.ok && temperature.value.special === 'reserved') {
    return fail('RESERVED_VALUE', 'temperature is a reserved IEEE 11073 FLOAT value', 1);
  }
  let at = 1 + FLOAT_LENGTH;
  let timestamp: GattDateTime | undefined;
  if (hasTimestamp) {
    const decoded = decodeDateTime(bytes, at);
    if (!decoded.ok) return decoded;
    timestamp = decoded.value;
    at += DATE_TIME_LENGTH;
  }
  let site: TemperatureSite | undefined;
  if (hasType) {
    const code = u8(bytes, at);
    site = SITES[code - 1];
    if (site === undefined) return fail('RESERVED_VALUE', `temperature type ${code} is reserved`, at);
  }
  return ok({
    unit: flags & FLAG_FAHRENHEIT ? '[degF]' : 'Cel',
    temperature: temperature.value,
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(site === undefined ? {} : { site }),
  });
}

/**
 * Encodes a Temperature Measurement value; optional fields set the matching flag.
 * @throws {EncodeError} when the temperature or the timestamp cannot be encoded.
 */
export function encodeTemperatureMeasurement(
  measurement: TemperatureMeasurementInput,
  options: MderEncodeOptions = {},
): Uint8Array {
  const parts: Uint8Array[] = [];
  let flags = measurement.unit === '[degF]' ? FLAG_FAHRENHEIT : 0;
  parts.push(encodeFloat(measurement.temperature, options));
  if (measurement.timestamp !== undefined) {
    flags |= FLAG_TIMESTAMP;
    parts.push(encodeDateTime(measurement.timestamp));
  }
  if (measurement.site !== undefined) {
    const code = SITES.indexOf(measurement.site) + 1;
    if (code === 0) throw new EncodeError('VALUE_OUT_OF_RANGE', `unknown temperature site ${String(measurement.site)}`);
    flags |= FLAG_TYPE;
    parts.push(Uint8Array.of(code));
  }
  return concat([Uint8Array.of(flags), ...parts]);
}
