/**
 * The booth's opening hours (kiosk-config `openingHours`, in its time zone)
 * as the patient is told them: open now or not, when teleconsultation opens
 * again, and the week in words. Pure and browser-safe: the host decides with
 * its injected clock, the kiosk only words what the host found.
 */
import type { Language } from './language';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** The week's ranges, each ["HH:MM", "HH:MM"]: what the kiosk needs to word them (kiosk-config's without the time zone). */
export type WeekHours = Record<Weekday, [string, string][]>;
/** kiosk-config `openingHours` (src/shared/config.ts), which imports this module's neighbours: structural, not imported. */
export type OpeningHours = WeekHours & { timeZone: string };

export interface Reopening {
  day: Weekday;
  /** "HH:MM", local time. */
  time: string;
  /** 0 today, 1 tomorrow… */
  inDays: number;
}

export interface OpeningStatus {
  open: boolean;
  /** When it opens next (null while open, or when no day has hours). */
  reopens: Reopening | null;
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function localTime(atMs: number, timeZone: string): { day: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(atMs));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const day = WEEKDAYS.indexOf(get('weekday').toLowerCase().slice(0, 3) as Weekday);
  if (day < 0) throw new RangeError(`cannot read the weekday in ${timeZone}`);
  return { day, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** Whether teleconsultation is open at `atMs` (ranges are [open, close)), and if not, when it opens again. */
export function openingStatus(hours: OpeningHours, atMs: number): OpeningStatus {
  const { day, minutes } = localTime(atMs, hours.timeZone || 'Europe/Paris');
  const today = hours[WEEKDAYS[day]!];
  if (today.some(([open, close]) => minutes >= toMinutes(open) && minutes < toMinutes(close))) return { open: true, reopens: null };
  for (let inDays = 0; inDays <= 7; inDays += 1) {
    const name = WEEKDAYS[(day + inDays) % 7]!;
    const next = hours[name].map(([open]) => open).sort().find((open) => inDays > 0 || toMinutes(open) > minutes);
    if (next) return { open: false, reopens: { day: name, time: next, inDays } };
  }
  return { open: false, reopens: null };
}

const DAY_NAMES: Record<Language, Record<Weekday, string>> = {
  fr: { mon: 'lundi', tue: 'mardi', wed: 'mercredi', thu: 'jeudi', fri: 'vendredi', sat: 'samedi', sun: 'dimanche' },
  en: { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' },
};

/** "9 h", "8 h 30" in French; "9 am", "7:30 pm" in English. */
export function timeText(hhmm: string, lang: Language): string {
  const h = Number(hhmm.slice(0, 2));
  const m = hhmm.slice(3, 5);
  if (lang === 'fr') return m === '00' ? `${h} h` : `${h} h ${m}`;
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${h12}${m === '00' ? '' : `:${m}`} ${h < 12 ? 'am' : 'pm'}`;
}

/** The week in words, days with the same hours grouped: "du lundi au samedi, 9 h – 19 h". Empty when never open. */
export function describeWeek(hours: WeekHours, lang: Language): string {
  const groups: { from: Weekday; to: Weekday; key: string }[] = [];
  for (const day of WEEKDAYS) {
    const ranges = hours[day];
    if (ranges.length === 0) continue;
    const key = ranges.map(([open, close]) => `${timeText(open, lang)} – ${timeText(close, lang)}`).join(lang === 'fr' ? ' et ' : ' and ');
    const last = groups.at(-1);
    if (last && last.key === key && WEEKDAYS.indexOf(last.to) === WEEKDAYS.indexOf(day) - 1) last.to = day;
    else groups.push({ from: day, to: day, key });
  }
  const names = DAY_NAMES[lang];
  return groups.map(({ from, to, key }) => {
    const days = from === to
      ? (lang === 'fr' ? `le ${names[from]}` : names[from])
      : (lang === 'fr' ? `du ${names[from]} au ${names[to]}` : `${names[from]} to ${names[to]}`);
    return `${days}, ${key}`;
  }).join(lang === 'fr' ? ' ; ' : '; ');
}

/** "Réouverture demain à 9 h." / "Opens again on Monday at 9 am." */
export function describeReopening(reopens: Reopening, lang: Language): string {
  const time = timeText(reopens.time, lang);
  const day = DAY_NAMES[lang][reopens.day];
  if (lang === 'fr') return `Réouverture ${reopens.inDays === 0 ? 'aujourd’hui' : reopens.inDays === 1 ? 'demain' : day} à ${time}.`;
  return `Opens again ${reopens.inDays === 0 ? 'today' : reopens.inDays === 1 ? 'tomorrow' : `on ${day}`} at ${time}.`;
}
