/**
 * The pharmacy counter (DESIGN §1): the booth's alerts reach the counter
 * pages of that booth's pharmacy through the hub, and a counter's
 * acknowledgement reaches the booth.
 *
 * Names are hub-protocol method names (`HubFrame.m`). Every params object
 * is a zod schema checked on arrival by whoever receives it.
 *
 * Flows:
 * - Alert: the booth's session raises, acknowledges or resolves its alert →
 *   the booth requests `counter.alert` (AlertReport) of the hub → the hub
 *   keeps one alert per booth (a new one while one is open replaces it: a
 *   flood of presses is one alert), notes `counter.board` to the counter
 *   pages of that booth's pharmacy only, and answers AlertDelivery (how many
 *   pages heard it: none → the booth says it rings only here).
 * - Acknowledgement: a counter page requests `counter.acknowledgeAlert`
 *   (signed-in staff of the booth's pharmacy only) → the hub requests
 *   `counter.acknowledge` of the booth (the staff member's first name) → the
 *   booth's session takes it (the kiosk: "Le pharmacien arrive : Marie").
 * - Ringing again: an alert nobody acknowledged within the hub's
 *   `counter.ringAgainSeconds` rings again on the counter pages
 *   (`counter.ring`) and at the booth (`counter.ringAgain`).
 * - Emergency: an `emergency` alert of a booth in a call also reaches the
 *   doctor's console (`counter.emergency`, each change), for a banner that
 *   cannot be missed; the one standing is also in the console's catch-up
 *   (`consult.context`), for a console that claims, opens or reloads after
 *   the note went out.
 * - Activity: the booth notes `counter.activity` on each change of its
 *   screen (idle, step N, waiting, in call) and the session on it; the
 *   board shows it.
 * - Intake: a counter page requests `counter.setIntake` (signed-in staff of
 *   the booth's pharmacy only, an intake the shared schema accepts on the
 *   hub's day) → the hub requests `intake.update` of the booth naming the
 *   staff member (src/shared/intake-protocol.ts) → the booth checks the step
 *   and the session and answers IntakeUpdateResult, which the page gets.
 */
import { z } from 'zod';
import { KeyLossReport } from './key-loss';
import { AlertAcknowledger, AlertReason } from './session-view';

export const COUNTER = {
  // booth → hub (a request: the answer says whether any counter page heard it)
  alert: 'counter.alert',
  // booth → hub (a note)
  activity: 'counter.activity',
  // hub → booth (requests)
  acknowledge: 'counter.acknowledge',
  ringAgain: 'counter.ringAgain',
  heard: 'counter.heard',
  // counter page → hub (requests)
  acknowledgeAlert: 'counter.acknowledgeAlert',
  setIntake: 'counter.setIntake',
  // hub → counter page (notes)
  boardNote: 'counter.board',
  ringNote: 'counter.ring',
  // hub → the console of the doctor in a call with the booth (a note)
  emergencyNote: 'counter.emergency',
} as const;

/** Where counter pages connect (WebSocket, the staff session cookie). */
export const COUNTER_WS_PATH = '/counter/ws';
/** Where the counter page is served. */
export const COUNTER_PAGE_PATH = '/counter/';

export const AlertId = z.string().min(1).max(64);

/** The booth's alert as it stands after a change. */
export const AlertReport = z.object({
  alertId: AlertId,
  reason: AlertReason,
  state: z.enum(['raised', 'acknowledged', 'resolved']),
  raisedAt: z.iso.datetime({ offset: true }).nullable(),
  acknowledgedBy: AlertAcknowledger.nullable(),
  /** `out-of-service` only: what the lost key costs (counts and times of unacknowledged items, never the data). */
  lost: KeyLossReport.optional(),
}).strict();
export type AlertReport = z.infer<typeof AlertReport>;

/** The hub's answer: how many counter pages of the booth's pharmacy heard the alert. */
export const AlertDelivery = z.object({ counters: z.number().int().min(0) }).strict();
export type AlertDelivery = z.infer<typeof AlertDelivery>;

/** What the booth's screen is at, for the board (never who the patient is). */
export const BoothActivity = z.object({
  /** `exam`: a deferred exam is being compiled (src/shared/case-protocol.ts). */
  kind: z.enum(['idle', 'steps', 'waiting', 'call', 'exam', 'ending']),
  /** The kiosk's step (1–5) while `steps`. */
  step: z.number().int().min(1).max(5).nullable(),
  /**
   * The session on the screen (an opaque id, never who the patient is): the
   * counter's intake names it, so that an intake typed for one patient is
   * never applied to the next. Absent from booths of an earlier release.
   */
  sessionId: z.string().min(1).max(64).nullable().optional(),
  /**
   * The alert standing on the booth (null: none). The hub drops any other
   * alert it still holds for the booth — one raised by a host that has since
   * restarted, or by another host under the same booth id — so that the
   * counter never rings for an alert no screen shows. Absent from booths of
   * an earlier release (the hub then keeps what it has); never on the board.
   */
  alertId: AlertId.nullable().optional(),
}).strict();
export type BoothActivity = z.infer<typeof BoothActivity>;

