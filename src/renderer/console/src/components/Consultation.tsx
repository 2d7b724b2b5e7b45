import { Suspense, useCallback, useEffect, useReducer, useState } from 'react';
import { flushSync } from 'react-dom';
import { z } from 'zod';
import type { AuscultationPoint } from '../../../../shared/auscultation';
import type { Clock } from '../../../../shared/clock';
import { COUNTER, EmergencyNote } from '../../../../shared/counter-protocol';
import { DeviceStatus, Reading } from '../../../../shared/domain';
import { EAR_WORDING } from '../../../../shared/wording';
import {
  CONSULT, ContextCatchUp, ContextNote, MeasurementProgress, PhotoNote, Prescription, RequestMeasurementResult,
  type PrescribeParams, type RequestMeasurementParams,
} from '../../../../shared/consult-protocol';
import { consultLayout, consultReducer, emptyConsult } from '../consult-state';
import { endedText, type BoothAway } from '../format';
import type { HubClient } from '../hub-client';
import type { CallInfo } from '../types';
import { BoothAwayBanner } from './BoothAwayBanner';
import { EmergencyBanner } from './EmergencyBanner';
import type { CallStatus } from './CallMedia';
import { LazyCallMedia } from './call-media-lazy';
import { ClipsPanel } from './ClipsPanel';
import { ContextPanel, IdentityBanner } from './ContextPanel';
import { Gallery } from './Gallery';
import { NextPatient } from './NextPatient';
import { NotesPanel } from './NotesPanel';
import { PrescriptionPanel } from './PrescriptionPanel';
import { ReadingsPanel } from './ReadingsPanel';
import { RequestsPanel } from './RequestsPanel';

// NOTE: schemas are built once here: zod 4 compiles each schema object on its first parse (about 3 ms a note when built per note).
const ReadingIn = z.object({ boothId: z.string(), reading: Reading });
const DevicesNote = z.object({ boothId: z.string(), devices: z.array(DeviceStatus) });
const PrescribeAnswer = z.object({ prescription: Prescription });
/** The hub's word that the booth stored (and maybe printed) a prescription. */
const Delivered = z.object({ number: z.string(), printed: z.boolean() });

/**
 * One consultation, live then wrapped up: the call (while live), the
 * patient context, measurement requests and readings, photos, notes, the
 * prescription and the GP report. Everything but the call stays on screen
 * after it ends, until the doctor returns to the waiting room.
 */
