import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeOximeterReport, encodeOximeterReport } from '../../../../devices/protocols/oximeter-hid';
import type { OximeterReport } from '../../../../devices/protocols/oximeter-hid';
import { hex, RUNS, same, toHex } from './helpers';

function code(bytes: Uint8Array): string {
  const result = decodeOximeterReport(bytes);
  return result.ok ? 'accepted' : result.error.code;
}

const steady: OximeterReport = {
  fingerOut: false,
  searching: false,
  lowPerfusion: false,
  sensorFault: false,
  spo2: { ok: true, value: 97 },
  pulseRate: { ok: true, value: 72 },
  perfusionIndex: 3.5,
  pleth: Uint8Array.of(10, 80, 120),
};

describe('oximeter HID report 0x01', () => {
  it('decodes flags, SpO2, pulse rate, perfusion index ×10 and pleth samples', () => {
    expect(decodeOximeterReport(hex('01 00 61 48 00 23 00 03 0A 50 78'))).toEqual({ ok: true, value: steady });
  });

  it('encodes what it decodes, byte for byte', () => {
    expect(toHex(encodeOximeterReport(steady))).toBe('01 00 61 48 00 23 00 03 0A 50 78');
  });

  it('decodes SpO2 0x7F and pulse 0xFFFF as unknown, with no number to misuse', () => {
    const result = decodeOximeterReport(hex('01 03 7F FF FF 00 00 00'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({
      fingerOut: true,
      searching: true,
      spo2: { ok: false, special: 'unknown' },
      pulseRate: { ok: false, special: 'unknown' },
    });
    expect('value' in result.value.spo2).toBe(false);
    expect('value' in result.value.pulseRate).toBe(false);
    expect(toHex(encodeOximeterReport(result.value))).toBe('01 03 7F FF FF 00 00 00');
  });

  it.each([
    [0x01, 'fingerOut'],
    [0x02, 'searching'],
    [0x04, 'lowPerfusion'],
    [0x08, 'sensorFault'],
  ] as const)('decodes flag bit value %i as %s', (bit, name) => {
    const result = decodeOximeterReport(Uint8Array.of(0x01, bit, 0x61, 0x48, 0, 0x23, 0, 0));
    expect(result.ok && result.value[name]).toBe(true);
  });

  it.each([4, 5, 6, 7])('rejects reserved flag bit %i with RESERVED_BITS', (bit) => {
    expect(code(Uint8Array.of(0x01, 1 << bit, 0x61, 0x48, 0, 0x23, 0, 0))).toBe('RESERVED_BITS');
  });

  it.each([101, 0x7e, 0x80, 0xff])('rejects the reserved SpO2 value %i with RESERVED_VALUE', (spo2) => {
    expect(code(Uint8Array.of(0x01, 0, spo2, 0x48, 0, 0x23, 0, 0))).toBe('RESERVED_VALUE');
  });

  it('rejects another report id with WRONG_REPORT_ID', () => {
    expect(code(hex('02 00 61 48 00 23 00 00'))).toBe('WRONG_REPORT_ID');
  });

  it('reports a short header or missing pleth samples as TRUNCATED', () => {
    const full = hex('01 00 61 48 00 23 00 03 0A 50 78');
    for (let length = 0; length < full.length; length += 1) expect(code(full.subarray(0, length))).toBe('TRUNCATED');
  });

  it('accepts zero padding to a fixed report size and rejects non-zero bytes after the samples', () => {
    const padded = encodeOximeterReport(steady, { padTo: 64 });
    expect(padded).toHaveLength(64);
    expect(decodeOximeterReport(padded)).toEqual({ ok: true, value: steady });
    padded[40] = 1;
    expect(code(padded)).toBe('TRAILING_BYTES');
  });

  it('refuses to encode values the report cannot carry', () => {
    expect(() => encodeOximeterReport({ ...steady, spo2: { ok: true, value: 101 } })).toThrow(
      expect.objectContaining({ code: 'VALUE_OUT_OF_RANGE' }),
    );
    expect(() => encodeOximeterReport({ ...steady, pulseRate: { ok: true, value: 0xffff } })).toThrow(
      expect.objectContaining({ code: 'VALUE_OUT_OF_RANGE' }),
    );
    expect(() => encodeOximeterReport({ ...steady, pleth: new Array(256).fill(0) })).toThrow(
      expect.objectContaining({ code: 'TOO_LONG' }),
    );
  });
});

const arbReport: fc.Arbitrary<OximeterReport> = fc.record({
  fingerOut: fc.boolean(),
  searching: fc.boolean(),
  lowPerfusion: fc.boolean(),
  sensorFault: fc.boolean(),
  spo2: fc.oneof(
    fc.integer({ min: 0, max: 100 }).map((value) => ({ ok: true as const, value })),
    fc.constant({ ok: false as const, special: 'unknown' as const }),
  ),
  pulseRate: fc.oneof(
    fc.integer({ min: 0, max: 0xfffe }).map((value) => ({ ok: true as const, value })),
    fc.constant({ ok: false as const, special: 'unknown' as const }),
  ),
  perfusionIndex: fc.integer({ min: 0, max: 0xffff }).map((tenths) => tenths / 10),
  pleth: fc.uint8Array({ maxLength: 40 }),
});

describe('oximeter HID report fuzzing', () => {
  it('never throws on random bytes, never reports an unknown sentinel as a number, and re-encodes what it accepts', () => {
    const plausible = fc
      .tuple(fc.integer({ min: 0, max: 15 }), fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant(0x7f)), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ maxLength: 20 }))
      .map(([flags, spo2, four, pleth]) => Uint8Array.of(0x01, flags, spo2, ...four, pleth.length, ...pleth));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 32 }), plausible), (bytes) => {
        const result = decodeOximeterReport(bytes);
        if (!result.ok) return true;
        const r = result.value;
        return (
          r.spo2.ok === (bytes[2] !== 0x7f) &&
          (!r.spo2.ok || r.spo2.value <= 100) &&
          !('value' in r.spo2 && !r.spo2.ok) &&
          r.pulseRate.ok === !(bytes[3] === 0xff && bytes[4] === 0xff) &&
          toHex(encodeOximeterReport(r, { padTo: bytes.length })) === toHex(bytes)
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('round-trips every encodable report', () => {
    fc.assert(
      fc.property(arbReport, (report) => {
        const result = decodeOximeterReport(encodeOximeterReport(report));
        return result.ok && same({ ...result.value, pleth: [...result.value.pleth] }, { ...report, pleth: [...report.pleth] });
      }),
      { numRuns: RUNS },
    );
  });
});
