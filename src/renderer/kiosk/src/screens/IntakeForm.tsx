/**
 * The pharmacist's intake on the assistant panel: the INS identity traits
 * (birth name, first names, birth date in three fields read back in words,
 * sex, birthplace code, NIR with its key checked as it is typed), the reason
 * for the visit, the care pathway and its exception, the GP and whether the
 * report goes to them. French first, English complete; large targets. The
 * same schema as the host's (src/shared/intake.ts) says what to fix, field
 * by field, before anything is sent.
 */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  birthDateInWords, calendarDay, checkBirthDate, MONTH_NAMES, type BirthDateCheck, type BirthDateFields,
} from '../../../../shared/birth-date';
import type { Clock } from '../../../../shared/clock';
import {
  ExceptionReason, intakeProblems, intakeSchema, Pathway, problemText, REASON_CODES, REASON_LABEL, type Intake, type Sex,
} from '../../../../shared/intake';
import { draftOf, intakeInputOf, nirAsTyped, type IntakeDraft as Draft } from '../../../../shared/intake-draft';
import type { KioskApi } from '../../../../shared/kiosk-api';
import type { Language } from '../../../../shared/session-view';
import { t, type MessageKey } from '../i18n';
import { useScrollCue } from '../scroll-cue';

/** What to tell the pharmacist about the three fields; null when there is nothing to say (yet). */
function birthDateProblem(check: BirthDateCheck, fields: BirthDateFields, lang: Language, submitted: boolean): string | null {
  if (check.ok) return null;
  // While the year is being typed, say nothing yet; after a press on "save", say everything.
  if (!submitted && (check.problem === 'incomplete' || fields.year.trim().length < 4)) return null;
  switch (check.problem) {
    case 'incomplete': return t(lang, 'assistant.birthDate.incomplete');
    case 'year': return t(lang, 'assistant.birthDate.year');
    case 'month': return t(lang, 'assistant.birthDate.month');
    case 'future': return t(lang, 'assistant.birthDate.future');
    case 'too-old': return t(lang, 'assistant.birthDate.tooOld');
    case 'day': {
      if (check.daysInMonth === undefined) return t(lang, 'assistant.birthDate.day');
      const year = Number(fields.year);
      const month = MONTH_NAMES[lang][Number(fields.month) - 1] ?? '';
      return t(lang, 'assistant.birthDate.noSuchDay', {
        date: `${Number(fields.day)} ${month} ${year}`, month, year, n: check.daysInMonth,
      });
    }
  }
}

function ageWords(age: number, lang: Language): string {
  if (age === 0) return t(lang, 'assistant.age.baby');
  return age === 1 ? t(lang, 'assistant.age.one') : t(lang, 'assistant.age', { n: age });
}

const FIELDS = [
  { key: 'day', testid: 'birth-day', label: 'assistant.birthDay', length: 2 },
  { key: 'month', testid: 'birth-month', label: 'assistant.birthMonth', length: 2 },
  { key: 'year', testid: 'birth-year', label: 'assistant.birthYear', length: 4 },
] as const;

/**
 * Day, month, year: three fields in this order in every language (a date
 * input follows the browser's locale, not the kiosk's), digits only, read
 * back in words as soon as the date is whole so a swapped day and month
 * shows at a glance.
 */
function BirthDateInput({ lang, fields, onChange, check, submitted }: {
  lang: Language; fields: BirthDateFields; onChange: (f: BirthDateFields) => void; check: BirthDateCheck; submitted: boolean;
}) {
  const refs = useRef<(HTMLInputElement | null)[]>([]);
  const problem = birthDateProblem(check, fields, lang, submitted);
  return (
    <fieldset className="birth-date" aria-describedby="birth-date-readback">
      <legend>{t(lang, 'assistant.birthDate')}</legend>
      <div className="birth-date__fields">
        {FIELDS.map((f, i) => (
          <label key={f.key} className={`birth-date__${f.key}`}>{t(lang, f.label)}
            <input
              ref={(el) => { refs.current[i] = el; }}
              data-testid={f.testid} inputMode="numeric" pattern="[0-9]*" autoComplete="off" maxLength={f.length}
              aria-invalid={problem !== null}
              value={fields[f.key]}
              onChange={(e) => {
                const value = e.target.value.replace(/\D/g, '').slice(0, f.length);
                onChange({ ...fields, [f.key]: value });
                // A full day or month moves on to the next field, as a pharmacist types 07 03 1941 in one go.
                if (value.length === f.length && value !== fields[f.key]) refs.current[i + 1]?.focus();
              }}
            />
          </label>
        ))}
      </div>
      <p id="birth-date-readback" className="birth-date__readback" aria-live="polite">
        {check.ok
          ? <span data-testid="birth-date-words">{birthDateInWords(check.birth, lang)} · {ageWords(check.age, lang)}</span>
          : problem && <span className="birth-date__problem" role="alert" data-testid="birth-date-problem">{problem}</span>}
      </p>
    </fieldset>
  );
}

