/** The patient's steps outside the call: consent, identity (the pharmacist's intake), waiting room, wrap-up, wipe. */
import { useEffect, useState } from 'react';
import type { Result } from '../../../../shared/kiosk-api';
import { reasonText } from '../../../../shared/intake';
import { callEndedKey } from '../call-people';
import { t } from '../i18n';
import { printButton } from '../print-button';
import { useScrollCue } from '../scroll-cue';
import { StepScreen, type KioskScreenProps } from './Layout';
import { QuantityLine } from './values';
import { prefetchVideoArea } from './video-area-lazy';

export function ConsentScreen(p: KioskScreenProps) {
  const l = p.view.language;
  return (
    <StepScreen {...p} testid="consent" title={t(l, 'consent.title')}>
      <ul className="plain-list">
        <li>{t(l, 'consent.body1')}</li>
        <li>{t(l, 'consent.body2')}</li>
        <li>{t(l, 'consent.body3')}</li>
        <li>{t(l, 'consent.body4')}</li>
      </ul>
      <div className="actions">
        <button type="button" className="btn btn--secondary" data-testid="decline" onClick={() => p.send({ type: 'DECLINE' })}>{t(l, 'consent.decline')}</button>
        <button type="button" className="btn btn--primary" data-testid="accept" onClick={() => p.send({ type: 'ACCEPT' })}>{t(l, 'consent.accept')}</button>
      </div>
    </StepScreen>
  );
}

export function IdentityScreen(p: KioskScreenProps) {
  const l = p.view.language;
  return (
    <StepScreen {...p} testid="identity-entry" title={t(l, 'identity.entry.title')}>
      <p className="lead">{t(l, 'identity.entry.body')}</p>
      <p className="lead">{t(l, 'identity.entry.wait')}</p>
    </StepScreen>
  );
}

export function WaitingRoomScreen(p: KioskScreenProps) {
  const l = p.view.language;
  useEffect(prefetchVideoArea, []);
  const queue = p.view.context.queue ?? { position: null, etaMinutes: null };
  // The latest intake's reason: the patient sees what the doctor will read.
  const reason = p.view.context.reason;
  // No console open at the hub: an estimate would promise a doctor nobody can give; the pharmacist can.
  const noDoctor = queue.doctorsOnline === 0;
  return (
    <StepScreen {...p} testid="waitingRoom" title={t(l, 'waitingRoom.title')}>
      {noDoctor ? (
        <>
          <p className="value-big" data-testid="no-doctor" aria-live="polite">{t(l, 'waitingRoom.noDoctor')}</p>
          <div className="actions">
            <button type="button" className="btn btn--primary" data-testid="no-doctor-call" onClick={() => p.send({ type: 'CALL_PHARMACIST' })}>{t(l, 'assistant')}</button>
          </div>
        </>
      ) : (
        <p className="value-big" data-testid="queue-position" aria-live="polite">
          {queue.position ? t(l, 'waitingRoom.position', { n: queue.position }) : t(l, 'waitingRoom.positionUnknown')}
        </p>
      )}
      {!noDoctor && queue.etaMinutes != null && <p className="lead" data-testid="queue-eta">{t(l, 'waitingRoom.eta', { n: queue.etaMinutes })}</p>}
      {reason && <p className="lead" data-testid="waiting-reason">{t(l, 'waitingRoom.reason', { reason: reasonText(reason, l) })}</p>}
      <p className="lead">{t(l, 'waitingRoom.calm')}</p>
    </StepScreen>
  );
}

export function WrapUpScreen(p: KioskScreenProps) {
  const l = p.view.language;
  const sub = p.view.state.split('.')[1] ?? 'summary';
  const results = p.view.context.results ?? [];
  const prescription = p.view.context.prescription ?? { received: false };
  if (sub === 'summary') {
    return (
      <StepScreen {...p} testid="wrapUp-summary" title={t(l, 'wrapUp.summary')}>
        <p className="lead" role="status" data-testid="call-ended" data-ended-by={p.view.context.callEndedBy ?? ''}>{t(l, callEndedKey(p.view.context.callEndedBy))}</p>
        {results.length === 0 ? <p className="lead">{t(l, 'wrapUp.noResults')}</p> : (
          <ul className="results" data-testid="results">
            {results.flatMap((r, i) => r.values.map((q, j) => <li key={`${i}-${j}`}><QuantityLine q={q} lang={l} /></li>))}
          </ul>
        )}
        <div className="actions">
          <button type="button" className="btn btn--primary" data-testid="next" onClick={() => p.send({ type: 'NEXT' })}>{t(l, 'next')}</button>
        </div>
      </StepScreen>
    );
  }
  if (sub === 'prescription') return <PrescriptionScreen {...p} received={prescription.received} />;
  if (sub === 'report') {
    return (
      <StepScreen {...p} testid="wrapUp-report" title={t(l, 'wrapUp.report.title')}>
        <p className="lead">{t(l, 'wrapUp.report.question')}</p>
        <div className="actions">
          <button type="button" className="btn btn--secondary" data-testid="decline" onClick={() => p.send({ type: 'DECLINE' })}>{t(l, 'wrapUp.report.no')}</button>
          <button type="button" className="btn btn--primary" data-testid="accept" onClick={() => p.send({ type: 'ACCEPT' })}>{t(l, 'wrapUp.report.yes')}</button>
        </div>
      </StepScreen>
    );
  }
  return (
    <StepScreen {...p} testid="wrapUp-goodbye" title={t(l, 'wrapUp.goodbye.title')}>
      <p className="lead">{t(l, 'wrapUp.goodbye.body')}</p>
      <div className="actions">
        <button type="button" className="btn btn--primary" data-testid="finish" onClick={() => p.send({ type: 'FINISH' })}>{t(l, 'wrapUp.finish')}</button>
      </div>
    </StepScreen>
  );
}

