/**
 * What the kiosk renderer sees of the session machine: a serialisable view,
 * never the machine itself, and the UI events it may send back. The renderer
 * never decides the flow (DESIGN §1): it shows `state` and sends events.
 */
import { z } from 'zod';
import { AuscultationPoint, BreathInstruction, StethoscopeError } from './auscultation';
import { CaseSpecialty, ChecklistId, ChecklistItem, PickupCode } from './case-record';
import { DoctorPhotoUrl } from './doctor-photo';
import { Ear, MeasurementKind, Quantity, UcumUnit } from './domain';
import { ExceptionReason, Intake, Pathway, VisitReason } from './intake';
import { Language } from './language';
import { WEEKDAYS } from './opening-hours';

export { ExceptionReason, Language, Pathway };

/** Entered by the assistant on the assistant panel; the patient types nothing. */
export const Identity = z.object({
  firstName: z.string().trim().min(1).max(80),
  lastName: z.string().trim().min(1).max(80),
  /** YYYY-MM-DD */
  birthDate: z.iso.date(),
}).strict();
export type Identity = z.infer<typeof Identity>;


/**
 * Why the booth raised its local alert ("raise an alert to the pharmacy"):
 * the patient asked for help (the "Pharmacien" button, or its button on a
 * device or video problem), the call's hub did not come back within the bound,
 * or a crash interrupted the consultation; "Urgence" raises `emergency`. One list, so that anything staff
 * read (the assistant panel today, a counter page later) gives the same
 * reasons.
 */
/** `out-of-service`: the booth's key file is lost and it refuses sessions (raised by the host, not a session; issue #21). */
export const AlertReason = z.enum(['help', 'device-fault', 'video-failed', 'call-not-recovering', 'technical-incident', 'emergency', 'out-of-service']);
export type AlertReason = z.infer<typeof AlertReason>;
/** The reasons a patient's touch may give; the others only the booth itself decides. */
export const PatientAlertReason = AlertReason.extract(['help', 'device-fault', 'video-failed']);
export type PatientAlertReason = z.infer<typeof PatientAlertReason>;

/**
 * Who acknowledged an alert: the pharmacist in assistant mode at the booth
 * (the PIN names no one), or a member of staff on the counter page, named.
 */
export const AlertAcknowledger = z.object({
  via: z.enum(['booth', 'counter']),
  staffId: z.string().min(1).max(120).optional(),
  /** First name, shown to the patient ("Marie arrive"). */
  name: z.string().trim().min(1).max(80).optional(),
}).strict();
export type AlertAcknowledger = z.infer<typeof AlertAcknowledger>;

/** The alert as the kiosk sees it (SessionView context `alert`), or null when none is raised. */
export const AlertView = z.object({
  id: z.string(),
  reason: AlertReason,
  /** "raised": the pharmacy is being called; "acknowledged": someone said they are coming. */
  state: z.enum(['raised', 'acknowledged']),
  raisedAt: z.string().nullable(),
  acknowledgedBy: AlertAcknowledger.nullable(),
  /** The booth's chime (kiosk-config `alert.chime`), null when switched off. */
  chime: z.object({ volume: z.number() }).nullable(),
  /**
   * Who hears it: "counter" once a counter page of the pharmacy has it,
   * "booth" when none is open or the hub cannot be reached (the booth rings
   * here only, and says so); absent while not known yet.
   */
  reach: z.enum(['counter', 'booth']).nullable().optional(),
  /** 1, then +1 each time nobody answered within the hub's bound: the booth chimes again. */
  ring: z.number().int().min(1).optional(),
});
export type AlertView = z.infer<typeof AlertView>;

/** The doctor who claimed the booth, as the hub's config names them (queue.claimed), with their photo when it has one. */
export const DoctorView = z.object({
  name: z.string().max(120),
  specialty: z.string().max(120),
  photo: DoctorPhotoUrl.optional(),
});
export type DoctorView = z.infer<typeof DoctorView>;

/**
 * Who ended the call, for the wrap-up's first line: the doctor left the room
 * ("Le médecin a terminé la consultation"), or the connection was lost (a
 * side that did not come back, the media server). The patient's own "Arrêter"
 * wipes the session and never reaches the wrap-up.
 */
export const CallEndedBy = z.enum(['doctor', 'connection']);
export type CallEndedBy = z.infer<typeof CallEndedBy>;

/** The measurement on the consultation screen: its guidance step, the live value, the result or the problem to fix. */
export const MeasurementView = z.object({
  kind: MeasurementKind,
  /** 0-based guidance step, of `stepCount`. */
  step: z.number().int().min(0),
  stepCount: z.number().int().min(1),
  /** The live value while measuring (cuff pressure rising), in `liveUnit`. */
  live: z.number().nullable(),
  /** The unit the measuring device gave the live value in (the host sends only its own live kind). */
  liveUnit: UcumUnit.nullable(),
  /** The device taking it (null when the booth has none). */
  deviceId: z.string().nullable(),
  result: z.array(Quantity).nullable(),
  /** A device error or quality flag to recover from ("cuff-too-loose", "TIMEOUT"…). */
  error: z.string().nullable(),
  /** The specialist's request id, or null when the pharmacist started it. */
  requestId: z.string().nullable(),
  /** The specialist's short instruction ("bras gauche"). */
  note: z.string().nullable(),
  bodySite: z.string().nullable(),
  /** An otoscope still's ear, for the guidance in the patient's language. */
  ear: Ear.nullable(),
  /** Which measurement of the session this is (1, 2…). */
  serial: z.number().int(),
});
export type MeasurementView = z.infer<typeof MeasurementView>;