const SEXES: Sex[] = ['F', 'M', 'I'];

/** A row of large choice buttons, one pressed at a time (radio semantics). */
function Choices<T extends string>({ legend, name, options, value, onChange, label, problem }: {
  legend: string; name: string; options: readonly T[]; value: T | null; onChange: (v: T) => void; label: (v: T) => string; problem?: string | undefined;
}) {
  return (
    <fieldset className="intake__choices" aria-describedby={problem ? `problem-${name}` : undefined}>
      <legend>{legend}</legend>
      <div className="intake__options" role="radiogroup">
        {options.map((o) => (
          <button key={o} type="button" role="radio" aria-checked={value === o} data-testid={`${name}-${o}`}
            className={`btn btn--secondary${value === o ? ' intake__chosen' : ''}`} onClick={() => onChange(o)}>{label(o)}</button>
        ))}
      </div>
      <Problem id={`problem-${name}`} text={problem} />
    </fieldset>
  );
}

function Problem({ id, text }: { id: string; text: string | undefined }) {
  return text ? <p id={id} className="intake__problem" role="alert" data-testid={id}>{text}</p> : null;
}

function Field({ label, testid, value, onChange, problem, after, ...input }: {
  label: string; testid: string; value: string; onChange: (v: string) => void; problem?: string | undefined; after?: ReactNode;
  inputMode?: 'text' | 'numeric' | 'email'; maxLength?: number;
}) {
  return (
    <label>{label}
      <input data-testid={testid} autoComplete="off" value={value} aria-invalid={!!problem}
        aria-describedby={problem ? `problem-${testid}` : undefined} onChange={(e) => onChange(e.target.value)} {...input} />
      {after}
      <Problem id={`problem-${testid}`} text={problem} />
    </label>
  );
}

/** The NIR's key as the pharmacist types: said right once the number is whole, or which key it should have been. */
function nirReadback(typed: string, lang: Language): { ok: boolean; text: string } | null {
  const check = nirAsTyped(typed);
  if (!check) return null;
  if (check.ok) return { ok: true, text: t(lang, 'intake.nirOk') };
  return { ok: false, text: problemText(check.problem, lang, check.problem === 'nir-key' ? check.expected : undefined) };
}

