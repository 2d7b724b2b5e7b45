import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeFloat,
  decodeSfloat,
  encodeFloat,
  encodeSfloat,
  floatFromRaw,
  floatToRaw,
  sfloatFromRaw,
  sfloatToRaw,
} from '../../../../devices/protocols/ieee11073';
import type { MderSpecial } from '../../../../devices/protocols/ieee11073';
import { EncodeError } from '../../../../devices/protocols/result';
import { RUNS, hex, isSoundMder, toHex } from './helpers';

const SFLOAT_SPECIALS: ReadonlyArray<[number, MderSpecial]> = [
  [0x07ff, 'NaN'],
  [0x0800, 'NRes'],
  [0x07fe, '+INF'],
  [0x0802, '-INF'],
  [0x0801, 'reserved'],
];
const FLOAT_SPECIALS: ReadonlyArray<[number, MderSpecial]> = [
  [0x007fffff, 'NaN'],
  [0x00800000, 'NRes'],
  [0x007ffffe, '+INF'],
  [0x00800002, '-INF'],
  [0x00800001, 'reserved'],
];
function labelled(list: ReadonlyArray<[number, MderSpecial]>, digits: number) {
  return list.map(([raw, special]) => ({ raw, special, label: `0x${raw.toString(16).toUpperCase().padStart(digits, '0')}` }));
}
const SFLOAT_SPECIAL_MANTISSAS = new Set([0x07fe, 0x07ff, 0x0800, 0x0801, 0x0802]);
const FLOAT_SPECIAL_MANTISSAS = new Set([0x7ffffe, 0x7fffff, 0x800000, 0x800001, 0x800002]);

