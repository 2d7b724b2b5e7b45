import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CaptureButtonEdgeDetector,
  decodeDermatoscopeReport,
  encodeDermatoscopeReport,
} from '../../../../devices/protocols/dermatoscope-hid';
import type { DermatoscopeReport } from '../../../../devices/protocols/dermatoscope-hid';
import { hex, RUNS, same, toHex } from './helpers';

function code(bytes: Uint8Array): string {
  const result = decodeDermatoscopeReport(bytes);
  return result.ok ? 'accepted' : result.error.code;
}

describe('dermatoscope HID report 0x02', () => {
  it.each([
    ['02 00 00', { capture: false, polarisation: 'none' }],
    ['02 01 01', { capture: true, polarisation: 'polarised' }],
    ['02 00 02', { capture: false, polarisation: 'uv' }],
  ] as const)('decodes %s', (bytes, expected) => {
    expect(decodeDermatoscopeReport(hex(bytes))).toEqual({ ok: true, value: expected });
    expect(toHex(encodeDermatoscopeReport(expected))).toBe(bytes);
  });

  it.each([1, 2, 7])('rejects reserved button bit %i with RESERVED_BITS', (bit) => {
    expect(code(Uint8Array.of(0x02, 1 << bit, 0))).toBe('RESERVED_BITS');
  });

  it.each([3, 0xff])('rejects the reserved polarisation %i with RESERVED_VALUE', (value) => {
    expect(code(Uint8Array.of(0x02, 0, value))).toBe('RESERVED_VALUE');
  });

  it('rejects another report id, a short report, and non-zero padding', () => {
    expect(code(hex('01 00 00'))).toBe('WRONG_REPORT_ID');
    expect(code(hex(''))).toBe('TRUNCATED');
    expect(code(hex('02 01'))).toBe('TRUNCATED');
    expect(code(hex('02 01 00 00 00'))).toBe('accepted');
    expect(code(hex('02 01 00 00 05'))).toBe('TRAILING_BYTES');
  });
});

describe('capture button edge detector', () => {
  const held = (capture: boolean) => ({ capture });

  it('turns held/released reports into one press and one release', () => {
    const detector = new CaptureButtonEdgeDetector();
    const edges = [false, true, true, true, false, false, true, false].map((c) => detector.update(held(c)));
    expect(edges).toEqual([undefined, 'press', undefined, undefined, 'release', undefined, 'press', 'release']);
  });

  it('reports a press when the first report already has the button held', () => {
    expect(new CaptureButtonEdgeDetector().update(held(true))).toBe('press');
  });

  it('releases a held button on reset (unplug), so no press is left dangling', () => {
    const detector = new CaptureButtonEdgeDetector();
    detector.update(held(true));
    expect(detector.reset()).toBe('release');
    expect(detector.pressed).toBe(false);
    expect(detector.reset()).toBeUndefined();
  });

  it('alternates press and release for any sequence of reports', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 50 }), (states) => {
        const detector = new CaptureButtonEdgeDetector();
        const edges = states.map((c) => detector.update(held(c))).filter((e) => e !== undefined);
        return edges.every((edge, i) => edge === (i % 2 === 0 ? 'press' : 'release')) && detector.pressed === (states.at(-1) ?? false);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('dermatoscope HID report fuzzing', () => {
  it('never throws on random bytes and re-encodes what it accepts', () => {
    const plausible = fc
      .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.uint8Array({ maxLength: 4 }))
      .map(([buttons, pol, pad]) => Uint8Array.of(0x02, buttons, pol, ...pad.map((b) => (b < 200 ? 0 : b))));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 8 }), plausible), (bytes) => {
        const result = decodeDermatoscopeReport(bytes);
        return !result.ok || toHex(encodeDermatoscopeReport(result.value, { padTo: bytes.length })) === toHex(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('round-trips every report', () => {
    const arbReport: fc.Arbitrary<DermatoscopeReport> = fc.record({
      capture: fc.boolean(),
      polarisation: fc.constantFrom('none' as const, 'polarised' as const, 'uv' as const),
    });
    fc.assert(
      fc.property(arbReport, (report) => {
        const result = decodeDermatoscopeReport(encodeDermatoscopeReport(report));
        return result.ok && same(result.value, report);
      }),
      { numRuns: RUNS },
    );
  });
});