/**
 * The auscultation on the consultation screen: the point the doctor chose,
 * the breath instruction they gave (null: none yet), and the stethoscope's
 * state as the kiosk reports it (`guidance` while it opens, `listening` once
 * its sound is sent, `error` with the reason).
 */
export const AuscultationView = z.object({
  point: AuscultationPoint,
  breath: BreathInstruction.nullable(),
  status: z.enum(['guidance', 'listening', 'error']),
  error: StethoscopeError.nullable(),
}).strict();
export type AuscultationView = z.infer<typeof AuscultationView>;

/**
 * The forwarded case on the exam screens: the checklist with each item's
 * state, the item in progress, whether it may be sent, and once sent the
 * pick-up code (with the pharmacy and the answer time for its ticket). No
 * question, phone number or note: those are the doctor's and the counter's.
 */
export const ExamView = z.object({
  specialty: CaseSpecialty,
  items: z.array(z.object({
    item: ChecklistItem,
    state: z.enum(['todo', 'done', 'skipped']),
    /** The pharmacist's reason, when skipped. */
    skipped: z.string().optional(),
  }).strict()),
  current: ChecklistId.nullable(),
  /** Every item done or skipped. */
  canSend: z.boolean(),
  /** Why the last stethoscope clip was not recorded. */
  clipError: z.string().nullable(),
  pickupCode: PickupCode.nullable(),
  /** "Réponse sous N h" (TARGET_ANSWER_HOURS of the specialty). */
  answerHours: z.number().int().positive(),
}).strict();
export type ExamView = z.infer<typeof ExamView>;

/** The reasons the kiosk offers for skipping an item (large buttons); the assistant panel may type another. */
export const EXAM_SKIP_REASONS = {
  fr: ['Le patient ne souhaite pas', 'Appareil indisponible', 'Pas utile pour ce patient'],
  en: ['The patient declines', 'Device unavailable', 'Not useful for this patient'],
} as const;

/** The network as the patient hears it: the call is reconnecting, or the hub has not come back within the bound. */
export const NetworkView = z.enum(['online', 'reconnecting', 'unreachable']);
export type NetworkView = z.infer<typeof NetworkView>;

/**
 * What the screens read of the session. The first fields are always there;
 * the others only on the screens that show them (the identity on the
 * identity step and in assistant mode, the queue in the waiting room…).
 */
const DayRanges = z.array(z.tuple([z.string(), z.string()]));
const WeekRanges = { mon: DayRanges, tue: DayRanges, wed: DayRanges, thu: DayRanges, fri: DayRanges, sat: DayRanges, sun: DayRanges };

export const SessionViewContext = z.object({
  /** Which cross-cutting layer covers the screen, most urgent first. */
  overlay: z.enum(['emergency', 'cancelConfirm', 'inactivityPrompt']).nullable(),
  network: NetworkView,
  /** Whether anyone was really called: the kiosk says "le pharmacien est prévenu" only then. */
  alert: AlertView.nullable(),
  deviceFault: z.object({ deviceId: z.string(), kind: z.string(), code: z.string() }).nullable(),
  muted: z.boolean(),
  canBack: z.boolean(),
  canCancel: z.boolean(),
  identity: Identity.nullable().optional(),
  /** The pharmacist's latest intake: where the identity is shown (identity step, assistant panel). */
  intake: Intake.nullable().optional(),
  /** The reason for the visit, in the waiting room (no identity there). */
  reason: VisitReason.nullable().optional(),
  pathway: Pathway.nullable().optional(),
  exceptionReason: ExceptionReason.nullable().optional(),
  queue: z.object({ position: z.number().nullable(), etaMinutes: z.number().nullable(), doctorsOnline: z.number().int().min(0).optional() }).optional(),
  /** The doctor who claimed the booth, on the call screen (null when the hub named no one). */
  doctor: DoctorView.nullable().optional(),
  /**
   * The booth refuses every session (its key file is lost: issue #21): the
   * kiosk shows only « Cabine hors service — appelez le pharmacien ». What is
   * lost is told to staff, never here.
   */
  /** On the attract screen outside opening hours: the week's hours and when it opens again (the host's clock decided). */
  outOfService: z.object({ since: z.string() }).nullable().optional(),
  closed: z.object({
    hours: z.object(WeekRanges),
    reopens: z.object({ day: z.enum(WEEKDAYS), time: z.string(), inDays: z.number().int().min(0) }).nullable(),
  }).nullable().optional(),
  measurement: MeasurementView.optional(),
  auscultation: AuscultationView.optional(),
  prescription: z.object({
    received: z.boolean(), note: z.string().nullable(), number: z.string().nullable(),
    /** The paper's real state: the kiosk's print button shows it (src/renderer/kiosk/src/print-button.ts). */
    print: z.enum(['none', 'printing', 'printed', 'saved', 'failed']).optional(),
  }).optional(),
  /** Values taken in this session, for the wrap-up summary. */
  results: z.array(z.object({ kind: MeasurementKind, values: z.array(Quantity) })).optional(),
  photos: z.number().int().min(0).optional(),
  /** On the wrap-up: who ended the call (null when the booth was not told). */
  callEndedBy: CallEndedBy.nullable().optional(),
  reportToGp: z.boolean().nullable().optional(),
  /** On the exam screens (a forwarded case). */
  exam: ExamView.optional(),
});
export type SessionViewContext = z.infer<typeof SessionViewContext>;

