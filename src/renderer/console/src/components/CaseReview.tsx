/**
 * One deferred case, reviewed and answered (`case.open`, `case.answer`): the
 * identity banner as in a live call, the reason, the question, the
 * pharmacist's note and who compiled it; the readings with their device
 * (a kind taken more than once as a trend); the stills side by side with
 * the live gallery's zoom; the stethoscope clips through the live listening's
 * filters; the patient's video; the items skipped and why. Then the answer
 * form, or the signed answer once there is one (ours, or another doctor's
 * who answered first: the case is then read-only).
 */
import { useEffect, useRef, useState } from 'react';
import { AUSCULTATION_WORDING } from '../../../../shared/auscultation';
import { CASE, CASE_ERRORS, CaseAnswer, CaseFile, caseBundleUrl, caseVideoUrl, type AnswerKind } from '../../../../shared/case-protocol';
import { SPECIALTY_LABEL } from '../../../../shared/case-record';
import type { PhotoNote } from '../../../../shared/consult-protocol';
import { reasonText } from '../../../../shared/intake';
import { DEVICE_WORDING, parisClockTime } from '../../../../shared/wording';
import { dueText } from '../case-queue';
import {
  ANSWER_KIND_LABEL, answerOf, emptyAnswer, LIVE_WITHIN_LABEL, readingsByKind, skippedItems, type AnswerDraft, type AnswerField, type LiveWithin,
} from '../case-review';
import { FLAG_LABEL, KIND_LABEL, quantityText, readingParts, secondsText, timeText, trendQuantity } from '../format';
import { ConsoleError, type HubClient } from '../hub-client';
import type { Row } from '../prescription-rows';
import { ClipFilter, FILTER_MODES, type FilterMode } from '../stethoscope-audio';
import { IdentityBanner } from './ContextPanel';
import { Gallery } from './Gallery';
import { Sparkline } from './ReadingsPanel';

type Hub = Pick<HubClient, 'request'>;

/** "2 décembre à 10:05", in Paris time. */
const dateTimeText = (iso: string): string =>
  new Date(iso).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });

/** The case, loaded and reloaded (after an answer, or a refusal that someone answered first). */
export function CaseReview({ hub, caseId, answeredBy = null, onBack }: {
  hub: Hub; caseId: string;
  /** Who answered, as the latest `case.queue` note says: a change while the case is open reloads it (the form gives way to the answer). */
  answeredBy?: string | null;
  onBack: () => void;
}) {
  const [file, setFile] = useState<CaseFile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const load = async (): Promise<void> => {
    try {
      const parsed = CaseFile.safeParse(await hub.request(CASE.open, { caseId }));
      if (parsed.success) setFile(parsed.data);
      else setError('Le serveur a envoyé un cas illisible : rechargez la page ; si cela se répète, prévenez le support technique.');
    } catch (e) {
      setError((e as Error).message);
    }
  };
  // One case per mount (the desk keys the review by caseId).
  useEffect(() => {
    void load();
  }, [caseId]);
  const hasAnswer = file?.answer != null;
  useEffect(() => {
    if (answeredBy && !hasAnswer) void load();
  }, [answeredBy]);
  // Focus moves to the case's title once it shows, for the keyboard and screen readers.
  const shown = file !== null;
  useEffect(() => {
    if (shown) heading.current?.focus();
  }, [shown]);

  const answered = (a: CaseAnswer): void => setFile((f) => (f ? { ...f, answer: a, summary: { ...f.summary, state: 'answered', answeredBy: a.answeredBy.name } } : f));
  const send = async (params: object): Promise<string | null> => {
    try {
      const r = CaseAnswer.safeParse(await hub.request(CASE.answer, params));
      if (r.success) answered(r.data);
      else await load();
      return null;
    } catch (e) {
      if (e instanceof ConsoleError && e.code === CASE_ERRORS.alreadyAnswered) {
        setRefused(e.message);
        await load();
        return null;
      }
      return `Réponse non envoyée : ${(e as Error).message}`;
    }
  };

  return (
    <article className="case-review" aria-labelledby="case-title" data-case={caseId}>
      <p><button type="button" className="secondary" onClick={onBack}>← Retour aux examens différés</button></p>
      {error && <p className="error" role="alert">{error}</p>}
      {!file ? (!error && <p className="card" role="status">Chargement du cas…</p>) : (
        <>
          <h2 id="case-title" ref={heading} tabIndex={-1}>Examen différé — {SPECIALTY_LABEL.fr[file.summary.specialty]}</h2>
          <IdentityBanner intake={file.patient} />
          <CaseFacts file={file} />
          <CaseReadings file={file} />
          {file.photos.length > 0 && <Gallery photos={file.photos.map((p): PhotoNote => ({ boothId: '', roomId: '', photo: p.meta, url: p.url }))} />}
          {file.clips.length > 0 && <CaseClips clips={file.clips} />}
          {file.video && (
            <section className="panel case-video" aria-labelledby="case-video-title">
              <h2 id="case-video-title">Vidéo du patient</h2>
              <video controls preload="metadata" src={file.video.url || caseVideoUrl(file.video.meta.id)} width={Math.min(640, file.video.meta.width)}
                aria-label={`Vidéo du patient, ${secondsText(file.video.meta.durationMs / 1000)}`} data-video-id={file.video.meta.id} />
            </section>
          )}
          <Skipped file={file} />
          {refused && <p className="error" role="alert" data-testid="case-already-answered">{refused}</p>}
          {file.answer ? <AnswerView answer={file.answer} /> : refused ? null : <AnswerForm caseId={caseId} send={send} />}
          <CaseExportLink caseId={caseId} />
        </>
      )}
    </article>
  );
}