export function Consultation({ hub, call, live, online, away = null, endedReason = null, clock, waiting = 0, onEnd, onBack }: {
  hub: HubClient; call: CallInfo; live: boolean; online: boolean; onEnd: () => void; onBack: () => void;
  /** How many patients wait for a doctor (the wrap-up leads to the next one). */
  waiting?: number;
  /** The booth away from the call (the hub's grace period running), or null. */
  away?: BoothAway | null;
  /** Why the call ended (the hub's `room.closed` reason). */
  endedReason?: string | null;
  clock?: Pick<Clock, 'now'>;
}) {
  const [state, dispatch] = useReducer(consultReducer, emptyConsult);
  const [media, setMedia] = useState<CallStatus | null>(null);
  const [issued, setIssued] = useState<Prescription[]>([]);
  const [delivered, setDelivered] = useState<Record<string, { printed: boolean }>>({});
  const [error, setError] = useState<string | null>(null);
  /** The session's notes on the hub: undefined until the catch-up answers (the notes panel waits for them). */
  const [storedNotes, setStoredNotes] = useState<string | null | undefined>(undefined);

  useEffect(() => {
    const ours = (n: { boothId: string }): boolean => n.boothId === call.boothId;
    const off = hub.onNotification((m, d) => {
      if (m === CONSULT.readingNote) {
        const n = ReadingIn.safeParse(d);
        // A live reading is on screen before the next task: no wait for the scheduler.
        if (n.success && ours(n.data)) flushSync(() => dispatch({ type: 'reading', reading: n.data.reading }));
      } else if (m === CONSULT.photoNote) {
        const n = PhotoNote.safeParse(d);
        if (n.success && ours(n.data)) dispatch({ type: 'photo', note: n.data });
      } else if (m === CONSULT.progressNote) {
        const n = MeasurementProgress.safeParse(d);
        if (n.success) dispatch({ type: 'progress', progress: n.data });
      } else if (m === CONSULT.devicesNote) {
        const n = DevicesNote.safeParse(d);
        if (n.success && ours(n.data)) dispatch({ type: 'devices', devices: n.data.devices });
      } else if (m === 'consult.prescriptionDelivered') {
        const n = Delivered.safeParse(d);
        if (n.success) setDelivered((all) => ({ ...all, [n.data.number]: { printed: n.data.printed } }));
      } else if (m === CONSULT.contextNote) {
        const n = ContextNote.safeParse(d);
        if (n.success && ours(n.data)) dispatch({ type: 'context', note: n.data });
      } else if (m === COUNTER.emergencyNote) {
        const n = EmergencyNote.safeParse(d);
        if (n.success && ours(n.data)) dispatch({ type: 'emergency', note: n.data });
      }
    });
    return off;
  }, [hub, call.boothId]);

  // Catch up with what this room already has (a reloaded console or a tab taking the call over, or notes sent before this view existed).
  useEffect(() => {
    if (!live || !online) return;
    let current = true;
    hub.request(CONSULT.context, {}).then((r) => {
      const a = ContextCatchUp.safeParse(r);
      if (current && a.success && a.data.boothId === call.boothId) {
        const { readings, photos, notes, emergency, ...note } = a.data;
        dispatch({ type: 'context', note, readings, photos, emergency });
        setStoredNotes(notes?.text ?? null);
      }
    }, () => undefined);
    return () => { current = false; };
  }, [hub, call.boothId, live, online]);

  const request = useCallback(async (p: RequestMeasurementParams): Promise<void> => {
    setError(null);
    try {
      const r = RequestMeasurementResult.parse(await hub.request(CONSULT.requestMeasurement, p));
      dispatch({ type: 'requested', requestId: r.requestId, kind: p.kind, note: p.note, bodySite: p.bodySite ?? (p.ear ? EAR_WORDING[p.ear].fr : undefined), at: new Date().toISOString() });
    } catch (e) {
      setError(`Demande non transmise : ${(e as Error).message}`);
    }
  }, [hub]);
  const saveNotes = useCallback(async (text: string): Promise<void> => { await hub.request(CONSULT.saveNotes, { text }); }, [hub]);
  const prescribe = useCallback(async (p: PrescribeParams): Promise<Prescription> => {
    const { prescription } = PrescribeAnswer.parse(await hub.request(CONSULT.prescribe, p));
    setIssued((list) => [...list, prescription]);
    return prescription;
  }, [hub]);

  const listeningClips = useCallback((point: AuscultationPoint | null) => (
    <ClipsPanel hub={hub} boothId={call.boothId} point={point} live online={online} />
  ), [hub, call.boothId, online]);

  const sessionId = state.context?.patient.sessionId ?? call.entry?.sessionId ?? null;
  const firstName = state.context?.patient.firstName ?? call.entry?.firstName ?? null;
  const pharmacy = state.context?.pharmacy;
  const label = pharmacy ? `${pharmacy.name}, ${pharmacy.city}` : call.label;
  // A failure of the link itself is over once the link is back: no stale message.
  useEffect(() => {
    if (online) setError((e) => (e?.endsWith('reconnexion en cours.') ? null : e));
  }, [online]);
  const mediaReconnecting = online && media?.state === 'reconnecting';
  // An emergency brings the patient's video back into view, wherever the doctor had scrolled to (notes, prescription).
  const emergencyId = live ? state.emergency?.alertId ?? null : null;
  useEffect(() => {
    if (emergencyId) document.querySelector('.consult--emergency .media')?.scrollIntoView({ block: 'start' });
  }, [emergencyId]);
  return (
    <div className={consultLayout({ live, emergency: state.emergency })}>
      <header className="consult__head">
        <h2>{live ? 'Consultation en cours' : 'Consultation terminée'} — {label}{firstName ? ` · ${firstName}` : ''}</h2>
      </header>
      <IdentityBanner intake={state.context?.patient.intake} clock={clock} />
      {live && !online && <p className="banner" role="alert">Connexion perdue, reconnexion…</p>}
      {live && mediaReconnecting && !away && <p className="banner" role="alert">Vidéo interrompue, reconnexion…</p>}
      {live && away && <BoothAwayBanner away={away} clock={clock} />}
      {live && <EmergencyBanner note={state.emergency} />}
      {error && <p className="error" role="alert">{error}</p>}
      <div className="consult__grid">
        <div className="consult__main">
          {live ? <Suspense fallback={null}><LazyCallMedia hub={hub} onStatus={setMedia} onEnd={onEnd} boothAway={away !== null} listeningClips={listeningClips} /></Suspense> : (
            <section className="panel ended" aria-label="Fin de consultation">
              <p>{endedText(endedReason)} Complétez vos notes, l’ordonnance et le compte rendu ci-dessous.</p>
            </section>
          )}
          <ReadingsPanel readings={state.readings} cuff={live ? state.cuff : null} />
        </div>
        <div className="consult__side">
          <ContextPanel context={state.context} entry={call.entry} devices={state.devices} />
          <RequestsPanel devices={state.devices} requests={state.requests} onRequest={request} live={live} />
          <Gallery photos={state.photos} />
          {/* During the call the clips are recorded and listed in the listening panel, at the point listened to. */}
          {!live && <ClipsPanel hub={hub} boothId={call.boothId} point={null} live={false} online={online} />}
        </div>
      </div>
      <div className="consult__wrap">
        <NotesPanel save={saveNotes} stored={storedNotes} />
        <PrescriptionPanel prescribe={prescribe} issued={issued} delivered={delivered} canPrescribe />
        <section className="panel report" aria-labelledby="report-title">
          <h2 id="report-title">Compte rendu au médecin traitant</h2>
          {sessionId ? (
            <ul className="links">
              <li><a href={`/api/sessions/${encodeURIComponent(sessionId)}/report.pdf`} target="_blank" rel="noopener">Compte rendu PDF</a></li>
              <li><a href={`/api/sessions/${encodeURIComponent(sessionId)}/report.fhir.json`} target="_blank" rel="noopener">FHIR</a></li>
            </ul>
          ) : <p className="muted">Compte rendu indisponible : la cabine n’a pas transmis d’identifiant de séance.</p>}
        </section>
      </div>
      {!live && <NextPatient waiting={waiting} onBack={onBack} />}
    </div>
  );
}
