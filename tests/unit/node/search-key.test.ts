/**
 * The patient index's keyed hashes (src/node/search-key.ts): the ways a
 * birth name and a NIR get typed meet on one hash, another date or another
 * key does not, a rotated key still finds what the old one indexed, and the
 * stored hash holds nothing of the value.
 */
import { describe, expect, it } from 'vitest';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { PatientHasher, checkPatientQuery, normaliseBirthName, normaliseNir } from '../../../src/node/search-key';
import { nirKey } from '../../../src/shared/intake';

const NUMBER = '2410375123456';
const NIR = `${NUMBER}${String(nirKey(NUMBER)).padStart(2, '0')}`;

describe('normalising what is searched on', () => {
  it('folds accents, ligatures, case, spaces, hyphens and apostrophes of a birth name', () => {
    for (const typed of ['Le Goff-Dürand', 'LE GOFF DURAND', 'le-goff durand', 'LEGOFFDURAND', ' Lé  Goff – Durand ']) {
      expect(normaliseBirthName(typed)).toBe('LEGOFFDURAND');
    }
    expect(normaliseBirthName('Cœur d’Alène')).toBe('COEURDALENE');
  });

  it('takes a NIR as the intake keeps it: spaces and dots out, upper case', () => {
    expect(normaliseNir(`${NIR.slice(0, 1)} ${NIR.slice(1, 3)} ${NIR.slice(3, 5)}.${NIR.slice(5)}`)).toBe(NIR);
    expect(normaliseNir('1 85 05 2a 123 456 78')).toBe('18505' + '2A12345678');
  });

  it('refuses a NIR with a wrong key, a date that does not exist and an empty name, without echoing the value', () => {
    const wrongKey = `${NUMBER}${String((nirKey(NUMBER) + 1) % 97).padStart(2, '0')}`;
    const r = checkPatientQuery({ nir: wrongKey });
    expect(r).toMatchObject({ ok: false });
    expect(JSON.stringify(r)).not.toContain(NUMBER);
    expect(checkPatientQuery({ nir: '12345' })).toMatchObject({ ok: false });
    expect(checkPatientQuery({ birthName: 'Martin', birthDate: '1941-02-30' })).toMatchObject({ ok: false });
    expect(checkPatientQuery({ birthName: 'Martin', birthDate: '07/03/1941' })).toMatchObject({ ok: false });
    expect(checkPatientQuery({ birthName: ' - ', birthDate: '1941-03-07' })).toMatchObject({ ok: false });
    expect(checkPatientQuery({ birthName: 'Martin', birthDate: '1941-03-07' })).toMatchObject({ ok: true });
    expect(checkPatientQuery({ nir: ` ${NIR} ` })).toEqual({ ok: true, query: { nir: NIR } });
  });
});

describe('the keyed hashes', () => {
  it('meet for two spellings of one birth name and date, and differ for another date or another field', () => {
    const hasher = new PatientHasher(new FakeKeyProvider());
    const a = hasher.index({ birthName: 'Le Goff-Dürand', birthDate: '1941-03-07', nir: NIR })!;
    expect(hasher.probes({ birthName: 'le goff durand', birthDate: '1941-03-07' }).hashes).toEqual([a.name]);
    expect(hasher.probes({ birthName: 'le goff durand', birthDate: '1941-03-08' }).hashes).not.toContain(a.name);
    expect(hasher.probes({ nir: NIR })).toEqual({ column: 'nir_hash', hashes: [a.nir] });
    expect(a.nir).not.toBe(a.name);
    expect(a.keyId).toBe(1);
  });

  it('hold nothing of the value, and a hasher with another key finds nothing', () => {
    const hasher = new PatientHasher(new FakeKeyProvider());
    const a = hasher.index({ birthName: 'Martin', birthDate: '1941-03-07', nir: NIR })!;
    expect(a.nir).toMatch(/^[0-9a-f]{64}$/);
    expect(`${a.nir}${a.name}`).not.toContain(NIR);
    expect(`${a.nir}${a.name}`.toUpperCase()).not.toContain('MARTIN');
    expect(new PatientHasher(new FakeKeyProvider()).probes({ nir: NIR }).hashes).not.toContain(a.nir);
  });

  it('after a rotation, indexes under the new key and still finds what the old one indexed', () => {
    const keys = new FakeKeyProvider();
    const hasher = new PatientHasher(keys);
    const before = hasher.index({ nir: NIR })!;
    keys.rotate();
    const after = hasher.index({ nir: NIR })!;
    expect(after.keyId).toBe(2);
    expect(after.nir).not.toBe(before.nir);
    expect(hasher.probes({ nir: NIR }).hashes).toEqual([before.nir, after.nir]);
  });

  it('indexes nothing for an identity without a NIR and without a name with its date', () => {
    const hasher = new PatientHasher(new FakeKeyProvider());
    expect(hasher.index({ birthName: 'Martin' })).toBeNull();
    expect(hasher.index({ birthName: 'Martin', birthDate: 'hier' })).toBeNull();
    expect(hasher.index({ nir: '' })).toBeNull();
  });
});
