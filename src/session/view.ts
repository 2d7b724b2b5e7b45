import type { SnapshotFrom } from 'xstate';
import type { SessionView } from '../shared/session-view';
import { stepOf, type SessionMachine } from './machine';

/** Flattens an xstate state value to a dotted path: { a: { b: {} } } → "a.b". */
export function statePath(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [key, child] = Object.entries(value)[0] ?? [];
    if (key === undefined) return '';
    const rest = statePath(child);
    return rest ? `${key}.${rest}` : key;
  }
  return '';
}

/** The serialisable view the renderer receives. Never carries secrets. */
export function toSessionView(snapshot: SnapshotFrom<SessionMachine>, assistant = false): SessionView {
  const state = statePath(snapshot.value);
  return {
    state,
    language: snapshot.context.language,
    sessionId: snapshot.context.sessionId,
    step: stepOf(state),
    assistant,
    context: {},
  };
}
