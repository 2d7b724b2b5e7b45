/**
 * The consultation: the doctor's video stays on screen (and connected) while
 * the specialist asks for measurements; beside it, the step-by-step
 * guidance, the live value, the result, or how to fix a device problem.
 */
import { Suspense, useEffect, useRef, useState } from 'react';
import type { CallStatusShown } from '../call-status';
import { watchCurrentCall } from '../call';
import { doctorLine, doctorPhoto } from '../call-people';
import { DEFAULT_VOLUME, louder, quieter, VOLUME_LEVELS } from '../volume';
import type { AuscultationView, MeasurementView, SessionUiEvent } from '../../../../shared/session-view';
import type { KioskApi } from '../../../../shared/kiosk-api';
import { deviceNotResponding } from '../../../../shared/wording';
import { MediaDeviceMissing } from '../media-devices';
import { captureDermatoscopePhoto, openDermatoscope } from '../photo';
import { openStethoscope } from '../media-devices';
import { produceOnCall, sendStethoscope } from '../stethoscope';
import { recoveryKeys } from '../recovery';
import { useScrollCue } from '../scroll-cue';
import { t, type MessageKey } from '../i18n';
import { AuscultationIllustration, MeasurementIllustration } from './Illustrations';
import { StepScreen, type KioskScreenProps } from './Layout';
import { QuantityLine, formatValue } from './values';
import { LazyVideoArea } from './video-area-lazy';

/** "Le médecin demande : tension, bras gauche" when the specialist asked for it. */
function RequestedBy({ m, lang }: { m: MeasurementView; lang: 'fr' | 'en' }) {
  if (!m.requestId) return null;
  const what = [t(lang, `measure.${m.kind}` as MessageKey).toLocaleLowerCase(lang), m.bodySite, m.note].filter(Boolean).join(', ');
  return <p className="notice" data-testid="requested-by">{t(lang, 'consultation.requested', { what })}</p>;
}

const KPA_TO_MMHG = 7.500_616_827;

/** The live view sent to the specialist: at most 1080p (the still itself is taken at full resolution). */
const LIVE_VIEW = { width: { ideal: 1920, max: 1920 }, height: { ideal: 1080, max: 1080 } } as const;

/**
 * The dermatoscope's camera while its measurement is on screen: `stream` is
 * null while it opens; `failed` when it could not (the capture then opens its
 * own); `absent` when the camera kiosk-config names is not there (nothing is
 * opened, the capture is not tried); `retry` looks for it again.
 */
interface DermatoscopeCamera { stream: MediaStream | null; failed: boolean; absent: boolean; retry: () => void }

/**
 * While the dermatoscope measurement is on screen: the dermatoscope camera,
 * opened once at full resolution (the still is grabbed from it), and sent to
 * the specialist as a second video of the call.
 */
function useDermatoscope(api: KioskApi, active: boolean): DermatoscopeCamera {
  const [state, setState] = useState<Omit<DermatoscopeCamera, 'retry'>>({ stream: null, failed: false, absent: false });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!active) return undefined;
    let stopped = false;
    let stream: MediaStream | null = null;
    let live: MediaStreamTrack | null = null;
    let producer: { close(): void } | null = null;
    let offCall: (() => void) | null = null;
    openDermatoscope(api).then(async (s) => {
      if (stopped) { s.getTracks().forEach((t) => t.stop()); return; }
      stream = s;
      setState({ stream: s, failed: false, absent: false });
      const track = s.getVideoTracks()[0];
      if (!track) return;
      live = track.clone();
      await live.applyConstraints(LIVE_VIEW).catch(() => undefined);
      offCall = watchCurrentCall((call) => {
        if (!call || producer || stopped || !live) return;
        const track = live;
        // NOTE: an extra produced while the call is still starting races the start's own producers (the
        // hub then sees no frames from it): wait for the start in progress (VideoArea starts it in the same tick).
        Promise.resolve().then(() => call.start()).catch(() => undefined).then(() => {
          if (stopped || producer) return undefined;
          return call.produceExtra(track, 'dermatoscope');
        }).then((pr) => {
          if (!pr) return;
          if (stopped) pr.close();
          else producer = pr;
        }, (error: unknown) => console.warn('dermatoscope live view not sent', (error as Error).message));
      });
    }, (error: unknown) => {
      console.warn('dermatoscope camera not available', (error as Error).message);
      if (!stopped) setState({ stream: null, failed: true, absent: error instanceof MediaDeviceMissing });
    });
    return () => {
      stopped = true;
      offCall?.();
      producer?.close();
      live?.stop();
      stream?.getTracks().forEach((t) => t.stop());
      setState({ stream: null, failed: false, absent: false });
    };
  }, [api, active, attempt]);
  return { ...state, retry: () => setAttempt((n) => n + 1) };
}

