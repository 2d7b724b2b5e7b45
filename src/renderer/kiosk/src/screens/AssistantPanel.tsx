/**
 * Pharmacist mode: a PIN pad (checked by the host against the scrypt hash,
 * with a lock-out), then a panel to take the patient's intake (IntakeForm),
 * start or repeat a measurement, skip a faulty device, restart or end the
 * session, and read the last incidents. The patient never types.
 *
 * The session actions stay pinned at the panel's foot; the intake form
 * scrolls within the panel's body. Once the intake is saved at the identity
 * step the panel closes by itself (the patient is in the waiting room); in
 * the waiting room it stays open and says it was saved.
 */
import { useEffect, useState } from 'react';
import { systemClock, type Clock } from '../../../../shared/clock';
import type { MeasurementKind } from '../../../../shared/domain';
import type { EventData, KioskApi } from '../../../../shared/kiosk-api';
import { EXAM_SKIP_REASONS, type ExamView, type Language, type SessionView } from '../../../../shared/session-view';
import { timeOfDay } from '../../../../shared/wording';
import { itemLabel } from '../exam-items';
import { t, type MessageKey } from '../i18n';
import { useScrollCue } from '../scroll-cue';
import { AlertControls } from './AlertControls';
import { IntakeForm } from './IntakeForm';

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

export function AssistantPanel({ api, view, onHide, clock = systemClock }: {
  api: KioskApi; view: SessionView; onHide: () => void;
  /** The clock "today" and the age come from (injected for tests). */
  clock?: Pick<Clock, 'now'>;
}) {
  const lang = view.language;
  const [incidents, setIncidents] = useState<EventData<'incident'>[]>([]);
  const [note, setNote] = useState<string | null>(null);
  // "Recommencer" and "Terminer la séance" wipe what the patient gave: each asks first, in place.
  const [confirming, setConfirming] = useState<'restart-session' | 'end-session' | null>(null);
  const incidentsCue = useScrollCue();
  const top = view.state.split('.')[0];
  const intakeShown = top === 'identity' || top === 'waitingRoom';

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
  const intakeSaved = () => {
    if (top === 'identity') onHide();
    else setNote(t(lang, 'intake.saved'));
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
        {intakeShown && (
          // Reopened after a save (here or at the counter), the form shows the latest intake, ready to correct.
          <IntakeForm api={api} lang={lang} saved={view.context.intake} clock={clock} onSaved={intakeSaved} onRefused={setNote} />
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
        {top === 'exam' && view.context.exam && <ExamSkips api={api} lang={lang} exam={view.context.exam} onRefused={() => setNote(t(lang, 'assistant.refused'))} />}
        {/* Scrolls by itself when long: focusable so a keyboard reaches what it holds. Beside the intake it shows only
            when there is an incident: "Aucun incident." would only take the form's room on a 800 px high screen. */}
        {(!intakeShown || incidents.length > 0) && <div className="assistant__incidents-slot">
          <section ref={incidentsCue.ref} className="assistant__incidents" aria-labelledby="assistant-incidents" tabIndex={0}>
            <h3 id="assistant-incidents" className="assistant__heading">{t(lang, 'assistant.incidents')}</h3>
            {incidents.length === 0 ? <p>{t(lang, 'assistant.noIncidents')}</p> : (
              <ul className="incidents" data-testid="incidents">
                {incidents.slice(0, 5).map((i, n) => <li key={n}><strong>{i.code}</strong> — {i.message[lang]}</li>)}
              </ul>
            )}
          </section>
          {incidentsCue.shown && <p className="scroll-cue" aria-hidden="true">{t(lang, 'scrollCue')}</p>}
        </div>}
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

/** "Examen différé": the pharmacist skips an item still to do, in their own words (the doctor reads them). */
function ExamSkips({ api, lang, exam, onRefused }: { api: KioskApi; lang: Language; exam: ExamView; onRefused: () => void }) {
  const [reason, setReason] = useState<string>(EXAM_SKIP_REASONS.fr[1]);
  const todo = exam.items.filter((i) => i.state === 'todo');
  if (todo.length === 0) return null;
  return (
    <div className="assistant__group" data-testid="assistant-exam">
      <h3 className="assistant__heading">{t(lang, 'assistant.exam')}</h3>
      <label className="field">
        <span>{t(lang, 'assistant.exam.reason')}</span>
        <input type="text" maxLength={200} value={reason} data-testid="assistant-exam-reason" onChange={(e) => setReason(e.target.value)} />
      </label>
      <div className="assistant__grid">
        {todo.map(({ item }) => (
          <button key={item.id} type="button" className="btn btn--secondary" data-testid={`assistant-exam-skip-${item.id}`} disabled={reason.trim() === ''}
            onClick={() => {
              api.sendEvent({ event: { type: 'EXAM_SKIP', itemId: item.id, reason: reason.trim() } }).then((r) => !r.accepted && onRefused(), onRefused);
            }}>{t(lang, 'exam.skip')} · {itemLabel(item, lang)}</button>
        ))}
      </div>
    </div>
  );
}
