/**
 * The intake the pharmacist takes for the patient (on the booth's assistant
 * panel, or later on the counter page): the identity traits of the INS (birth
 * name, first names, birth date, sex, birthplace code, NIR), the reason for
 * the visit, the reimbursement pathway (parcours de soins) and its exception,
 * the patient's GP and whether the report goes to them. The patient is never
 * asked these: they belong to the pharmacist, who knows the words.
 *
 * Pure and browser-safe. The schemas' messages are problem codes; `intakeProblems`
 * turns them into sentences a pharmacist can act on, in French and English.
 * Everything here is health data: never logged in clear.
 */
import { z } from 'zod';
import { calendarDay, checkBirthDate, type CalendarDay } from './birth-date';
import type { Clock } from './clock';
import type { Language } from './language';

// ---- NIR ---------------------------------------------------------------------------

/**
 * The NIR's key: 97 minus the 13-character number modulo 97, Corsica's
 * department 2A read as 19 and 2B as 18 first. BigInt: thirteen digits
 * exceed what a double holds exactly.
 */
export function nirKey(number13: string): number {
  const digits = number13.toUpperCase().replace('2A', '19').replace('2B', '18');
  return Number(97n - (BigInt(digits) % 97n));
}

/** Sex digit (1, 2; 3, 4, 7, 8 for provisional numbers), year, month, department (2A/2B in Corsica), commune, order; then the key. */
const NIR_FORMAT = /^[1-478]\d{4}(?:\d{2}|2A|2B)\d{6}\d{2}$/;

export type NirCheck =
  | { ok: true; nir: string }
  | { ok: false; problem: 'nir-format' }
  | { ok: false; problem: 'nir-key'; expected: number };

/** A NIR as typed (spaces allowed), normalised to its 15 characters, its key checked. */
export function checkNir(typed: string): NirCheck {
  const nir = typed.replace(/[\s.-]/g, '').toUpperCase();
  if (!NIR_FORMAT.test(nir)) return { ok: false, problem: 'nir-format' };
  const expected = nirKey(nir.slice(0, 13));
  return Number(nir.slice(13)) === expected ? { ok: true, nir } : { ok: false, problem: 'nir-key', expected };
}

// ---- the parts of the intake --------------------------------------------------------

/** Reimbursement pathway (parcours de soins): GP known, seen within 12 months, or an exception. */
export const Pathway = z.enum(['gp-known', 'seen-12-months', 'exception']);
export type Pathway = z.infer<typeof Pathway>;
export const ExceptionReason = z.enum(['no-gp', 'gp-unavailable', 'emergency', 'under-16', 'direct-access']);
export type ExceptionReason = z.infer<typeof ExceptionReason>;

/** Sex as the INS knows it: female, male, indeterminate. */
const SEXES = ['F', 'M', 'I'] as const;
export const Sex = z.enum(SEXES);
export type Sex = z.infer<typeof Sex>;

/** Common reasons for a teleconsultation at the pharmacy, then "other" (free text only). */
export const REASON_CODES = ['renewal', 'fever', 'ent', 'skin', 'urinary', 'pain', 'digestive', 'other'] as const;
export const ReasonCode = z.enum(REASON_CODES);
export type ReasonCode = z.infer<typeof ReasonCode>;

export const REASON_LABEL: Record<Language, Record<ReasonCode, string>> = {
  fr: {
    renewal: 'Renouvellement d’ordonnance',
    fever: 'Fièvre',
    ent: 'Gorge, oreilles, nez',
    skin: 'Problème de peau',
    urinary: 'Brûlures urinaires',
    pain: 'Douleur',
    digestive: 'Troubles digestifs',
    other: 'Autre motif',
  },
  en: {
    renewal: 'Prescription renewal',
    fever: 'Fever',
    ent: 'Throat, ears, nose',
    skin: 'Skin problem',
    urinary: 'Burning when urinating',
    pain: 'Pain',
    digestive: 'Digestive trouble',
    other: 'Other reason',
  },
};

