import type { ScreenProps } from '../App';
import { t } from '../i18n';

/** "Étape 2 sur 5" and a back button on every step. */
export function StepHeader({ view, send }: ScreenProps) {
  return (
    <header className="step-header">
      <button type="button" className="btn btn--secondary btn--small" onClick={() => send({ type: 'BACK' })}>← {t(view.language, 'back')}</button>
      {view.step !== null && <p className="step" aria-live="polite">{t(view.language, 'step', { n: view.step })}</p>}
    </header>
  );
}
