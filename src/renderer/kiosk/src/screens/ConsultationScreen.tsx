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
import type { Ear, MeasurementKind } from '../../../../shared/domain';
import type { AuscultationView, MeasurementView, SessionUiEvent } from '../../../../shared/session-view';
import type { KioskApi } from '../../../../shared/kiosk-api';
import { deviceNotResponding, EAR_WORDING } from '../../../../shared/wording';
import { MediaDeviceMissing } from '../media-devices';
import { captureDermatoscopePhoto, captureOtoscopePhoto, openInstrument, type InstrumentRole } from '../photo';
import { recheckInstruments } from '../instrument-presence';
import type { ExtraOptions } from '../../../../media/session';
import { openStethoscope } from '../media-devices';
import { produceOnCall, sendStethoscope } from '../stethoscope';
import { recoveryKeys } from '../recovery';
import { useScrollCue } from '../scroll-cue';
import { useSpeech } from '../speech';
import { t, type MessageKey } from '../i18n';
import { AuscultationIllustration, MeasurementIllustration } from './Illustrations';
import { StepScreen, type KioskScreenProps } from './Layout';
import { QuantityLine, formatValue } from './values';
import { LazyVideoArea } from './video-area-lazy';

/** "Le médecin demande : tension, bras gauche" when the specialist asked for it. */
function RequestedBy({ m, lang }: { m: MeasurementView; lang: 'fr' | 'en' }) {
  if (!m.requestId) return null;
  const what = [t(lang, `measure.${m.kind}` as MessageKey).toLocaleLowerCase(lang), m.bodySite, m.ear ? EAR_WORDING[m.ear][lang] : null, m.note].filter(Boolean).join(', ');
  return <p className="notice" data-testid="requested-by">{t(lang, 'consultation.requested', { what })}</p>;
}

/** The instrument whose camera takes this measurement's still, if any. */
function instrumentOf(kind: MeasurementKind): InstrumentRole | null {
  return kind === 'dermatoscope-photo' ? 'dermatoscope' : kind === 'otoscope-photo' ? 'otoscope' : null;
}

const KPA_TO_MMHG = 7.500_616_827;

/** The live view sent to the specialist: at most 1080p (the still itself is taken at full resolution). */
const LIVE_VIEW = { width: { ideal: 1920, max: 1920 }, height: { ideal: 1080, max: 1080 } } as const;

/**
 * An instrument's camera (the dermatoscope's, the otoscope's) while its
 * measurement is on screen: `stream` is null while it opens; `failed` when it
 * could not (the capture then opens its own); `absent` when the camera
 * kiosk-config names is not there, or was unplugged while in use (nothing is
 * opened, the capture is not tried); `retry` looks for it again.
 */
interface InstrumentCamera { stream: MediaStream | null; failed: boolean; absent: boolean; retry: () => void }

/** How each instrument's live view is sent: the dermatoscope at most 1080p; the otoscope at the camera's own size, detail kept over motion. */
const LIVE_SEND: Record<InstrumentRole, { constraints: MediaTrackConstraints | null; hint: string; options: ExtraOptions }> = {
  dermatoscope: { constraints: LIVE_VIEW, hint: '', options: {} },
  otoscope: { constraints: null, hint: 'detail', options: { degradationPreference: 'maintain-resolution' } },
};

/**
 * While the instrument's measurement is on screen: its camera, opened once at
 * full resolution (the still is grabbed from it), and sent to the specialist
 * as a video of its own in the call.
 */
export function useInstrumentCamera(api: KioskApi, role: InstrumentRole, active: boolean): InstrumentCamera {
  const [state, setState] = useState<Omit<InstrumentCamera, 'retry'>>({ stream: null, failed: false, absent: false });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!active) return undefined;
    let stopped = false;
    let stream: MediaStream | null = null;
    let live: MediaStreamTrack | null = null;
    let producer: { close(): void } | null = null;
    let offCall: (() => void) | null = null;
    const send = LIVE_SEND[role];
    openInstrument(api, role).then(async (s) => {
      if (stopped) { s.getTracks().forEach((t) => t.stop()); return; }
      stream = s;
      setState({ stream: s, failed: false, absent: false });
      const track = s.getVideoTracks()[0];
      if (!track) return;
      // Unplugged while in use: the screen says so at once, the console stops showing a frozen view, the host hears.
      track.addEventListener('ended', () => {
        if (stopped) return;
        producer?.close();
        producer = null;
        setState({ stream: null, failed: true, absent: true });
        recheckInstruments();
      });
      live = track.clone();
      if (send.hint) live.contentHint = send.hint;
      if (send.constraints) await live.applyConstraints(send.constraints).catch(() => undefined);
      offCall = watchCurrentCall((call) => {
        if (!call || producer || stopped || !live) return;
        const track = live;
        // NOTE: an extra produced while the call is still starting races the start's own producers (the
        // hub then sees no frames from it): wait for the start in progress (VideoArea starts it in the same tick).
        Promise.resolve().then(() => call.start()).catch(() => undefined).then(() => {
          if (stopped || producer || track.readyState === 'ended') return undefined;
          return call.produceExtra(track, role, send.options);
        }).then((pr) => {
          if (!pr) return;
          if (stopped) pr.close();
          else producer = pr;
        }, (error: unknown) => console.warn(`${role} live view not sent`, (error as Error).message));
      });
    }, (error: unknown) => {
      console.warn(`${role} camera not available`, (error as Error).message);
      if (!stopped) setState({ stream: null, failed: true, absent: error instanceof MediaDeviceMissing });
      if (error instanceof MediaDeviceMissing) recheckInstruments();
    });
    return () => {
      stopped = true;
      offCall?.();
      producer?.close();
      live?.stop();
      stream?.getTracks().forEach((t) => t.stop());
      setState({ stream: null, failed: false, absent: false });
    };
  }, [api, role, active, attempt]);
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
 * The instrument's camera is not there: the device named as the status
 * banner names a device that stopped answering, what to do, a new look for
 * it and the pharmacist. Shown instead of the guidance: nothing to place.
 */
