/**
 * "Examen différé" at the kiosk (flow.exam): the checklist the counter sent,
 * each item with large targets and its state; choosing one guides it with
 * the call's own measurement screens (MeasurementPanel), the stethoscope's
 * placement then the booth's clip (the page's ClipRecorder records it on the
 * host's command), or the video (record, replay, record again or keep);
 * "Envoyer le dossier"; then the pick-up code, large. The machine decides
 * every step: this page shows the view and sends events.
 */
import { useEffect, useRef, useState } from 'react';
import { AUSCULTATION_WORDING } from '../../../../shared/auscultation';
import { formatPickupCode, MAX_VIDEO_MS, type ChecklistItem } from '../../../../shared/case-record';
import { itemLabel } from '../exam-items';
import { EXAM_SKIP_REASONS, type ExamView } from '../../../../shared/session-view';
import { browserMediaDevices, openPatientMedia } from '../media-devices';
import { t } from '../i18n';
import { browserRecorder, startTake, uploadVideo, type VideoTake } from '../video-recorder';
import { MeasurementPanel, useInstrumentCamera } from './ConsultationScreen';
import { AuscultationIllustration } from './Illustrations';
import { StepScreen, type KioskScreenProps } from './Layout';

function Checklist(p: KioskScreenProps & { exam: ExamView }) {
  const l = p.view.language;
  const [skipping, setSkipping] = useState<ChecklistItem | null>(null);
  const { exam } = p;
  if (skipping) {
    return (
      <section className="panel" data-testid="exam-skip" data-item={skipping.id}>
        <h2 className="subtitle">{t(l, 'exam.skip.title', { item: itemLabel(skipping, l) })}</h2>
        <div className="actions actions--grid">
          {EXAM_SKIP_REASONS[l].map((reason, i) => (
            <button key={reason} type="button" className="btn btn--secondary" data-testid={`exam-skip-reason-${i}`}
              onClick={() => {
                // The French words go to the doctor, whatever the patient's language.
                p.send({ type: 'EXAM_SKIP', itemId: skipping.id, reason: EXAM_SKIP_REASONS.fr[i]! });
                setSkipping(null);
              }}>{reason}</button>
          ))}
          <button type="button" className="btn btn--quiet" data-testid="exam-skip-cancel" onClick={() => setSkipping(null)}>{t(l, 'exam.skip.cancel')}</button>
        </div>
      </section>
    );
  }
  return (
    <section className="panel" data-testid="exam-checklist">
      <p className="lead">{t(l, 'exam.intro')}</p>
      <ol className="exam-list">
        {exam.items.map(({ item, state, skipped }) => (
          <li key={item.id} className={`exam-item exam-item--${state}`} data-testid={`exam-item-${item.id}`} data-state={state}>
            <span className="exam-item__mark" aria-hidden="true">{state === 'done' ? '✓' : state === 'skipped' ? '–' : '○'}</span>
            <span className="exam-item__text">
              <span className="exam-item__name">{itemLabel(item, l)}</span>
              <span className="exam-item__state">{t(l, `exam.item.${state}`)}{skipped ? ` · ${skipped}` : ''}</span>
            </span>
            <span className="exam-item__actions">
              {state !== 'skipped' && (
                <button type="button" className="btn btn--secondary" data-testid={`exam-do-${item.id}`}
                  onClick={() => p.send({ type: 'EXAM_CHOOSE', itemId: item.id })}>{t(l, state === 'done' ? 'exam.redo' : 'exam.do')}</button>
              )}
              {state === 'todo' && (
                <button type="button" className="btn btn--quiet" data-testid={`exam-skip-${item.id}`} onClick={() => setSkipping(item)}>{t(l, 'exam.skip')}</button>
              )}
            </span>
          </li>
        ))}
      </ol>
      {!exam.canSend && <p className="notice" data-testid="exam-send-missing">{t(l, 'exam.send.missing')}</p>}
      <div className="actions">
        <button type="button" className="btn btn--primary btn--big" data-testid="exam-send" disabled={!exam.canSend}
          onClick={() => p.send({ type: 'EXAM_SEND' })}>{t(l, 'exam.send')}</button>
      </div>
    </section>
  );
}

