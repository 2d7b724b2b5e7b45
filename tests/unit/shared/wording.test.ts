import { describe, expect, it } from 'vitest';
import { DEVICE_KINDS, LOINC } from '../../../src/shared/domain';
import { DEVICE_WORDING, deviceNotResponding, parisDateTime, parisTime, QUANTITY_WORDING, quantityWording, timeOfDay } from '../../../src/shared/wording';

const MEASURED = [LOINC.bodyTemperature, LOINC.systolic, LOINC.diastolic, LOINC.meanArterial, LOINC.heartRate, LOINC.spo2, LOINC.spo2Arterial];

describe('wording: one table for every reader of a measured value', () => {
  it('names each LOINC code the booth measures for FHIR, the console, the GP report and the kiosk in both languages', () => {
    for (const code of MEASURED) {
      const w = quantityWording(code);
      expect(w, code).toBeDefined();
      expect([w!.fhir, w!.console, w!.report, w!.kiosk.fr, w!.kiosk.en].every((s) => s.length > 0)).toBe(true);
    }
    expect(Object.keys(QUANTITY_WORDING).sort()).toEqual([...MEASURED].sort());
  });

  it('says a temperature as each reader always has', () => {
    expect(quantityWording(LOINC.bodyTemperature)).toEqual({
      fhir: 'Body temperature', console: 'Température', report: 'température', kiosk: { fr: 'Température', en: 'Temperature' },
    });
  });

  it('knows nothing of a code the booth does not measure', () => {
    expect(quantityWording('0000-0')).toBeUndefined();
  });

  it('names every device kind for the console and in a sentence to the doctor', () => {
    for (const kind of DEVICE_KINDS) expect(DEVICE_WORDING[kind].console.length * DEVICE_WORDING[kind].sentence.length).toBeGreaterThan(0);
    expect(DEVICE_WORDING.oximeter).toMatchObject({ console: 'Oxymètre', sentence: 'oxymètre de pouls' });
  });
});

describe('wording: dates and times', () => {
  it('writes a date and time in Paris for French paper, whatever the computer\'s zone', () => {
    expect(parisDateTime('2026-03-06T23:30:00Z')).toBe('7 mars 2026 à 00:30');
    expect(parisTime('2026-07-01T12:05:00Z')).toBe('14:05');
  });

  it('writes the hour and minute of the kiosk\'s own clock in the patient\'s language', () => {
    const at = new Date(2026, 0, 2, 9, 7).getTime();
    expect(timeOfDay(at, 'fr')).toBe('09:07');
    expect(timeOfDay(at, 'en')).toBe('09:07');
  });
});

describe('wording: a device that stops answering, as the patient reads it', () => {
  it('names the device in both languages', () => {
    expect(deviceNotResponding('bp-cuff', 'fr')).toBe('Le tensiomètre ne répond plus.');
    expect(deviceNotResponding('oximeter', 'fr')).toBe('L’oxymètre de pouls ne répond plus.');
    expect(deviceNotResponding('bp-cuff', 'en')).toBe('The blood pressure monitor is not responding.');
    for (const kind of DEVICE_KINDS) {
      for (const lang of ['fr', 'en'] as const) expect(deviceNotResponding(kind, lang)).not.toMatch(/^(Un appareil|A device)/);
    }
  });

  it('falls back to "a device" for a kind the booth does not know', () => {
    expect(deviceNotResponding('toaster', 'fr')).toBe('Un appareil ne répond plus.');
    expect(deviceNotResponding('toaster', 'en')).toBe('A device is not responding.');
  });
});