function CameraAbsent(p: KioskScreenProps & { retry: () => void; role: InstrumentRole }) {
  const l = p.view.language;
  return (
    <section className="panel panel--alert" data-testid="device-absent" data-role={p.role}>
      <h2 className="subtitle">{t(l, `measure.${p.role}-photo`)}</h2>
      <p className="instruction" data-testid="device-absent-line">{deviceNotResponding(p.role, l)}</p>
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

export function MeasurementPanel(p: KioskScreenProps & { sub: string; m: MeasurementView; camera: InstrumentCamera }) {
  const l = p.view.language;
  const { m, sub } = p;
  const name = t(l, `measure.${m.kind}` as MessageKey);
  const role = instrumentOf(m.kind);
  if (role && p.camera.absent && (sub === 'guidance' || sub === 'measuring')) return <CameraAbsent {...p} role={role} retry={p.camera.retry} />;
  if (sub === 'guidance') {
    const last = m.step >= m.stepCount - 1;
    return (
      <section className="panel" data-testid="guidance">
        <h2 className="subtitle">{name}</h2>
        <RequestedBy m={m} lang={l} />
        <p className="step-small" data-testid="guide-progress">{t(l, 'guide.progress', { n: m.step + 1, total: m.stepCount })}</p>
        {m.ear && <p className="lead" data-testid="ear" data-ear={m.ear}>{t(l, 'otoscope.ear', { ear: EAR_WORDING[m.ear][l] })}</p>}
        <MeasurementIllustration kind={m.kind} step={m.step} mirrored={m.ear === 'right'} />
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
    if (role) return <PhotoCapture {...p} role={role} bodySite={m.bodySite} ear={m.ear} />;
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
    // In a deferred exam nobody watches live: the value joins the case the doctor reads later.
    const exam = p.view.state.startsWith('exam');
    return (
      <section className="panel" data-testid="result">
        <h2 className="subtitle">{t(l, 'result.title')} · {name}</h2>
        {role
          ? <p className="value-big">{t(l, exam ? 'result.photo.exam' : 'result.photo')}</p>
          : <ul className="results results--big">{(m.result ?? []).map((q, i) => <li key={i}><QuantityLine q={q} lang={l} /></li>)}</ul>}
        {!role && <p className="lead">{t(l, exam ? 'result.sent.exam' : 'result.sent')}</p>}
        <div className="actions">
          <button type="button" className="btn btn--secondary" data-testid="retry" onClick={() => p.send({ type: 'RETRY' })}>
            {t(l, role ? 'result.retakePhoto' : 'result.again')}
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
function PhotoCapture(p: KioskScreenProps & { role: InstrumentRole; bodySite: string | null; ear: Ear | null; camera: InstrumentCamera }) {
  const l = p.view.language;
  const { api, bodySite, ear, role } = p;
  const { stream, failed } = p.camera;
  useEffect(() => {
    // Wait for the open camera (the live view's); if it could not open, the capture tries on its own.
    if (!stream && !failed) return;
    const taken = role === 'otoscope'
      ? captureOtoscopePhoto(api, { ...(ear ? { ear } : {}), ...(stream ? { stream } : {}) })
      : captureDermatoscopePhoto(api, { ...(bodySite ? { bodySite } : {}), ...(stream ? { stream } : {}) });
    taken.catch((error: unknown) => console.warn(`${role} still failed`, (error as Error).message));
  }, [api, role, bodySite, ear, stream, failed]);
  return (
    <section className="panel" data-testid="measuring">
      <h2 className="subtitle">{t(l, 'measuring.title')} · {t(l, `measure.${role}-photo`)}</h2>
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
  const onInstrument = !!m && (sub === 'guidance' || sub === 'measuring');
  const dermCamera = useInstrumentCamera(p.api, 'dermatoscope', onInstrument && m.kind === 'dermatoscope-photo');
  const otoCamera = useInstrumentCamera(p.api, 'otoscope', onInstrument && m.kind === 'otoscope-photo');
  const camera = m?.kind === 'otoscope-photo' ? otoCamera : dermCamera;
  const ausc = sub === 'auscultation' ? p.view.context.auscultation ?? null : null;
  const retryStethoscope = useStethoscope(p, ausc !== null);
  const { prescription } = p.view.context;
  // One call status at a time (call-status.ts): the video reports which line to show here, if any.
  const [statusLine, setStatusLine] = useState<CallStatusShown['line']>('connecting');
  // No media path: nobody hears the doctor, so the booth says it aloud (the patient may not be reading the screen).
  useSpeech(l, statusLine === 'blocked' ? 'speak.callBlocked' : null, p.view.context.muted);
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
        {ausc ? <AuscultationPanel {...p} a={ausc} retry={retryStethoscope} /> : measuring ? <MeasurementPanel {...p} sub={sub} m={m} camera={camera} /> : (
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