/**
 * While the doctor listens: the stethoscope kiosk-config names, sent as its
 * own audio producer (src/renderer/kiosk/src/stethoscope.ts); its state goes
 * to the session (STETHOSCOPE_STATUS). `retry` opens it again.
 */
function useStethoscope(p: KioskScreenProps, active: boolean): () => void {
  const [attempt, setAttempt] = useState(0);
  const { api } = p;
  // The screen's `send` may change between renders; the stethoscope must not be reopened for that.
  const sendRef = useRef(p.send);
  sendRef.current = p.send;
  useEffect(() => {
    const send = (e: SessionUiEvent): void => sendRef.current(e);
    if (!active) return undefined;
    return sendStethoscope<MediaStreamTrack>({
      open: async () => {
        const { media } = await api.getSettings({});
        const track = (await openStethoscope(media, navigator.mediaDevices, window.__cabineStethoscopeProfile?.audio)).getAudioTracks()[0]!;
        return track;
      },
      produce: produceOnCall,
      report: (s) => send(s.status === 'error' ? { type: 'STETHOSCOPE_STATUS', status: 'error', code: s.code } : { type: 'STETHOSCOPE_STATUS', status: 'listening' }),
    });
  }, [api, active, attempt]);
  return () => {
    sendRef.current({ type: 'STETHOSCOPE_STATUS', status: 'guidance' });
    setAttempt((n) => n + 1);
  };
}

/**
 * Where to place the stethoscope (the torso with the point, the words, spoken),
 * the doctor's breath instruction big, and the stethoscope's state; the
 * pharmacist may place it for the patient.
 */
function AuscultationPanel(p: KioskScreenProps & { a: AuscultationView; retry: () => void }) {
  const l = p.view.language;
  const { a } = p;
  const cue = useScrollCue();
  return (
    <div className="call-slot">
    {/* Focusable: on a short screen the panel scrolls, and a keyboard (the pharmacist's) must reach what is below. */}
    <section ref={cue.ref} className={`panel${a.status === 'error' ? ' panel--alert' : ''}`} data-testid="auscultation" data-point={a.point} data-status={a.status}
      tabIndex={0} aria-labelledby="auscultation-title">
      <h2 className="subtitle" id="auscultation-title">{t(l, 'auscultation.title')}</h2>
      <figure className="auscultation__figure" aria-label={t(l, 'auscultation.figure')}>
        <AuscultationIllustration point={a.point} front={t(l, 'auscultation.front')} back={t(l, 'auscultation.back')} />
      </figure>
      <p className="instruction" data-testid="auscultation-placement">{t(l, `guide.auscultation.${a.point}`)}</p>
      {a.breath && <p className="value-big" role="status" data-testid="auscultation-breath" data-breath={a.breath}>{t(l, `speak.breath.${a.breath}`)}</p>}
      {a.status === 'error' && a.error ? (
        <>
          <p className="instruction" role="alert" data-testid="auscultation-error" data-code={a.error}>{t(l, `auscultation.error.${a.error}`)}</p>
          <div className="actions">
            {p.view.context.alert == null && (
              <button type="button" className="btn btn--secondary" data-testid="auscultation-call"
                onClick={() => p.send({ type: 'CALL_PHARMACIST', reason: 'device-fault' })}>{t(l, 'alert.call')}</button>
            )}
            <button type="button" className="btn btn--primary" data-testid="retry" onClick={p.retry}>{t(l, 'recovery.retry')}</button>
          </div>
        </>
      ) : <p className="notice" role="status" data-testid="auscultation-status">{t(l, a.status === 'listening' ? 'auscultation.listening' : 'auscultation.opening')}</p>}
      <p className="lead">{t(l, 'auscultation.helper')}</p>
    </section>
    {cue.shown && <p className="scroll-cue" aria-hidden="true">{t(l, 'scrollCue')}</p>}
    </div>
  );
}

/**
 * The dermatoscope's camera is not there: the device named as the status
 * banner names a device that stopped answering, what to do, a new look for
 * it and the pharmacist. Shown instead of the guidance: nothing to place.
 */