type PrescriptionData = NonNullable<Result<'getPrescription'>['prescription']>;

/**
 * The prescription hand-off: the QR code large (the pharmacist scans it from
 * the counter), the number in large monospace, the items, whether it was
 * printed or saved, and the print button showing where the paper is
 * (print-button.ts).
 */
function PrescriptionScreen(p: KioskScreenProps & { received: boolean }) {
  const l = p.view.language;
  const [data, setData] = useState<PrescriptionData | null>(null);
  const [reprint, setReprint] = useState<'idle' | 'busy' | 'printed' | 'saved' | 'failed'>('idle');
  const printState = p.view.context.prescription?.print ?? (data?.pdf.printed ? 'printed' : 'saved');
  const button = printButton(printState, reprint === 'busy');
  // A long prescription scrolls beside the QR code, with a cue that more follows.
  const details = useScrollCue();
  useEffect(() => {
    if (!p.received) return;
    p.api.getPrescription({}).then((r) => setData(r.prescription), () => setData(null));
  }, [p.api, p.received]);
  const next = (
    <div className="actions">
      {data && (
        <button type="button" className="btn btn--secondary" data-testid="reprint" data-print={button.shown} disabled={button.disabled}
          onClick={() => {
            if (button.action === 'callPharmacist') {
              p.send({ type: 'CALL_PHARMACIST' });
              return;
            }
            setReprint('busy');
            p.api.reprintPrescription({}).then((r) => setReprint(r.printed ? 'printed' : 'saved'), () => setReprint('failed'));
          }}>{t(l, button.label)}</button>
      )}
      <button type="button" className="btn btn--primary" data-testid="next" onClick={() => p.send({ type: 'NEXT' })}>{t(l, 'next')}</button>
    </div>
  );
  if (!data) {
    return (
      <StepScreen {...p} testid="wrapUp-prescription" title={t(l, 'wrapUp.prescription.title')}>
        <p className="lead" data-testid="prescription">{t(l, p.received ? 'wrapUp.prescription.received' : 'wrapUp.prescription.none')}</p>
        {next}
      </StepScreen>
    );
  }
  return (
    <StepScreen {...p} testid="wrapUp-prescription" title={t(l, 'wrapUp.prescription.title')} hideTitle>
      <div className="prescription">
        {/* The host renders this SVG (qrcode), never the renderer from patient input. */}
        <div className="prescription__qr" data-testid="prescription-qr" role="img" aria-label={t(l, 'wrapUp.prescription.qr')}
          dangerouslySetInnerHTML={{ __html: data.qrSvg }} />
        <div className="prescription__details-slot">
        <div ref={details.ref} className="prescription__details" tabIndex={0}>
          <p className="prescription__status" data-testid="prescription" role="status">
            {t(l, printState === 'printed' ? 'wrapUp.prescription.printed' : printState === 'failed' ? 'wrapUp.prescription.printFailed' : printState === 'printing' ? 'wrapUp.prescription.printing' : 'wrapUp.prescription.saved')}
          </p>
          <p className="prescription__label">{t(l, 'wrapUp.prescription.number')}</p>
          <p className="prescription__number" data-testid="prescription-number">{data.number}</p>
          <p className="prescription__label">{t(l, 'wrapUp.prescription.by', { name: data.prescriber.name, specialty: data.prescriber.specialty })}</p>
          <ol className="prescription__items" data-testid="prescription-items">
            {data.items.map((item, i) => (
              <li key={i}><strong>{item.name}</strong> — {item.dosage}{item.duration ? ` (${item.duration})` : ''}</li>
            ))}
          </ol>
          {data.instructions && <p className="prescription__label"><strong>{t(l, 'wrapUp.prescription.instructions')}</strong> {data.instructions}</p>}
        </div>
        {details.shown && <p className="scroll-cue" aria-hidden="true" data-testid="prescription-scroll-cue">{t(l, 'scrollCue')}</p>}
        </div>
      </div>
      {reprint !== 'idle' && reprint !== 'busy' && (
        <p className="notice" role="status" data-testid="reprint-status">
          {t(l, reprint === 'printed' ? 'wrapUp.prescription.reprinted' : reprint === 'saved' ? 'wrapUp.prescription.reprintSaved' : 'wrapUp.prescription.reprintFailed')}
        </p>
      )}
      {next}
    </StepScreen>
  );
}

export function PrivacyWipeScreen({ view, send }: KioskScreenProps) {
  const l = view.language;
  return (
    <main className="screen screen--attract" data-testid="screen-privacyWipe" onClick={() => send({ type: 'TOUCH' })}>
      <h1 className="title">{t(l, 'privacyWipe.title')}</h1>
      <p className="lead">{t(l, 'privacyWipe.body')}</p>
    </main>
  );
}
