import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  dateTimeFromDate,
  dateTimeToDate,
  decodeDateTime,
  encodeDateTime,
} from '../../../../devices/protocols/date-time';
import { RUNS, arbDateTime, hex, same, toHex } from './helpers';

describe('GATT Date Time', () => {
  it('decodes year u16 LE, month, day, hours, minutes, seconds', () => {
    expect(decodeDateTime(hex('EA 07 0B 17 09 11 2E'))).toEqual({
      ok: true,
      value: { year: 2026, month: 11, day: 23, hours: 9, minutes: 17, seconds: 46 },
    });
  });

  it('decodes zero year, month and day as unknown (null), never as a number', () => {
    expect(decodeDateTime(hex('00 00 00 00 0C 00 00'))).toEqual({
      ok: true,
      value: { year: null, month: null, day: null, hours: 12, minutes: 0, seconds: 0 },
    });
  });

  it.each([
    ['year 1581', '2D 06 01 01 00 00 00', 0],
    ['year 10000', '10 27 01 01 00 00 00', 0],
    ['month 13', 'EA 07 0D 01 00 00 00', 2],
    ['day 32', 'EA 07 01 20 00 00 00', 3],
    ['hours 24', 'EA 07 01 01 18 00 00', 4],
    ['minutes 60', 'EA 07 01 01 00 3C 00', 5],
    ['seconds 60', 'EA 07 01 01 00 00 3C', 6],
  ])('rejects the reserved %s with RESERVED_VALUE at its offset', (_name, bytes, offset) => {
    const result = decodeDateTime(hex(bytes));
    expect(result.ok).toBe(false);
    if (!result.ok) expect([result.error.code, result.error.offset]).toEqual(['RESERVED_VALUE', offset]);
  });

  it('reports fewer than 7 bytes as TRUNCATED', () => {
    const result = decodeDateTime(hex('EA 07 0B 17 09 11'));
    expect(!result.ok && result.error.code).toBe('TRUNCATED');
  });

  it('refuses to encode a part outside its range', () => {
    expect(() => encodeDateTime({ year: 2026, month: 13, day: 1, hours: 0, minutes: 0, seconds: 0 })).toThrow(
      expect.objectContaining({ code: 'VALUE_OUT_OF_RANGE' }),
    );
  });

  it('converts to and from a Date in UTC, and refuses a day that does not exist', () => {
    const dt = dateTimeFromDate(new Date('2026-11-23T09:17:46Z'), 'utc');
    expect(toHex(encodeDateTime(dt))).toBe('EA 07 0B 17 09 11 2E');
    expect(dateTimeToDate(dt, 'utc')?.toISOString()).toBe('2026-11-23T09:17:46.000Z');
    expect(dateTimeToDate({ ...dt, month: 4, day: 31 }, 'utc')).toBeUndefined();
    expect(dateTimeToDate({ ...dt, year: null }, 'utc')).toBeUndefined();
  });

  it('round-trips every valid date time, and never throws on random bytes', () => {
    fc.assert(
      fc.property(arbDateTime, fc.uint8Array({ minLength: 7, maxLength: 7 }), (dt, random) => {
        const back = decodeDateTime(encodeDateTime(dt));
        const decoded = decodeDateTime(random);
        return back.ok && same(back.value, dt) && (!decoded.ok || toHex(encodeDateTime(decoded.value)) === toHex(random));
      }),
      { numRuns: RUNS },
    );
  });
});
