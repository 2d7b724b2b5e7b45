/**
 * The simulated e-prescription format (README, "Prescriptions"): numbers
 * whose check symbol catches typing errors, a QR payload whose HMAC verifies
 * with the hub's key and fails when anything on it or on the paper changes,
 * and the key file itself (0600, stable, refused when others can read it).
 */
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CROCKFORD, checkSymbol, isValidPrescriptionNumber, loadSigningKey, newPrescriptionNumber, parisDate, qrPayload, verifyQr,
} from '../../../src/hub/consult/prescription';
import type { Prescription } from '../../../src/shared/consult-protocol';
import { tempDir } from '../../helpers/store';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function dir(): string {
  const d = tempDir('cabine-rx-');
  cleanups.push(d.cleanup);
  return d.dir;
}

const KEY = Buffer.alloc(32, 7);
function prescription(over: Partial<Omit<Prescription, 'qr'>> = {}): Omit<Prescription, 'qr'> {
  return {
    number: 'CAB-2026-7K3F9Q2M-' + checkSymbol('20267K3F9Q2M'),
    issuedAt: '2026-03-02T09:15:00.000Z',
    sessionId: 'session-1',
    boothId: 'demo-booth-1',
    prescriber: { id: 'dr-martin', name: 'Dr Claire Martin', specialty: 'Médecine générale' },
    patient: { firstName: 'Jeanne', age: 81 },
    items: [{ name: 'Paracétamol 500 mg', dosage: '1 comprimé 3 fois par jour', duration: '5 jours' }],
    instructions: '',
    ...over,
  };
}

describe('prescription numbers', () => {
  it('read CAB-<year>-<8 symbols>-<check> and validate', () => {
    const n = newPrescriptionNumber(2026);
    expect(n).toMatch(/^CAB-2026-[0-9A-HJKMNP-TV-Z]{8}-[0-9A-HJKMNP-TV-Z]$/);
    expect(isValidPrescriptionNumber(n)).toBe(true);
    expect(isValidPrescriptionNumber('CAB-2026-7K3F9Q2M')).toBe(false);
    expect(isValidPrescriptionNumber('CAB-2026-7K3F9Q2I-0')).toBe(false);
  });

  it('are not repeated over ten thousand issues', () => {
    const seen = new Set(Array.from({ length: 10_000 }, () => newPrescriptionNumber(2026)));
    expect(seen.size).toBe(10_000);
  });

  it('catch every single mistyped symbol', () => {
    fc.assert(fc.property(fc.nat(), fc.nat(), (pos, sym) => {
      const n = newPrescriptionNumber(2026);
      const positions = [...n].map((c, i) => (c === '-' || i < 4 ? -1 : i)).filter((i) => i >= 0);
      const at = positions[pos % positions.length]!;
      const replacement = CROCKFORD[sym % CROCKFORD.length]!;
      fc.pre(replacement !== n[at] && !(at >= 4 && at < 8 && !/\d/.test(replacement)));
      return !isValidPrescriptionNumber(n.slice(0, at) + replacement + n.slice(at + 1));
    }), { numRuns: 500 });
  });

  it('catch two swapped neighbours in the random part (but 0 and Z, the Luhn mod 32 blind spot)', () => {
    fc.assert(fc.property(fc.integer({ min: 9, max: 15 }), (at) => {
      const n = newPrescriptionNumber(2026);
      const a = n[at]!;
      const b = n[at + 1]!;
      fc.pre(a !== b && `${a}${b}` !== '0Z' && `${a}${b}` !== 'Z0');
      return !isValidPrescriptionNumber(n.slice(0, at) + b + a + n.slice(at + 2));
    }), { numRuns: 500 });
  });
});

describe('the QR payload', () => {
  it('carries version, number, date in France, prescriber, content digest, and verifies with the hub key', () => {
    const p = prescription({ issuedAt: '2026-12-31T23:30:00.000Z' });
    const qr = qrPayload(p, KEY);
    const [prefix, number, date, prescriber, digest, signature] = qr.split('|');
    expect([prefix, number, date, prescriber]).toEqual(['CABRX1', p.number, '2027-01-01', 'dr-martin']);
    expect(digest).toMatch(/^[0-9a-f]{16}$/);
    expect(signature).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(parisDate('2026-07-01T22:30:00.000Z')).toBe('2026-07-02');
    expect(verifyQr(qr, KEY, p)).toMatchObject({ valid: true, fields: { number: p.number, prescriberId: 'dr-martin' } });
  });

  it('fails when any field, the signature or the key differs, or when the paper says something else', () => {
    const p = prescription();
    const qr = qrPayload(p, KEY);
    const parts = qr.split('|');
    const withPart = (i: number, v: string) => parts.map((x, j) => (j === i ? v : x)).join('|');
    const otherNumber = newPrescriptionNumber(2026);
    expect(verifyQr(withPart(1, otherNumber), KEY).reason).toBe('SIGNATURE');
    expect(verifyQr(withPart(2, '2026-03-03'), KEY).reason).toBe('SIGNATURE');
    expect(verifyQr(withPart(3, 'dr-durand'), KEY).reason).toBe('SIGNATURE');
    expect(verifyQr(withPart(4, '0'.repeat(16)), KEY).reason).toBe('SIGNATURE');
    const sig = parts[5]!;
    expect(verifyQr(withPart(5, (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)), KEY).reason).toBe('SIGNATURE');
    expect(verifyQr(qr, Buffer.alloc(32, 8)).reason).toBe('SIGNATURE');
    expect(verifyQr(withPart(0, 'CABRX2'), KEY).reason).toBe('VERSION');
    expect(verifyQr(withPart(1, p.number.slice(0, -1) + (p.number.endsWith('0') ? '1' : '0')), KEY).reason).toBe('NUMBER');
    expect(verifyQr('not a prescription', KEY).reason).toBe('FORMAT');
    const altered = { ...p, items: [{ ...p.items[0]!, dosage: '2 comprimés 3 fois par jour' }] };
    expect(verifyQr(qr, KEY, altered)).toMatchObject({ valid: false, reason: 'CONTENT' });
    expect(verifyQr(qr, KEY, { ...p, patient: { firstName: 'Paul', age: 81 } }).reason).toBe('CONTENT');
  });
});

describe('the signing key file', () => {
  it('is created 0600 on first use and read back the same afterwards', () => {
    const file = join(dir(), 'hub', 'prescription.key');
    const a = loadSigningKey(file);
    expect(a).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSigningKey(file).equals(a)).toBe(true);
  });

  it('is refused, with the command that fixes it, when other users can read it; and when it holds no 32-byte key', () => {
    const file = join(dir(), 'prescription.key');
    loadSigningKey(file);
    chmodSync(file, 0o644);
    expect(() => loadSigningKey(file)).toThrow(/chmod 600/);
    writeFileSync(file, 'c2hvcnQ=\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    expect(() => loadSigningKey(file)).toThrow(/32-byte/);
  });
});
