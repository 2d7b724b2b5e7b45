import { describe, expect, it } from 'vitest';
import { birthDateInWords, checkBirthDate, calendarDay } from '../../../src/shared/birth-date';
import { FakeClock } from '../../../src/shared/fake-clock';
import { Intake, intakeProblems, intakeSchema, nirKey, checkNir, reasonText, type IntakeInput } from '../../../src/shared/intake';

const TODAY = Date.parse('2026-12-01T10:00:00+01:00');

const valid: IntakeInput = {
  identity: { birthName: 'Martin', firstNames: 'Jeanne Louise', birthDate: '1941-03-07', sex: 'F' },
  reason: { code: 'renewal' },
  pathway: { pathway: 'gp-known' },
  gp: { name: 'Dr Bernard', city: 'Tours' },
  reportToGp: true,
};

const withIdentity = (patch: Partial<IntakeInput['identity']>): IntakeInput => ({ ...valid, identity: { ...valid.identity, ...patch } });

describe('NIR key', () => {
  it('is 97 minus the number modulo 97, for a mainland number', () => {
    expect(nirKey('1410375056123')).toBe(78);
    expect(nirKey('2690549588157')).toBe(80);
  });

  it('reads Corsica’s 2A as 19 and 2B as 18 first', () => {
    expect(nirKey('185032A004042')).toBe(8);
    expect(nirKey('263112b012034')).toBe(86);
  });

  it('accepts valid mainland and Corsican numbers, typed with spaces', () => {
    expect(checkNir('1 41 03 75 056 123 78')).toEqual({ ok: true, nir: '141037505612378' });
    expect(checkNir('2690549588157 80')).toMatchObject({ ok: true });
    expect(checkNir('1 85 03 2A 004 042 08')).toEqual({ ok: true, nir: '185032A00404208' });
    expect(checkNir('2 63 11 2b 012 034 86')).toMatchObject({ ok: true });
  });

  it('refuses a wrong key, naming the key it expected', () => {
    expect(checkNir('141037505612377')).toEqual({ ok: false, problem: 'nir-key', expected: 78 });
    expect(checkNir('185032A00404218')).toEqual({ ok: false, problem: 'nir-key', expected: 8 });
  });

  it('refuses a number that is not 13 digits and a 2-digit key', () => {
    expect(checkNir('14103750561237')).toMatchObject({ ok: false, problem: 'nir-format' });
    expect(checkNir('941037505612378')).toMatchObject({ ok: false, problem: 'nir-format' });
    expect(checkNir('1410375O5612378')).toMatchObject({ ok: false, problem: 'nir-format' });
  });
});

describe('the intake', () => {
  const schema = intakeSchema(new FakeClock(TODAY));

  it('accepts the INS traits, the reason, the pathway and the GP', () => {
    const r = schema.safeParse({ ...valid, identity: { ...valid.identity, nir: '2 41 03 75 056 123 28', birthplaceCode: '37261' } });
    // The NIR's key is checked: 2410375056123 → 28.
    expect(r.success).toBe(true);
    expect(r.data?.identity.nir).toBe('241037505612328');
  });

  it('refuses a NIR whose key does not match, with a message the pharmacist can act on', () => {
    const r = schema.safeParse(withIdentity({ nir: '241037505612329' }));
    expect(r.success).toBe(false);
    const problems = intakeProblems(r.error!, 'fr');
    expect(problems).toEqual([{ field: 'identity.nir', message: expect.stringContaining('clé') }]);
    expect(problems[0]!.message).toContain('28');
    expect(intakeProblems(r.error!, 'en')[0]!.message).toMatch(/key/);
  });

  it('refuses a birth date that does not exist', () => {
    const r = schema.safeParse(withIdentity({ birthDate: '1941-02-29' }));
    expect(r.success).toBe(false);
    expect(intakeProblems(r.error!, 'fr')).toEqual([{ field: 'identity.birthDate', message: expect.stringContaining('n’existe pas') }]);
  });

  it('refuses a birth date after today on the injected clock, and accepts today', () => {
    const tomorrow = schema.safeParse(withIdentity({ birthDate: '2026-12-02' }));
    expect(tomorrow.success).toBe(false);
    expect(intakeProblems(tomorrow.error!, 'en')).toEqual([{ field: 'identity.birthDate', message: expect.stringContaining('future') }]);
    expect(schema.safeParse(withIdentity({ birthDate: '2026-12-01' })).success).toBe(true);
  });

  it('needs a birth name and first names, and a free text when the reason is "other"', () => {
    const r = schema.safeParse({ ...valid, identity: { ...valid.identity, birthName: ' ', firstNames: '' }, reason: { code: 'other' } });
    expect(r.success).toBe(false);
    expect(intakeProblems(r.error!, 'fr').map((p) => p.field).sort()).toEqual(['identity.birthName', 'identity.firstNames', 'reason.text']);
  });

  it('needs the exception’s reason when the pathway is an exception, and none otherwise', () => {
    expect(schema.safeParse({ ...valid, pathway: { pathway: 'exception' } }).success).toBe(false);
    expect(schema.safeParse({ ...valid, pathway: { pathway: 'exception', exceptionReason: 'no-gp' } }).success).toBe(true);
    expect(schema.safeParse({ ...valid, pathway: { pathway: 'gp-known', exceptionReason: 'no-gp' } }).success).toBe(false);
  });

  it('refuses a secure-messaging address that is not an address', () => {
    const r = schema.safeParse({ ...valid, gp: { name: 'Dr Bernard', city: 'Tours', mssante: 'bernard' } });
    expect(r.success).toBe(false);
    expect(intakeProblems(r.error!, 'fr')[0]).toMatchObject({ field: 'gp.mssante' });
    expect(schema.safeParse({ ...valid, gp: { name: 'Dr Bernard', city: 'Tours', mssante: 'j.bernard@medecin.mssante.fr' } }).success).toBe(true);
  });

  it('says the reason in words, the free text after a listed reason', () => {
    const intake = Intake.parse({ ...valid, reason: { code: 'skin', text: 'plaque au bras' } });
    expect(reasonText(intake.reason, 'fr')).toBe('Problème de peau : plaque au bras');
    expect(reasonText({ code: 'other', text: 'vertiges' }, 'en')).toBe('vertiges');
  });

  it('reads "07/03/1941" back as "7 mars 1941" from the three fields', () => {
    const check = checkBirthDate({ day: '07', month: '03', year: '1941' }, calendarDay(TODAY));
    expect(check).toMatchObject({ ok: true, iso: '1941-03-07', age: 85 });
    if (!check.ok) throw new Error('unreachable');
    expect(birthDateInWords(check.iso, 'fr')).toBe('7 mars 1941');
    expect(schema.safeParse(withIdentity({ birthDate: check.iso })).success).toBe(true);
  });
});
