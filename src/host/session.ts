/**
 * The session as the host's parts see it: a few selectors and one way in.
 * The media relay, the consultation, crash recovery and the capture button
 * read the patient's screen and the context through here and send only
 * what the machine takes now; none of them holds the xstate actor.
 */
import type { Actor } from 'xstate';
import type { SessionView, SessionUiEvent } from '../shared/session-view';
import type { SessionContext, SessionHostEvent, SessionMachine } from '../session/machine';
import { flowPath, regionsOf, toSessionView, type ViewExtras } from '../session/view';

export interface HostSession {
  /** Whether the machine runs (false before start and after stop). */
  running(): boolean;
  /** The patient's screen: the `flow` region as a dotted path ("consultation.measuring"). */
  flow(): string;
  /** The machine's context as it stands now. */
  context(): SessionContext;
  /** Whether the pharmacist's assistant mode is on. */
  assistantOn(): boolean;
  /** What the kiosk is shown. */
  view(): SessionView;
  /** Sends an event if the running machine takes it now; returns whether it did. */
  send(event: SessionHostEvent | SessionUiEvent): boolean;
  /** Called after every change of the session; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

/** The host's session over its actor; `extras` adds what the view takes from the configuration. */
export function sessionOf(actor: Actor<SessionMachine>, extras: () => ViewExtras = () => ({})): HostSession {
  return {
    running: () => actor.getSnapshot().status === 'active',
    flow: () => flowPath(actor.getSnapshot().value),
    context: () => actor.getSnapshot().context,
    assistantOn: () => regionsOf(actor.getSnapshot().value).assistant === 'on',
    view: () => toSessionView(actor.getSnapshot(), extras()),
    send: (event) => {
      const snapshot = actor.getSnapshot();
      if (snapshot.status !== 'active' || !snapshot.can(event)) return false;
      actor.send(event);
      return true;
    },
    subscribe: (listener) => {
      const subscription = actor.subscribe(() => listener());
      return () => subscription.unsubscribe();
    },
  };
}