export const SEX_LABEL: Record<Language, Record<Sex, string>> = {
  fr: { F: 'Féminin', M: 'Masculin', I: 'Indéterminé' },
  en: { F: 'Female', M: 'Male', I: 'Indeterminate' },
};

/** Every way an intake can be wrong, each with what to do about it. */
export const INTAKE_PROBLEMS = {
  'birth-name': { fr: 'Saisissez le nom de naissance (celui de la carte Vitale ou de la pièce d’identité).', en: 'Type the birth name (as on the Vitale card or ID).' },
  'first-names': { fr: 'Saisissez le ou les prénoms de naissance.', en: 'Type the first name(s) at birth.' },
  'birth-date': { fr: 'Cette date de naissance n’existe pas : vérifiez le jour et le mois.', en: 'This birth date does not exist: check the day and the month.' },
  'birth-date-future': { fr: 'La date de naissance est dans le futur : vérifiez l’année.', en: 'The birth date is in the future: check the year.' },
  'birth-date-too-old': { fr: 'La date de naissance remonte à plus de 130 ans : vérifiez l’année.', en: 'The birth date is more than 130 years back: check the year.' },
  sex: { fr: 'Choisissez le sexe.', en: 'Choose the sex.' },
  'birthplace-code': { fr: 'Le code du lieu de naissance a 5 caractères (code INSEE, 99 suivi du pays pour l’étranger).', en: 'The birthplace code has 5 characters (INSEE code; 99 then the country abroad).' },
  'nir-format': { fr: 'Le NIR a 13 caractères puis une clé de 2 chiffres (15 en tout) : vérifiez la carte Vitale.', en: 'The NIR has 13 characters then a 2-digit key (15 in all): check the Vitale card.' },
  'nir-key': { fr: 'La clé du NIR ne correspond pas au numéro (clé attendue : {expected}) : un chiffre est sans doute mal saisi.', en: 'The NIR’s key does not match the number (expected key: {expected}): a digit is probably mistyped.' },
  reason: { fr: 'Choisissez le motif de la consultation.', en: 'Choose the reason for the consultation.' },
  pathway: { fr: 'Choisissez le parcours de soins.', en: 'Choose the care pathway.' },
  'reason-text': { fr: 'Précisez le motif en quelques mots.', en: 'Say the reason in a few words.' },
  'exception-reason': { fr: 'Choisissez la raison de l’exception au parcours de soins.', en: 'Choose why the care pathway does not apply.' },
  'no-exception-reason': { fr: 'Une raison d’exception ne va qu’avec le parcours « exception ».', en: 'An exception reason goes only with the “exception” pathway.' },
  'gp-name': { fr: 'Saisissez le nom du médecin traitant.', en: 'Type the GP’s name.' },
  'gp-city': { fr: 'Saisissez la ville du médecin traitant.', en: 'Type the GP’s city.' },
  mssante: { fr: 'L’adresse de messagerie sécurisée a la forme nom@domaine.mssante.fr.', en: 'The secure-messaging address looks like name@domain.mssante.fr.' },
  'report-needs-gp': { fr: 'Pour envoyer le compte rendu au médecin traitant, indiquez ce médecin.', en: 'To send the report to the GP, name the GP.' },
  invalid: { fr: 'Valeur invalide.', en: 'Invalid value.' },
} as const satisfies Record<string, Record<Language, string>>;
export type IntakeProblem = keyof typeof INTAKE_PROBLEMS;

const text = (max: number, problem: IntakeProblem) => z.string({ error: problem }).trim().min(1, { error: problem }).max(max, { error: problem });

