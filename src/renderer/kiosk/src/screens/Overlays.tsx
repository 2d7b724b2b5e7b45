/** Layers over any screen: stop confirmation, emergency guidance, the inactivity warning, and status banners. */
import type { SessionUiEvent, SessionView } from '../../../../shared/session-view';
import { t } from '../i18n';

export function Overlay({ view, send }: { view: SessionView; send: (e: SessionUiEvent) => void }) {
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
            <p className="lead">{t(l, 'overlay.emergency.pharmacist')}</p>
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
            <p className="lead">{t(l, 'overlay.inactivity.body')}</p>
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

export function Banners({ view }: { view: SessionView }) {
  const l = view.language;
  return (
    <>
      {view.context.network === 'reconnecting' && <p className="banner banner--calm" role="status" data-testid="banner-network">{t(l, 'banner.network')}</p>}
      {view.context.deviceFault != null && <p className="banner" role="status" data-testid="banner-device">{t(l, 'banner.device')}</p>}
    </>
  );
}
