/**
 * The alert on the pharmacist's panel: why it was raised and since when,
 * "Je m'en occupe" (the patient then reads "Le pharmacien arrive"; the panel
 * marks it "prise en charge"), then "Alerte terminée". Unlocking the booth
 * with the PIN already acknowledges an alert raised before (the pharmacist
 * is there), so the panel usually opens on "Alerte terminée", the reason
 * still shown. The counter page acknowledges too (`by.via: 'counter'`,
 * naming who).
 */
import { ALERT_REASON_WORDS } from '../../../../shared/alert';
import type { KioskApi } from '../../../../shared/kiosk-api';
import type { SessionView } from '../../../../shared/session-view';
import { timeOfDay } from '../../../../shared/wording';
import { t } from '../i18n';

export function AlertControls({ api, view, onRefused }: { api: KioskApi; view: SessionView; onRefused: () => void }) {
  const { alert } = view.context;
  if (!alert) return null;
  const lang = view.language;
  const act = (action: 'acknowledge' | 'resolve') => {
    api.assistantAlert({ action, alertId: alert.id }).then((r) => { if (!r.accepted) onRefused(); }, onRefused);
  };
  const since = alert.raisedAt
    ? timeOfDay(alert.raisedAt, lang)
    : null;
  return (
    <section className="assistant__alert" data-testid="assistant-alert" data-alert={alert.state}>
      <div>
        <h3 className="assistant__heading">
          {t(lang, 'assistant.alert.title')}{since ? ` ${t(lang, 'assistant.alert.since', { time: since })}` : ''}
          {alert.state === 'acknowledged' ? ` · ${t(lang, 'assistant.alert.acknowledged')}` : ''}
        </h3>
        <p data-testid="assistant-alert-reason">{ALERT_REASON_WORDS[alert.reason][lang]}</p>
      </div>
      {alert.state === 'raised'
        ? <button type="button" className="btn btn--secondary" data-testid="alert-acknowledge" onClick={() => act('acknowledge')}>{t(lang, 'assistant.alert.acknowledge')}</button>
        : <button type="button" className="btn btn--secondary" data-testid="alert-resolve" onClick={() => act('resolve')}>{t(lang, 'assistant.alert.resolve')}</button>}
    </section>
  );
}
