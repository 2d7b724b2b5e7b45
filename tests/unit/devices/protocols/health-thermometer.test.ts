import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeTemperatureMeasurement,
  encodeTemperatureMeasurement,
} from '../../../../devices/protocols/health-thermometer';
import type { TemperatureMeasurementInput, TemperatureSite } from '../../../../devices/protocols/health-thermometer';
import { encodeDateTime } from '../../../../devices/protocols/date-time';
import { floatFromRaw } from '../../../../devices/protocols/ieee11073';
import { RUNS, arbDateTime, arbFloatInput, hex, isSoundMder, same, toHex } from './helpers';

const SITES: TemperatureSite[] = ['armpit', 'body', 'ear', 'finger', 'gastrointestinal-tract', 'mouth', 'rectum', 'toe', 'tympanum'];

function code(bytes: Uint8Array): string {
  const result = decodeTemperatureMeasurement(bytes);
  return result.ok ? 'accepted' : result.error.code;
}

describe('Temperature Measurement (0x2A1C)', () => {
  it('decodes 36.7 °C with no optional fields', () => {
    expect(decodeTemperatureMeasurement(hex('00 6F 01 00 FF'))).toEqual({
      ok: true,
      value: { unit: 'Cel', temperature: { ok: true, value: 36.7, mantissa: 367, exponent: -1 } },
    });
  });

  it('decodes °F, the timestamp and the site when the flags say they are present', () => {
    const bytes = hex('07 DC 03 00 FF EA 07 0B 17 09 11 2E 09');
    expect(decodeTemperatureMeasurement(bytes)).toEqual({
      ok: true,
      value: {
        unit: '[degF]',
        temperature: { ok: true, value: 98.8, mantissa: 988, exponent: -1 },
        timestamp: { year: 2026, month: 11, day: 23, hours: 9, minutes: 17, seconds: 46 },
        site: 'tympanum',
      },
    });
  });

  it.each(SITES.map((site, i) => ({ site, code: i + 1 })))('maps temperature type $code to $site', ({ site, code: raw }) => {
    const result = decodeTemperatureMeasurement(Uint8Array.of(0x04, 0x6f, 0x01, 0x00, 0xff, raw));
    expect(result.ok && result.value.site).toBe(site);
  });

  it('encodes what it decodes, byte for byte', () => {
    expect(toHex(encodeTemperatureMeasurement({ unit: 'Cel', temperature: 36.7 }))).toBe('00 6F 01 00 FF');
    expect(
      toHex(
        encodeTemperatureMeasurement({
          unit: '[degF]',
          temperature: 98.8,
          timestamp: { year: 2026, month: 11, day: 23, hours: 9, minutes: 17, seconds: 46 },
          site: 'tympanum',
        }),
      ),
    ).toBe('07 DC 03 00 FF EA 07 0B 17 09 11 2E 09');
  });

  it('returns a NaN temperature as a special with no number in it', () => {
    const result = decodeTemperatureMeasurement(hex('00 FF FF 7F 00'));
    expect(result).toEqual({ ok: true, value: { unit: 'Cel', temperature: { ok: false, special: 'NaN' } } });
    expect(result.ok && 'value' in result.value.temperature).toBe(false);
  });

  it('rejects a reserved FLOAT temperature with RESERVED_VALUE', () => {
    expect(code(hex('00 01 00 80 00'))).toBe('RESERVED_VALUE');
  });

  it.each([3, 4, 5, 6, 7])('rejects reserved flag bit %i with RESERVED_BITS', (bit) => {
    expect(code(Uint8Array.of(1 << bit, 0x6f, 0x01, 0x00, 0xff))).toBe('RESERVED_BITS');
  });

  it.each([0, 10, 255])('rejects the reserved temperature type %i with RESERVED_VALUE', (raw) => {
    expect(code(Uint8Array.of(0x04, 0x6f, 0x01, 0x00, 0xff, raw))).toBe('RESERVED_VALUE');
  });

  it('rejects a timestamp with a reserved part', () => {
    expect(code(hex('02 6F 01 00 FF EA 07 0D 17 09 11 2E'))).toBe('RESERVED_VALUE');
  });

  it('reports every truncation of a full measurement as TRUNCATED, and an extra byte as TRAILING_BYTES', () => {
    const full = hex('06 6F 01 00 FF EA 07 0B 17 09 11 2E 02');
    for (let length = 0; length < full.length; length += 1) expect(code(full.subarray(0, length))).toBe('TRUNCATED');
    expect(code(Uint8Array.of(...full, 0))).toBe('TRAILING_BYTES');
  });
});

const arbSite = fc.option(fc.constantFrom(...SITES), { nil: undefined });
const arbInput: fc.Arbitrary<TemperatureMeasurementInput> = fc
  .record({
    unit: fc.constantFrom('Cel' as const, '[degF]' as const),
    temperature: arbFloatInput,
    timestamp: fc.option(arbDateTime, { nil: undefined }),
    site: arbSite,
  })
  .map(({ timestamp, site, ...rest }) => ({ ...rest, ...(timestamp ? { timestamp } : {}), ...(site ? { site } : {}) }));

/** Random bytes shaped like a measurement: valid flags and the right length, random field contents. */
const plausibleBytes = fc
  .tuple(fc.integer({ min: 0, max: 7 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), arbDateTime, fc.integer({ min: 0, max: 11 }))
  .map(([flags, float, dt, site]) =>
    Uint8Array.of(flags, ...float, ...(flags & 2 ? encodeDateTime(dt) : []), ...(flags & 4 ? [site] : [])),
  );

describe('Temperature Measurement fuzzing', () => {
  it('never throws on random bytes and never yields a number from a special FLOAT', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 16 }), plausibleBytes), (bytes) => {
        const result = decodeTemperatureMeasurement(bytes);
        if (!result.ok) return true;
        const raw = ((bytes[1] ?? 0) | ((bytes[2] ?? 0) << 8) | ((bytes[3] ?? 0) << 16) | ((bytes[4] ?? 0) << 24)) >>> 0;
        return (
          isSoundMder(result.value.temperature) &&
          result.value.temperature.ok === floatFromRaw(raw).ok &&
          // Every accepted measurement re-encodes to the same bytes.
          toHex(encodeTemperatureMeasurement(result.value)) === toHex(bytes)
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('round-trips every encodable measurement', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const bytes = encodeTemperatureMeasurement(input);
        const result = decodeTemperatureMeasurement(bytes);
        return (
          result.ok &&
          result.value.unit === input.unit &&
          result.value.site === input.site &&
          same(result.value.timestamp, input.timestamp) &&
          toHex(encodeTemperatureMeasurement(result.value)) === toHex(bytes)
        );
      }),
      { numRuns: RUNS },
    );
  });
});