function ExamAuscultation(p: KioskScreenProps & { sub: string; exam: ExamView }) {
  const l = p.view.language;
  const a = p.view.context.auscultation;
  if (!a) return null;
  return (
    <section className={`panel${p.sub === 'failed' ? ' panel--alert' : ''}`} data-testid="exam-auscultation" data-point={a.point} data-status={p.sub}>
      <h2 className="subtitle">{t(l, 'auscultation.title')} · {AUSCULTATION_WORDING[a.point].name}</h2>
      <figure className="auscultation__figure" aria-label={t(l, 'auscultation.figure')}>
        <AuscultationIllustration point={a.point} front={t(l, 'auscultation.front')} back={t(l, 'auscultation.back')} />
      </figure>
      <p className="instruction" data-testid="auscultation-placement">{t(l, `guide.auscultation.${a.point}`)}</p>
      {p.sub === 'guidance' && (
        <div className="actions">
          <button type="button" className="btn btn--primary btn--big" data-testid="ready" onClick={() => p.send({ type: 'NEXT' })}>{t(l, 'exam.auscultation.record')}</button>
        </div>
      )}
      {p.sub === 'recording' && <p className="value-big recording" role="status" data-testid="exam-clip-recording"><span className="rec-dot" aria-hidden="true" /> {t(l, 'exam.auscultation.recording')}</p>}
      {p.sub === 'failed' && (
        <>
          <p className="instruction" role="alert" data-testid="exam-clip-failed" data-code={p.exam.clipError ?? ''}>{t(l, 'exam.auscultation.failed')}</p>
          <div className="actions">
            <button type="button" className="btn btn--secondary" onClick={() => p.send({ type: 'BACK' })}>{t(l, 'back')}</button>
            <button type="button" className="btn btn--primary" data-testid="retry" onClick={() => p.send({ type: 'RETRY' })}>{t(l, 'recovery.retry')}</button>
          </div>
        </>
      )}
      <p className="lead">{t(l, 'auscultation.helper')}</p>
    </section>
  );
}

type VideoStep =
  | { step: 'ready' }
  | { step: 'recording'; left: number }
  | { step: 'replay'; take: Extract<VideoTake, { ok: true }>; url: string }
  | { step: 'saving' }
  | { step: 'refused'; code: 'TOO_LARGE' | 'FAILED' | 'NO_CAMERA' };

/** The video item: the patient's camera live, a countdown and a red dot while recording, the replay, then keep or again. */
function ExamVideo(p: KioskScreenProps) {
  const l = p.view.language;
  const [s, setS] = useState<VideoStep>({ step: 'ready' });
  const live = useRef<HTMLVideoElement>(null);
  const replay = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const stopRef = useRef<(() => void) | null>(null);
  useEffect(() => () => {
    stopRef.current?.();
    for (const track of stream.current?.getTracks() ?? []) track.stop();
  }, []);
  useEffect(() => () => {
    if (s.step === 'replay') URL.revokeObjectURL(s.url);
  }, [s]);

  const record = async (): Promise<void> => {
    try {
      const settings = await p.api.getSettings({});
      stream.current ??= await openPatientMedia(settings.media, browserMediaDevices());
    } catch {
      setS({ step: 'refused', code: 'NO_CAMERA' });
      return;
    }
    if (live.current) live.current.srcObject = stream.current;
    const started = Date.now();
    setS({ step: 'recording', left: Math.round(MAX_VIDEO_MS / 1000) });
    const take = startTake({
      stream: stream.current, recorder: browserRecorder, now: () => Date.now(),
      onProgress: ({ elapsedMs }) => setS({ step: 'recording', left: Math.max(0, Math.round((MAX_VIDEO_MS - elapsedMs) / 1000)) }),
    });
    stopRef.current = take.stop;
    const tick = setInterval(() => setS((now) => (now.step === 'recording' ? { step: 'recording', left: Math.max(0, Math.round((MAX_VIDEO_MS - (Date.now() - started)) / 1000)) } : now)), 500);
    const result = await take.done;
    clearInterval(tick);
    stopRef.current = null;
    setS(result.ok ? { step: 'replay', take: result, url: URL.createObjectURL(result.blob) } : { step: 'refused', code: result.code });
  };
  const keep = async (take: Extract<VideoTake, { ok: true }>): Promise<void> => {
    setS({ step: 'saving' });
    const track = stream.current?.getVideoTracks()[0]?.getSettings();
    try {
      // The host stores it, then the machine goes back to the list.
      await uploadVideo(p.api, take, { width: track?.width ?? 640, height: track?.height ?? 480 });
    } catch {
      setS({ step: 'refused', code: 'FAILED' });
    }
  };

  return (
    <section className="panel" data-testid="exam-video" data-step={s.step}>
      <h2 className="subtitle">{t(l, 'exam.video.title')}</h2>
      {s.step === 'replay'
        ? <video className="exam-video__view" data-testid="exam-video-replay" ref={replay} src={s.url} autoPlay controls playsInline />
        : <video className="exam-video__view" ref={live} autoPlay muted playsInline aria-hidden="true" />}
      {s.step === 'ready' && <p className="instruction">{t(l, 'exam.video.intro')}</p>}
      {s.step === 'recording' && (
        <p className="value-big recording" role="timer" data-testid="exam-video-recording">
          <span className="rec-dot" aria-hidden="true" /> {t(l, 'exam.video.recording')} · {t(l, 'exam.video.left', { s: s.left })}
        </p>
      )}
      {s.step === 'replay' && <p className="instruction">{t(l, 'exam.video.replay')}</p>}
      {s.step === 'saving' && <p className="lead" role="status">{t(l, 'exam.video.saving')}</p>}
      {s.step === 'refused' && (
        <p className="instruction" role="alert" data-testid="exam-video-refused" data-code={s.code}>
          {t(l, s.code === 'TOO_LARGE' ? 'exam.video.tooLarge' : s.code === 'NO_CAMERA' ? 'exam.video.noCamera' : 'exam.video.failed')}
        </p>
      )}
      <div className="actions">
        {(s.step === 'ready' || s.step === 'refused') && (
          <>
            <button type="button" className="btn btn--secondary" data-testid="exam-video-back" onClick={() => p.send({ type: 'BACK' })}>{t(l, 'back')}</button>
            <button type="button" className="btn btn--primary btn--big" data-testid="exam-video-start" onClick={() => void record()}>
              {t(l, s.step === 'ready' ? 'exam.video.start' : 'exam.video.again')}
            </button>
          </>
        )}
        {s.step === 'recording' && (
          <button type="button" className="btn btn--primary btn--big" data-testid="exam-video-stop" onClick={() => stopRef.current?.()}>{t(l, 'exam.video.stop')}</button>
        )}
        {s.step === 'replay' && (
          <>
            <button type="button" className="btn btn--secondary" data-testid="exam-video-watch" onClick={() => {
              // The replay's own controls are small: one large button plays it again from the start.
              if (!replay.current) return;
              replay.current.currentTime = 0;
              void replay.current.play().catch(() => undefined);
            }}>{t(l, 'exam.video.watch')}</button>
            <button type="button" className="btn btn--secondary" data-testid="exam-video-again" onClick={() => void record()}>{t(l, 'exam.video.again')}</button>
            <button type="button" className="btn btn--primary btn--big" data-testid="exam-video-keep" onClick={() => void keep(s.take)}>{t(l, 'exam.video.keep')}</button>
          </>
        )}
      </div>
    </section>
  );
}

