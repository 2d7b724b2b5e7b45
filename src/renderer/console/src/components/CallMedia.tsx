import { memo, useEffect, useRef, useState, type ReactNode } from 'react';
import type { AuscultationPoint } from '../../../../shared/auscultation';
import { MediaSession, type CallState, type LineReport, type MediaSessionEvents } from '../../../../media/session';
import type { LineState } from '../../../../media/adaptation';
import type { CallStats, Quality } from '../../../../media/quality';
import { codeOf } from '../../../../shared/errors';
import { mediaErrorText } from '../errors';
import type { HubClient } from '../hub-client';
import { ListeningPanel } from './ListeningPanel';

declare global {
  interface Window {
    /** Test hook: summed WebRTC stats of the current call. */
    __cabineStats?: () => Promise<CallStats | null>;
    /** Test hook: what this console receives, by the booth's producer id and source. */
    __cabineRemoteProducers?: () => { producerId: string; source: string; kind: string }[];
  }
}

const QUALITY_LABEL: Record<Quality, string> = { good: 'Connexion bonne', fair: 'Connexion moyenne', poor: 'Connexion faible', unknown: 'Connexion en cours' };
const STATE_LABEL: Record<CallState, string> = { idle: 'Connexion…', connecting: 'Connexion…', connected: 'En communication', reconnecting: 'Reconnexion…', blocked: 'Aucun chemin réseau', closed: 'Terminée' };

/**
 * No media path at all, in words, apart from a poor line: the doctor knows
 * it is the network's rules (no UDP, TCP or TURN relay gets through), not
 * its quality, and what the booth is showing the patient.
 */
const BLOCKED = {
  booth: 'Le réseau de la cabine bloque l’appel : aucun chemin UDP, TCP ni relais TURN ne passe vers le serveur vidéo. Ce n’est pas une ligne faible. La cabine demande au patient de prévenir le pharmacien ; l’appel reprendra seul si le réseau s’ouvre.',
  own: 'Votre réseau bloque l’appel : aucun chemin UDP, TCP ni relais TURN ne passe vers le serveur vidéo. Ce n’est pas une ligne faible. Nous réessayons.',
} as const;

/** The line each way in words: the doctor knows whether the patient sees and hears them, and what reaches the console. */
const LINE_WORD: Record<LineState, string> = { good: 'bonne', degraded: 'dégradée', audioOnly: 'audio seul' };

export interface CallStatus { state: CallState; quality: Quality }

/**
 * The call itself: the patient's video large, the doctor's own small, the
 * dermatoscope's and the otoscope's live streams each in its own panel when the booth sends them, the
 * controls (microphone, camera, end), and the stethoscope's listening
 * panel (its sound plays there; the booth's microphone is muted here
 * meanwhile, so the room does not mask the chest). `listeningClips` is the
 * spot for the clips recorded at the current point.
 */
