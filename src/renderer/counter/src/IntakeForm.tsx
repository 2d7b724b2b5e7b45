/**
 * The intake on the counter page, for a booth whose patient is at the
 * identity step or in the waiting room: the assistant panel's fields and
 * checks (the shared draft and schema, src/shared/intake-draft.ts and
 * intake.ts), in the counter's compact layout and words. The birth date is
 * three fields, day / month / year, read back in words; the NIR's key is
 * checked as it is typed; each problem is said beside its field before
 * anything is sent. The booth checks again and has the last word.
 */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  birthDateInWords, calendarDay, checkBirthDate, MONTH_NAMES, type BirthDateCheck, type BirthDateFields,
} from '../../../shared/birth-date';
import type { Clock } from '../../../shared/clock';
import {
  ExceptionReason, intakeProblems, intakeSchema, Pathway, problemText, REASON_CODES, REASON_LABEL, SEX_LABEL, type Intake, type Sex,
} from '../../../shared/intake';
import { intakeInputOf, nirAsTyped, type IntakeDraft } from '../../../shared/intake-draft';
import type { CaseRequestInput } from '../../../shared/case-record';
import { deferredRequest, newDeferred, type DeferredDraft, type DeferredProblems } from './deferred';
import { DeferredFields } from './DeferredFields';
import { t, type Key, type Lang } from './i18n';

/** What to say of the three date fields; nothing while the year is still being typed, everything after a press on "save". */
function birthDateProblem(check: BirthDateCheck, fields: BirthDateFields, lang: Lang, submitted: boolean): string | null {
  if (check.ok) return null;
  if (!submitted && (check.problem === 'incomplete' || fields.year.trim().length < 4)) return null;
  switch (check.problem) {
    case 'incomplete': return t(lang, 'intake.birthDate.incomplete');
    case 'year': return t(lang, 'intake.birthDate.year');
    case 'month': return t(lang, 'intake.birthDate.month');
    case 'future': return problemText('birth-date-future', lang);
    case 'too-old': return problemText('birth-date-too-old', lang);
    case 'day': {
      if (check.daysInMonth === undefined) return t(lang, 'intake.birthDate.day');
      const month = MONTH_NAMES[lang][Number(fields.month) - 1] ?? '';
      const year = Number(fields.year);
      return t(lang, 'intake.birthDate.noSuchDay', { date: `${Number(fields.day)} ${month} ${year}`, month, year, n: check.daysInMonth });
    }
  }
}

function ageWords(age: number, lang: Lang): string {
  if (age === 0) return t(lang, 'intake.age.baby');
  return age === 1 ? t(lang, 'intake.age.one') : t(lang, 'intake.age', { n: age });
}

const DATE_FIELDS = [
  { key: 'day', testid: 'birth-day', label: 'intake.day', length: 2 },
  { key: 'month', testid: 'birth-month', label: 'intake.month', length: 2 },
  { key: 'year', testid: 'birth-year', label: 'intake.year', length: 4 },
] as const;

function BirthDateInput({ lang, fields, onChange, check, submitted }: {
  lang: Lang; fields: BirthDateFields; onChange: (f: BirthDateFields) => void; check: BirthDateCheck; submitted: boolean;
}) {
  const refs = useRef<(HTMLInputElement | null)[]>([]);
  const problem = birthDateProblem(check, fields, lang, submitted);
  return (
    <fieldset className="cintake__date" aria-describedby="counter-birth-date-readback">
      <legend>{t(lang, 'intake.birthDate')}</legend>
      <div className="cintake__row">
        {DATE_FIELDS.map((f, i) => (
          <label key={f.key}>{t(lang, f.label)}
            <input
              ref={(el) => { refs.current[i] = el; }}
              data-testid={f.testid} inputMode="numeric" pattern="[0-9]*" autoComplete="off" maxLength={f.length} size={f.length + 1}
              aria-invalid={problem !== null} value={fields[f.key]}
              onChange={(e) => {
                const value = e.target.value.replace(/\D/g, '').slice(0, f.length);
                onChange({ ...fields, [f.key]: value });
                // A whole day or month moves on, as a pharmacist types 07 03 1941 in one go.
                if (value.length === f.length && value !== fields[f.key]) refs.current[i + 1]?.focus();
              }}
            />
          </label>
        ))}
      </div>
      <p id="counter-birth-date-readback" className="cintake__readback" aria-live="polite">
        {check.ok
          ? <span data-testid="birth-date-words">{birthDateInWords(check.birth, lang)} · {ageWords(check.age, lang)}</span>
          : problem && <span className="cintake__problem" role="alert" data-testid="birth-date-problem">{problem}</span>}
      </p>
    </fieldset>
  );
}

