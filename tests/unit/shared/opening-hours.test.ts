/**
 * The booth's opening hours as the attract screen tells them: whether
 * teleconsultation is open at a given instant (Europe/Paris, ranges
 * [open, close)), when it opens again, and the week in words, French and
 * English. Instants are fixed: nothing here depends on the time of day.
 */
import { describe, expect, it } from 'vitest';
import { OpeningHours } from '../../../src/shared/config';
import { describeReopening, describeWeek, openingStatus } from '../../../src/shared/opening-hours';

const monToSat = OpeningHours.parse({ mon: [['09:00', '19:00']], tue: [['09:00', '19:00']], wed: [['09:00', '19:00']], thu: [['09:00', '19:00']], fri: [['09:00', '19:00']], sat: [['09:00', '19:00']] });
/** Paris is UTC+1 in late November 2026: Saturday the 28th, Sunday the 29th, Monday the 30th. */
const paris = (isoLocal: string): number => Date.parse(`${isoLocal}+01:00`);

describe('opening hours', () => {
  it('is open inside a range and closed at its end', () => {
    expect(openingStatus(monToSat, paris('2026-11-28T10:00:00')).open).toBe(true);
    expect(openingStatus(monToSat, paris('2026-11-28T18:59:00')).open).toBe(true);
    expect(openingStatus(monToSat, paris('2026-11-28T19:00:00')).open).toBe(false);
  });

  it('says when it opens again: today, tomorrow, or the day', () => {
    expect(openingStatus(monToSat, paris('2026-11-30T07:00:00')).reopens).toEqual({ day: 'mon', time: '09:00', inDays: 0 });
    expect(openingStatus(monToSat, paris('2026-11-29T12:00:00')).reopens).toEqual({ day: 'mon', time: '09:00', inDays: 1 });
    expect(openingStatus(monToSat, paris('2026-11-28T19:00:00')).reopens).toEqual({ day: 'mon', time: '09:00', inDays: 2 });
    expect(openingStatus(OpeningHours.parse({}), paris('2026-11-28T19:00:00'))).toEqual({ open: false, reopens: null });
  });

  it('tells the week in French and English, grouping days with the same hours', () => {
    expect(describeWeek(monToSat, 'fr')).toBe('du lundi au samedi, 9 h – 19 h');
    expect(describeWeek(monToSat, 'en')).toBe('Monday to Saturday, 9 am – 7 pm');
    const usual = OpeningHours.parse({
      mon: [['08:30', '12:30'], ['14:00', '19:30']], tue: [['08:30', '12:30'], ['14:00', '19:30']], wed: [['08:30', '12:30'], ['14:00', '19:30']],
      thu: [['08:30', '12:30'], ['14:00', '19:30']], fri: [['08:30', '12:30'], ['14:00', '19:30']], sat: [['09:00', '12:00']],
    });
    expect(describeWeek(usual, 'fr')).toBe('du lundi au vendredi, 8 h 30 – 12 h 30 et 14 h – 19 h 30 ; le samedi, 9 h – 12 h');
    expect(describeWeek(usual, 'en')).toBe('Monday to Friday, 8:30 am – 12:30 pm and 2 pm – 7:30 pm; Saturday, 9 am – 12 pm');
  });

  it('tells when it opens again in words', () => {
    expect(describeReopening({ day: 'mon', time: '09:00', inDays: 0 }, 'fr')).toBe('Réouverture aujourd’hui à 9 h.');
    expect(describeReopening({ day: 'mon', time: '08:30', inDays: 1 }, 'fr')).toBe('Réouverture demain à 8 h 30.');
    expect(describeReopening({ day: 'mon', time: '09:00', inDays: 2 }, 'fr')).toBe('Réouverture lundi à 9 h.');
    expect(describeReopening({ day: 'mon', time: '09:00', inDays: 0 }, 'en')).toBe('Opens again today at 9 am.');
    expect(describeReopening({ day: 'tue', time: '14:30', inDays: 1 }, 'en')).toBe('Opens again tomorrow at 2:30 pm.');
    expect(describeReopening({ day: 'mon', time: '09:00', inDays: 2 }, 'en')).toBe('Opens again on Monday at 9 am.');
  });
});
