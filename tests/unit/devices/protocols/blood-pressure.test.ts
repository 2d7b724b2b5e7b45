import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeBloodPressureMeasurement,
  decodeIntermediateCuffPressure,
  encodeBloodPressureMeasurement,
  encodeIntermediateCuffPressure,
} from '../../../../devices/protocols/blood-pressure';
import type {
  BloodPressureMeasurementInput,
  IntermediateCuffPressureInput,
  MeasurementStatus,
} from '../../../../devices/protocols/blood-pressure';
import { encodeDateTime } from '../../../../devices/protocols/date-time';
import { sfloatFromRaw } from '../../../../devices/protocols/ieee11073';
import type { MderFloat } from '../../../../devices/protocols/ieee11073';
import { RUNS, arbDateTime, arbSfloatInput, hex, isSoundMder, same, toHex } from './helpers';

const sf = (value: number, mantissa = value, exponent = 0): MderFloat => ({ ok: true, value, mantissa, exponent });

function bpCode(bytes: Uint8Array): string {
  const result = decodeBloodPressureMeasurement(bytes);
  return result.ok ? 'accepted' : result.error.code;
}

const allClear: MeasurementStatus = {
  bodyMovement: false,
  cuffTooLoose: false,
  irregularPulse: false,
  pulseRateRange: 'within',
  improperPosition: false,
};

describe('Blood Pressure Measurement (0x2A35)', () => {
  it('decodes the published vector 120/80 mmHg, MAP 93, pulse 72', () => {
    expect(decodeBloodPressureMeasurement(hex('04 78 00 50 00 5D 00 48 00'))).toEqual({
      ok: true,
      value: { unit: 'mm[Hg]', systolic: sf(120), diastolic: sf(80), meanArterialPressure: sf(93), pulseRate: sf(72) },
    });
  });

  it('encodes 120/80 mmHg, MAP 93, pulse 72 as 04 78 00 50 00 5D 00 48 00', () => {
    const bytes = encodeBloodPressureMeasurement({ unit: 'mm[Hg]', systolic: 120, diastolic: 80, meanArterialPressure: 93, pulseRate: 72 });
    expect(toHex(bytes)).toBe('04 78 00 50 00 5D 00 48 00');
  });

  it('decodes kPa, timestamp, user id and measurement status when flagged', () => {
    // 16.0/10.7 kPa, MAP 12.4, 2026-11-23 09:17:46, pulse 72, user 3, irregular pulse + pulse above range.
    const bytes = hex('1F A0 F0 6B F0 7C F0 EA 07 0B 17 09 11 2E 48 00 03 0C 00');
    expect(decodeBloodPressureMeasurement(bytes)).toEqual({
      ok: true,
      value: {
        unit: 'kPa',
        systolic: sf(16, 160, -1),
        diastolic: sf(10.7, 107, -1),
        meanArterialPressure: sf(12.4, 124, -1),
        timestamp: { year: 2026, month: 11, day: 23, hours: 9, minutes: 17, seconds: 46 },
        pulseRate: sf(72),
        userId: { ok: true, value: 3 },
        status: { ...allClear, irregularPulse: true, pulseRateRange: 'exceeds-upper' },
      },
    });
  });

  it.each([
    [0x0001, { bodyMovement: true }],
    [0x0002, { cuffTooLoose: true }],
    [0x0004, { irregularPulse: true }],
    [0x0008, { pulseRateRange: 'exceeds-upper' }],
    [0x0010, { pulseRateRange: 'below-lower' }],
    [0x0020, { improperPosition: true }],
  ] as const)('decodes measurement status value %i into its flag', (raw, expected) => {
    const result = decodeBloodPressureMeasurement(Uint8Array.of(0x10, 0x78, 0, 0x50, 0, 0x5d, 0, raw & 0xff, raw >> 8));
    expect(result.ok && result.value.status).toEqual({ ...allClear, ...expected });
  });

  it('decodes user id 0xFF as an unknown user, not as the number 255', () => {
    const result = decodeBloodPressureMeasurement(hex('08 78 00 50 00 5D 00 FF'));
    expect(result.ok && result.value.userId).toEqual({ ok: false, special: 'unknown' });
  });

  it('rejects the reserved pulse rate range 3 with RESERVED_VALUE', () => {
    expect(bpCode(hex('10 78 00 50 00 5D 00 18 00'))).toBe('RESERVED_VALUE');
  });

  it.each([6, 7, 8, 15])('rejects reserved measurement status bit %i with RESERVED_BITS', (bit) => {
    const raw = 1 << bit;
    expect(bpCode(Uint8Array.of(0x10, 0x78, 0, 0x50, 0, 0x5d, 0, raw & 0xff, raw >> 8))).toBe('RESERVED_BITS');
  });

  it.each([5, 6, 7])('rejects reserved flag bit %i with RESERVED_BITS', (bit) => {
    expect(bpCode(Uint8Array.of(1 << bit, 0x78, 0, 0x50, 0, 0x5d, 0))).toBe('RESERVED_BITS');
  });

  it('returns NaN, NRes and ±INF pressures as specials, and rejects the reserved SFLOAT', () => {
    const result = decodeBloodPressureMeasurement(hex('04 FF 07 00 08 FE 07 02 08'));
    expect(result).toEqual({
      ok: true,
      value: {
        unit: 'mm[Hg]',
        systolic: { ok: false, special: 'NaN' },
        diastolic: { ok: false, special: 'NRes' },
        meanArterialPressure: { ok: false, special: '+INF' },
        pulseRate: { ok: false, special: '-INF' },
      },
    });
    expect(bpCode(hex('00 01 08 50 00 5D 00'))).toBe('RESERVED_VALUE');
    expect(bpCode(hex('04 78 00 50 00 5D 00 01 08'))).toBe('RESERVED_VALUE');
  });

  it('reports every truncation of a full measurement as TRUNCATED, and an extra byte as TRAILING_BYTES', () => {
    const full = hex('1F A0 F0 6B F0 7C F0 EA 07 0B 17 09 11 2E 48 00 03 0C 00');
    for (let length = 0; length < full.length; length += 1) expect(bpCode(full.subarray(0, length))).toBe('TRUNCATED');
    expect(bpCode(Uint8Array.of(...full, 0))).toBe('TRAILING_BYTES');
  });
});

