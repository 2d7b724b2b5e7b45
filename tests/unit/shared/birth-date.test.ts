import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Identity } from '../../../src/shared/session-view';
import {
  ageOn, ageOnDay, birthDateInWords, calendarDay, checkBirthDate, daysInMonth, type CalendarDay,
} from '../../../src/shared/birth-date';

const day = (year: number, month: number, d: number): CalendarDay => ({ year, month, day: d });
const TODAY = day(2026, 12, 1);

describe('birth date: the age on a given day (the clock is the caller\'s)', () => {
  it('is one more on the birthday itself and not yet the day before', () => {
    expect(ageOnDay(day(1941, 3, 7), day(2026, 3, 7))).toBe(85);
    expect(ageOnDay(day(1941, 3, 7), day(2026, 3, 6))).toBe(84);
    expect(ageOnDay(day(1941, 3, 7), day(2026, 3, 8))).toBe(85);
  });

  it('counts a 29 February birthday from 1 March in common years and on 29 February in leap years', () => {
    expect(ageOnDay(day(2000, 2, 29), day(2025, 2, 28))).toBe(24);
    expect(ageOnDay(day(2000, 2, 29), day(2025, 3, 1))).toBe(25);
    expect(ageOnDay(day(2000, 2, 29), day(2028, 2, 28))).toBe(27);
    expect(ageOnDay(day(2000, 2, 29), day(2028, 2, 29))).toBe(28);
  });

  it('is 0 for a baby born today', () => {
    expect(ageOnDay(TODAY, TODAY)).toBe(0);
  });

  it('takes the calendar day in Paris from the injected instant (23:30 UTC on 6 March is 7 March there)', () => {
    expect(calendarDay(Date.parse('2026-03-06T23:30:00Z'))).toEqual(day(2026, 3, 7));
    expect(calendarDay(Date.parse('2026-03-06T22:59:00Z'))).toEqual(day(2026, 3, 6));
    expect(ageOn('1941-03-07', Date.parse('2026-03-06T23:30:00Z'))).toBe(85);
    expect(ageOn('1941-03-07', Date.parse('2026-03-06T22:59:00Z'))).toBe(84);
  });

  it('has no age for a birth date in the future or more than 130 years ago', () => {
    expect(ageOn('2027-01-01', Date.parse('2026-12-01T12:00:00Z'))).toBeNull();
    expect(ageOn('1890-01-01', Date.parse('2026-12-01T12:00:00Z'))).toBeNull();
  });

  it('never decreases from one day to the next and grows by exactly one each birthday', () => {
    fc.assert(fc.property(
      fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true }),
      fc.integer({ min: 0, max: 365 * 120 }),
      (birthAt, days) => {
        const birth = calendarDay(birthAt.getTime(), 'UTC');
        const today = calendarDay(birthAt.getTime() + days * 86_400_000, 'UTC');
        const tomorrow = calendarDay(birthAt.getTime() + (days + 1) * 86_400_000, 'UTC');
        const leapBaby = birth.month === 2 && birth.day === 29;
        const birthday = (d: CalendarDay) => (leapBaby && daysInMonth(d.year, 2) === 28
          ? d.month === 3 && d.day === 1
          : d.month === birth.month && d.day === birth.day);
        expect(ageOnDay(birth, tomorrow) - ageOnDay(birth, today)).toBe(birthday(tomorrow) ? 1 : 0);
      },
    ));
  });
});

describe('birth date: the three fields day / month / year', () => {
  const check = (d: string, m: string, y: string, today = TODAY) => checkBirthDate({ day: d, month: m, year: y }, today);

  it('gives the ISO date the host expects, the age, and the date in words', () => {
    const r = check('07', '03', '1941');
    expect(r).toEqual({ ok: true, iso: '1941-03-07', birth: day(1941, 3, 7), age: 85 });
    if (r.ok) expect(Identity.shape.birthDate.safeParse(r.iso).success).toBe(true);
    expect(check('7', '3', '1941')).toMatchObject({ ok: true, iso: '1941-03-07' });
  });

  it('refuses a day that does not exist in its month (31 February, 29 February of a common year, 31 April)', () => {
    expect(check('31', '02', '1941')).toEqual({ ok: false, problem: 'day', daysInMonth: 28 });
    expect(check('29', '02', '1941')).toEqual({ ok: false, problem: 'day', daysInMonth: 28 });
    expect(check('29', '02', '1940')).toMatchObject({ ok: true, iso: '1940-02-29' });
    expect(check('31', '04', '1941')).toEqual({ ok: false, problem: 'day', daysInMonth: 30 });
    expect(check('00', '04', '1941')).toMatchObject({ ok: false, problem: 'day' });
  });

  it('refuses month 13 and month 0', () => {
    expect(check('07', '13', '1941')).toEqual({ ok: false, problem: 'month' });
    expect(check('07', '00', '1941')).toEqual({ ok: false, problem: 'month' });
  });

  it('refuses a date after today, and accepts today and yesterday', () => {
    expect(check('02', '12', '2026')).toEqual({ ok: false, problem: 'future' });
    expect(check('01', '01', '2027')).toEqual({ ok: false, problem: 'future' });
    expect(check('01', '12', '2026')).toMatchObject({ ok: true, age: 0 });
    expect(check('30', '11', '2026')).toMatchObject({ ok: true, age: 0 });
  });

  it('asks for a four-digit year and for every field, and refuses anything but digits', () => {
    expect(check('07', '03', '41')).toEqual({ ok: false, problem: 'year' });
    expect(check('07', '', '1941')).toEqual({ ok: false, problem: 'incomplete' });
    expect(check('', '', '')).toEqual({ ok: false, problem: 'incomplete' });
    expect(check('7a', '03', '1941')).toMatchObject({ ok: false, problem: 'day' });
    expect(check('07', '03', '19 41')).toEqual({ ok: false, problem: 'year' });
  });

  it('refuses a birth more than 130 years ago (a mistyped year)', () => {
    expect(check('07', '03', '1841')).toEqual({ ok: false, problem: 'too-old' });
  });

  it('knows the days of each month, leap years included', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2023, m))).toEqual([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
  });

  it('accepts exactly the dates the identity schema accepts, up to today', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 31 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1900, max: 2026 }),
      (d, m, y) => {
        const iso = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const r = check(String(d), String(m), String(y));
        const valid = Identity.shape.birthDate.safeParse(iso).success && iso <= '2026-12-01';
        expect(r.ok).toBe(valid);
        if (r.ok) expect(r.iso).toBe(iso);
      },
    ));
  });
});

describe('birth date: read back in words in the kiosk language', () => {
  it('says the month in words, the day without a leading zero', () => {
    expect(birthDateInWords('1941-03-07', 'fr')).toBe('7 mars 1941');
    expect(birthDateInWords('1941-03-07', 'en')).toBe('7 March 1941');
    expect(birthDateInWords(day(1950, 8, 15), 'fr')).toBe('15 août 1950');
    expect(birthDateInWords(day(1950, 12, 25), 'en')).toBe('25 December 1950');
  });

  it('writes the first of the month as French does (1er)', () => {
    expect(birthDateInWords('1941-03-01', 'fr')).toBe('1er mars 1941');
    expect(birthDateInWords('1941-03-01', 'en')).toBe('1 March 1941');
  });
});
