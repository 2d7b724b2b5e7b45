/**
 * IEEE 11073-20601 "Medical Device Encoding Rules" (MDER) decimal floats:
 * SFLOAT-Type (16 bits: 4-bit exponent, 12-bit mantissa) and FLOAT-Type
 * (32 bits: 8-bit exponent, 24-bit mantissa), both two's complement, value =
 * mantissa × 10^exponent, transmitted little-endian inside Bluetooth GATT
 * characteristics.
 *
 * The special values (NaN, NRes, ±INFINITY, reserved) come back as a tagged
 * result without a `value`, so they can never reach arithmetic or a screen as
 * a number.
 *
 * @module
 */

import { EncodeError, fail, ok } from '../result';
import type { DecodeResult } from '../result';
import { u16le } from '../bytes';

/** The non-numeric values an MDER float can carry. */
export type MderSpecial = 'NaN' | 'NRes' | '+INF' | '-INF' | 'reserved';

/** A decimal as sent on the wire: `mantissa × 10^exponent`. Keeps the device's precision (2.0 ≠ 2.00 on the wire). */
export interface MderDecimal {
  readonly mantissa: number;
  readonly exponent: number;
}

/**
 * A decoded SFLOAT or FLOAT: a finite number (with the mantissa and exponent it
 * came from), or a special marker. Narrow on `ok` before reading `value`.
 */
export type MderFloat =
  | { readonly ok: true; readonly value: number; readonly mantissa: number; readonly exponent: number }
  | { readonly ok: false; readonly special: MderSpecial };

/** What the encoders accept: a JS number, an explicit mantissa/exponent pair, or a special. */
export type MderInput = number | MderDecimal | { readonly ok: false; readonly special: MderSpecial };

/** Encoder options. */
export interface MderEncodeOptions {
  /** Throw `NOT_EXACTLY_REPRESENTABLE` instead of rounding when a number has too many digits. Default false. */
  readonly exact?: boolean;
}

interface Format {
  readonly name: 'SFLOAT' | 'FLOAT';
  /** Total width in bits. */
  readonly bits: 16 | 32;
  readonly mantissaBits: number;
  readonly minExponent: number;
  readonly maxExponent: number;
  /** Largest magnitude of a finite mantissa (the next ones up are the specials). */
  readonly maxMantissa: number;
  /** Raw mantissa field value of each special. */
  readonly specials: Readonly<Record<MderSpecial, number>>;
}

// NOTE: IEEE 11073-20601 (and the Bluetooth PHD Transcoding White Paper): the
// special values are the mantissa values 2^(n-1)-1 (NaN), -2^(n-1) (NRes),
// 2^(n-1)-2 (+INFINITY), -(2^(n-1)-2) (-INFINITY) and -(2^(n-1)-1) (reserved),
// defined with exponent 0: SFLOAT 0x07FF/0x0800/0x07FE/0x0802/0x0801, FLOAT
// 0x007FFFFF/0x00800000/0x007FFFFE/0x00800002/0x00800001. Finite mantissas are
// therefore limited to ±(2^(n-1)-3).
const SFLOAT: Format = {
  name: 'SFLOAT',
  bits: 16,
  mantissaBits: 12,
  minExponent: -8,
  maxExponent: 7,
  maxMantissa: 0x07fd,
  specials: { NaN: 0x07ff, NRes: 0x0800, '+INF': 0x07fe, '-INF': 0x0802, reserved: 0x0801 },
};

const FLOAT: Format = {
  name: 'FLOAT',
  bits: 32,
  mantissaBits: 24,
  minExponent: -128,
  maxExponent: 127,
  maxMantissa: 0x7ffffd,
  specials: { NaN: 0x7fffff, NRes: 0x800000, '+INF': 0x7ffffe, '-INF': 0x800002, reserved: 0x800001 },
};

const SPECIAL_NAMES: readonly MderSpecial[] = ['NaN', 'NRes', '+INF', '-INF', 'reserved'];

