/**
 * The assisted session as an xstate v5 statechart (DESIGN §5). Pure: no I/O.
 * Actions, guards, delays and actors are named in `setup()`; the host
 * provides the real ones with `machine.provide()`.
 */
import { assign, setup } from 'xstate';
import type { Language, SessionUiEvent } from '../shared/session-view';

export interface SessionContext {
  language: Language;
  sessionId: string | null;
}

export type SessionMachineEvent = SessionUiEvent;

export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionMachineEvent,
    input: {} as { language?: Language } | undefined,
  },
  actions: {
    /** Provided by the host: a new session id (UUIDv7) and its first event. */
    startSession: assign({ sessionId: () => null as string | null }),
    setLanguage: assign({
      language: ({ event, context }) => (event.type === 'CHOOSE_LANGUAGE' ? event.language : context.language),
    }),
    resetSession: assign({ sessionId: () => null, language: () => 'fr' as const }),
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => ({ language: input?.language ?? 'fr', sessionId: null }),
  initial: 'attract',
  states: {
    attract: {
      on: {
        TOUCH: { target: 'language', actions: 'startSession' },
        CHOOSE_LANGUAGE: { target: 'consent', actions: ['startSession', 'setLanguage'] },
      },
    },
    language: {
      on: {
        CHOOSE_LANGUAGE: { target: 'consent', actions: 'setLanguage' },
        BACK: { target: 'attract', actions: 'resetSession' },
      },
    },
    consent: {
      on: {
        BACK: 'language',
        CANCEL_CONFIRM: { target: 'attract', actions: 'resetSession' },
      },
    },
  },
});

export type SessionMachine = typeof sessionMachine;

/** The step indicator of the UI (1 Langue … 5 Consultation) for a state path. */
export function stepOf(state: string): number | null {
  const top = state.split('.')[0];
  switch (top) {
    case 'language': return 1;
    case 'consent': return 2;
    case 'identity': return 3;
    case 'waitingRoom': return 4;
    case 'consultation': return 5;
    default: return null;
  }
}