function CameraAbsent(p: KioskScreenProps & { retry: () => void }) {
  const l = p.view.language;
  return (
    <section className="panel panel--alert" data-testid="device-absent" data-role="dermatoscope">
      <h2 className="subtitle">{t(l, 'measure.dermatoscope-photo')}</h2>
      <p className="instruction" data-testid="device-absent-line">{deviceNotResponding('dermatoscope', l)}</p>
      <p className="lead">{t(l, 'recovery.DISCONNECTED.fix')}</p>
      <div className="actions">
        {p.view.context.alert == null && (
          <button type="button" className="btn btn--secondary" data-testid="device-absent-call"
            onClick={() => p.send({ type: 'CALL_PHARMACIST', reason: 'device-fault' })}>{t(l, 'alert.call')}</button>
        )}
        <button type="button" className="btn btn--primary" data-testid="retry" onClick={p.retry}>{t(l, 'recovery.retry')}</button>
      </div>
    </section>
  );
}

function MeasurementPanel(p: KioskScreenProps & { sub: string; m: MeasurementView; derm: DermatoscopeCamera }) {
  const l = p.view.language;
  const { m, sub } = p;
  const name = t(l, `measure.${m.kind}` as MessageKey);
  if (m.kind === 'dermatoscope-photo' && p.derm.absent && (sub === 'guidance' || sub === 'measuring')) return <CameraAbsent {...p} retry={p.derm.retry} />;
  if (sub === 'guidance') {
    const last = m.step >= m.stepCount - 1;
    return (
      <section className="panel" data-testid="guidance">
        <h2 className="subtitle">{name}</h2>
        <RequestedBy m={m} lang={l} />
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
    if (m.kind === 'dermatoscope-photo') return <PhotoCapture {...p} bodySite={m.bodySite} />;
    const cuff = m.kind === 'blood-pressure';
    // The value is shown in the unit its device gave; the gauge fills on a 0–200 mmHg scale (a kPa cuff converted).
    const liveUnit = m.liveUnit ?? (cuff ? 'mm[Hg]' : m.kind === 'spo2' ? '%' : 'Cel');
    const gaugeMmHg = m.live !== null && liveUnit === 'kPa' ? m.live * KPA_TO_MMHG : m.live ?? 0;
    return (
      <section className="panel" data-testid="measuring">
        <h2 className="subtitle">{t(l, 'measuring.title')} · {name}</h2>
        <p className="instruction">{t(l, 'measuring.still')}</p>
        {m.live !== null ? (
          <div className="live" aria-live="polite">
            <p className="live__label">{cuff ? t(l, 'measuring.cuff') : name}</p>
            <p className="value-huge" data-testid="live-value">{formatValue(m.live, liveUnit, l)}</p>
            {cuff && <div className="gauge" aria-hidden="true"><div className="gauge__fill" style={{ width: `${Math.min(100, (gaugeMmHg / 200) * 100)}%` }} /></div>}
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
function PhotoCapture(p: KioskScreenProps & { bodySite: string | null; derm: DermatoscopeCamera }) {
  const l = p.view.language;
  const { api, bodySite } = p;
  const { stream, failed } = p.derm;
  useEffect(() => {
    // Wait for the open camera (the live view's); if it could not open, the capture tries on its own.
    if (!stream && !failed) return;
    captureDermatoscopePhoto(api, { ...(bodySite ? { bodySite } : {}), ...(stream ? { stream } : {}) })
      .catch((error: unknown) => console.warn('dermatoscope still failed', (error as Error).message));
  }, [api, bodySite, stream, failed]);
  return (
    <section className="panel" data-testid="measuring">
      <h2 className="subtitle">{t(l, 'measuring.title')} · {t(l, 'measure.dermatoscope-photo')}</h2>
      <p className="instruction">{t(l, 'measuring.still')}</p>
      <p className="lead" data-testid="live-waiting">{t(l, 'measuring.waiting')}</p>
    </section>
  );
}

/**
 * "Moins fort" / "Plus fort" for the doctor's voice; the level stays with this
 * session's screen (the next patient's starts at the default).
 */
function VolumeControl({ lang, volume, onChange }: { lang: 'fr' | 'en'; volume: number; onChange: (v: number) => void }) {
  const top = VOLUME_LEVELS[VOLUME_LEVELS.length - 1]!;
  const bottom = VOLUME_LEVELS[0]!;
  return (
    <div className="volume" role="group" aria-label={t(lang, 'volume.label')} data-testid="volume" data-volume={volume}>
      <p className="volume__label">{t(lang, 'volume.label')}</p>
      <div className="volume__meter" aria-hidden="true"><div className="volume__fill" style={{ width: `${Math.round(volume * 100)}%` }} /></div>
      <div className="volume__buttons">
        <button type="button" className="btn btn--secondary" data-testid="volume-down" disabled={volume <= bottom} onClick={() => onChange(quieter(volume))}>{t(lang, 'volume.down')}</button>
        <button type="button" className="btn btn--secondary" data-testid="volume-up" disabled={volume >= top} onClick={() => onChange(louder(volume))}>{t(lang, 'volume.up')}</button>
      </div>
    </div>
  );
}

export function ConsultationScreen(p: KioskScreenProps) {
  const l = p.view.language;
  const sub = p.view.state.split('.')[1] ?? 'call';
  const m = p.view.context.measurement;
  const measuring = sub !== 'call' && m;
  const derm = useDermatoscope(p.api, !!m && m.kind === 'dermatoscope-photo' && (sub === 'guidance' || sub === 'measuring'));
  const ausc = sub === 'auscultation' ? p.view.context.auscultation ?? null : null;
  const retryStethoscope = useStethoscope(p, ausc !== null);
  const { prescription } = p.view.context;
  // One call status at a time (call-status.ts): the video reports which line to show here, if any.
  const [statusLine, setStatusLine] = useState<CallStatusShown['line']>('connecting');
  const [volume, setVolume] = useState(DEFAULT_VOLUME);
  const doctor = doctorLine(p.view.context.doctor);
  const photo = doctorPhoto(p.view.context.doctor, l);
  // The call's panel holds the doctor, the status, a notice and the volume: a banner may leave it too little room.
  const panelCue = useScrollCue();
  return (
    <StepScreen {...p} testid={`consultation-${sub}`} title={t(l, 'consultation.title')} wide hideTitle>
      <div className={`consult${measuring || ausc ? ' consult--measure' : ''}`}>
        {/* Video area: the doctor's video (mediasoup, VideoArea.tsx). Kept mounted for the whole call. */}
        <div className="consult__video" data-testid="video-area" aria-label={t(l, 'consultation.videoArea')} role="region">
          <Suspense fallback={null}>
          <LazyVideoArea api={p.api} language={l}
            // The page's banner already says the line is down: the video does not say it a second time.
            networkBanner={p.view.context.network !== 'online'}
            alertRaised={p.view.context.alert != null}
            onCallPharmacist={() => p.send({ type: 'CALL_PHARMACIST', reason: 'video-failed' })}
            onStatusLine={setStatusLine}
            doctor={doctor}
            volume={volume} />
          </Suspense>
        </div>
        {ausc ? <AuscultationPanel {...p} a={ausc} retry={retryStethoscope} /> : measuring ? <MeasurementPanel {...p} sub={sub} m={m} derm={derm} /> : (
          <div className="call-slot">
            <section className="panel" data-testid="call" ref={panelCue.ref}>
              {doctor && (
                <div className="doctor-card" data-testid="call-doctor">
                  {photo && <img className="doctor-card__photo" data-testid="call-doctor-photo" src={photo.src} alt={photo.alt} width={96} height={96} />}
                  <div className="doctor-card__text">
                    <p className="doctor-card__label">{t(l, 'consultation.doctor')}</p>
                    <p className="doctor-card__name">{doctor}</p>
                  </div>
                </div>
              )}
              {statusLine && (
                <p className="lead" role="status" data-testid="call-status" data-status={statusLine}>
                  {statusLine === 'connecting' && doctor && p.view.context.doctor
                    ? t(l, 'consultation.doctorAnswering', { doctor: p.view.context.doctor.name })
                    : t(l, statusLine === 'talking' ? 'consultation.call' : `call.${statusLine}`)}
                </p>
              )}
              {prescription?.received && <p className="notice" role="status" data-testid="prescription-received">{t(l, 'consultation.prescriptionReceived')}</p>}
              {statusLine !== 'closed' && <VolumeControl lang={l} volume={volume} onChange={setVolume} />}
            </section>
            {panelCue.shown && <p className="scroll-cue" aria-hidden="true" data-testid="call-scroll-cue">{t(l, 'scrollCue')}</p>}
          </div>
        )}
      </div>
    </StepScreen>
  );
}
