/**
 * Recorded stethoscope clips of this consultation: "Enregistrer 15 s" at the
 * point the doctor is listening to (`point`, from the listening panel), a
 * progress bar while the booth records and sends it, then each clip with its
 * point, time and length and an <audio> player of its WAV (fetched from the
 * hub with the session cookie). The booth's refusals and a clip that stopped
 * midway are shown in the hub's words.
 */
import { memo, useCallback, useEffect, useState } from 'react';
import { AUSCULTATION_WORDING, CLIP_SECONDS, type AuscultationPoint } from '../../../../shared/auscultation';
import { CLIP, ClipFailedNote, ClipList, ClipNote, RecordClipResult } from '../../../../shared/clip-protocol';
import { timeText } from '../format';
import type { HubClient } from '../hub-client';

interface Recording {
  requestId: string;
  point: AuscultationPoint;
  seconds: number;
  startedAt: number;
}

const secondsText = (ms: number): string => `${(Math.round(ms / 100) / 10).toString().replace('.', ',')} s`;

export const ClipsPanel = memo(function ClipsPanel({ hub, boothId, point, live, online = true }: {
  hub: Pick<HubClient, 'request' | 'onNotification'>;
  boothId: string;
  /** The point being listened to; null: none chosen, nothing to record. */
  point: AuscultationPoint | null;
  live: boolean;
  online?: boolean;
}) {
  const [clips, setClips] = useState<ClipNote[]>([]);
  const [recording, setRecording] = useState<Recording | null>(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());

  const add = useCallback((note: ClipNote) => {
    setClips((all) => (all.some((c) => c.clip.id === note.clip.id) ? all : [...all, note]));
  }, []);

  useEffect(() => hub.onNotification((m, d) => {
    if (m === CLIP.clipNote) {
      const n = ClipNote.safeParse(d);
      if (!n.success || n.data.boothId !== boothId) return;
      add(n.data);
      // The clip asked for is in the record: the recording is over.
      setRecording((r) => (r && r.point === n.data.clip.point ? null : r));
    } else if (m === CLIP.failedNote) {
      const n = ClipFailedNote.safeParse(d);
      if (!n.success || n.data.boothId !== boothId) return;
      setRecording((r) => (r && r.requestId === n.data.requestId ? null : r));
      setError(n.data.message);
    }
  }), [hub, boothId, add]);

  // Clips already in the record (a reloaded console, a call taken over).
  useEffect(() => {
    if (!live || !online) return undefined;
    let current = true;
    hub.request(CLIP.list, {}).then((r) => {
      const list = ClipList.safeParse(r);
      if (current && list.success) for (const n of list.data.clips) if (n.boothId === boothId) add(n);
    }, () => undefined);
    return () => { current = false; };
  }, [hub, boothId, live, online, add]);

  // The progress bar follows the clock while the booth records.
  useEffect(() => {
    if (!recording) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [recording]);

  const record = async (): Promise<void> => {
    if (!point) return;
    setError(null);
    setStarting(true);
    try {
      const r = RecordClipResult.parse(await hub.request(CLIP.record, { point }));
      setNow(Date.now());
      setRecording({ requestId: r.requestId, point, seconds: r.seconds, startedAt: Date.now() });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setStarting(false);
    }
  };

  const elapsed = recording ? (now - recording.startedAt) / 1000 : 0;
  const sending = recording !== null && elapsed >= recording.seconds;
  return (
    <section className="panel clips" aria-labelledby="clips-title">
      <h2 id="clips-title">Enregistrements du stéthoscope</h2>
      <p className="clips__action">
        <button type="button" onClick={() => void record()} disabled={!live || !point || recording !== null || starting}>
          Enregistrer {CLIP_SECONDS} s
        </button>
        <span className="muted">{point ? AUSCULTATION_WORDING[point].name : 'Choisissez d’abord un point d’auscultation.'}</span>
      </p>
      {recording && (
        <div className="clips__progress" role="status" data-testid="clip-progress">
          <span>{sending ? 'Envoi de l’enregistrement…' : `Enregistrement en cours — ${AUSCULTATION_WORDING[recording.point].name}, ${Math.max(0, Math.ceil(recording.seconds - elapsed))} s`}</span>
          <progress max={recording.seconds} value={Math.min(elapsed, recording.seconds)} aria-label="Progression de l’enregistrement" />
        </div>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {clips.length === 0 ? <p className="empty">Aucun enregistrement pour l’instant.</p> : (
        <ul className="clips__list">
          {clips.map((n) => (
            <li key={n.clip.id} data-clip-id={n.clip.id}>
              <span className="clips__point">{AUSCULTATION_WORDING[n.clip.point].name}</span>
              <time className="mono muted" dateTime={n.clip.recordedAt}>{timeText(n.clip.recordedAt)}</time>
              <span className="mono muted">{secondsText(n.clip.durationMs)}</span>
              <audio controls preload="metadata" src={n.url} aria-label={`Écouter : ${AUSCULTATION_WORDING[n.clip.point].name}, ${timeText(n.clip.recordedAt)}`} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
});
