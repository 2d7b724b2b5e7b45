import { describe, expect, it } from 'vitest';
import { etaText, identityBanner, pathwayText, progressText, quantityText, readingParts, reportText, timeText, UNIT_LABEL, waitedText } from '../../../../src/renderer/console/src/format';
import { UNIT_SYMBOL } from '../../../../src/shared/wording';
import type { DoctorIntake } from '../../../../src/shared/intake';
import { LOINC } from '../../../../src/shared/domain';

describe('console wording', () => {
  it('renders UCUM units the way a doctor reads them', () => {
    expect(quantityText({ value: 37.8, unit: 'Cel' })).toBe('37,8\u00a0°C');
    expect(quantityText({ value: 72, unit: '/min' })).toBe('72\u00a0/min');
    expect(quantityText({ value: 97, unit: '%' })).toBe('97\u00a0%');
    expect(quantityText({ value: 128, unit: 'mm[Hg]' })).toBe('128\u00a0mmHg');
  });

  it('writes every unit as the kiosk and the GP report do (one vocabulary: the pulse in /min, never bpm)', () => {
    expect(UNIT_LABEL).toEqual(UNIT_SYMBOL);
  });

  it('writes blood pressure as systolic/diastolic then the pulse, leaving out the mean pressure', () => {
    const parts = readingParts({ kind: 'blood-pressure', values: [
      { code: LOINC.systolic, name: 'Systolic blood pressure', value: 128, unit: 'mm[Hg]' },
      { code: LOINC.diastolic, name: 'Diastolic blood pressure', value: 82, unit: 'mm[Hg]' },
      { code: LOINC.meanArterial, name: 'Mean blood pressure', value: 97, unit: 'mm[Hg]' },
      { code: LOINC.heartRate, name: 'Heart rate', value: 71, unit: '/min' },
    ] });
    expect(parts).toEqual([{ label: 'Tension', text: '128/82\u00a0mmHg' }, { label: 'Pouls', text: '71\u00a0/min' }]);
  });

  it('names every pathway rule and exception reason in words', () => {
    expect(pathwayText('gp-known', null)).toBe('Médecin traitant connu');
    expect(pathwayText('seen-12-months', null)).toBe('Vu par le médecin traitant dans les 12 mois');
    expect(pathwayText('exception', 'no-gp')).toBe('Exception : Pas de médecin traitant');
    expect(pathwayText('exception', 'under-16')).toBe('Exception : Moins de 16 ans');
    expect(pathwayText(null, null)).toBe('Parcours non renseigné');
  });

  it('gives times in Paris whatever the zone of the computer', () => {
    // 12:05:09 UTC is 13:05:09 in Paris in winter, 14:05:09 in summer.
    expect(timeText('2026-01-15T12:05:09Z')).toBe('13:05:09');
    expect(timeText('2026-07-15T12:05:09Z')).toBe('14:05:09');
  });

  it('says how long a booth has waited and the estimate, with a dash when the hub has none', () => {
    const since = '2026-01-15T12:00:00Z';
    expect(waitedText(since, Date.parse(since) + 20_000)).toBe('à l’instant');
    expect(waitedText(since, Date.parse(since) + 4 * 60_000 + 5_000)).toBe('depuis 4 min');
    expect(waitedText(since, Date.parse(since) + 65 * 60_000)).toBe('depuis 1 h 05');
    expect(etaText(undefined)).toBe('—');
    expect(etaText(null)).toBe('—');
    expect(etaText(6.4)).toBe('≈ 6 min');
  });

  it('describes each stage of a measurement request', () => {
    expect(progressText({ stage: 'requested' })).toBe('Demandé');
    expect(progressText({ stage: 'guidance', step: 2, steps: 4 })).toBe('Le patient suit les instructions (étape 2/4)');
    expect(progressText({ stage: 'measuring' })).toBe('Mesure en cours');
    expect(progressText({ stage: 'done' })).toBe('Terminé');
    expect(progressText({ stage: 'error', error: { code: 'CUFF_LOOSE', message: { fr: 'Brassard mal serré.', en: 'Cuff too loose.' } } })).toBe('Erreur : Brassard mal serré.');
    expect(progressText({ stage: 'cancelled' })).toBe('Annulé');
  });
});

describe('console wording: the intake', () => {
  const intake: DoctorIntake = {
    birthName: 'Martin', firstNames: 'Jeanne Louise', birthDate: '1941-03-07', sex: 'F',
    reason: { code: 'skin', text: 'plaque au bras' }, pathway: { pathway: 'exception', exceptionReason: 'no-gp' },
    consentAt: '2026-12-01T09:58:00.000Z', gp: { name: 'Dr Paul Bernard', city: 'Tours', mssante: 'p.bernard@medecin.mssante.fr' }, reportToGp: true,
  };

  it('writes the identity banner as NOM Prénom, the birth date in words, the age on the injected day and the sex', () => {
    expect(identityBanner(intake, Date.parse('2026-12-01T10:00:00Z'))).toEqual({
      name: 'MARTIN Jeanne Louise', born: 'née le 7 mars 1941', age: '85 ans', sex: 'Féminin',
    });
    expect(identityBanner({ ...intake, sex: 'M', birthDate: '1941-12-02' }, Date.parse('2026-12-01T10:00:00Z'))).toMatchObject({ born: 'né le 2 décembre 1941', age: '84 ans' });
  });

  it('says where the report goes: to whom, or that the patient did not want it sent', () => {
    expect(reportText(intake)).toBe('À envoyer à Dr Paul Bernard (Tours) · p.bernard@medecin.mssante.fr');
    expect(reportText({ ...intake, reportToGp: false })).toBe('Le patient ne souhaite pas d’envoi au médecin traitant');
  });
});
