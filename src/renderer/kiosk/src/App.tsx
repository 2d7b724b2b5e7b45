/**
 * The kiosk: a view of the session machine's snapshot. It sends events; it
 * never decides the flow (DESIGN §1). One screen per state of the machine's
 * `flow` region, cross-cutting layers (stop, emergency, inactivity, banners)
 * over it, and the pharmacist's panel.
 */
import { useEffect, useState } from 'react';
import type { KioskApi, Result } from '../../../shared/kiosk-api';
import { QUEUE, ROOM } from '../../../shared/media-protocol';
import { screenOf, type SessionUiEvent, type SessionView } from '../../../shared/session-view';
import { t } from './i18n';
import { useSpeech } from './speech';
import { useInstrumentPresence } from './instrument-presence';
import { useChime } from './chime';
import { useCornerLongPress } from './long-press';
import { InterruptedScreen } from './screens/InterruptedScreen';
import { AssistantPanel, PinPad } from './screens/AssistantPanel';
import { AttractScreen } from './screens/AttractScreen';
import { OutOfServiceScreen } from './screens/OutOfServiceScreen';
import { ClipRecorder } from './screens/ClipRecorder';
import { ConsultationScreen } from './screens/ConsultationScreen';
import { ExamScreen } from './screens/ExamScreen';
import { recoveryKeys } from './recovery';
import { LanguageScreen } from './screens/LanguageScreen';
import type { KioskScreenProps } from './screens/Layout';
import { Banners, Overlay } from './screens/Overlays';
import { ConsentScreen, IdentityScreen, PrivacyWipeScreen, WaitingRoomScreen, WrapUpScreen } from './screens/Steps';
import { wipeClientData } from './wipe';
import { shownScreen } from './screen-choice';
import { displayScale } from './display-scale';

type KioskSettings = Result<'getSettings'>;

/**
 * Scales the kiosk for the booth's screen (kiosk-config's diagonal and the
 * viewport, display-scale.ts), again whenever the viewport changes (a
 * screen turned to portrait).
 */
function useDisplayScale(settings: KioskSettings | null): void {
  useEffect(() => {
    if (!settings) return undefined;
    const apply = (): void => {
      const scale = displayScale({ width: window.innerWidth, height: window.innerHeight, diagonalInches: settings.screenDiagonalInches });
      document.documentElement.style.setProperty('--kiosk-scale', scale.toFixed(3));
    };
    apply();
    window.addEventListener('resize', apply);
    return () => window.removeEventListener('resize', apply);
  }, [settings]);
}

/** The prompt spoken for a view: the overlay's first, else the screen's. */
export function speechKeyFor(view: SessionView): string | null {
  switch (view.context.overlay) {
    case 'inactivityPrompt': return 'speak.inactivity';
    case 'emergency': return 'speak.emergency';
    case 'cancelConfirm': return 'speak.cancel';
  }
  const [top, sub] = view.state.split('.');
  const m = view.context.measurement;
  switch (top) {
    case 'attract': return null;
    case 'identity': return `speak.identity.${sub ?? 'entry'}`;
    case 'wrapUp': return `speak.wrapUp.${sub ?? 'summary'}`;
    case 'exam':
      // The item's own guidance, as in a call; the list, the video and the pick-up have their own prompt.
      if (sub === 'auscultation' && view.context.auscultation) return `guide.auscultation.${view.context.auscultation.point}`;
      if (m && sub === 'guidance') return `guide.${m.kind}.${m.step + 1}`;
      if (m && sub === 'recovery') return recoveryKeys(m.error).fix;
      if (m && (sub === 'measuring' || sub === 'result')) return `speak.${sub}`;
      return sub === 'checklist' || sub === 'video' || sub === 'pickup' ? `speak.exam.${sub}` : null;
    case 'consultation':
      // The placement, then each breath instruction the doctor gives.
      if (sub === 'auscultation' && view.context.auscultation) {
        const a = view.context.auscultation;
        return a.breath ? `speak.breath.${a.breath}` : `guide.auscultation.${a.point}`;
      }
      if (!m || sub === 'call') return null; // never talk over the doctor
      if (sub === 'guidance') return `guide.${m.kind}.${m.step + 1}`;
      if (sub === 'recovery') return recoveryKeys(m.error).fix;
      return `speak.${sub}`;
    default: return `speak.${top}`;
  }
}