function CaseFacts({ file }: { file: CaseFile }) {
  const due = dueText(file.summary, Date.now());
  return (
    <section className="panel case-facts" aria-labelledby="case-facts-title">
      <h2 id="case-facts-title">Demande</h2>
      <dl className="facts">
        <div><dt>Motif</dt><dd data-testid="case-reason">{reasonText(file.patient.reason, 'fr')}</dd></div>
        <div><dt>Question posée</dt><dd data-testid="case-question" className="case__question-full">{file.summary.question}</dd></div>
        <div><dt>Note du pharmacien</dt><dd data-testid="case-note">{file.note.trim() || 'Aucune note.'}</dd></div>
        <div><dt>Préparé par</dt><dd data-testid="case-compiled-by">{file.compiledBy}</dd></div>
        <div><dt>Pharmacie</dt><dd>{file.summary.pharmacy.name}, {file.summary.pharmacy.city}</dd></div>
        <div><dt>Reçu</dt><dd>{dateTimeText(file.summary.receivedAt)}</dd></div>
        <div><dt>Échéance</dt><dd className={due.overdue ? 'case__due--overdue' : undefined}>{due.text}</dd></div>
        <div><dt>Consentement</dt><dd>{file.patient.consentAt ? `donné à ${parisClockTime(file.patient.consentAt)}` : 'heure non transmise'}</dd></div>
      </dl>
    </section>
  );
}