export const CallMedia = memo(function CallMedia({ hub, onStatus, onEnd, boothAway = false, listeningClips }: {
  hub: HubClient; onStatus: (s: CallStatus) => void; onEnd: () => void; boothAway?: boolean;
  listeningClips?: (point: AuscultationPoint | null) => ReactNode;
}) {
  const remote = useRef<HTMLVideoElement>(null);
  const self = useRef<HTMLVideoElement>(null);
  const derm = useRef<HTMLVideoElement>(null);
  const oto = useRef<HTMLVideoElement>(null);
  const session = useRef<MediaSession | null>(null);
  const [quality, setQuality] = useState<Quality>('unknown');
  const [state, setState] = useState<CallState>('connecting');
  const [error, setError] = useState<string | null>(null);
  const [mic, setMic] = useState(true);
  const [cam, setCam] = useState(true);
  const [line, setLine] = useState<LineReport | null>(null);
  /** The booth's network blocks its media, as the hub relays the booth's report. */
  const [boothBlocked, setBoothBlocked] = useState(false);
  const [dermTrack, setDermTrack] = useState<MediaStreamTrack | null>(null);
  const [otoTrack, setOtoTrack] = useState<MediaStreamTrack | null>(null);
  const [stethTrack, setStethTrack] = useState<MediaStreamTrack | null>(null);
  // Ending the call cannot be undone (the patient is disconnected): the button asks first.
  const [confirmEnd, setConfirmEnd] = useState(false);
  const statusRef = useRef(onStatus);
  statusRef.current = onStatus;
  useEffect(() => statusRef.current({ state, quality }), [state, quality]);
  // A media error is over once the call is connected again: nothing stale stays on screen.
  useEffect(() => {
    if (state === 'connected') setError(null);
  }, [state]);

  useEffect(() => {
    const events: MediaSessionEvents = {
      state: setState,
      quality: setQuality,
      line: setLine,
      peerPath: ({ side, blocked }) => { if (side === 'booth') setBoothBlocked(blocked); },
      // The camera and microphone; the dermatoscope comes apart, as its own track.
      remoteStream: (m) => { if (remote.current && remote.current.srcObject !== m) remote.current.srcObject = m; },
      remoteTrack: (track, source) => {
        if (source === 'dermatoscope') setDermTrack(track);
        if (source === 'otoscope') setOtoTrack(track);
        if (source === 'stethoscope') setStethTrack(track);
      },
      remoteTrackEnded: (track, source) => {
        if (source === 'dermatoscope') setDermTrack((t) => (t === track ? null : t));
        if (source === 'otoscope') setOtoTrack((t) => (t === track ? null : t));
        if (source === 'stethoscope') setStethTrack((t) => (t === track ? null : t));
      },
      localStream: (m) => { if (self.current) self.current.srcObject = m; },
      // The link's own loss is the page's banner, not a media error.
      error: (e) => { if (codeOf(e) !== 'CLOSED') setError(mediaErrorText(e)); },
    };
    // The patient's camera comes in layers: the one this element's height needs, no more.
    const viewHeight = (): number | null => (remote.current ? remote.current.clientHeight * (window.devicePixelRatio || 1) : null);
    const s = new MediaSession({ signaling: hub, events, viewHeight });
    session.current = s;
    window.__cabineStats = () => s.stats();
    window.__cabineRemoteProducers = () => s.remoteProducers();
    window.__cabineTimeline = () => s.timeline;
    window.__cabineLine = () => s.lineReport;
    s.start().catch((e: unknown) => { if (codeOf(e) !== 'CLOSED') setError(mediaErrorText(e)); });
    return () => {
      s.close();
      session.current = null;
      delete window.__cabineStats;
      delete window.__cabineRemoteProducers;
      delete window.__cabineTimeline;
      delete window.__cabineLine;
    };
  }, [hub]);

  useEffect(() => {
    if (derm.current) derm.current.srcObject = dermTrack ? new MediaStream([dermTrack]) : null;
  }, [dermTrack]);
  useEffect(() => {
    if (oto.current) oto.current.srcObject = otoTrack ? new MediaStream([otoTrack]) : null;
  }, [otoTrack]);
  // While the stethoscope plays, the booth's microphone does not (on this side only: the patient still hears the doctor).
  const listening = stethTrack !== null;
  useEffect(() => {
    if (remote.current) remote.current.muted = listening;
  }, [listening]);

  const toggleMic = (): void => {
    const on = !mic;
    setMic(on);
    session.current?.setMicrophoneEnabled(on).catch((e: Error) => setError(mediaErrorText(e)));
  };
  const toggleCam = (): void => {
    const on = !cam;
    setCam(on);
    session.current?.setCameraEnabled(on).catch((e: Error) => setError(mediaErrorText(e)));
  };

  return (
    <section className="media" aria-label="Vidéo de la consultation">
      <div className="media__bar">
        <span className={`quality quality--${quality}`} role="status" aria-label={`Qualité : ${QUALITY_LABEL[quality]}`}><span className="quality__bars" aria-hidden="true"><i /><i /><i /></span>{QUALITY_LABEL[quality]}</span>
        {line && (
          <span className="line" data-testid="call-line">
            <span data-testid="line-receive" data-state={line.receive}>Réception : {LINE_WORD[line.receive]}</span>
            <span data-testid="line-send" data-state={line.send}>Envoi : {LINE_WORD[line.send]}</span>
          </span>
        )}
        <span className="state" data-testid="call-state">{boothAway ? 'Cabine hors ligne' : STATE_LABEL[state]}</span>
        <span className="media__controls">
          <button type="button" className="secondary" aria-pressed={!mic} onClick={toggleMic}>{mic ? 'Couper le micro' : 'Activer le micro'}</button>
          <button type="button" className="secondary" aria-pressed={!cam} onClick={toggleCam}>{cam ? 'Couper la caméra' : 'Activer la caméra'}</button>
          <button type="button" className="danger" aria-expanded={confirmEnd} onClick={() => setConfirmEnd(true)}>Terminer la consultation</button>
        </span>
      </div>
      {confirmEnd && (
        <div className="confirm" role="alertdialog" aria-labelledby="confirm-end-title" aria-describedby="confirm-end-body">
          <p><strong id="confirm-end-title">Terminer la consultation ?</strong> <span id="confirm-end-body">Le patient sera déconnecté ; vous pourrez encore compléter les notes, l’ordonnance et le compte rendu.</span></p>
          <button type="button" className="danger" onClick={() => { setConfirmEnd(false); onEnd(); }}>Oui, terminer</button>
          <button type="button" className="secondary" autoFocus onClick={() => setConfirmEnd(false)}>Annuler</button>
        </div>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {(boothBlocked || state === 'blocked') && (
        <div className="media__blocked" role="alert" data-testid="call-blocked">
          {boothBlocked && <p data-testid="call-blocked-booth">{BLOCKED.booth}</p>}
          {state === 'blocked' && <p data-testid="call-blocked-own">{BLOCKED.own}</p>}
        </div>
      )}
      <div className={line?.videoSuspended ? 'media__videos media__videos--suspended' : 'media__videos'}>
        {line?.videoSuspended && <p className="media__suspended" role="status" data-testid="video-suspended">La vidéo est suspendue, la conversation continue</p>}
        <video ref={remote} className="media__remote" autoPlay playsInline aria-label="Vidéo du patient" data-booth-microphone={listening ? 'muted' : 'on'} />
        <video ref={self} className={cam ? 'media__self' : 'media__self media__self--off'} autoPlay playsInline muted aria-label="Votre vidéo" />
        {!cam && <span className="media__self-off">Caméra coupée</span>}
      </div>
      {dermTrack && (
        <figure className="derm-live" aria-label="Dermatoscope en direct">
          <figcaption>Dermatoscope en direct</figcaption>
          <video ref={derm} autoPlay playsInline muted aria-label="Image du dermatoscope" />
        </figure>
      )}
      {otoTrack && (
        <figure className="derm-live oto-live" aria-label="Otoscope en direct">
          <figcaption>Otoscope en direct</figcaption>
          <video ref={oto} autoPlay playsInline muted aria-label="Image de l’otoscope" />
        </figure>
      )}
      <ListeningPanel hub={hub} track={stethTrack} clips={listeningClips} />
    </section>
  );
});