describe('Intermediate Cuff Pressure (0x2A36)', () => {
  it('reads the current cuff pressure from the systolic field, with NaN diastolic and MAP', () => {
    expect(decodeIntermediateCuffPressure(hex('00 8C 00 FF 07 FF 07'))).toEqual({
      ok: true,
      value: { unit: 'mm[Hg]', cuffPressure: sf(140) },
    });
  });

  it('encodes NaN into the unused diastolic and MAP fields', () => {
    expect(toHex(encodeIntermediateCuffPressure({ unit: 'mm[Hg]', cuffPressure: 140 }))).toBe('00 8C 00 FF 07 FF 07');
  });

  it('rejects a diastolic or MAP field that is not NaN', () => {
    for (const bytes of ['00 8C 00 50 00 FF 07', '00 8C 00 FF 07 5D 00', '00 8C 00 00 08 FF 07']) {
      const result = decodeIntermediateCuffPressure(hex(bytes));
      expect(!result.ok && result.error.code).toBe('RESERVED_VALUE');
    }
  });

  it('reports a truncated cuff pressure as TRUNCATED', () => {
    const result = decodeIntermediateCuffPressure(hex('00 8C 00 FF 07 FF'));
    expect(!result.ok && result.error.code).toBe('TRUNCATED');
  });
});

const arbStatus: fc.Arbitrary<MeasurementStatus> = fc.record({
  bodyMovement: fc.boolean(),
  cuffTooLoose: fc.boolean(),
  irregularPulse: fc.boolean(),
  pulseRateRange: fc.constantFrom('within' as const, 'exceeds-upper' as const, 'below-lower' as const),
  improperPosition: fc.boolean(),
});