function Pickup(p: KioskScreenProps & { exam: ExamView }) {
  const l = p.view.language;
  const code = p.exam.pickupCode;
  return (
    <section className="panel" data-testid="exam-pickup">
      <h2 className="subtitle">{t(l, 'exam.pickup.title')}</h2>
      <p className="lead">{t(l, 'exam.pickup.code')} :</p>
      <p className="pickup-code" data-testid="exam-pickup-code" aria-label={code ? code.split('').join(' ') : ''}>{code ? formatPickupCode(code) : '…'}</p>
      <p className="instruction">{t(l, 'exam.pickup.answer', { h: p.exam.answerHours })} {t(l, 'exam.pickup.counter')}</p>
      <div className="actions">
        <button type="button" className="btn btn--primary btn--big" data-testid="finish" onClick={() => p.send({ type: 'FINISH' })}>{t(l, 'exam.pickup.finish')}</button>
      </div>
    </section>
  );
}

export function ExamScreen(p: KioskScreenProps) {
  const l = p.view.language;
  const [, sub = 'checklist', leaf] = p.view.state.split('.');
  const exam = p.view.context.exam;
  const m = p.view.context.measurement;
  const onInstrument = !!m && (sub === 'guidance' || sub === 'measuring');
  const dermCamera = useInstrumentCamera(p.api, 'dermatoscope', onInstrument && m.kind === 'dermatoscope-photo');
  const otoCamera = useInstrumentCamera(p.api, 'otoscope', onInstrument && m.kind === 'otoscope-photo');
  const camera = m?.kind === 'otoscope-photo' ? otoCamera : dermCamera;
  let body;
  if (!exam) body = null;
  else if (sub === 'checklist') body = <Checklist {...p} exam={exam} />;
  else if (m && ['guidance', 'measuring', 'result', 'recovery'].includes(sub)) body = <MeasurementPanel {...p} sub={sub} m={m} camera={camera} />;
  else if (sub === 'auscultation') body = <ExamAuscultation {...p} sub={leaf ?? 'guidance'} exam={exam} />;
  else if (sub === 'video') body = <ExamVideo {...p} />;
  else if (sub === 'pickup') body = <Pickup {...p} exam={exam} />;
  else body = <section className="panel" data-testid="exam-sending"><p className="lead" role="status">{t(l, 'exam.sending')}</p></section>;
  return (
    <StepScreen {...p} testid={`exam-${sub}`} title={t(l, 'exam.title')} hideTitle={sub !== 'checklist'}>
      {body}
    </StepScreen>
  );
}