function fromRaw(format: Format, raw: number): MderFloat {
  const mantissaMask = (1 << format.mantissaBits) - 1;
  const mantissaField = raw & mantissaMask;
  const exponentField = raw >>> format.mantissaBits;
  for (const name of SPECIAL_NAMES) {
    if (mantissaField === format.specials[name]) {
      // NOTE: IEEE 11073-20601 defines the specials with exponent 0 only. A
      // special mantissa with any other exponent is outside the finite range
      // (±(2^(n-1)-3)) and has no defined meaning: we report it as 'reserved'
      // rather than guess a number a clinician might read.
      return { ok: false, special: exponentField === 0 ? name : 'reserved' };
    }
  }
  const signBit = 1 << (format.mantissaBits - 1);
  const mantissa = mantissaField & signBit ? mantissaField - (1 << format.mantissaBits) : mantissaField;
  const exponentBits = format.bits - format.mantissaBits;
  const exponent = (exponentField << (32 - exponentBits)) >> (32 - exponentBits);
  return { ok: true, value: decimalToNumber(mantissa, exponent), mantissa, exponent };
}

/** `mantissa × 10^exponent` correctly rounded to the nearest double (36.7, not 36.699999…). */
function decimalToNumber(mantissa: number, exponent: number): number {
  if (mantissa === 0) return 0;
  return Number(`${mantissa}e${exponent}`);
}

function toRaw(format: Format, input: MderInput, options: MderEncodeOptions): number {
  const mantissaMask = (1 << format.mantissaBits) - 1;
  if (typeof input === 'object' && 'special' in input) {
    return format.specials[input.special];
  }
  const { mantissa, exponent } =
    typeof input === 'number' ? chooseDecimal(format, input, options.exact ?? false) : checkDecimal(format, input);
  const exponentField = exponent & ((1 << (format.bits - format.mantissaBits)) - 1);
  return ((exponentField << format.mantissaBits) | (mantissa & mantissaMask)) >>> 0;
}

function checkDecimal(format: Format, d: MderDecimal): MderDecimal {
  if (!Number.isInteger(d.mantissa) || Math.abs(d.mantissa) > format.maxMantissa) {
    throw new EncodeError('VALUE_OUT_OF_RANGE', `${format.name} mantissa ${d.mantissa} is outside ±${format.maxMantissa}`);
  }
  if (!Number.isInteger(d.exponent) || d.exponent < format.minExponent || d.exponent > format.maxExponent) {
    throw new EncodeError(
      'VALUE_OUT_OF_RANGE',
      `${format.name} exponent ${d.exponent} is outside ${format.minExponent}…${format.maxExponent}`,
    );
  }
  return d;
}

/**
 * Picks the exponent closest to zero that represents `value` exactly (36.7 →
 * 367 × 10^-1, 120 → 120 × 10^0); when no exponent is exact, the smallest one
 * whose rounded mantissa fits (round half away from zero), unless `exact`.
 */
function chooseDecimal(format: Format, value: number, exact: boolean): MderDecimal {
  if (!Number.isFinite(value)) {
    throw new EncodeError(
      'VALUE_OUT_OF_RANGE',
      `${format.name} cannot encode ${value} as a number; pass { ok: false, special } for NaN or ±INFINITY`,
    );
  }
  // The shortest decimal that round-trips to `value`, as digits × 10^scale.
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (match === null) throw new EncodeError('VALUE_OUT_OF_RANGE', `${format.name} cannot parse ${value}`);
  const [, sign = '', intPart = '0', fracPart = '', expPart = '0'] = match;
  let digits = BigInt(sign + intPart + fracPart);
  let scale = Number(expPart) - fracPart.length;
  if (digits === 0n) return { mantissa: 0, exponent: 0 };
  while (digits % 10n === 0n) {
    digits /= 10n;
    scale += 1;
  }
  const max = BigInt(format.maxMantissa);
  const first = Math.max(Math.min(scale, 0), format.minExponent);
  for (let exponent = first; exponent <= format.maxExponent; exponent += 1) {
    const shift = scale - exponent;
    const mantissa = shift >= 0 ? digits * 10n ** BigInt(shift) : roundDiv(digits, 10n ** BigInt(-shift));
    if (mantissa > max || mantissa < -max) continue;
    if (shift < 0 && exact) {
      throw new EncodeError('NOT_EXACTLY_REPRESENTABLE', `${format.name} cannot carry ${value} without rounding`);
    }
    return mantissa === 0n ? { mantissa: 0, exponent: 0 } : { mantissa: Number(mantissa), exponent };
  }
  throw new EncodeError('VALUE_OUT_OF_RANGE', `${value} is too large for ${format.name}`);
}

