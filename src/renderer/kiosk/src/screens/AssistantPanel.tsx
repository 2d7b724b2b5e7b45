/**
 * Pharmacist mode: a PIN pad (checked by the host against the scrypt hash,
 * with a lock-out), then a panel to enter the patient's identity, start or
 * repeat a measurement, skip a faulty device, restart or end the session,
 * and read the last incidents. The patient never types.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { MeasurementKind } from '../../../../shared/domain';
import type { EventData, KioskApi } from '../../../../shared/kiosk-api';
import type { Language, SessionView } from '../../../../shared/session-view';
import { t, type MessageKey } from '../i18n';
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
        ? t(lang, 'pin.locked', { time: new Date(r.lockedUntil).toLocaleTimeString(lang === 'fr' ? 'fr-FR' : 'en-GB', { hour: '2-digit', minute: '2-digit' }) })
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

export function AssistantPanel({ api, view, onHide }: { api: KioskApi; view: SessionView; onHide: () => void }) {
  const lang = view.language;
  const [incidents, setIncidents] = useState<EventData<'incident'>[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const [form, setForm] = useState({ firstName: '', lastName: '', birthDate: '' });
  const top = view.state.split('.')[0];

  useEffect(() => {
    api.assistantIncidents({}).then((r) => setIncidents(r.incidents), () => undefined);
  }, [api, view.state]);

  const act = async (call: () => Promise<{ accepted: boolean }>) => {
    try {
      const r = await call();
      setNote(r.accepted ? null : t(lang, 'assistant.refused'));
    } catch {
      setNote(t(lang, 'assistant.refused'));
    }
  };
  const saveIdentity = (e: FormEvent) => {
    e.preventDefault();
    void act(() => api.assistantSetIdentity({ identity: form }));
  };

  return (
    <aside className="assistant" role="dialog" aria-modal="false" aria-labelledby="assistant-title" data-testid="assistant-panel">
      <div className="assistant__head">
        <h2 id="assistant-title" className="subtitle">{t(lang, 'assistant.title')}</h2>
        <button type="button" className="btn btn--secondary" data-testid="assistant-hide" onClick={onHide}>{t(lang, 'assistant.hide')}</button>
      </div>
      {note && <p className="lead" role="alert">{note}</p>}
      <AlertControls api={api} view={view} onRefused={() => setNote(t(lang, 'assistant.refused'))} />
      {top === 'identity' && (
        <form className="assistant__form" onSubmit={saveIdentity} data-testid="identity-form">
          <h3 className="subtitle">{t(lang, 'assistant.identity')}</h3>
          <label>{t(lang, 'assistant.firstName')}<input data-testid="first-name" autoComplete="off" value={form.firstName} onChange={(e) => setForm({ ...form, firstName: e.target.value })} /></label>
          <label>{t(lang, 'assistant.lastName')}<input data-testid="last-name" autoComplete="off" value={form.lastName} onChange={(e) => setForm({ ...form, lastName: e.target.value })} /></label>
          <label>{t(lang, 'assistant.birthDate')}<input data-testid="birth-date" type="date" autoComplete="off" value={form.birthDate} onChange={(e) => setForm({ ...form, birthDate: e.target.value })} /></label>
          <button type="submit" className="btn btn--primary" data-testid="save-identity">{t(lang, 'assistant.saveIdentity')}</button>
        </form>
      )}
      {top === 'consultation' && (
        <div className="assistant__group">
          <h3 className="subtitle">{t(lang, 'assistant.measure')}</h3>
          <div className="assistant__buttons">
            {KINDS.map((kind) => (
              <button key={kind} type="button" className="btn btn--secondary" data-testid={`assistant-measure-${kind}`}
                onClick={() => void act(() => api.assistantAction({ action: 'start-measurement', kind }))}>{t(lang, `measure.${kind}` as MessageKey)}</button>
            ))}
            <button type="button" className="btn btn--secondary" onClick={() => void act(() => api.assistantAction({ action: 'repeat-measurement' }))}>{t(lang, 'assistant.repeat')}</button>
            <button type="button" className="btn btn--secondary" data-testid="assistant-skip" onClick={() => void act(() => api.assistantAction({ action: 'skip-device' }))}>{t(lang, 'assistant.skip')}</button>
          </div>
        </div>
      )}
      <div className="assistant__buttons">
        <button type="button" className="btn btn--secondary" data-testid="assistant-restart" onClick={() => void act(() => api.assistantAction({ action: 'restart-session' }))}>{t(lang, 'assistant.restart')}</button>
        <button type="button" className="btn btn--secondary" data-testid="assistant-end" onClick={() => void act(() => api.assistantAction({ action: 'end-session' }))}>{t(lang, 'assistant.end')}</button>
        <button type="button" className="btn btn--secondary" data-testid="assistant-logout" onClick={() => void api.assistantLogout({})}>{t(lang, 'assistant.logout')}</button>
      </div>
      <h3 className="subtitle">{t(lang, 'assistant.incidents')}</h3>
      {incidents.length === 0 ? <p>{t(lang, 'assistant.noIncidents')}</p> : (
        <ul className="incidents" data-testid="incidents">
          {incidents.slice(0, 5).map((i, n) => <li key={n}><strong>{i.code}</strong> — {i.message[lang]}</li>)}
        </ul>
      )}
    </aside>
  );
}