export function IntakeForm({ api, lang, saved, clock, onSaved, onRefused }: {
  api: Pick<KioskApi, 'assistantIntake'>; lang: Language; saved: Intake | null | undefined; clock: Pick<Clock, 'now'>;
  onSaved: () => void; onRefused: (message: string) => void;
}) {
  const [d, setD] = useState<Draft>(() => draftOf(saved));
  const [problems, setProblems] = useState<Map<string, string>>(new Map());
  const [submitted, setSubmitted] = useState(false);
  const set = <K extends keyof Draft>(key: K) => (value: Draft[K]) => setD((prev) => ({ ...prev, [key]: value }));
  const check = checkBirthDate(d.birth, calendarDay(clock.now()));
  const nir = nirReadback(d.nir, lang);
  // A NIR corrected since the last save says so at once: its live check wins over the stale problem.
  const problem = (field: string) => (field === 'identity.nir' && nir?.ok ? undefined : problems.get(field));

  const save = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    const parsed = intakeSchema(clock).safeParse(intakeInputOf(d, check.ok ? check.iso : ''));
    if (!parsed.success) {
      const list = intakeProblems(parsed.error, lang)
        // The three date fields say their own problem, in their own words.
        .filter((p) => !(p.field === 'identity.birthDate' && !check.ok));
      setProblems(new Map(list.map((p) => [p.field, p.message])));
      return;
    }
    if (!check.ok) return;
    setProblems(new Map());
    api.assistantIntake({ intake: parsed.data }).then((r) => {
      if (r.accepted) onSaved();
      else onRefused(t(lang, 'assistant.refused'));
    }, (error: unknown) => {
      // The host's own check (the same schema, its clock) speaks in both languages.
      const message = (error as { userMessage?: Partial<Record<Language, string>> }).userMessage?.[lang];
      onRefused(message ?? t(lang, 'assistant.refused'));
    });
  };

  const count = problems.size + (submitted && !check.ok ? 1 : 0);
  const cue = useScrollCue();
  return (
    // The form is longer than the panel: it scrolls, and says so (an elderly-booth habit the pharmacist shares).
    <div className="intake-slot">
    <form ref={cue.ref} className="assistant__form intake" onSubmit={save} data-testid="intake-form" noValidate>
      <h3 className="assistant__heading">{t(lang, 'intake.title')}</h3>
      {count > 0 && <p className="intake__problem" role="alert" data-testid="intake-problems">{t(lang, 'intake.fix')} {count}</p>}
      <fieldset className="intake__section">
        <legend>{t(lang, 'intake.identity')}</legend>
        <div className="assistant__names">
          <Field label={t(lang, 'intake.birthName')} testid="birth-name" value={d.birthName} onChange={set('birthName')} problem={problem('identity.birthName')} />
          <Field label={t(lang, 'intake.firstNames')} testid="first-names" value={d.firstNames} onChange={set('firstNames')} problem={problem('identity.firstNames')} />
        </div>
        <BirthDateInput lang={lang} fields={d.birth} onChange={set('birth')} check={check} submitted={submitted} />
        <Choices legend={t(lang, 'intake.sex')} name="sex" options={SEXES} value={d.sex} onChange={set('sex')}
          label={(s) => t(lang, `intake.sex.${s}` as MessageKey)} problem={problem('identity.sex')} />
        <div className="assistant__names">
          <Field label={t(lang, 'intake.birthplace')} testid="birthplace" value={d.birthplaceCode} onChange={set('birthplaceCode')} maxLength={5} problem={problem('identity.birthplaceCode')} />
          <Field label={t(lang, 'intake.nir')} testid="nir" value={d.nir} onChange={set('nir')} maxLength={21} problem={problem('identity.nir')}
            after={nir && !problem('identity.nir') && <span className={nir.ok ? 'intake__ok' : 'intake__problem'} role="status" data-testid="nir-check">{nir.text}</span>} />
        </div>
      </fieldset>
      <Choices legend={t(lang, 'intake.reason')} name="reason" options={REASON_CODES} value={d.reason} onChange={set('reason')}
        label={(r) => REASON_LABEL[lang][r]} problem={problem('reason.code')} />
      <Field label={t(lang, 'intake.reasonText')} testid="reason-text" value={d.reasonText} onChange={set('reasonText')} maxLength={200} problem={problem('reason.text')} />
      <Choices legend={t(lang, 'intake.pathway')} name="pathway" options={Pathway.options} value={d.pathway} onChange={set('pathway')}
        label={(p) => t(lang, `intake.pathway.${p}` as MessageKey)} problem={problem('pathway.pathway')} />
      {d.pathway === 'exception' && (
        <Choices legend={t(lang, 'intake.exception')} name="exception" options={ExceptionReason.options} value={d.exceptionReason} onChange={set('exceptionReason')}
          label={(x) => t(lang, `intake.exception.${x}` as MessageKey)} problem={problem('pathway.exceptionReason')} />
      )}
      <fieldset className="intake__section">
        <legend>{t(lang, 'intake.gp')}</legend>
        <div className="assistant__names">
          <Field label={t(lang, 'intake.gpName')} testid="gp-name" value={d.gpName} onChange={set('gpName')} problem={problem('gp.name')} />
          <Field label={t(lang, 'intake.gpCity')} testid="gp-city" value={d.gpCity} onChange={set('gpCity')} problem={problem('gp.city')} />
        </div>
        <Field label={t(lang, 'intake.gpMssante')} testid="gp-mssante" value={d.gpMssante} onChange={set('gpMssante')} inputMode="email" problem={problem('gp.mssante')} />
        {/* A large toggle rather than a small checkbox: a target the size of the others. */}
        <button type="button" role="checkbox" aria-checked={d.reportToGp} data-testid="report-to-gp"
          className={`btn btn--secondary intake__toggle${d.reportToGp ? ' intake__chosen' : ''}`} onClick={() => set('reportToGp')(!d.reportToGp)}>
          <span aria-hidden="true">{d.reportToGp ? '☑' : '☐'}</span> {t(lang, 'intake.reportToGp')}
        </button>
        <Problem id="problem-report-to-gp" text={problem('reportToGp')} />
      </fieldset>
      <button type="submit" className="btn btn--primary" data-testid="save-intake">{t(lang, 'intake.save')}</button>
    </form>
    {cue.shown && <p className="scroll-cue" aria-hidden="true">{t(lang, 'scrollCue')}</p>}
    </div>
  );
}