export const InsIdentity = z.object({
  /** Nom de naissance. */
  birthName: text(100, 'birth-name'),
  /** Prénoms de naissance, in the order of the civil record (the first is the one used). */
  firstNames: text(100, 'first-names'),
  /** YYYY-MM-DD; a day the calendar has. */
  birthDate: z.string({ error: 'birth-date' }).refine((iso) => isRealDate(iso), { error: 'birth-date' }),
  sex: z.enum(SEXES, { error: 'sex' }),
  /** INSEE code of the birthplace (commune, or 99 + country abroad). */
  birthplaceCode: z.string().trim().toUpperCase().regex(/^(?:\d{5}|2[AB]\d{3})$/, { error: 'birthplace-code' }).optional(),
  /** Numéro d'inscription au répertoire (NIR), its key checked; kept without spaces. */
  nir: z.string().transform((typed, ctx) => {
    const check = checkNir(typed);
    if (check.ok) return check.nir;
    ctx.addIssue({ code: 'custom', message: check.problem, params: check.problem === 'nir-key' ? { expected: check.expected } : {} });
    return z.NEVER;
  }).optional(),
}).strict();
export type InsIdentity = z.infer<typeof InsIdentity>;

export const VisitReason = z.object({
  code: z.enum(REASON_CODES, { error: 'reason' }),
  /** Free text; the whole reason when `code` is "other". */
  text: z.string().trim().max(200).optional(),
}).strict().refine((r) => r.code !== 'other' || !!r.text, { error: 'reason-text', path: ['text'] });
export type VisitReason = z.infer<typeof VisitReason>;

/** The pathway rule, and why not when it is an exception. */
export const PathwayChoice = z.object({
  pathway: z.enum(Pathway.options, { error: 'pathway' }),
  exceptionReason: z.enum(ExceptionReason.options, { error: 'exception-reason' }).optional(),
}).strict().superRefine((p, ctx) => {
  if (p.pathway === 'exception' && !p.exceptionReason) ctx.addIssue({ code: 'custom', message: 'exception-reason', path: ['exceptionReason'] });
  if (p.pathway !== 'exception' && p.exceptionReason) ctx.addIssue({ code: 'custom', message: 'no-exception-reason', path: ['exceptionReason'] });
});
export type PathwayChoice = z.infer<typeof PathwayChoice>;

export const GeneralPractitioner = z.object({
  name: text(120, 'gp-name'),
  city: text(80, 'gp-city'),
  /** Secure-messaging address (MSSanté), for the report. */
  mssante: z.string().trim().max(200).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { error: 'mssante' }).optional(),
}).strict();
export type GeneralPractitioner = z.infer<typeof GeneralPractitioner>;

/** The whole intake, as it travels (kiosk API, hub message) and is stored. */
export const Intake = z.object({
  identity: InsIdentity,
  reason: VisitReason,
  pathway: PathwayChoice,
  gp: GeneralPractitioner.nullable(),
  /** Whether the patient wants the report sent to their GP. */
  reportToGp: z.boolean(),
}).strict().refine((i) => !i.reportToGp || i.gp !== null, { error: 'report-needs-gp', path: ['reportToGp'] });
export type Intake = z.infer<typeof Intake>;
/** An intake as typed (the NIR with its spaces). */
export type IntakeInput = z.input<typeof Intake>;

/** Who made a change to the intake: the pharmacist at the booth (the PIN names no one), or staff on the counter page, named. */
export const IntakeAuthor = z.object({
  via: z.enum(['booth', 'counter']),
  staffId: z.string().min(1).max(120).optional(),
  name: z.string().trim().min(1).max(80).optional(),
}).strict();
export type IntakeAuthor = z.infer<typeof IntakeAuthor>;

function isRealDate(iso: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return false;
  // Far in the future still "exists" here; `intakeSchema` refuses it against the clock.
  const check = checkBirthDate({ year: m[1]!, month: m[2]!, day: m[3]! }, { year: 9999, month: 12, day: 31 });
  return check.ok || check.problem === 'too-old';
}

