/**
 * The consultation's video: the doctor fills the screen, the patient sees
 * themself in a small corner view, and a quality indicator tells the
 * pharmacist when the connection degrades. Signaling goes through the host
 * (KioskApi mediaSignal); only the media flows from here to the hub. When
 * the line drops or the hub restarts, the call is restored by itself
 * (MediaSession.restart on `room.resumed`) and a calm message says so.
 * When the pharmacy's network lets no media through at all, the video's
 * place says so, tells that the doctor is told, and offers the pharmacist.
 */
import { useEffect, useRef, useState } from 'react';
import type { KioskApi } from '../../../../shared/kiosk-api';
import type { Language } from '../../../../shared/session-view';
import { MediaSession, type CallState, type MediaSignaling } from '../../../../media/session';
import type { CallStats, Quality } from '../../../../media/quality';
import type { MediaRole } from '../../../../shared/media-devices';
import { MediaDeviceMissing, openPatientMedia } from '../media-devices';
import { setCurrentCall } from '../call';
import { callStatusShown, type CallStatusShown } from '../call-status';
import { t } from '../i18n';
import './VideoArea.css';

declare global {
  interface Window {
    /** Test hook: summed WebRTC stats of the current call (e2e tests read it). */
    __cabineStats?: () => Promise<CallStats | null>;
    /** Test hook: this side's producer ids by source (the console names what it receives by them). */
    __cabineProducerIds?: () => Partial<Record<string, string>>;
  }
}

const labels = {
  fr: { self: 'Vous', good: 'Connexion bonne', fair: 'Connexion moyenne', poor: 'Connexion faible', unknown: 'Connexion en cours' },
  en: { self: 'You', good: 'Good connection', fair: 'Fair connection', poor: 'Weak connection', unknown: 'Connecting' },
} as const;

/** KioskApi as the media session's signaling. */
export function kioskSignaling(api: KioskApi): MediaSignaling {
  return {
    request: (method, data) => api.mediaSignal({ method, data }),
    onNotification: (listener) => api.onEvent((e) => {
      if (e.name === 'mediaNotification') listener(e.data.method, e.data.data);
    }),
  };
}

export interface VideoAreaProps {
  api: KioskApi;
  language?: Language;
  /** The page shows the network banner: no second "reconnecting" here. */
  networkBanner?: boolean;
  /** An alert is raised: the page says the pharmacist is being called. */
  alertRaised?: boolean;
  /** Offered on a failed video while nobody has been called. */
  onCallPharmacist?: () => void;
  /** The one status line the page shows beside the video (call-status.ts); the video itself shows none. */
  onStatusLine?: (line: CallStatusShown['line']) => void;
  /** "Dr Claire Martin · Médecin généraliste", captioned on the doctor's video (null when the hub named no one). */
  doctor?: string | null;
  /** The doctor's voice, 0–1 (the page's "Moins fort" / "Plus fort"). */
  volume?: number;
}

export function VideoArea({ api, language = 'fr', networkBanner = false, alertRaised = false, onCallPharmacist, onStatusLine, doctor = null, volume = 1 }: VideoAreaProps) {
  const remoteRef = useRef<HTMLVideoElement>(null);
  const selfRef = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<CallState>('connecting');
  const [quality, setQuality] = useState<Quality>('unknown');
  const [failed, setFailed] = useState(false);
  /** The line cannot carry video (either way): audio goes on, the picture is set aside with a calm word. */
  const [suspended, setSuspended] = useState(false);
  /** The configured camera or microphone that is not there (kiosk-config `media`): named on the failed video. */
  const [absent, setAbsent] = useState<MediaRole | null>(null);
  const l = labels[language];

  useEffect(() => {
    const session = new MediaSession({
      signaling: kioskSignaling(api),
      // The camera and microphone kiosk-config names (`media`), else the default ones; never another when named.
      getLocalStream: async () => openPatientMedia((await api.getSettings({})).media, navigator.mediaDevices),
      events: {
        state: setState,
        quality: setQuality,
        line: (line) => setSuspended(line.videoSuspended),
        remoteStream: (s) => {
          if (remoteRef.current && remoteRef.current.srcObject !== s) remoteRef.current.srcObject = s;
        },
        localStream: (s) => {
          if (selfRef.current) selfRef.current.srcObject = s;
        },
      },
    });
    setCurrentCall(session);
    window.__cabineStats = () => session.stats();
    window.__cabineProducerIds = () => session.producerIds();
    window.__cabineTimeline = () => session.timeline;
    window.__cabineLine = () => session.lineReport;
    session.start().catch((error: unknown) => {
      console.warn('video failed to start', (error as Error).message);
      if (error instanceof MediaDeviceMissing) setAbsent(error.failure.role);
      setFailed(true);
    });
    return () => {
      setCurrentCall(null);
      session.close();
      delete window.__cabineStats;
      delete window.__cabineProducerIds;
      delete window.__cabineTimeline;
      delete window.__cabineLine;
    };
  }, [api]);

  // The doctor's voice comes with their video: the same element carries it.
  useEffect(() => {
    if (remoteRef.current) remoteRef.current.volume = volume;
  }, [volume]);

  const shown = callStatusShown({ state, failed, networkBanner });
  useEffect(() => { onStatusLine?.(shown.line); }, [onStatusLine, shown.line]);

  return (
    <section className={`video-area${shown.failedPanel ? ' video-area--failed' : ''}${suspended && !shown.failedPanel ? ' video-area--suspended' : ''}`} aria-label={language === 'fr' ? 'Vidéo du médecin' : "Doctor's video"}>
      <video ref={remoteRef} className="video-area__remote" autoPlay playsInline />
      <video ref={selfRef} className="video-area__self" autoPlay playsInline muted aria-label={l.self} />
      {shown.quality && (
        <p className={`video-area__quality video-area__quality--${quality}`} role="status">
          <span aria-hidden="true" className="video-area__bars" />
          {l[quality]}
        </p>
      )}
      {shown.line === 'blocked' && (
        <div className="video-area__blocked" role="status" data-testid="call-blocked">
          <p className="video-area__text">{t(language, 'video.blocked')}</p>
          {!alertRaised && onCallPharmacist && (
            <button type="button" className="btn btn--secondary" data-testid="call-blocked-call" onClick={onCallPharmacist}>{t(language, 'alert.call')}</button>
          )}
        </div>
      )}
      {suspended && !shown.failedPanel && shown.line !== 'blocked' && <p className="video-area__suspended" role="status" data-testid="video-suspended">{t(language, 'video.suspended')}</p>}
      {doctor && !shown.failedPanel && <p className="video-area__doctor" data-testid="video-doctor">{doctor}</p>}
      {shown.failedPanel && (
        <div className="video-area__failed" role="status" data-testid="video-failed">
          <p className="video-area__text">{t(language, 'video.failed')}</p>
          {absent && <p className="video-area__text" data-testid="video-device-absent" data-role={absent}>{t(language, absent === 'patientMicrophone' ? 'media.absent.patientMicrophone' : 'media.absent.patientCamera')}</p>}
          {!alertRaised && onCallPharmacist && (
            <button type="button" className="btn btn--secondary" data-testid="video-call" onClick={onCallPharmacist}>{t(language, 'alert.call')}</button>
          )}
        </div>
      )}
    </section>
  );
}
