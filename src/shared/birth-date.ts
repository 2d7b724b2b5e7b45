/**
 * The patient's birth date as the pharmacist types it (three fields, day /
 * month / year, in every locale: a browser's date input follows the
 * browser's locale, and a French pharmacist typing 07/03 on an en-US
 * Chromium recorded 3 July), read back in words, and the age from it. Pure:
 * the caller gives "today" (its clock), so the kiosk, the host and the tests
 * agree on a day. The value that leaves the kiosk is the ISO date the
 * Identity schema takes (src/shared/session-view.ts).
 */
import type { Language } from './language';

/** A day of the calendar; month 1–12. */
export interface CalendarDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** The booths are in France: "today" is the calendar day in Paris. */
export const BOOTH_TIME_ZONE = 'Europe/Paris';

/** Nobody queues older than this: a birth further back is a mistyped year. */
export const MAX_AGE_YEARS = 130;

/** The calendar day of instant `at` in `timeZone`. */
export function calendarDay(at: number, timeZone: string = BOOTH_TIME_ZONE): CalendarDay {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(at));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** YYYY-MM-DD, the form the host and the record keep. */
export function isoDate(d: CalendarDay): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

function parseIso(iso: string): CalendarDay {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  return { year, month, day };
}

const compare = (a: CalendarDay, b: CalendarDay): number => a.year - b.year || a.month - b.month || a.day - b.day;

/**
 * Whole years from `birth` to `today` (negative when `birth` is later).
 * Someone born on 29 February is a year older on 1 March in a common year:
 * the birthday has not come while 28 February lasts.
 */
export function ageOnDay(birth: CalendarDay, today: CalendarDay): number {
  const beforeBirthday = today.month < birth.month || (today.month === birth.month && today.day < birth.day);
  return today.year - birth.year - (beforeBirthday ? 1 : 0);
}

/** Age in whole years on the Paris calendar day of `at`; null when the birth date is in the future or more than 130 years back. */
export function ageOn(birthDate: string, at: number): number | null {
  const age = ageOnDay(parseIso(birthDate), calendarDay(at));
  return age >= 0 && age <= MAX_AGE_YEARS ? age : null;
}

/** What the pharmacist typed in the three fields, as typed. */
export interface BirthDateFields {
  day: string;
  month: string;
  year: string;
}

/**
 * Why the fields are not a birth date: a field left empty, a year not of
 * four digits, a month outside 1–12, a day its month does not have (with the
 * month's length, for the message), a date after today, or more than 130
 * years back.
 */
export type BirthDateCheck =
  | { ok: true; iso: string; birth: CalendarDay; age: number }
  | { ok: false; problem: 'incomplete' | 'year' | 'month' | 'future' | 'too-old' }
  | { ok: false; problem: 'day'; daysInMonth?: number };

export function checkBirthDate(fields: BirthDateFields, today: CalendarDay): BirthDateCheck {
  const [d, m, y] = [fields.day.trim(), fields.month.trim(), fields.year.trim()];
  if (!d || !m || !y) return { ok: false, problem: 'incomplete' };
  if (!/^\d{4}$/.test(y)) return { ok: false, problem: 'year' };
  if (!/^\d{1,2}$/.test(m) || Number(m) < 1 || Number(m) > 12) return { ok: false, problem: 'month' };
  const year = Number(y);
  const month = Number(m);
  if (!/^\d{1,2}$/.test(d) || Number(d) < 1) return { ok: false, problem: 'day' };
  const length = daysInMonth(year, month);
  if (Number(d) > length) return { ok: false, problem: 'day', daysInMonth: length };
  const birth = { year, month, day: Number(d) };
  if (compare(birth, today) > 0) return { ok: false, problem: 'future' };
  const age = ageOnDay(birth, today);
  if (age > MAX_AGE_YEARS) return { ok: false, problem: 'too-old' };
  return { ok: true, iso: isoDate(birth), birth, age };
}

export const MONTH_NAMES: Record<Language, readonly string[]> = {
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};

/**
 * "7 mars 1941", "1er mars 1941", "7 March 1941": the month in words, so a
 * day/month swap cannot hide behind digits. Our own table rather than Intl,
 * which writes "1 mars" and depends on the ICU data of the machine.
 */
export function birthDateInWords(birth: CalendarDay | string, lang: Language): string {
  const d = typeof birth === 'string' ? parseIso(birth) : birth;
  const day = lang === 'fr' && d.day === 1 ? '1er' : String(d.day);
  return `${day} ${MONTH_NAMES[lang][d.month - 1] ?? '?'} ${d.year}`;
}
