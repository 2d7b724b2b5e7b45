/** Shared helpers for the protocol codec tests (not a test file itself). */
import fc from 'fast-check';
import type { GattDateTime } from '../../../../devices/protocols/date-time';
import type { MderFloat } from '../../../../devices/protocols/ieee11073';

/** Property runs per decoder, as the protocol fuzzing policy asks. */
export const RUNS = 10_000;

/** Bytes from a hex string with optional spaces: `hex('04 78 00')`. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Spaced upper-case hex of bytes, for readable assertions. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/**
 * True when `f` is either a finite number or a special without any `value`
 * property — a special must never be readable as a number.
 *
 * Properties return booleans rather than calling `expect`: at 10,000 runs per
 * property, `expect` calls dominate the suite's run time; fast-check still
 * reports the failing input.
 */
export function isSoundMder(f: MderFloat): boolean {
  return f.ok ? Number.isFinite(f.value) : !('value' in f) && ['NaN', 'NRes', '+INF', '-INF', 'reserved'].includes(f.special);
}

/** Cheap structural equality for plain decoded values (same key order on both sides). */
export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Any valid Date Time, unknown parts included. */
export const arbDateTime: fc.Arbitrary<GattDateTime> = fc.record({
  year: fc.option(fc.integer({ min: 1582, max: 9999 }), { nil: null }),
  month: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null }),
  day: fc.option(fc.integer({ min: 1, max: 31 }), { nil: null }),
  hours: fc.integer({ min: 0, max: 23 }),
  minutes: fc.integer({ min: 0, max: 59 }),
  seconds: fc.integer({ min: 0, max: 59 }),
});

/** An SFLOAT the characteristic decoders accept: a finite decimal or a non-reserved special. */
export const arbSfloatInput = fc.oneof(
  { weight: 4, arbitrary: fc.record({ mantissa: fc.integer({ min: -2045, max: 2045 }), exponent: fc.integer({ min: -8, max: 7 }) }) },
  { weight: 1, arbitrary: fc.constantFrom('NaN', 'NRes', '+INF', '-INF').map((special) => ({ ok: false as const, special })) },
);

/** A FLOAT the characteristic decoders accept: a finite decimal or a non-reserved special. */
export const arbFloatInput = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ mantissa: fc.integer({ min: -8388605, max: 8388605 }), exponent: fc.integer({ min: -128, max: 127 }) }),
  },
  { weight: 1, arbitrary: fc.constantFrom('NaN', 'NRes', '+INF', '-INF').map((special) => ({ ok: false as const, special })) },
);