/** hub → booth: a member of staff at the counter is coming. */
export const CounterAcknowledge = z.object({
  alertId: AlertId,
  by: AlertAcknowledger.extend({ via: z.literal('counter'), staffId: z.string().min(1).max(120), name: z.string().trim().min(1).max(80) }),
}).strict();
export type CounterAcknowledge = z.infer<typeof CounterAcknowledge>;
export const CounterAcknowledgeResult = z.object({ accepted: z.boolean() }).strict();

/** hub → booth: nobody answered yet; the booth chimes again. */
export const RingAgain = z.object({ alertId: AlertId, ring: z.number().int().min(1) }).strict();

/**
 * hub → booth: who hears a standing alert changed — the first counter page
 * of the pharmacy opened (it rings there at once), or the last one closed —
 * so the kiosk stops or starts saying that only the booth rings.
 */
export const AlertHeard = z.object({ alertId: AlertId, counters: z.number().int().min(0) }).strict();

/** counter page → hub. */
export const AcknowledgeAlertParams = z.object({ boothId: z.string().min(1).max(64), alertId: AlertId }).strict();
export type AcknowledgeAlertParams = z.infer<typeof AcknowledgeAlertParams>;

/**
 * counter page → hub: the intake for the session the page saw on the board.
 * The intake travels unparsed to the hub, which judges it against its own
 * day so that a malformed one is refused as INVALID_INTAKE, each problem in
 * words, rather than as a bare INVALID_PARAMS.
 */
export const SetIntakeParams = z.object({
  boothId: z.string().min(1).max(64),
  sessionId: z.string().min(1).max(64),
  intake: z.unknown(),
  /**
   * "Examen différé": the case to compile instead of a live call
   * (src/shared/case-protocol.ts), unparsed like the intake and judged by the
   * hub (INVALID_CASE, each problem in words).
   */
  deferred: z.unknown().optional(),
}).strict();
export type SetIntakeParams = z.infer<typeof SetIntakeParams>;

/** An alert on the board. `emergency` is the "Urgence" button's. */
export const BoardAlert = z.object({
  alertId: AlertId,
  reason: AlertReason,
  state: z.enum(['raised', 'acknowledged']),
  raisedAt: z.string().nullable(),
  acknowledgedBy: AlertAcknowledger.nullable(),
  /** How many times it has rung (1 when raised, +1 each time it rings again). */
  rings: z.number().int().min(1),
  /** `out-of-service` only: what is lost, for the pharmacist (counts and times, never the data). */
  lost: KeyLossReport.optional(),
}).strict();
export type BoardAlert = z.infer<typeof BoardAlert>;

export const BoardBooth = z.object({
  boothId: z.string(),
  online: z.boolean(),
  activity: BoothActivity.omit({ alertId: true }).nullable(),
  /** The hub's queue position while waiting (1 = next), the doctor's name while in a call. */
  position: z.number().int().min(1).nullable(),
  doctor: z.string().nullable(),
  alert: BoardAlert.nullable(),
}).strict();
export type BoardBooth = z.infer<typeof BoardBooth>;

/** hub → counter page: the pharmacy's booths, whole, on connect and on every change. */
export const Board = z.object({
  pharmacy: z.object({ name: z.string(), city: z.string() }),
  staff: z.object({ id: z.string(), name: z.string() }),
  booths: z.array(BoardBooth),
}).strict();
export type Board = z.infer<typeof Board>;

/** hub → counter page: ring now (a new alert, or one nobody answered). */
export const RingNote = z.object({ boothId: z.string(), alertId: AlertId, reason: AlertReason, ring: z.number().int().min(1) }).strict();
export type RingNote = z.infer<typeof RingNote>;

/** hub → console: the booth in the doctor's call raised "Urgence", or it was answered or ended. */
export const EmergencyNote = z.object({
  boothId: z.string(),
  alertId: AlertId,
  state: z.enum(['raised', 'acknowledged', 'resolved']),
  acknowledgedBy: AlertAcknowledger.nullable(),
}).strict();
export type EmergencyNote = z.infer<typeof EmergencyNote>;

/** The counter page's sign-in, sign-out and "who am I" (the console's are under /api). */
export const COUNTER_API = { login: '/api/counter/login', loginTotp: '/api/counter/login/totp', logout: '/api/counter/logout', me: '/api/counter/me' } as const;

/** Refusals a booth or a counter page may see. */
export const COUNTER_ERRORS = {
  /** The booth or alert belongs to another pharmacy, or no longer stands. */
  notYourPharmacy: 'NOT_YOUR_PHARMACY',
  unknownAlert: 'UNKNOWN_ALERT',
  boothOffline: 'BOOTH_OFFLINE',
  /** The page's account signed out (here or in another tab) since it connected. */
  notLoggedIn: 'NOT_LOGGED_IN',
  /** `counter.setIntake`: the intake is not one the shared schema accepts. */
  invalidIntake: 'INVALID_INTAKE',
  /** `counter.setIntake` with `deferred`: the case request is not one the shared schema accepts. */
  invalidCase: 'INVALID_CASE',
} as const;