/** One choice of a few, as radio buttons (the test ids the assistant panel's toggles have). */
function Choices<T extends string>({ legend, name, options, value, onChange, label, problem }: {
  legend: string; name: string; options: readonly T[]; value: T | null; onChange: (v: T) => void; label: (v: T) => string; problem?: string | undefined;
}) {
  return (
    <fieldset className="cintake__choices" aria-describedby={problem ? `counter-problem-${name}` : undefined}>
      <legend>{legend}</legend>
      <div className="cintake__options">
        {options.map((o) => (
          <label key={o} className="cintake__option">
            <input type="radio" name={`counter-${name}`} data-testid={`${name}-${o}`} checked={value === o} onChange={() => onChange(o)} />
            {label(o)}
          </label>
        ))}
      </div>
      {problem && <p id={`counter-problem-${name}`} className="cintake__problem" role="alert" data-testid={`problem-${name}`}>{problem}</p>}
    </fieldset>
  );
}

function Field({ label, testid, value, onChange, problem, after, ...input }: {
  label: string; testid: string; value: string; onChange: (v: string) => void; problem?: string | undefined; after?: ReactNode;
  inputMode?: 'text' | 'numeric' | 'email'; maxLength?: number;
}) {
  return (
    <label className="cintake__field">{label}
      <input data-testid={testid} autoComplete="off" value={value} aria-invalid={!!problem}
        aria-describedby={problem ? `counter-problem-${testid}` : undefined} onChange={(e) => onChange(e.target.value)} {...input} />
      {after}
      {problem && <span id={`counter-problem-${testid}`} className="cintake__problem" role="alert" data-testid={`problem-${testid}`}>{problem}</span>}
    </label>
  );
}

const SEXES: readonly Sex[] = ['F', 'M', 'I'];

export type IntakeOutcome = { kind: 'saved' } | { kind: 'refused'; message: string };

/**
 * The intake, for a live consultation or an "Examen différé" (`deferred`
 * not null: the case's fields below the intake's, checked with it).
 */
