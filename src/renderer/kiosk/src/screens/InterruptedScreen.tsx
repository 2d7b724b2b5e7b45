/**
 * After a crash (the booth restarted mid-consultation, src/host/crash-recovery.ts):
 * the interrupted consultation has ended; the patient is told why, and that
 * the pharmacist is being called (the booth's local alert, with its chime) —
 * then, once someone acknowledged it, that the pharmacist is coming. The
 * pharmacist ends this screen.
 */
import { t } from '../i18n';
import { StepScreen, type KioskScreenProps } from './Layout';
import { AlertLine } from './Overlays';

export function InterruptedScreen(p: KioskScreenProps) {
  const l = p.view.language;
  const { alert } = p.view.context;
  return (
    <StepScreen {...p} testid="interrupted" title={t(l, 'interrupted.title')}>
      <section className="panel panel--alert" data-testid="interrupted">
        {alert && <AlertLine alert={alert} lang={l} className="instruction" />}
        <p className="lead">{t(l, 'interrupted.body')}</p>
      </section>
    </StepScreen>
  );
}
