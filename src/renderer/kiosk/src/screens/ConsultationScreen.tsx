/**
 * The consultation: the doctor's video stays on screen (and connected) while
 * the specialist asks for measurements; beside it, the step-by-step
 * guidance, the live value, the result, or how to fix a device problem.
 */
import { useEffect } from 'react';
import type { MeasurementKind, Quantity } from '../../../../shared/domain';
import { captureDermatoscopePhoto } from '../photo';
import { recoveryKeys } from '../recovery';
import { t, type MessageKey } from '../i18n';
import { MeasurementIllustration } from './Illustrations';
import { StepScreen, type KioskScreenProps } from './Layout';
import { QuantityLine, formatValue } from './values';
import { VideoArea } from './VideoArea';

interface MeasurementView {
  kind: MeasurementKind;
  step: number;
  stepCount: number;
  live: number | null;
  result: Quantity[] | null;
  error: string | null;
}

function MeasurementPanel(p: KioskScreenProps & { sub: string; m: MeasurementView }) {
  const l = p.view.language;
  const { m, sub } = p;
  const name = t(l, `measure.${m.kind}` as MessageKey);
  if (sub === 'guidance') {
    const last = m.step >= m.stepCount - 1;
    return (
      <section className="panel" data-testid="guidance">
        <h2 className="subtitle">{name}</h2>
        <p className="step-small" data-testid="guide-progress">{t(l, 'guide.progress', { n: m.step + 1, total: m.stepCount })}</p>
        <MeasurementIllustration kind={m.kind} step={m.step} />
        <p className="instruction" data-testid="instruction">{t(l, `guide.${m.kind}.${m.step + 1}` as MessageKey)}</p>
        <div className="actions">
          <button type="button" className="btn btn--primary" data-testid={last ? 'ready' : 'next'} onClick={() => p.send({ type: 'NEXT' })}>
            {t(l, last ? 'guide.ready' : 'next')}
          </button>
        </div>
      </section>
    );
  }
  if (sub === 'measuring') {
    if (m.kind === 'dermatoscope-photo') return <PhotoCapture {...p} />;
    const cuff = m.kind === 'blood-pressure';
    return (
      <section className="panel" data-testid="measuring">
        <h2 className="subtitle">{t(l, 'measuring.title')} · {name}</h2>
        <p className="instruction">{t(l, 'measuring.still')}</p>
        {m.live !== null ? (
          <div className="live" aria-live="polite">
            <p className="live__label">{cuff ? t(l, 'measuring.cuff') : name}</p>
            <p className="value-huge" data-testid="live-value">{formatValue(m.live, cuff ? 'mm[Hg]' : m.kind === 'spo2' ? '%' : 'Cel', l)}</p>
            {cuff && <div className="gauge" aria-hidden="true"><div className="gauge__fill" style={{ width: `${Math.min(100, (m.live / 200) * 100)}%` }} /></div>}
          </div>
        ) : <p className="lead" data-testid="live-waiting">{t(l, 'measuring.waiting')}</p>}
      </section>
    );
  }
  if (sub === 'result') {
    return (
      <section className="panel" data-testid="result">
        <h2 className="subtitle">{t(l, 'result.title')} · {name}</h2>
        {m.kind === 'dermatoscope-photo'
          ? <p className="value-big">{t(l, 'result.photo')}</p>
          : <ul className="results results--big">{(m.result ?? []).map((q, i) => <li key={i}><QuantityLine q={q} lang={l} /></li>)}</ul>}
        {m.kind !== 'dermatoscope-photo' && <p className="lead">{t(l, 'result.sent')}</p>}
        <div className="actions">
          <button type="button" className="btn btn--secondary" data-testid="retry" onClick={() => p.send({ type: 'RETRY' })}>
            {t(l, m.kind === 'dermatoscope-photo' ? 'result.retakePhoto' : 'result.again')}
          </button>
          <button type="button" className="btn btn--primary" data-testid="next" onClick={() => p.send({ type: 'NEXT' })}>{t(l, 'next')}</button>
        </div>
      </section>
    );
  }
  const keys = recoveryKeys(m.error);
  return (
    <section className="panel panel--alert" data-testid="recovery" data-error={m.error ?? ''}>
      <h2 className="subtitle">{t(l, keys.title)}</h2>
      <MeasurementIllustration kind={m.kind} step={Math.max(1, m.stepCount - 2)} />
      <p className="instruction">{t(l, keys.fix)}</p>
      <div className="actions">
        <button type="button" className="btn btn--primary" data-testid="retry" onClick={() => p.send({ type: 'RETRY' })}>{t(l, 'recovery.retry')}</button>
      </div>
    </section>
  );
}

/** Takes the still once on entering; the host moves the session on when it is stored (or to recovery). */
function PhotoCapture(p: KioskScreenProps) {
  const l = p.view.language;
  useEffect(() => {
    captureDermatoscopePhoto(p.api).catch((error: unknown) => console.warn('dermatoscope still failed', (error as Error).message));
  }, [p.api]);
  return (
    <section className="panel" data-testid="measuring">
      <h2 className="subtitle">{t(l, 'measuring.title')} · {t(l, 'measure.dermatoscope-photo')}</h2>
      <p className="instruction">{t(l, 'measuring.still')}</p>
      <p className="lead" data-testid="live-waiting">{t(l, 'measuring.waiting')}</p>
    </section>
  );
}

export function ConsultationScreen(p: KioskScreenProps) {
  const l = p.view.language;
  const sub = p.view.state.split('.')[1] ?? 'call';
  const m = p.view.context.measurement as MeasurementView | undefined;
  const measuring = sub !== 'call' && m;
  return (
    <StepScreen {...p} testid={`consultation-${sub}`} title={t(l, 'consultation.title')} wide hideTitle>
      <div className={`consult${measuring ? ' consult--measure' : ''}`}>
        {/* Video area: the doctor's video (mediasoup, VideoArea.tsx). Kept mounted for the whole call. */}
        <div className="consult__video" data-testid="video-area" aria-label={t(l, 'consultation.videoArea')} role="region">
          <VideoArea api={p.api} language={l} />
        </div>
        {measuring ? <MeasurementPanel {...p} sub={sub} m={m} /> : (
          <section className="panel" data-testid="call">
            <p className="lead">{t(l, 'consultation.call')}</p>
          </section>
        )}
      </div>
    </StepScreen>
  );
}