export function App({ api }: { api: KioskApi }) {
  const [view, setView] = useState<SessionView | null>(null);
  // The hub's claim (relayed by the host) opens the video even before the machine's snapshot arrives.
  const [inCall, setInCall] = useState(false);
  const [pinOpen, setPinOpen] = useState(false);
  const [panelHidden, setPanelHidden] = useState(false);
  const [settings, setSettings] = useState<KioskSettings | null>(null);
  useEffect(() => {
    api.getSettings({}).then(setSettings, () => undefined);
  }, [api]);
  useDisplayScale(settings);
  // The otoscope is a camera only this page sees: the host learns here whether it is plugged in.
  useInstrumentPresence(api);

  useEffect(() => {
    // A panel the pharmacist hid stays hidden until pharmacist mode ends: read on each snapshot, not on
    // a change of the rendered value, since a logout and a login close together render as one.
    const take = (next: SessionView): void => {
      setView(next);
      if (!next.assistant) setPanelHidden(false);
    };
    const off = api.onEvent((event) => {
      if (event.name === 'snapshot') take(event.data);
      if (event.name === 'mediaNotification' && event.data.method === QUEUE.claimed) setInCall(true);
      if (event.name === 'mediaNotification' && event.data.method === ROOM.closed) setInCall(false);
    });
    api.getSnapshot({}).then(take, () => undefined);
    return off;
  }, [api]);

  const top = view?.state.split('.')[0] ?? null;
  const assistant = view?.assistant === true;
  // Privacy wipe: nothing of the patient stays in the page (storage, caches, camera; React state below by remount).
  useEffect(() => {
    if (top === 'interrupted') setInCall(false);
    if (top === 'privacyWipe' || top === 'attract') {
      setInCall(false);
      setPinOpen(false);
      void wipeClientData();
    }
  }, [top]);
  useEffect(() => {
    if (assistant) setPinOpen(false);
  }, [assistant]);

  // The pharmacist's way in: hold the top-left corner (a patient's tap there does nothing more than the tap).
  const { holding } = useCornerLongPress(() => (assistant ? setPanelHidden(false) : setPinOpen(true)));
  useChime(view?.context.alert);

  const overlay = view?.context.overlay ?? null;
  useSpeech(view?.language ?? 'fr', view ? speechKeyFor(view) : null, view?.context.muted ?? false, { loud: overlay === 'inactivityPrompt' });

  if (!view) {
    return <main className="screen screen--center" aria-busy="true"><p className="lead">{t('fr', 'notReady')}</p></main>;
  }
  const lang = view.language;
  document.documentElement.lang = lang;
  // Each tap names the screen it was made on: one that lands after the screen changed is not applied.
  const tappedOn = screenOf(view);
  const send = (event: SessionUiEvent): void => {
    void api.sendEvent({ event, screen: tappedOn }).catch(() => undefined);
  };
  const props: KioskScreenProps = { view, send, api, openAssistant: () => (assistant ? setPanelHidden(false) : setPinOpen(true)) };

  let screen;
  const shown = shownScreen(top, inCall);
  switch (shown) {
    case 'attract': screen = <AttractScreen view={view} send={send} />; break;
    case 'language': screen = <LanguageScreen {...props} />; break;
    case 'consent': screen = <ConsentScreen {...props} />; break;
    case 'identity': screen = <IdentityScreen {...props} />; break;
    case 'waitingRoom': screen = <WaitingRoomScreen {...props} />; break;
    case 'consultation': screen = <ConsultationScreen {...props} />; break;
    case 'exam': screen = <ExamScreen {...props} />; break;
    case 'wrapUp': screen = <WrapUpScreen {...props} />; break;
    case 'interrupted': screen = <InterruptedScreen {...props} />; break;
    default: screen = <PrivacyWipeScreen {...props} />;
  }
  // The booth cannot read its store (key lost): only « hors service », and the pharmacist's corner.
  if (view.context.outOfService) {
    return (
      <div className="kiosk" data-state="outOfService">
        <OutOfServiceScreen />
        {pinOpen && !assistant && <PinPad api={api} lang={lang} onClose={() => setPinOpen(false)} />}
        {assistant && !panelHidden && <AssistantPanel api={api} view={view} onHide={() => setPanelHidden(true)} />}
        {holding && <div className="corner-hold" aria-hidden="true" data-testid="corner-hold" />}
      </div>
    );
  }
  // Keyed by session: a new session starts from fresh React state.
  return (
    <div className="kiosk" key={view.sessionId ?? 'no-session'} data-state={view.state}>
      {screen}
      {/* A step screen holds the banner in its own slot; the attract screen and the wipe leave it the foot of the screen. */}
      {(shown === 'attract' || shown === 'privacyWipe') && <Banners view={view} send={send} />}
      <Overlay view={view} send={send} wipeSeconds={settings?.inactivityWipeSeconds ?? null} />
      <ClipRecorder api={api} lang={lang} />
      {pinOpen && !assistant && <PinPad api={api} lang={lang} onClose={() => setPinOpen(false)} />}
      {assistant && !panelHidden && <AssistantPanel api={api} view={view} onHide={() => setPanelHidden(true)} />}
      {holding && <div className="corner-hold" aria-hidden="true" data-testid="corner-hold" />}
    </div>
  );
}
