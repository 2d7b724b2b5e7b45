/**
 * After a crash (power cut, kill -9, a frozen PC switched off at the wall)
 * the booth must come back by itself, with nothing lost and nothing silently
 * broken (nobody is there to restart it by hand):
 * - on start, the last session whose transitions never reached the privacy
 *   wipe (or attract) was interrupted: an `incident` session event with the
 *   code SESSION_INTERRUPTED is stored for it (once), and reaches the hub's
 *   record through the outbox like every other event; its readings were
 *   already on disk (write before show) and drain as usual; the kiosk then
 *   shows that session's incident screen ("un incident technique a
 *   interrompu la consultation") and the booth calls the pharmacist;
 * - whenever the hub link comes up while the booth holds no call
 *   (not in the waiting room or a consultation), the booth tells the hub
 *   `session.reset`: a room the hub still keeps for it is torn down with the
 *   reason `boothRestarted`, so the specialist sees the call ended rather
 *   than a frozen picture.
 */
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { systemClock, type Clock } from '../shared/clock';
import type { SessionEvent } from '../shared/domain';
import { codeOf } from '../shared/errors';
import { ROOM } from '../shared/media-protocol';
import type { HubChannel } from './hub-link';
import type { HostSession } from './session';
import type { BoothStore } from './store/store';

export const SESSION_INTERRUPTED = 'SESSION_INTERRUPTED';

/** Session states that close a session: reaching one means it ended normally. */
const ENDED = /^flow\.(privacyWipe|attract)\b/;
/**
 * How long after its last step an interrupted session still gets its incident
 * screen at start: a patient may still be in the booth after a restart that
 * takes seconds, not the next morning after a stop mid-session, when the
 * screen would greet a stranger. Older interruptions are recorded all the same.
 */
export const INCIDENT_SCREEN_WITHIN_MS = 15 * 60_000;

/** Top-level flow states in which the hub legitimately keeps the booth queued or in a room. */
const IN_CALL = /^(waitingRoom|consultation)\b/;

export interface InterruptedSession {
  sessionId: string;
  /** The last state the session reached (e.g. "flow.consultation.measuring"), or null. */
  lastState: string | null;
  lastAt: string;
}

/**
 * The most recent session in the store, if it never reached the privacy wipe
 * and has no SESSION_INTERRUPTED incident yet.
 */
export function findInterruptedSession(store: BoothStore): InterruptedSession | null {
  const last = store.db.prepare<[], { session_id: string; last: string }>(
    "SELECT session_id, max(at) AS last FROM session_events WHERE type IN ('transition', 'incident') GROUP BY session_id ORDER BY last DESC LIMIT 1",
  ).get();
  if (!last) return null;
  const rows = store.db.prepare<[string], { id: string; type: string }>(
    'SELECT id, type FROM session_events WHERE session_id = ? ORDER BY at, id',
  ).all(last.session_id);
  let lastState: string | null = null;
  for (const row of rows) {
    const event = store.getSessionEvent(row.id);
    if (!event) continue;
    const data = event.data ?? {};
    if (row.type === 'incident' && data.code === SESSION_INTERRUPTED) return null;
    if (row.type !== 'transition' || typeof data.to !== 'string') continue;
    if (ENDED.test(data.to)) return null;
    lastState = data.to;
  }
  return { sessionId: last.session_id, lastState, lastAt: last.last };
}

export interface CrashRecoveryTarget {
  readonly store: BoothStore | null;
  readonly hubLink: HubChannel;
  readonly log: Logger;
  /** The patient's screen (no announcement during a call) and the incident screen's event. */
  readonly session: Pick<HostSession, 'flow' | 'send'>;
  recordSessionEvent(event: SessionEvent): Promise<void>;
}

/**
 * Runs the start-up check once and keeps announcing "no session here" to the
 * hub on every (re)connection outside a call. Call after the store is open.
 */
export function attachCrashRecovery(host: CrashRecoveryTarget, clock: Pick<Clock, 'now'> = systemClock): void {
  const store = host.store;
  if (store) {
    try {
      const interrupted = findInterruptedSession(store);
      if (interrupted) {
        host.log.warn({ sessionId: interrupted.sessionId, lastState: interrupted.lastState }, 'the last session was interrupted (crash or power cut): incident recorded');
        void host.recordSessionEvent({
          id: uuidv7(),
          sessionId: interrupted.sessionId,
          type: 'incident',
          at: new Date(clock.now()).toISOString(),
          data: { code: SESSION_INTERRUPTED, lastState: interrupted.lastState, lastAt: interrupted.lastAt },
        });
        // The patient, if still there, is told, and the pharmacist called: the consultation did not end by itself.
        if (clock.now() - Date.parse(interrupted.lastAt) <= INCIDENT_SCREEN_WITHIN_MS) {
          host.session.send({ type: 'SESSION_INTERRUPTED', sessionId: interrupted.sessionId });
        }
      }
    } catch (error) {
      host.log.warn({ code: codeOf(error) }, 'could not check for an interrupted session');
    }
  }
  const announce = (): void => {
    if (IN_CALL.test(host.session.flow())) return;
    host.hubLink.request(ROOM.reset, { reason: 'boothRestarted' }).catch((error: unknown) => {
      host.log.debug({ code: codeOf(error) }, 'session.reset not acknowledged');
    });
  };
  host.hubLink.on('status', (status) => {
    if (status === 'online') announce();
  });
  if (host.hubLink.status === 'online') announce();
}