describe('IEEE 11073-20601 FLOAT', () => {
  it('encodes 36.7 as 6F 01 00 FF (mantissa 367, exponent -1)', () => {
    expect(toHex(encodeFloat(36.7))).toBe('6F 01 00 FF');
  });

  it('decodes 6F 01 00 FF to exactly 36.7, keeping mantissa and exponent', () => {
    expect(decodeFloat(hex('6F 01 00 FF'))).toEqual({
      ok: true,
      value: { ok: true, value: 36.7, mantissa: 367, exponent: -1 },
    });
  });

  it.each(labelled(FLOAT_SPECIALS, 8))('decodes $label to the special $special, which has no value', ({ raw, special }) => {
    const decoded = floatFromRaw(raw);
    expect(decoded).toEqual({ ok: false, special });
    expect('value' in decoded).toBe(false);
    expect(floatToRaw({ ok: false, special })).toBe(raw);
  });

  it('treats a special mantissa with a non-zero exponent as reserved, not as a number', () => {
    expect(floatFromRaw(0xff7fffff)).toEqual({ ok: false, special: 'reserved' });
    expect(floatFromRaw(0x01800000)).toEqual({ ok: false, special: 'reserved' });
  });

  it('decodes negative mantissas and exponents in two’s complement', () => {
    expect(floatFromRaw(0xfeffff9c)).toEqual({ ok: true, value: -1, mantissa: -100, exponent: -2 });
    expect(floatFromRaw(0x7f000001)).toMatchObject({ ok: true, value: 1e127 });
    expect(floatFromRaw(0x80000001)).toMatchObject({ ok: true, value: 1e-128 });
  });

  it('reports a buffer shorter than 4 bytes as TRUNCATED', () => {
    const result = decodeFloat(hex('6F 01 00'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('TRUNCATED');
  });
});

describe('IEEE 11073-20601 SFLOAT', () => {
  it('encodes integers with exponent 0 when they fit (120 → 78 00)', () => {
    expect(toHex(encodeSfloat(120))).toBe('78 00');
    expect(toHex(encodeSfloat(0))).toBe('00 00');
    expect(toHex(encodeSfloat(-1))).toBe('FF 0F');
  });

  it('picks the exponent closest to zero that is exact', () => {
    expect(sfloatFromRaw(sfloatToRaw(36.7))).toEqual({ ok: true, value: 36.7, mantissa: 367, exponent: -1 });
    expect(sfloatFromRaw(sfloatToRaw(0.05))).toEqual({ ok: true, value: 0.05, mantissa: 5, exponent: -2 });
    expect(sfloatFromRaw(sfloatToRaw(25_000))).toEqual({ ok: true, value: 25_000, mantissa: 250, exponent: 2 });
  });

  it('rounds to the finest exponent that fits, or refuses when asked to be exact', () => {
    expect(sfloatFromRaw(sfloatToRaw(36.72))).toEqual({ ok: true, value: 36.7, mantissa: 367, exponent: -1 });
    expect(sfloatFromRaw(sfloatToRaw(-36.75))).toEqual({ ok: true, value: -36.8, mantissa: -368, exponent: -1 });
    expect(() => sfloatToRaw(36.72, { exact: true })).toThrow(expect.objectContaining({ code: 'NOT_EXACTLY_REPRESENTABLE' }));
  });

  it('refuses values it cannot carry instead of wrapping them', () => {
    expect(() => sfloatToRaw(2046e7)).toThrow(EncodeError);
    expect(() => sfloatToRaw(Number.NaN)).toThrow(expect.objectContaining({ code: 'VALUE_OUT_OF_RANGE' }));
    expect(() => sfloatToRaw(Number.POSITIVE_INFINITY)).toThrow(EncodeError);
    expect(() => sfloatToRaw({ mantissa: 2046, exponent: 0 })).toThrow(EncodeError);
    expect(() => sfloatToRaw({ mantissa: 1, exponent: 8 })).toThrow(EncodeError);
  });

  it('keeps an explicit mantissa and exponent (precision 37.0 stays 370 × 10^-1)', () => {
    expect(sfloatToRaw({ mantissa: 370, exponent: -1 })).toBe(0xf172);
  });

  it.each(labelled(SFLOAT_SPECIALS, 4))('decodes $label to the special $special, which has no value', ({ raw, special }) => {
    const decoded = sfloatFromRaw(raw);
    expect(decoded).toEqual({ ok: false, special });
    expect('value' in decoded).toBe(false);
    expect(sfloatToRaw({ ok: false, special })).toBe(raw);
  });

  it('treats a special mantissa with a non-zero exponent as reserved', () => {
    expect(sfloatFromRaw(0xf7ff)).toEqual({ ok: false, special: 'reserved' });
    expect(sfloatFromRaw(0x1802)).toEqual({ ok: false, special: 'reserved' });
  });

  it('reports a 1-byte buffer as TRUNCATED', () => {
    const result = decodeSfloat(hex('78'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('TRUNCATED');
  });
});

describe('IEEE 11073 float fuzzing', () => {
  it('never turns an SFLOAT special into a number, and re-encodes every other value to the same bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (raw) => {
        const decoded = sfloatFromRaw(raw);
        if (!isSoundMder(decoded)) return false;
        return SFLOAT_SPECIAL_MANTISSAS.has(raw & 0x0fff) ? !decoded.ok : decoded.ok && sfloatToRaw(decoded) === raw;
      }),
      { numRuns: RUNS },
    );
  });

  it('never turns a FLOAT special into a number, and re-encodes every other value to the same bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (raw) => {
        const decoded = floatFromRaw(raw);
        if (!isSoundMder(decoded)) return false;
        return FLOAT_SPECIAL_MANTISSAS.has(raw & 0xffffff) ? !decoded.ok : decoded.ok && floatToRaw(decoded) === raw;
      }),
      { numRuns: RUNS },
    );
  });

  it('decodes to the same number any representable SFLOAT value encoded from a JS number', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2045, max: 2045 }), fc.integer({ min: -8, max: 7 }), (mantissa, exponent) => {
        const value = Number(`${mantissa}e${exponent}`);
        const decoded = sfloatFromRaw(sfloatToRaw(value, { exact: true }));
        return decoded.ok && decoded.value === value;
      }),
      { numRuns: RUNS },
    );
  });

  it('decodes to the same number any representable FLOAT value encoded from a JS number', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8388605, max: 8388605 }), fc.integer({ min: -128, max: 127 }), (mantissa, exponent) => {
        const value = Number(`${mantissa}e${exponent}`);
        const decoded = floatFromRaw(floatToRaw(value, { exact: true }));
        return decoded.ok && decoded.value === value;
      }),
      { numRuns: RUNS },
    );
  });

  it('encodes any finite double within SFLOAT range to the nearest representable value without throwing', () => {
    fc.assert(
      fc.property(fc.double({ min: -2045e7, max: 2045e7, noNaN: true }), (value) => {
        const decoded = sfloatFromRaw(sfloatToRaw(value));
        // Rounding loses at most half a unit of the last place kept.
        return decoded.ok && Math.abs(decoded.value - value) <= 0.5 * 10 ** decoded.exponent * (1 + 1e-9);
      }),
      { numRuns: RUNS },
    );
  });
});