/** n / d rounded half away from zero (d > 0). */
function roundDiv(n: bigint, d: bigint): bigint {
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const q = (abs + d / 2n) / d;
  return negative ? -q : q;
}

/** Decodes a raw 16-bit SFLOAT (already assembled from its two little-endian bytes). */
export function sfloatFromRaw(raw: number): MderFloat {
  return fromRaw(SFLOAT, raw & 0xffff);
}

/** Decodes a raw 32-bit FLOAT (already assembled from its four little-endian bytes). */
export function floatFromRaw(raw: number): MderFloat {
  return fromRaw(FLOAT, raw >>> 0);
}

/**
 * The raw 16-bit SFLOAT for a value.
 * @throws {EncodeError} `VALUE_OUT_OF_RANGE` (too large, non-finite number, bad mantissa/exponent)
 *   or `NOT_EXACTLY_REPRESENTABLE` (with `exact: true`).
 */
export function sfloatToRaw(input: MderInput, options: MderEncodeOptions = {}): number {
  return toRaw(SFLOAT, input, options);
}

/**
 * The raw 32-bit FLOAT for a value.
 * @throws {EncodeError} as {@link sfloatToRaw}.
 */
export function floatToRaw(input: MderInput, options: MderEncodeOptions = {}): number {
  return toRaw(FLOAT, input, options);
}

/** Length in bytes of an SFLOAT on the wire. */
export const SFLOAT_LENGTH = 2;
/** Length in bytes of a FLOAT on the wire. */
export const FLOAT_LENGTH = 4;

/** Decodes the little-endian SFLOAT at `offset`. Fails only with `TRUNCATED`. */
export function decodeSfloat(bytes: Uint8Array, offset = 0): DecodeResult<MderFloat> {
  if (bytes.length - offset < SFLOAT_LENGTH) return fail('TRUNCATED', 'SFLOAT needs 2 bytes', offset);
  return ok(sfloatFromRaw(u16le(bytes, offset)));
}

/** Decodes the little-endian FLOAT at `offset`. Fails only with `TRUNCATED`. */
export function decodeFloat(bytes: Uint8Array, offset = 0): DecodeResult<MderFloat> {
  if (bytes.length - offset < FLOAT_LENGTH) return fail('TRUNCATED', 'FLOAT needs 4 bytes', offset);
  const raw = (u16le(bytes, offset) | (u16le(bytes, offset + 2) << 16)) >>> 0;
  return ok(floatFromRaw(raw));
}

/** Encodes an SFLOAT as 2 little-endian bytes. @throws {EncodeError} as {@link sfloatToRaw}. */
export function encodeSfloat(input: MderInput, options: MderEncodeOptions = {}): Uint8Array {
  const raw = sfloatToRaw(input, options);
  return Uint8Array.of(raw & 0xff, raw >>> 8);
}

/** Encodes a FLOAT as 4 little-endian bytes (36.7 → `6F 01 00 FF`). @throws {EncodeError} as {@link sfloatToRaw}. */
export function encodeFloat(input: MderInput, options: MderEncodeOptions = {}): Uint8Array {
  const raw = floatToRaw(input, options);
  return Uint8Array.of(raw & 0xff, (raw >>> 8) & 0xff, (raw >>> 16) & 0xff, raw >>> 24);
}

/** Writes an SFLOAT at `offset` of `out`. @throws {EncodeError} as {@link sfloatToRaw}. */
export function writeSfloat(out: Uint8Array, offset: number, input: MderInput, options: MderEncodeOptions = {}): void {
  out.set(encodeSfloat(input, options), offset);
}

/** Writes a FLOAT at `offset` of `out`. @throws {EncodeError} as {@link sfloatToRaw}. */
export function writeFloat(out: Uint8Array, offset: number, input: MderInput, options: MderEncodeOptions = {}): void {
  out.set(encodeFloat(input, options), offset);
}
