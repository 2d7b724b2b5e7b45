/** Layers over any screen: stop confirmation, emergency guidance, the inactivity warning, and status banners. */
import type { AlertView, Language, SessionUiEvent, SessionView } from '../../../../shared/session-view';
import { useEffect, useState } from 'react';
import { deviceNotResponding } from '../../../../shared/wording';
import { secondsLeft } from '../countdown';
import { t } from '../i18n';

/** "Sans réponse, tout sera effacé dans 27 secondes", counted down from when the prompt appeared. */
function InactivityCountdown({ lang, totalSeconds }: { lang: Language; totalSeconds: number | null }) {
  const [shownAt] = useState(() => Date.now());
  const [now, setNow] = useState(shownAt);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, []);
  if (totalSeconds === null) return <p className="lead">{t(lang, 'overlay.inactivity.body')}</p>;
  const n = secondsLeft({ shownAt, now, totalSeconds });
  return (
    <p className="lead" data-testid="inactivity-countdown" data-seconds={n}>
      {t(lang, 'overlay.inactivity.countdown', { n })}
    </p>
  );
}

export function Overlay({ view, send, wipeSeconds = null }: { view: SessionView; send: (e: SessionUiEvent) => void; wipeSeconds?: number | null }) {
  const l = view.language;
  switch (view.context.overlay) {
    case 'cancelConfirm':
      return (
        <div className="dialog-backdrop">
          <section className="dialog" role="alertdialog" aria-modal="true" aria-labelledby="dlg-title" data-testid="overlay-cancelConfirm">
            <h2 id="dlg-title" className="title">{t(l, 'overlay.cancel.title')}</h2>
            <p className="lead">{t(l, 'overlay.cancel.body')}</p>
            <div className="actions">
              <button type="button" className="btn btn--secondary" data-testid="cancel-yes" onClick={() => send({ type: 'CANCEL_CONFIRM' })}>{t(l, 'overlay.cancel.yes')}</button>
              <button type="button" className="btn btn--primary" data-testid="cancel-no" onClick={() => send({ type: 'CANCEL_ABORT' })}>{t(l, 'overlay.cancel.no')}</button>
            </div>
          </section>
        </div>
      );
    case 'emergency':
      return (
        <div className="dialog-backdrop">
          <section className="dialog dialog--alarm" role="alertdialog" aria-modal="true" aria-labelledby="dlg-title" data-testid="overlay-emergency">
            <h2 id="dlg-title" className="title title--alarm">{t(l, 'overlay.emergency.title')}</h2>
            <p className="lead">{t(l, 'overlay.emergency.body')}</p>
            <p className="value-big title--alarm">{t(l, 'overlay.emergency.call')}</p>
            {/* The pharmacy is called by the button itself: the patient reads whether someone answered. */}
            <p className="lead" data-testid="emergency-status">{t(l, emergencyStatusKey(view.context.alert))}</p>
            <div className="actions">
              <button type="button" className="btn btn--primary" data-testid="emergency-close" onClick={() => send({ type: 'EMERGENCY_CLOSE' })}>{t(l, 'overlay.emergency.close')}</button>
            </div>
          </section>
        </div>
      );
    case 'inactivityPrompt':
      return (
        <div className="dialog-backdrop" onClick={() => send({ type: 'STILL_HERE' })}>
          <section className="dialog dialog--alarm" role="alertdialog" aria-modal="true" aria-labelledby="dlg-title" data-testid="overlay-inactivityPrompt">
            <h2 id="dlg-title" className="title title--alarm">{t(l, 'overlay.inactivity.title')}</h2>
            <InactivityCountdown lang={l} totalSeconds={wipeSeconds} />
            <div className="actions">
              <button type="button" className="btn btn--primary btn--huge-ish" data-testid="still-here" onClick={() => send({ type: 'STILL_HERE' })}>{t(l, 'overlay.inactivity.yes')}</button>
            </div>
          </section>
        </div>
      );
    default:
      return null;
  }
}

function emergencyStatusKey(alert: AlertView | null): 'overlay.emergency.calling' | 'overlay.emergency.coming' | 'overlay.emergency.pharmacist' {
  if (!alert) return 'overlay.emergency.pharmacist';
  return alert.state === 'acknowledged' ? 'overlay.emergency.coming' : 'overlay.emergency.calling';
}

/** What the alert says to the patient: "nous prévenons" while raised, "arrive" only once someone acknowledged it. */
export function AlertLine({ alert, lang, className = 'banner__line' }: { alert: AlertView; lang: Language; className?: string }) {
  const by = alert.acknowledgedBy?.name;
  return (
    <>
      <p className={className} data-testid="alert-status" data-alert={alert.state} data-reach={alert.reach ?? undefined}>
        {alert.state === 'raised' ? t(lang, 'alert.raised') : by ? t(lang, 'alert.acknowledgedBy', { name: by }) : t(lang, 'alert.acknowledged')}
      </p>
      {alert.state === 'raised' && alert.reach === 'booth' && <p className={className} data-testid="alert-booth-only">{t(lang, 'alert.boothOnly')}</p>}
    </>
  );
}

/**
 * The status banner: one box, each thing said once — the network
 * ("nous rétablissons l'appel…", then after the bound "la connexion ne
 * revient pas"), a device fault, and the alert's state; where something is
 * wrong and nobody was called, the button to call the pharmacist.
 */
export function Banners({ view, send }: { view: SessionView; send: (e: SessionUiEvent) => void }) {
  const l = view.language;
  const { network, alert } = view.context;
  const fault = view.context.deviceFault;
  const device = fault !== null;
  // The incident screen says the alert itself; the pharmacist's panel has its own.
  const showAlert = alert !== null && view.state !== 'interrupted';
  const canCall = !alert && (network === 'unreachable' || device) && !view.assistant;
  if (network !== 'reconnecting' && network !== 'unreachable' && !device && !showAlert) return null;
  return (
    <div className="banner banner--calm" role="status" data-testid="banner">
      {network === 'reconnecting' && <p className="banner__line" data-testid="banner-network">{t(l, 'banner.network')}</p>}
      {network === 'unreachable' && <p className="banner__line" data-testid="banner-network">{t(l, 'banner.networkDown')}</p>}
      {fault && <p className="banner__line" data-testid="banner-device">{deviceNotResponding(fault.kind, l)}</p>}
      {showAlert && <AlertLine alert={alert} lang={l} />}
      {canCall && (
        <button type="button" className="btn btn--secondary" data-testid="banner-call"
          onClick={() => send({ type: 'CALL_PHARMACIST', reason: device && network !== 'unreachable' ? 'device-fault' : 'help' })}>
          {t(l, 'alert.call')}
        </button>
      )}
    </div>
  );
}
