/**
 * Bluetooth "Date Time" (org.bluetooth.characteristic.date_time, 0x2A08): the
 * 7-byte timestamp embedded in the thermometer and blood-pressure measurements
 * and in our serial "set clock" command.
 *
 * @module
 */

import { EncodeError, fail, ok } from './result';
import type { DecodeResult } from './result';
import { isIntIn, putU16le, u16le, u8 } from './bytes';

/** Length in bytes of an encoded Date Time. */
export const DATE_TIME_LENGTH = 7;

/**
 * A wall-clock timestamp as the device sent it. There is no time zone on the
 * wire: the device's clock is whatever the host last set it to.
 *
 * `null` marks a part the device says it does not know.
 */
export interface GattDateTime {
  /** 1582–9999, or `null` when unknown. */
  readonly year: number | null;
  /** 1–12, or `null` when unknown. */
  readonly month: number | null;
  /** 1–31, or `null` when unknown. */
  readonly day: number | null;
  /** 0–23. */
  readonly hours: number;
  /** 0–59. */
  readonly minutes: number;
  /** 0–59. */
  readonly seconds: number;
}

/**
 * Decodes the 7 bytes at `offset`: year u16 LE, month, day, hours, minutes, seconds.
 * Out-of-range parts are rejected with `RESERVED_VALUE`; offsets in errors count
 * from the start of `bytes`.
 */
export function decodeDateTime(bytes: Uint8Array, offset = 0): DecodeResult<GattDateTime> {
  if (bytes.length - offset < DATE_TIME_LENGTH) {
    return fail('TRUNCATED', `date time needs ${DATE_TIME_LENGTH} bytes, ${Math.max(0, bytes.length - offset)} left`, offset);
  }
  const year = u16le(bytes, offset);
  const month = u8(bytes, offset + 2);
  const day = u8(bytes, offset + 3);
  const hours = u8(bytes, offset + 4);
  const minutes = u8(bytes, offset + 5);
  const seconds = u8(bytes, offset + 6);
  // NOTE: GATT Specification Supplement, Date Time: year 1582–9999 with 0 meaning
  // "not known", month and day 0 meaning "not known"; every other value is reserved.
  if (year !== 0 && (year < 1582 || year > 9999)) return fail('RESERVED_VALUE', `date time year ${year} is reserved`, offset);
  if (month > 12) return fail('RESERVED_VALUE', `date time month ${month} is reserved`, offset + 2);
  if (day > 31) return fail('RESERVED_VALUE', `date time day ${day} is reserved`, offset + 3);
  if (hours > 23) return fail('RESERVED_VALUE', `date time hours ${hours} is reserved`, offset + 4);
  if (minutes > 59) return fail('RESERVED_VALUE', `date time minutes ${minutes} is reserved`, offset + 5);
  if (seconds > 59) return fail('RESERVED_VALUE', `date time seconds ${seconds} is reserved`, offset + 6);
  return ok({
    year: year === 0 ? null : year,
    month: month === 0 ? null : month,
    day: day === 0 ? null : day,
    hours,
    minutes,
    seconds,
  });
}

/**
 * Encodes a Date Time into 7 bytes.
 * @throws {EncodeError} `VALUE_OUT_OF_RANGE` when a part is outside its range.
 */
export function encodeDateTime(dt: GattDateTime): Uint8Array {
  check('year', dt.year, 1582, 9999, true);
  check('month', dt.month, 1, 12, true);
  check('day', dt.day, 1, 31, true);
  check('hours', dt.hours, 0, 23, false);
  check('minutes', dt.minutes, 0, 59, false);
  check('seconds', dt.seconds, 0, 59, false);
  const out = new Uint8Array(DATE_TIME_LENGTH);
  putU16le(out, 0, dt.year ?? 0);
  out[2] = dt.month ?? 0;
  out[3] = dt.day ?? 0;
  out[4] = dt.hours;
  out[5] = dt.minutes;
  out[6] = dt.seconds;
  return out;
}

function check(name: string, value: number | null, min: number, max: number, nullable: boolean): void {
  if (value === null && nullable) return;
  if (value === null || !isIntIn(value, min, max)) {
    throw new EncodeError('VALUE_OUT_OF_RANGE', `date time ${name} ${String(value)} is outside ${min}–${max}`);
  }
}

/**
 * The Date Time for `date` read in UTC or in the host's local zone. Which one
 * the device expects is the driver's decision; the wire carries no zone.
 */
export function dateTimeFromDate(date: Date, zone: 'utc' | 'local'): GattDateTime {
  const utc = zone === 'utc';
  return {
    year: utc ? date.getUTCFullYear() : date.getFullYear(),
    month: (utc ? date.getUTCMonth() : date.getMonth()) + 1,
    day: utc ? date.getUTCDate() : date.getDate(),
    hours: utc ? date.getUTCHours() : date.getHours(),
    minutes: utc ? date.getUTCMinutes() : date.getMinutes(),
    seconds: utc ? date.getUTCSeconds() : date.getSeconds(),
  };
}

/**
 * The instant a fully-known Date Time denotes in the given zone, or `undefined`
 * when the year, month or day is unknown or the day does not exist (31 April).
 */
export function dateTimeToDate(dt: GattDateTime, zone: 'utc' | 'local'): Date | undefined {
  if (dt.year === null || dt.month === null || dt.day === null) return undefined;
  const date =
    zone === 'utc'
      ? new Date(Date.UTC(dt.year, dt.month - 1, dt.day, dt.hours, dt.minutes, dt.seconds))
      : new Date(dt.year, dt.month - 1, dt.day, dt.hours, dt.minutes, dt.seconds);
  const day = zone === 'utc' ? date.getUTCDate() : date.getDate();
  return day === dt.day ? date : undefined;
}