const arbOptional = fc
  .record({
    timestamp: fc.option(arbDateTime, { nil: undefined }),
    pulseRate: fc.option(arbSfloatInput, { nil: undefined }),
    userId: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
    status: fc.option(arbStatus, { nil: undefined }),
  })
  .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));

const arbUnit = fc.constantFrom('mm[Hg]' as const, 'kPa' as const);

/** Valid flags and the right length, random SFLOAT and status contents. */
const plausibleBytes = fc
  .tuple(fc.integer({ min: 0, max: 31 }), fc.uint8Array({ minLength: 6, maxLength: 6 }), arbDateTime, fc.uint8Array({ minLength: 5, maxLength: 5 }))
  .map(([flags, pressures, dt, rest]) =>
    Uint8Array.of(
      flags,
      ...pressures,
      ...(flags & 0x02 ? encodeDateTime(dt) : []),
      ...(flags & 0x04 ? rest.subarray(0, 2) : []),
      ...(flags & 0x08 ? rest.subarray(2, 3) : []),
      ...(flags & 0x10 ? [rest[3] ?? 0, (rest[4] ?? 0) & 0x3f] : []),
    ),
  );

describe('blood pressure fuzzing', () => {
  it('never throws on random bytes and never yields a number from a special SFLOAT (0x2A35)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 24 }), plausibleBytes), (bytes) => {
        const result = decodeBloodPressureMeasurement(bytes);
        if (!result.ok) return true;
        const m = result.value;
        const pressuresSound = [m.systolic, m.diastolic, m.meanArterialPressure].every(
          (f, i) => isSoundMder(f) && f.ok === sfloatFromRaw((bytes[1 + 2 * i] ?? 0) | ((bytes[2 + 2 * i] ?? 0) << 8)).ok,
        );
        return (
          pressuresSound &&
          (m.pulseRate === undefined || isSoundMder(m.pulseRate)) &&
          toHex(encodeBloodPressureMeasurement(m)) === toHex(bytes)
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on random bytes and re-encodes every accepted cuff pressure (0x2A36)', () => {
    const plausibleCuff = plausibleBytes.map((b) => {
      const out = Uint8Array.from(b);
      out.set([0xff, 0x07, 0xff, 0x07], 3);
      return out;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 24 }), plausibleCuff), (bytes) => {
        const result = decodeIntermediateCuffPressure(bytes);
        if (!result.ok) return true;
        return isSoundMder(result.value.cuffPressure) && toHex(encodeIntermediateCuffPressure(result.value)) === toHex(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('round-trips every encodable blood pressure measurement', () => {
    fc.assert(
      fc.property(arbUnit, arbSfloatInput, arbSfloatInput, arbSfloatInput, arbOptional, (unit, systolic, diastolic, map, optional) => {
        const input: BloodPressureMeasurementInput = { unit, systolic, diastolic, meanArterialPressure: map, ...optional };
        const bytes = encodeBloodPressureMeasurement(input);
        const result = decodeBloodPressureMeasurement(bytes);
        return (
          result.ok &&
          result.value.unit === unit &&
          same(result.value.timestamp, input.timestamp) &&
          same(result.value.status, input.status) &&
          toHex(encodeBloodPressureMeasurement(result.value)) === toHex(bytes)
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('round-trips every encodable intermediate cuff pressure', () => {
    fc.assert(
      fc.property(arbUnit, arbSfloatInput, arbOptional, (unit, cuffPressure, optional) => {
        const input: IntermediateCuffPressureInput = { unit, cuffPressure, ...optional };
        const bytes = encodeIntermediateCuffPressure(input);
        const result = decodeIntermediateCuffPressure(bytes);
        return result.ok && toHex(encodeIntermediateCuffPressure(result.value)) === toHex(bytes);
      }),
      { numRuns: RUNS },
    );
  });
});