function CaseReadings({ file }: { file: CaseFile }) {
  const groups = readingsByKind(file.readings);
  return (
    <section className="panel case-readings" aria-labelledby="case-readings-title">
      <h2 id="case-readings-title">Mesures</h2>
      {groups.length === 0 ? <p className="empty">Aucune mesure dans ce cas.</p> : (
        <ul className="case-readings__kinds">
          {groups.map(({ kind, readings }) => {
            const trend = readings.flatMap((r) => { const q = trendQuantity(r); return q ? [quantityText(q)] : []; });
            return (
              <li key={kind} data-kind={kind}>
                <h3>{KIND_LABEL[kind]}</h3>
                <ul>
                  {readings.map((r) => (
                    <li key={r.id} data-reading-id={r.id}>
                      {readingParts(r).map((p) => <span key={p.label} className="case-reading__value"><span className="muted">{p.label}</span> <strong>{p.text}</strong></span>)}
                      <span className="muted"> · {DEVICE_WORDING[r.device.kind].console} {r.device.model} · <time dateTime={r.takenAt}>{timeText(r.takenAt)}</time></span>
                      {r.flags.map((f) => <span key={f} className="badge">{FLAG_LABEL[f]}</span>)}
                    </li>
                  ))}
                </ul>
                {readings.length > 1 && (
                  <>
                    <Sparkline kind={kind} readings={readings} />
                    {trend.length > 1 && <p className="case-readings__trend" data-testid={`trend-${kind}`}>Dans l’ordre : {trend.join(' → ')}</p>}
                  </>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function CaseClips({ clips }: { clips: CaseFile['clips'] }) {
  return (
    <section className="panel clips" aria-labelledby="case-clips-title">
      <h2 id="case-clips-title">Enregistrements du stéthoscope</h2>
      <ul className="clips__list">
        {clips.map((c) => <CaseClip key={c.meta.id} clip={c} />)}
      </ul>
    </section>
  );
}

/** One clip with the filter the live listening would choose for its point (bell for the heart, diaphragm for the lungs), changeable. */
function CaseClip({ clip }: { clip: CaseFile['clips'][number] }) {
  const point = AUSCULTATION_WORDING[clip.meta.point];
  const [mode, setMode] = useState<FilterMode>(point.area === 'heart' ? 'bell' : 'diaphragm');
  const audio = useRef<HTMLAudioElement>(null);
  const filter = useRef<ClipFilter | null>(null);
  const modeRef = useRef(mode);
  modeRef.current = mode;
  useEffect(() => filter.current?.setMode(mode), [mode]);
  useEffect(() => () => filter.current?.close(), []);
  const onPlay = (): void => {
    if (filter.current || !audio.current) return;
    filter.current = new ClipFilter(new AudioContext(), audio.current, modeRef.current);
  };
  const name = `case-clip-filter-${clip.meta.id}`;
  return (
    <li data-clip-id={clip.meta.id}>
      <span className="clips__point">{point.name}</span>
      <span className="mono muted">{secondsText(clip.meta.durationMs / 1000)}</span>
      <audio ref={audio} controls preload="metadata" src={clip.url} onPlay={onPlay} aria-label={`Écouter : ${point.name}`} />
      <fieldset className="listening__modes">
        <legend>Filtre — {point.name}</legend>
        {(Object.keys(FILTER_MODES) as FilterMode[]).map((m) => (
          <label key={m} className="listening__mode">
            <input type="radio" name={name} value={m} checked={mode === m} onChange={() => setMode(m)} />
            {FILTER_MODES[m].label}
          </label>
        ))}
      </fieldset>
    </li>
  );
}

function Skipped({ file }: { file: CaseFile }) {
  const skipped = skippedItems(file.checklist, file.entries);
  if (skipped.length === 0) return null;
  return (
    <section className="panel case-skipped" aria-labelledby="case-skipped-title">
      <h2 id="case-skipped-title">Non réalisé</h2>
      <ul>
        {skipped.map((s) => <li key={s.id} data-checklist-id={s.id}><strong>{s.what}</strong> : {s.why}</li>)}
      </ul>
    </section>
  );
}

/** The case as a FHIR R4 Bundle (the request, the exam, the answer once given), as the call's report offers its FHIR. */
export function CaseExportLink({ caseId }: { caseId: string }) {
  return (
    <section className="panel report" aria-labelledby="case-export-title">
      <h2 id="case-export-title">Export du dossier</h2>
      <ul className="links">
        <li><a href={caseBundleUrl(caseId)} target="_blank" rel="noopener" data-testid="case-export-fhir">Dossier au format FHIR</a></li>
      </ul>
    </section>
  );
}

/** The answer as recorded and signed by the hub. */
export function AnswerView({ answer }: { answer: CaseAnswer }) {
  return (
    <section className="panel case-answer" aria-labelledby="case-answer-title" data-testid="case-answer" data-kind={answer.kind} data-urgency={answer.urgency}>
      <h2 id="case-answer-title">Réponse — {ANSWER_KIND_LABEL[answer.kind]}{answer.urgency === 'urgent' ? ' (urgente)' : ''}</h2>
      <p className="muted">Par {answer.answeredBy.name} ({answer.answeredBy.specialty}), le {dateTimeText(answer.answeredAt)} · signée par le serveur</p>
      {answer.liveWithin && <p><strong>Consultation en direct :</strong> {LIVE_WITHIN_LABEL[answer.liveWithin].toLocaleLowerCase('fr')}</p>}
      {answer.referral && <p><strong>Orientation vers {answer.referral.to} :</strong> {answer.referral.reason}</p>}
      <p className="case-answer__advice">{answer.advice}</p>
      {answer.prescription && (
        <div className="issued" data-prescription={answer.prescription.number}>
          <p className="issued__number">Ordonnance n° <strong className="mono">{answer.prescription.number}</strong></p>
          <ul className="issued__items">
            {answer.prescription.items.map((it, i) => <li key={i}><strong>{it.name}</strong> — {it.dosage}{it.duration ? `, ${it.duration}` : ''}{it.quantity ? ` (${it.quantity})` : ''}</li>)}
          </ul>
          {answer.prescription.instructions && <p className="muted">{answer.prescription.instructions}</p>}
        </div>
      )}
    </section>
  );
}

let nextKey = 1;
const blankRow = (): Row => ({ key: nextKey++, name: '', dosage: '', duration: '', quantity: '' });
const KINDS: readonly AnswerKind[] = ['advice', 'live-needed', 'referral'];

function Problem({ field, problems }: { field: AnswerField; problems: Map<AnswerField, string> }) {
  const p = problems.get(field);
  return p ? <p id={`answer-problem-${field}`} className="error" role="alert">{p}</p> : null;
}

/** The answer form: checked field by field (case-review.ts) before `case.answer`; the hub signs what it accepts. */
export function AnswerForm({ caseId, send }: { caseId: string; send: (params: object) => Promise<string | null> }) {
  const [d, setD] = useState<AnswerDraft>(emptyAnswer);
  const [problems, setProblems] = useState<Map<AnswerField, string>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  // After a refused press on "send", the first field to fix gets the focus (its problem is read with it).
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (attempt > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"], fieldset[aria-describedby] input')?.focus();
  }, [attempt]);
  const set = <K extends keyof AnswerDraft>(key: K, value: AnswerDraft[K]): void => setD((x) => ({ ...x, [key]: value }));
  const described = (f: AnswerField) => (problems.has(f) ? { 'aria-invalid': true, 'aria-describedby': `answer-problem-${f}` } : {});
  const updateRow = (key: number, field: keyof Omit<Row, 'key'>, value: string): void => set('rows', d.rows.map((r) => (r.key === key ? { ...r, [field]: value } : r)));
  const submit = async (): Promise<void> => {
    const r = answerOf(caseId, d);
    if (!r.ok) {
      setProblems(r.problems);
      setAttempt((a) => a + 1);
      return;
    }
    setProblems(new Map());
    setBusy(true);
    setError(await send(r.params));
    setBusy(false);
  };
  return (
    <section className="panel case-answer-form" aria-labelledby="answer-title">
      <h2 id="answer-title">Votre réponse</h2>
      <form ref={form} onSubmit={(e) => { e.preventDefault(); void submit(); }} aria-label="Réponse au cas" noValidate>
        {problems.size > 0 && <p className="error" role="alert" data-testid="answer-problems">À corriger avant d’envoyer : {problems.size}</p>}
        <fieldset {...(problems.has('kind') ? { 'aria-describedby': 'answer-problem-kind' } : {})}>
          <legend>Type de réponse</legend>
          {KINDS.map((k) => (
            <label key={k} className="case-answer__choice">
              <input type="radio" name="answer-kind" value={k} checked={d.kind === k} onChange={() => set('kind', k)} />
              {ANSWER_KIND_LABEL[k]}
            </label>
          ))}
          <Problem field="kind" problems={problems} />
        </fieldset>
        {d.kind === 'live-needed' && (
          <fieldset {...(problems.has('liveWithin') ? { 'aria-describedby': 'answer-problem-liveWithin' } : {})}>
            <legend>Délai de la consultation en direct</legend>
            {(Object.keys(LIVE_WITHIN_LABEL) as LiveWithin[]).map((w) => (
              <label key={w} className="case-answer__choice">
                <input type="radio" name="answer-live-within" value={w} checked={d.liveWithin === w} onChange={() => set('liveWithin', w)} />
                {LIVE_WITHIN_LABEL[w]}
              </label>
            ))}
            <Problem field="liveWithin" problems={problems} />
          </fieldset>
        )}
        {d.kind === 'referral' && (
          <div className="case-answer__referral">
            <label>Orienter vers (spécialité, service)
              <input value={d.referralTo} maxLength={200} onChange={(e) => set('referralTo', e.target.value)} placeholder="ex. Dermatologue" {...described('referralTo')} />
            </label>
            <Problem field="referralTo" problems={problems} />
            <label>Motif de l’orientation
              <textarea value={d.referralReason} maxLength={1000} rows={2} onChange={(e) => set('referralReason', e.target.value)} {...described('referralReason')} />
            </label>
            <Problem field="referralReason" problems={problems} />
          </div>
        )}
        <label>Conseil au patient, en mots simples (imprimé au comptoir)
          <textarea value={d.advice} maxLength={4000} rows={5} required onChange={(e) => set('advice', e.target.value)} {...described('advice')} />
        </label>
        <Problem field="advice" problems={problems} />
        <fieldset>
          <legend>Urgence</legend>
          <label className="case-answer__choice">
            <input type="radio" name="answer-urgency" value="routine" checked={d.urgency === 'routine'} onChange={() => set('urgency', 'routine')} />
            Habituelle
          </label>
          <label className="case-answer__choice">
            <input type="radio" name="answer-urgency" value="urgent" checked={d.urgency === 'urgent'} onChange={() => set('urgency', 'urgent')} aria-describedby="answer-urgent-note" />
            Urgente
          </label>
          <p id="answer-urgent-note" className="muted">Une réponse urgente fait sonner le comptoir de la pharmacie jusqu’à ce qu’un membre de l’équipe appelle le patient.</p>
        </fieldset>
        <label className="case-answer__choice">
          <input type="checkbox" checked={d.prescribe} onChange={(e) => setD((x) => ({ ...x, prescribe: e.target.checked, rows: e.target.checked && x.rows.length === 0 ? [blankRow()] : x.rows }))} />
          Joindre une ordonnance
        </label>
        {d.prescribe && (
          <fieldset className="prescription" {...(problems.has('prescription') ? { 'aria-describedby': 'answer-problem-prescription' } : {})}>
            <legend>Ordonnance</legend>
            <table className="rx">
              <thead><tr><th scope="col">Médicament</th><th scope="col">Posologie</th><th scope="col">Durée</th><th scope="col">Quantité</th><th scope="col"><span className="sr-only">Retirer</span></th></tr></thead>
              <tbody>
                {d.rows.map((r, i) => (
                  <tr key={r.key} data-rx-row={i + 1}>
                    <td><input aria-label={`Médicament, ligne ${i + 1}`} value={r.name} maxLength={200} onChange={(e) => updateRow(r.key, 'name', e.target.value)} /></td>
                    <td><input aria-label={`Posologie, ligne ${i + 1}`} value={r.dosage} maxLength={300} onChange={(e) => updateRow(r.key, 'dosage', e.target.value)} /></td>
                    <td><input aria-label={`Durée, ligne ${i + 1}`} value={r.duration} maxLength={100} onChange={(e) => updateRow(r.key, 'duration', e.target.value)} /></td>
                    <td><input aria-label={`Quantité, ligne ${i + 1}`} value={r.quantity} maxLength={100} onChange={(e) => updateRow(r.key, 'quantity', e.target.value)} /></td>
                    <td><button type="button" className="icon" aria-label={`Retirer la ligne ${i + 1}`} disabled={d.rows.length === 1} onClick={() => set('rows', d.rows.filter((x) => x.key !== r.key))}>×</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
            <button type="button" className="secondary" onClick={() => set('rows', [...d.rows, blankRow()])} disabled={d.rows.length >= 20}>Ajouter une ligne</button>
            <label className="rx__instructions">Instructions au patient
              <textarea value={d.instructions} maxLength={2000} rows={2} onChange={(e) => set('instructions', e.target.value)} />
            </label>
            <Problem field="prescription" problems={problems} />
          </fieldset>
        )}
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Envoi…' : 'Signer et envoyer la réponse'}</button>
      </form>
    </section>
  );
}
