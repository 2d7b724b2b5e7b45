/**
 * The frame of every step: back button and "Étape 2 sur 5" on top;
 * emergency, voice switch, pharmacist and stop at the bottom. Large targets, far
 * apart, always in the same places.
 */
import type { ReactNode } from 'react';
import type { KioskApi } from '../../../../shared/kiosk-api';
import type { SessionUiEvent, SessionView } from '../../../../shared/session-view';
import { t, type MessageKey } from '../i18n';
import { backButton } from '../back';
import { useScrollCue } from '../scroll-cue';
import { Banners } from './Overlays';

export interface KioskScreenProps {
  view: SessionView;
  send: (event: SessionUiEvent) => void;
  api: KioskApi;
  /** Shows the pharmacist's panel again once in assistant mode (the PIN pad opens only from the long-pressed corner). */
  openAssistant: () => void;
}

export function StepIndicator({ view }: { view: SessionView }) {
  if (view.step === null) return null;
  const lang = view.language;
  return (
    <div className="step-indicator">
      <p className="step" data-testid="step">
        {t(lang, 'step', { n: view.step })} · {view.state.startsWith('exam') ? t(lang, 'step.name.exam') : t(lang, `step.name.${view.step}` as MessageKey)}
      </p>
      <ol className="step-dots" aria-hidden="true">
        {[1, 2, 3, 4, 5].map((n) => <li key={n} className={n < view.step! ? 'done' : n === view.step ? 'current' : ''} />)}
      </ol>
    </div>
  );
}

function SpeakerIcon({ muted }: { muted: boolean }) {
  return (
    <svg className="icon" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <path d="M4 12h6l8-7v22l-8-7H4z" fill="currentColor" />
      {muted
        ? <path d="M22 11l8 10M30 11l-8 10" stroke="currentColor" strokeWidth="3" />
        : <path d="M22 10c3 3 3 9 0 12M25 6c5 5 5 15 0 20" stroke="currentColor" strokeWidth="3" fill="none" />}
    </svg>
  );
}

export function TopBar({ view, send }: Pick<KioskScreenProps, 'view' | 'send'>) {
  const lang = view.language;
  const back = backButton({ state: view.state, canBack: view.context.canBack });
  return (
    <header className="topbar">
      {back
        ? <button type="button" className="btn btn--secondary" data-testid="back" onClick={() => send(back)}>← {t(lang, 'back')}</button>
        : <span className="topbar__spacer" />}
      <StepIndicator view={view} />
    </header>
  );
}

export function BottomBar({ view, send, openAssistant }: Pick<KioskScreenProps, 'view' | 'send' | 'openAssistant'>) {
  const lang = view.language;
  const { muted } = view.context;
  return (
    <footer className="bottombar">
      <button type="button" className="btn btn--danger" data-testid="emergency" onClick={() => send({ type: 'EMERGENCY' })}>{t(lang, 'emergency')}</button>
      <button type="button" className="btn btn--secondary" data-testid="mute" aria-pressed={muted} onClick={() => send({ type: 'TOGGLE_MUTE' })}>
        <SpeakerIcon muted={muted} /> {t(lang, muted ? 'unmute' : 'mute')}
      </button>
      {/* The patient calls the pharmacist (the booth's local alert); the pharmacist, in assistant mode, gets the panel back. */}
      {view.assistant
        ? <button type="button" className="btn btn--quiet" data-testid="assistant" onClick={openAssistant}>{t(lang, 'assistant.show')}</button>
        : <button type="button" className="btn btn--quiet" data-testid="assistant" onClick={() => send({ type: 'CALL_PHARMACIST' })}>{t(lang, 'assistant')}</button>}
      {view.context.canCancel
        ? <button type="button" className="btn btn--secondary" data-testid="cancel" onClick={() => send({ type: 'CANCEL' })}>{t(lang, 'cancel')}</button>
        : <span className="topbar__spacer" />}
    </footer>
  );
}

/**
 * A step screen: frame, title and content; `testid` names the screen for
 * tests. The status banner has its own slot between the content and the
 * bottom bar: the content gives it room, and what no longer fits scrolls
 * with a visible cue.
 */
export function StepScreen(props: KioskScreenProps & { title: string; testid: string; children: ReactNode; wide?: boolean; hideTitle?: boolean }) {
  const content = useScrollCue();
  return (
    <div className="frame" data-testid={`screen-${props.testid}`}>
      <TopBar view={props.view} send={props.send} />
      <div className="content-slot">
        <main ref={content.ref} className={`content${props.wide ? ' content--wide' : ''}`}>
          <h1 className={props.hideTitle ? 'sr-only' : 'title'}>{props.title}</h1>
          {props.children}
        </main>
        {content.shown && <p className="scroll-cue" aria-hidden="true" data-testid="scroll-cue">{t(props.view.language, 'scrollCue')}</p>}
      </div>
      <Banners view={props.view} send={props.send} />
      <BottomBar view={props.view} send={props.send} openAssistant={props.openAssistant} />
    </div>
  );
}