export function IntakeForm({ lang, boothId, draft, onDraft, deferred = null, onDeferred, clock, send, onClose }: {
  lang: Lang; boothId: string; draft: IntakeDraft; onDraft: (d: IntakeDraft) => void; clock: Pick<Clock, 'now'>;
  /** The deferred exam being prepared; null: a live consultation. */
  deferred?: DeferredDraft | null; onDeferred?: (d: DeferredDraft | null) => void;
  /** Sends the checked intake (and the case for a deferred exam); says what became of it, in words. */
  send: (intake: Intake, deferred?: CaseRequestInput) => Promise<IntakeOutcome>;
  onClose: () => void;
}) {
  const d = draft;
  const [problems, setProblems] = useState<Map<string, string>>(new Map());
  const [caseProblems, setCaseProblems] = useState<DeferredProblems>(new Map());
  const setDeferred = (next: DeferredDraft | null): void => {
    setOutcome(null);
    onDeferred?.(next);
  };
  const [submitted, setSubmitted] = useState(false);
  const [outcome, setOutcome] = useState<IntakeOutcome | 'sending' | null>(null);
  const set = <K extends keyof IntakeDraft>(key: K) => (value: IntakeDraft[K]) => {
    setOutcome(null);
    onDraft({ ...d, [key]: value });
  };
  const check = checkBirthDate(d.birth, calendarDay(clock.now()));
  const nirCheck = nirAsTyped(d.nir);
  const nir = nirCheck && (nirCheck.ok
    ? { ok: true, text: t(lang, 'intake.nirOk') }
    : { ok: false, text: problemText(nirCheck.problem, lang, nirCheck.problem === 'nir-key' ? nirCheck.expected : undefined) });
  // A NIR corrected since the last press on "save" says so at once: its live check wins over the stale problem.
  const problem = (field: string) => (field === 'identity.nir' && nir?.ok ? undefined : problems.get(field));

  const save = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    const parsed = intakeSchema(clock).safeParse(intakeInputOf(d, check.ok ? check.iso : ''));
    const request = deferred ? deferredRequest(deferred) : null;
    setCaseProblems(request && !request.ok ? request.problems : new Map());
    if (!parsed.success) {
      // The three date fields say their own problem, in their own words.
      const list = intakeProblems(parsed.error, lang).filter((p) => !(p.field === 'identity.birthDate' && !check.ok));
      setProblems(new Map(list.map((p) => [p.field, p.message])));
      setOutcome(null);
      return;
    }
    setProblems(new Map());
    if (!check.ok || (request && !request.ok)) {
      setOutcome(null);
      return;
    }
    setOutcome('sending');
    void (request?.ok ? send(parsed.data, request.request) : send(parsed.data)).then(setOutcome);
  };

  const count = problems.size + caseProblems.size + (submitted && !check.ok ? 1 : 0);
  return (
    <section className="cintake" aria-labelledby="counter-intake-title">
      <header className="cintake__head">
        <h2 id="counter-intake-title">{t(lang, 'intake.title', { booth: boothId })}</h2>
        <button type="button" className="link" data-testid="intake-close" onClick={onClose}>{t(lang, 'intake.close')}</button>
      </header>
      <form onSubmit={save} data-testid="intake-form" noValidate>
        {count > 0 && <p className="cintake__problem" role="alert" data-testid="intake-problems">{t(lang, 'intake.fix')} {count}</p>}
        {onDeferred && (
          <fieldset className="cintake__choices">
            <legend>{t(lang, 'intake.mode')}</legend>
            <div className="cintake__options">
              <label className="cintake__option">
                <input type="radio" name="counter-mode" data-testid="mode-live" checked={deferred === null} onChange={() => setDeferred(null)} />
                {t(lang, 'intake.mode.live')}
              </label>
              <label className="cintake__option">
                <input type="radio" name="counter-mode" data-testid="mode-deferred" checked={deferred !== null} onChange={() => setDeferred(deferred ?? newDeferred())} />
                {t(lang, 'intake.mode.deferred')}
              </label>
            </div>
          </fieldset>
        )}
        <fieldset className="cintake__section">
          <legend>{t(lang, 'intake.identity')}</legend>
          <div className="cintake__row">
            <Field label={t(lang, 'intake.birthName')} testid="birth-name" value={d.birthName} onChange={set('birthName')} problem={problem('identity.birthName')} />
            <Field label={t(lang, 'intake.firstNames')} testid="first-names" value={d.firstNames} onChange={set('firstNames')} problem={problem('identity.firstNames')} />
          </div>
          <BirthDateInput lang={lang} fields={d.birth} onChange={set('birth')} check={check} submitted={submitted} />
          <Choices legend={t(lang, 'intake.sex')} name="sex" options={SEXES} value={d.sex} onChange={set('sex')}
            label={(s) => SEX_LABEL[lang][s]} problem={problem('identity.sex')} />
          <div className="cintake__row">
            <Field label={t(lang, 'intake.birthplace')} testid="birthplace" value={d.birthplaceCode} onChange={set('birthplaceCode')} maxLength={5} problem={problem('identity.birthplaceCode')} />
            <Field label={t(lang, 'intake.nir')} testid="nir" value={d.nir} onChange={set('nir')} maxLength={21} problem={problem('identity.nir')}
              after={nir && !problem('identity.nir') && <span className={nir.ok ? 'cintake__ok' : 'cintake__problem'} role="status" data-testid="nir-check">{nir.text}</span>} />
          </div>
        </fieldset>
        <Choices legend={t(lang, 'intake.reason')} name="reason" options={REASON_CODES} value={d.reason} onChange={set('reason')}
          label={(r) => REASON_LABEL[lang][r]} problem={problem('reason.code')} />
        <Field label={t(lang, 'intake.reasonText')} testid="reason-text" value={d.reasonText} onChange={set('reasonText')} maxLength={200} problem={problem('reason.text')} />
        <Choices legend={t(lang, 'intake.pathway')} name="pathway" options={Pathway.options} value={d.pathway} onChange={set('pathway')}
          label={(p) => t(lang, `intake.pathway.${p}` as Key)} problem={problem('pathway.pathway')} />
        {d.pathway === 'exception' && (
          <Choices legend={t(lang, 'intake.exception')} name="exception" options={ExceptionReason.options} value={d.exceptionReason} onChange={set('exceptionReason')}
            label={(x) => t(lang, `intake.exception.${x}` as Key)} problem={problem('pathway.exceptionReason')} />
        )}
        <fieldset className="cintake__section">
          <legend>{t(lang, 'intake.gp')}</legend>
          <div className="cintake__row">
            <Field label={t(lang, 'intake.gpName')} testid="gp-name" value={d.gpName} onChange={set('gpName')} problem={problem('gp.name')} />
            <Field label={t(lang, 'intake.gpCity')} testid="gp-city" value={d.gpCity} onChange={set('gpCity')} problem={problem('gp.city')} />
          </div>
          <Field label={t(lang, 'intake.gpMssante')} testid="gp-mssante" value={d.gpMssante} onChange={set('gpMssante')} inputMode="email" problem={problem('gp.mssante')} />
          <label className="cintake__option">
            <input type="checkbox" data-testid="report-to-gp" checked={d.reportToGp} onChange={(e) => set('reportToGp')(e.target.checked)} />
            {t(lang, 'intake.reportToGp')}
          </label>
          {problem('reportToGp') && <p className="cintake__problem" role="alert" data-testid="problem-report-to-gp">{problem('reportToGp')}</p>}
        </fieldset>
        {deferred && <DeferredFields lang={lang} draft={deferred} onChange={setDeferred} problems={caseProblems} />}
        <div className="cintake__actions">
          <button type="submit" className="primary" data-testid="save-intake" disabled={outcome === 'sending'}>{t(lang, 'intake.save')}</button>
          <p aria-live="polite" className="cintake__outcome">
            {outcome === 'sending' && t(lang, 'intake.sending')}
            {outcome !== 'sending' && outcome?.kind === 'saved' && <span className="cintake__ok" data-testid="intake-saved">{t(lang, deferred ? 'deferred.saved' : 'intake.saved', { booth: boothId })}</span>}
            {outcome !== 'sending' && outcome?.kind === 'refused' && <span className="cintake__problem" role="alert" data-testid="intake-refused">{outcome.message}</span>}
          </p>
        </div>
      </form>
    </section>
  );
}
