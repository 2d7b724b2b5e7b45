/**
 * Pharmacist mode: a PIN pad (checked by the host against the scrypt hash,
 * with a lock-out), then a panel to enter the patient's identity, start or
 * repeat a measurement, skip a faulty device, restart or end the session,
 * and read the last incidents. The patient never types.
 *
 * The panel fits the booth's 1280×800 screen without scrolling: the session
 * actions stay pinned at its foot, the incidents take what room is left. Once
 * the identity is saved the panel closes by itself: the next touch is the
 * patient's (the pathway), and the panel must not cover those choices.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import {
  birthDateInWords, calendarDay, checkBirthDate, MONTH_NAMES, type BirthDateCheck, type BirthDateFields,
} from '../../../../shared/birth-date';
import { systemClock, type Clock } from '../../../../shared/clock';
import type { MeasurementKind } from '../../../../shared/domain';
import type { EventData, KioskApi } from '../../../../shared/kiosk-api';
import type { Language, SessionView } from '../../../../shared/session-view';
import { timeOfDay } from '../../../../shared/wording';
import { t, type MessageKey } from '../i18n';
import { useScrollCue } from '../scroll-cue';
import { AlertControls } from './AlertControls';

export function PinPad({ api, lang, onClose }: { api: KioskApi; lang: Language; onClose: () => void }) {
  const [pin, setPin] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const submit = async () => {
    try {
      const r = await api.assistantLogin({ pin });
      setPin('');
      if (r.ok) return;
      setMessage(r.lockedUntil
        ? t(lang, 'pin.locked', { time: timeOfDay(r.lockedUntil, lang) })
        : t(lang, 'pin.wrong', { n: r.triesLeft }));
    } catch {
      setPin('');
      setMessage(t(lang, 'pin.wrong', { n: '?' }));
    }
  };
  return (
    <div className="dialog-backdrop">
      <section className="dialog dialog--pin" role="dialog" aria-modal="true" aria-labelledby="pin-title" data-testid="pinpad">
        <h2 id="pin-title" className="title">{t(lang, 'pin.title')}</h2>
        <p className="lead" id="pin-prompt">{t(lang, 'pin.prompt')}</p>
        <p className="pin-display" aria-describedby="pin-prompt" data-testid="pin-display">{'●'.repeat(pin.length) || '\u00a0'}</p>
        {message && <p className="lead" role="alert" data-testid="pin-message">{message}</p>}
        <div className="keypad">
          {['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'ok'].map((k) => (
            k === 'clear' ? <button key={k} type="button" className="btn btn--secondary" onClick={() => setPin('')}>{t(lang, 'pin.clear')}</button>
              : k === 'ok' ? <button key={k} type="button" className="btn btn--primary" data-testid="pin-ok" disabled={pin.length < 4} onClick={() => void submit()}>{t(lang, 'pin.ok')}</button>
                : <button key={k} type="button" className="btn btn--secondary" data-testid={`pin-${k}`} onClick={() => setPin((p) => (p.length < 8 ? p + k : p))}>{k}</button>
          ))}
        </div>
        <button type="button" className="btn btn--secondary" data-testid="pin-close" onClick={onClose}>{t(lang, 'pin.close')}</button>
      </section>
    </div>
  );
}

const KINDS: MeasurementKind[] = ['temperature', 'blood-pressure', 'spo2', 'dermatoscope-photo'];

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

function fieldsOf(iso: string | undefined): BirthDateFields {
  const [year = '', month = '', day = ''] = iso ? iso.split('-') : [];
  return { day, month, year };
}

export function AssistantPanel({ api, view, onHide, clock = systemClock }: {
  api: KioskApi; view: SessionView; onHide: () => void;
  /** The clock "today" and the age come from (injected for tests). */
  clock?: Pick<Clock, 'now'>;
}) {
  const lang = view.language;
  const [incidents, setIncidents] = useState<EventData<'incident'>[]>([]);
  const [note, setNote] = useState<string | null>(null);
  // Reopened after a save, the panel shows what was saved, ready to correct.
  const saved = view.context.identity;
  const [names, setNames] = useState({ firstName: saved?.firstName ?? '', lastName: saved?.lastName ?? '' });
  const [birth, setBirth] = useState<BirthDateFields>(() => fieldsOf(saved?.birthDate));
  const [submitted, setSubmitted] = useState(false);
  // "Recommencer" and "Terminer la séance" wipe what the patient gave: each asks first, in place.
  const [confirming, setConfirming] = useState<'restart-session' | 'end-session' | null>(null);
  const incidentsCue = useScrollCue();
  const top = view.state.split('.')[0];
  const check = checkBirthDate(birth, calendarDay(clock.now()));

  useEffect(() => {
    api.assistantIncidents({}).then((r) => setIncidents(r.incidents), () => undefined);
  }, [api, view.state]);

  const act = async (call: () => Promise<{ accepted: boolean }>): Promise<boolean> => {
    try {
      const r = await call();
      setNote(r.accepted ? null : t(lang, 'assistant.refused'));
      return r.accepted;
    } catch {
      setNote(t(lang, 'assistant.refused'));
      return false;
    }
  };
  const saveIdentity = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (!names.firstName.trim() || !names.lastName.trim()) {
      setNote(t(lang, 'assistant.names'));
      return;
    }
    setNote(null);
    if (!check.ok) return;
    // The host keeps the ISO date (Identity in session-view.ts), as before the three fields.
    const identity = { firstName: names.firstName.trim(), lastName: names.lastName.trim(), birthDate: check.iso };
    void act(() => api.assistantSetIdentity({ identity })).then((accepted) => {
      if (accepted) onHide();
    });
  };

  return (
    <aside className="assistant" role="dialog" aria-modal="false" aria-labelledby="assistant-title" data-testid="assistant-panel">
      <div className="assistant__head">
        <h2 id="assistant-title" className="subtitle">{t(lang, 'assistant.title')}</h2>
        <button type="button" className="btn btn--secondary btn--small" data-testid="assistant-hide" onClick={onHide}>{t(lang, 'assistant.hide')}</button>
      </div>
      {note && <p className="assistant__note" role="alert" data-testid="assistant-note">{note}</p>}
      <AlertControls api={api} view={view} onRefused={() => setNote(t(lang, 'assistant.refused'))} />
      <div className="assistant__body">
        {top === 'identity' && (
          <form className="assistant__form" onSubmit={saveIdentity} data-testid="identity-form" noValidate>
            <h3 className="sr-only">{t(lang, 'assistant.identity')}</h3>
            <div className="assistant__names">
              <label>{t(lang, 'assistant.firstName')}<input data-testid="first-name" autoComplete="off" value={names.firstName} onChange={(e) => setNames({ ...names, firstName: e.target.value })} /></label>
              <label>{t(lang, 'assistant.lastName')}<input data-testid="last-name" autoComplete="off" value={names.lastName} onChange={(e) => setNames({ ...names, lastName: e.target.value })} /></label>
            </div>
            <BirthDateInput lang={lang} fields={birth} onChange={setBirth} check={check} submitted={submitted} />
            <button type="submit" className="btn btn--primary" data-testid="save-identity">{t(lang, 'assistant.saveIdentity')}</button>
          </form>
        )}
        {top === 'consultation' && (
          <div className="assistant__group">
            <h3 className="assistant__heading">{t(lang, 'assistant.measure')}</h3>
            <div className="assistant__grid">
              {KINDS.map((kind) => (
                <button key={kind} type="button" className="btn btn--secondary" data-testid={`assistant-measure-${kind}`}
                  onClick={() => void act(() => api.assistantAction({ action: 'start-measurement', kind }))}>{t(lang, `measure.${kind}` as MessageKey)}</button>
              ))}
              <button type="button" className="btn btn--secondary" onClick={() => void act(() => api.assistantAction({ action: 'repeat-measurement' }))}>{t(lang, 'assistant.repeat')}</button>
              <button type="button" className="btn btn--secondary" data-testid="assistant-skip" onClick={() => void act(() => api.assistantAction({ action: 'skip-device' }))}>{t(lang, 'assistant.skip')}</button>
            </div>
          </div>
        )}
        {/* Scrolls by itself when long: focusable so a keyboard reaches what it holds. */}
        <div className="assistant__incidents-slot">
          <section ref={incidentsCue.ref} className="assistant__incidents" aria-labelledby="assistant-incidents" tabIndex={0}>
            <h3 id="assistant-incidents" className="assistant__heading">{t(lang, 'assistant.incidents')}</h3>
            {incidents.length === 0 ? <p>{t(lang, 'assistant.noIncidents')}</p> : (
              <ul className="incidents" data-testid="incidents">
                {incidents.slice(0, 5).map((i, n) => <li key={n}><strong>{i.code}</strong> — {i.message[lang]}</li>)}
              </ul>
            )}
          </section>
          {incidentsCue.shown && <p className="scroll-cue" aria-hidden="true">{t(lang, 'scrollCue')}</p>}
        </div>
      </div>
      {confirming ? (
        <div className="assistant__confirm" role="alertdialog" aria-labelledby="assistant-confirm" data-testid="assistant-confirm" data-action={confirming}>
          <p id="assistant-confirm">{t(lang, confirming === 'restart-session' ? 'assistant.confirmRestart' : 'assistant.confirmEnd')}</p>
          <button type="button" className="btn btn--danger" data-testid="assistant-confirm-yes"
            onClick={() => { const action = confirming; setConfirming(null); void act(() => api.assistantAction({ action })); }}>
            {t(lang, confirming === 'restart-session' ? 'assistant.restart' : 'assistant.end')}
          </button>
          <button type="button" className="btn btn--secondary" data-testid="assistant-confirm-no" onClick={() => setConfirming(null)}>{t(lang, 'assistant.confirmNo')}</button>
        </div>
      ) : (
        <div className="assistant__session">
          <button type="button" className="btn btn--secondary" data-testid="assistant-restart" onClick={() => setConfirming('restart-session')}>{t(lang, 'assistant.restart')}</button>
          <button type="button" className="btn btn--secondary" data-testid="assistant-end" onClick={() => setConfirming('end-session')}>{t(lang, 'assistant.end')}</button>
          <button type="button" className="btn btn--secondary" data-testid="assistant-logout" onClick={() => void api.assistantLogout({})}>{t(lang, 'assistant.logout')}</button>
        </div>
      )}
    </aside>
  );
}