export const SessionView = z.object({
  /** The machine's state value as a dotted path, e.g. "consultation.measuring". */
  state: z.string(),
  language: Language,
  sessionId: z.string().nullable(),
  /** Step indicator: 1 Langue … 5 Consultation; null outside the steps. */
  step: z.number().int().min(1).max(5).nullable(),
  assistant: z.boolean(),
  /** State-specific details for the screen; never the booth secret. */
  context: SessionViewContext,
});
export type SessionView = z.infer<typeof SessionView>;

/**
 * Events the renderer may send. Anything else is refused by the transport.
 * The session machine's own internal events never appear here.
 */
export const SessionUiEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('TOUCH') }).strict(),
  z.object({ type: z.literal('CHOOSE_LANGUAGE'), language: Language }).strict(),
  z.object({ type: z.literal('NEXT') }).strict(),
  z.object({ type: z.literal('BACK') }).strict(),
  z.object({ type: z.literal('ACCEPT') }).strict(),
  z.object({ type: z.literal('DECLINE') }).strict(),
  z.object({ type: z.literal('CANCEL') }).strict(),
  z.object({ type: z.literal('CANCEL_CONFIRM') }).strict(),
  z.object({ type: z.literal('CANCEL_ABORT') }).strict(),
  z.object({ type: z.literal('STILL_HERE') }).strict(),
  z.object({ type: z.literal('EMERGENCY') }).strict(),
  z.object({ type: z.literal('EMERGENCY_CLOSE') }).strict(),
  z.object({ type: z.literal('FINISH') }).strict(),
  /** "I am ready": the measurement starts. */
  z.object({ type: z.literal('START_MEASURE') }).strict(),
  z.object({ type: z.literal('RETRY') }).strict(),
  z.object({ type: z.literal('TOGGLE_MUTE') }).strict(),
  /** The kiosk's stethoscope while the doctor listens: opening again (a retry), its sound sent, or why it is not. */
  z.object({ type: z.literal('STETHOSCOPE_STATUS'), status: z.enum(['guidance', 'listening', 'error']), code: StethoscopeError.optional() }).strict(),
  /** "Appeler le pharmacien": raises the booth's local alert (coalesced while one is raised). */
  z.object({ type: z.literal('CALL_PHARMACIST'), reason: PatientAlertReason.optional() }).strict(),
  /** The exam's checklist: take this item now. */
  z.object({ type: z.literal('EXAM_CHOOSE'), itemId: ChecklistId }).strict(),
  /** The pharmacist skips an item (the screen's reasons, or the assistant panel's words); the doctor reads why. */
  z.object({ type: z.literal('EXAM_SKIP'), itemId: ChecklistId, reason: z.string().trim().min(1).max(200) }).strict(),
  /** "Envoyer le dossier". */
  z.object({ type: z.literal('EXAM_SEND') }).strict(),
]);
export type SessionUiEvent = z.infer<typeof SessionUiEvent>;

/**
 * The taps whose meaning depends on the screen they were made on: "Suivant"
 * on a measurement's result is not "Suivant" on the guidance the doctor's
 * next request has just put up. The kiosk tags each with `screenOf` the view
 * it showed; the host applies one only while the session still shows that
 * screen. A double tap, or a tap as the screen changed under the finger,
 * moves the patient one step, not two. Alarms, the voice switch and the
 * overlays' buttons mean the same on every screen and are never held back.
 */
export const SCREEN_TAPS: ReadonlySet<SessionUiEvent['type']> = new Set([
  'CHOOSE_LANGUAGE', 'NEXT', 'BACK', 'ACCEPT', 'DECLINE', 'FINISH', 'START_MEASURE', 'RETRY', 'EXAM_CHOOSE', 'EXAM_SKIP', 'EXAM_SEND',
] satisfies SessionUiEvent['type'][]);

/** Which screen a view shows, as far as a tap's meaning goes: the step, and within a measurement or a listening, which one and where. */
export function screenOf(view: Pick<SessionView, 'state' | 'sessionId' | 'context'>): string {
  const m = view.context.measurement;
  const a = view.context.auscultation;
  return [view.sessionId ?? '', view.state, m ? `${m.kind}:${m.step}` : '', a ? a.point : ''].join('|');
}