/** The intake as accepted on `now`'s calendar day (Paris): the birth date is neither after it nor more than 130 years before. */
export function intakeSchema(clock: Pick<Clock, 'now'>) {
  return Intake.superRefine((intake, ctx) => {
    const problem = birthDateProblemOn(intake.identity.birthDate, calendarDay(clock.now()));
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['identity', 'birthDate'] });
  });
}

function birthDateProblemOn(iso: string, today: CalendarDay): IntakeProblem | null {
  const [year = '', month = '', day = ''] = iso.split('-');
  const check = checkBirthDate({ year, month, day }, today);
  if (check.ok) return null;
  return check.problem === 'future' ? 'birth-date-future' : check.problem === 'too-old' ? 'birth-date-too-old' : 'birth-date';
}

const isProblem = (code: string): code is IntakeProblem => Object.hasOwn(INTAKE_PROBLEMS, code);

/** One problem in words; `expected` is the NIR key the number calls for. */
export function problemText(problem: IntakeProblem, lang: Language, expected?: number): string {
  return INTAKE_PROBLEMS[problem][lang].replace('{expected}', expected === undefined ? '' : String(expected).padStart(2, '0'));
}

/** Each field that is wrong, with what to do, in the pharmacist's language (one message per field). */
export function intakeProblems(error: z.ZodError, lang: Language): { field: string; message: string }[] {
  const out = new Map<string, string>();
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.');
    if (out.has(field)) continue;
    const code = isProblem(issue.message) ? issue.message : 'invalid';
    const expected = issue.code === 'custom' && typeof issue.params?.expected === 'number' ? issue.params.expected : undefined;
    out.set(field, problemText(code, lang, expected));
  }
  return [...out].map(([field, message]) => ({ field, message }));
}

/** "Problème de peau : plaque au bras"; "other" is its text alone. */
export function reasonText(reason: VisitReason, lang: Language): string {
  if (reason.code === 'other') return reason.text ?? REASON_LABEL[lang].other;
  const label = REASON_LABEL[lang][reason.code];
  return reason.text ? `${label}${lang === 'fr' ? ' : ' : ': '}${reason.text}` : label;
}

// ---- what the doctor sees ----------------------------------------------------------

/**
 * What the doctor may see of the intake: the identity banner (no NIR, no
 * birthplace: the doctor needs neither to treat), the reason, the pathway
 * rule, when the patient consented, and whether the report goes to the GP
 * and to whom. It reaches only the console of the doctor who took the call.
 */
export const DoctorIntake = z.object({
  birthName: z.string().max(100),
  firstNames: z.string().max(100),
  birthDate: z.iso.date(),
  sex: Sex,
  reason: VisitReason,
  pathway: PathwayChoice,
  consentAt: z.iso.datetime({ offset: true }).nullable(),
  gp: GeneralPractitioner.nullable(),
  reportToGp: z.boolean(),
}).strict();
export type DoctorIntake = z.infer<typeof DoctorIntake>;

export function doctorIntake(intake: Intake, consentAt: string | null): DoctorIntake {
  const { birthName, firstNames, birthDate, sex } = intake.identity;
  return { birthName, firstNames, birthDate, sex, reason: intake.reason, pathway: intake.pathway, consentAt, gp: intake.gp, reportToGp: intake.reportToGp };
}

/**
 * An intake as it arrives (kiosk API, hub message), checked against the
 * clock's day: the intake, or each problem in both languages (never a
 * value: the messages may reach a log).
 */
export function acceptIntake(raw: unknown, clock: Pick<Clock, 'now'>): { ok: true; intake: Intake } | { ok: false; message: Record<Language, string> } {
  const r = intakeSchema(clock).safeParse(raw);
  if (r.success) return { ok: true, intake: r.data };
  const say = (lang: Language) => intakeProblems(r.error, lang).map((p) => p.message).join(' ');
  return { ok: false, message: { fr: say('fr'), en: say('en') } };
}
