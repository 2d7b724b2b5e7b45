/**
 * The alert on the pharmacist's panel: why it was raised and since when,
 * "Je m'en occupe" (the patient then reads "Le pharmacien arrive"), then
 * "Alerte terminée". The machine also takes the same acknowledgement from
 * the pharmacy counter (`by.via: 'counter'`, naming who), for a staff page
 * not built yet.
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
        <h3 className="assistant__heading">{t(lang, 'assistant.alert.title')}{since ? ` ${t(lang, 'assistant.alert.since', { time: since })}` : ''}</h3>
        <p>{alert.state === 'raised' ? ALERT_REASON_WORDS[alert.reason][lang] : t(lang, 'assistant.alert.acknowledged')}</p>
      </div>
      {alert.state === 'raised'
        ? <button type="button" className="btn btn--secondary" data-testid="alert-acknowledge" onClick={() => act('acknowledge')}>{t(lang, 'assistant.alert.acknowledge')}</button>
        : <button type="button" className="btn btn--secondary" data-testid="alert-resolve" onClick={() => act('resolve')}>{t(lang, 'assistant.alert.resolve')}</button>}
    </section>
  );
}
