/**
 * The intake as a form holds it, shared by the assistant panel and the
 * counter page: a saved intake comes back whole through its draft, empty
 * optional fields are left out, an unchosen choice comes back as its
 * problem, and the NIR says nothing until it is whole, then its key.
 */
import { describe, expect, it } from 'vitest';
import { Intake, intakeProblems, intakeSchema } from '../../../src/shared/intake';
import { draftOf, intakeInputOf, nirAsTyped } from '../../../src/shared/intake-draft';

const clock = { now: () => Date.parse('2026-12-01T10:00:00Z') };
const saved = Intake.parse({
  identity: { birthName: 'Martin', firstNames: 'Jeanne Louise', birthDate: '1941-03-07', sex: 'F', birthplaceCode: '2A004', nir: '2 41 03 75 056 123 28' },
  reason: { code: 'skin', text: 'plaque au bras' },
  pathway: { pathway: 'exception', exceptionReason: 'no-gp' },
  gp: { name: 'Dr Paul Bernard', city: 'Tours', mssante: 'paul.bernard@medecin.mssante.fr' },
  reportToGp: true,
});

describe('the intake draft', () => {
  it('gives a saved intake back whole', () => {
    const d = draftOf(saved);
    expect(intakeSchema(clock).parse(intakeInputOf(d, '1941-03-07'))).toEqual(saved);
  });

  it('leaves empty optional fields out, names a GP only when one is typed, and says each unchosen choice', () => {
    const d = { ...draftOf(null), birthName: 'Martin', firstNames: 'Jeanne', birthplaceCode: '  ', nir: '' };
    const input = intakeInputOf(d, '1941-03-07');
    expect(input.identity).not.toHaveProperty('nir');
    expect(input.identity).not.toHaveProperty('birthplaceCode');
    expect(input.gp).toBeNull();
    const r = intakeSchema(clock).safeParse(input);
    expect(r.success).toBe(false);
    expect(intakeProblems(r.error!, 'fr').map((p) => p.field).sort()).toEqual(['identity.sex', 'pathway.pathway', 'reason.code']);
  });

  it('says nothing of a NIR until it is whole, then whether its key matches (Corsica read as 19 or 18)', () => {
    expect(nirAsTyped('2 41 03 75')).toBeNull();
    expect(nirAsTyped('2 41 03 75 056 123 28')).toEqual({ ok: true, nir: '241037505612328' });
    expect(nirAsTyped('2 41 03 75 056 123 29')).toEqual({ ok: false, problem: 'nir-key', expected: 28 });
    const corsica = `141032A004123`;
    const key = String(97 - Number(1410319004123n % 97n)).padStart(2, '0');
    expect(nirAsTyped(`${corsica}${key}`)).toMatchObject({ ok: true });
  });
});
