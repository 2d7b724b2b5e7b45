/**
 * The assisted session as an xstate v5 statechart (DESIGN §5). Pure: no I/O.
 * Actions, guards, delays and actors are named in `setup()`; the host
 * provides the real ones with `machine.provide()`.
 *
 * The root is parallel: `flow` holds the patient's journey (the screens);
 * the other regions are cross-cutting — `inactivity` (prompt, then wipe;
 * never in the waiting room or the call), `overlay` (cancel confirmation,
 * emergency guidance), `device` (fault), `network` (lost, reconnecting),
 * `voice` (the mute button), `assistant` (PIN mode) and `alert` (the booth's
 * local alert to the pharmacy). Every transition runs `recordTransition` with
 * `{ from, to, event }` so the host can store it (traceability).
 */
import { and, assertEvent, assign, not, or, setup, stateIn, type SingleOrArray } from 'xstate';
import type { AuscultationPoint, BreathInstruction, StethoscopeError } from '../shared/auscultation';
import type { CaseCompiler, CaseRequest, ChecklistItem } from '../shared/case-record';
import type { Ear, MeasurementKind, Quantity, UcumUnit } from '../shared/domain';
import type { Intake, IntakeAuthor } from '../shared/intake';
import type { AlertAcknowledger, AlertReason, CallEndedBy, DoctorView, ExceptionReason, Identity, Language, Pathway, SessionUiEvent } from '../shared/session-view';
import { readingRole } from './readings';

/**
 * How long the kiosk says "nous rétablissons l'appel" before it calls the
 * pharmacist, while the patient waits in the queue or is in the call with no
 * hub. The host provides kiosk-config `alert.reconnectAlertSeconds` as the
 * `networkAlert` delay; this is its default.
 */
export const NETWORK_ALERT_AFTER_MS = 30_000;

/** The booth's local alert, from raised to acknowledged (the machine's `alert` region says which). */
export interface AlertContext {
  /** A UUIDv7 stamped by the host (`stampAlert`); "alert-<n>" in a bare machine. */
  id: string;
  reason: AlertReason;
  raisedAt: string | null;
  acknowledgedBy: AlertAcknowledger | null;
}

/** What the host stores for each change of the alert (an incident of the session, R.6316-1 traceability). */
export interface AlertRecord {
  change: 'raised' | 'acknowledged' | 'resolved';
  alertId: string;
  reason: AlertReason;
  by: AlertAcknowledger | null;
}

/** How many illustrated guidance steps each measurement has before "I am ready". */
export const GUIDANCE_STEPS: Record<MeasurementKind, number> = {
  temperature: 3,
  'blood-pressure': 4,
  'cuff-pressure': 4,
  spo2: 3,
  'dermatoscope-photo': 3,
  'otoscope-photo': 3,
};

export interface MeasurementContext {
  kind: MeasurementKind;
  /** 0-based guidance step. */
  step: number;
  /** The live value while measuring (cuff pressure rising), in `liveUnit`. */
  live: number | null;
  /** The unit the measuring device gave the live value in (mmHg or kPa for the cuff). */
  liveUnit: UcumUnit | null;
  /** The device taking this measurement (null when the booth has none): only its readings are this measurement's. */
  deviceId: string | null;
  result: Quantity[] | null;
  /** A device error or quality flag to recover from ("cuff-too-loose", "TIMEOUT"…). */
  error: string | null;
  /** The specialist's request id (hub), or null when the pharmacist started it. */
  requestId: string | null;
  /** The specialist's short instruction ("bras gauche"), shown to the patient. */
  note: string | null;
  /** Where on the body (dermatoscope still), kept with the photo. */
  bodySite: string | null;
  /** An otoscope still's ear (the specialist's request), kept with the photo. */
  ear: Ear | null;
  /** Which measurement of the session this is (1, 2…): tells a new request from the same one re-entered. */
  serial: number;
}

/** The doctor listening with the booth's stethoscope: where, the breath instruction, and the kiosk's word on its stethoscope. */
export interface AuscultationContext {
  point: AuscultationPoint;
  breath: BreathInstruction | null;
  status: 'guidance' | 'listening' | 'error';
  error: StethoscopeError | null;
}

/** What became of one checklist item so far: to do, done (with the record item that holds it), or skipped and why. */
export type ExamItemState =
  | { state: 'todo' }
  | { state: 'done'; itemId: string }
  | { state: 'skipped'; reason: string };

/** How a forwarded case starts: the counter's request, the consent's time on the hub's clock, and who compiles it (named staff). */
export interface CaseStart {
  request: CaseRequest;
  consentAt: string;
  compiledBy: CaseCompiler;
}

/**
 * The forwarded case being compiled ("examen différé"). A draft in memory
 * only: nothing of it is a record until "Envoyer le dossier" stores the
 * manifest. Abandoned (cancel, inactivity, "Terminer la séance"), it goes
 * with the session's wipe; the readings, stills and clips already taken
 * stay the session's record, as they would after a call.
 */
export interface ExamContext extends CaseStart {
  items: Record<string, ExamItemState>;
  /** The checklist item being taken now. */
  current: string | null;
  /** The record item the current one produced (its reading, still, clip or video), until the patient goes back to the list. */
  taken: string | null;
  /** Why the last stethoscope clip of the exam was not recorded (the kiosk says so and offers to try again). */
  clipError: string | null;
  /** Stamped by the host when the case is sent (`stampCase`): the manifest's id and the patient's pick-up code. */
  caseId: string | null;
  pickupCode: string | null;
}

export interface SessionContext {
  language: Language;
  defaultLanguage: Language;
  sessionId: string | null;
  /** The identity the screens and the queue use: the intake's, or one typed alone (SET_IDENTITY). */
  identity: Identity | null;
  /** When the patient accepted the consultation (ISO 8601, stamped by the host; null in a bare machine). */
  consentAt: string | null;
  /** The pharmacist's intake (the latest), and who made that change. */
  intake: Intake | null;
  intakeBy: IntakeAuthor | null;
  /** The intake's pathway rule (never asked of the patient). */
  pathway: Pathway | null;
  exceptionReason: ExceptionReason | null;
  /** `doctorsOnline`: consoles open at the hub, when the hub says (0: nobody can take the patient now). */
  queue: { position: number | null; etaMinutes: number | null; doctorsOnline?: number };
  /** The doctor who claimed the booth (the hub's name and specialty for them), shown on the call. */
  doctor: DoctorView | null;
  /** Who ended the call, for the wrap-up's first line; null while in it, or when nobody said. */
  callEndedBy: CallEndedBy | null;
  measurement: MeasurementContext | null;
  /** While the doctor listens (consultation.auscultation only). */
  auscultation: AuscultationContext | null;
  /** Values taken in this session, for the wrap-up summary (values only, no diagnosis). */
  results: { kind: MeasurementKind; values: Quantity[] }[];
  /** Dermatoscope stills taken in this session (stored by the host; only the count here). */
  photos: number;
  /** `print`: where the paper is — none yet, printing, printed, saved for the pharmacist (no printer), or failed. */
  prescription: { received: boolean; note: string | null; number: string | null; print: PrintState };
  /** How many measurements were started in this session (numbers each one). */
  measurementCount: number;
  reportToGp: boolean | null;
  deviceFault: { deviceId: string; kind: string; code: string } | null;
  /** The booth's local alert, while one is raised or acknowledged. */
  alert: AlertContext | null;
  /** How many alerts this session raised (names them in a bare machine). */
  alertCount: number;
  /** Which device of this booth takes each kind of measurement (machine input; kept across sessions). */
  measuringDevices: MeasuringDevices;
  /** The forwarded case being compiled (flow.exam), or null. */
  exam: ExamContext | null;
}

export type PrintState = 'none' | 'printing' | 'printed' | 'saved' | 'failed';

/** Device id per measurement kind, for the devices this booth has. */
export type MeasuringDevices = Partial<Record<MeasurementKind, string>>;

/** What the host gives the machine when it creates it. */
export interface SessionInput {
  language?: Language;
  measuringDevices?: MeasuringDevices;
}

/** Events only the host sends (hub, devices, assistant panel after its PIN); the renderer cannot. */
export type SessionHostEvent =
  /** The identity alone (scripts and benches); the assistant panel sends the whole intake. */
  | { type: 'SET_IDENTITY'; identity: Identity }
  /**
   * The pharmacist's intake, whole: from the assistant panel (`by.via: 'booth'`,
   * assistant mode only) or from the counter page through the hub (the host
   * has checked the staff member belongs to this booth's pharmacy).
   */
  | { type: 'SET_INTAKE'; intake: Intake; by: IntakeAuthor; deferred?: CaseStart }
  | { type: 'QUEUE_UPDATE'; position: number; etaMinutes: number | null; doctorsOnline?: number }
  /** `doctor`: who claimed the booth, when the hub named them. */
  | { type: 'CLAIMED'; doctor?: DoctorView }
  | { type: 'MEASUREMENT_REQUESTED'; kind: MeasurementKind; requestId?: string; note?: string; bodySite?: string; ear?: Ear }
  /** The doctor listens at a point (or moves there): the kiosk shows where to place the stethoscope and sends its sound. */
  | { type: 'AUSCULTATE'; point: AuscultationPoint }
  | { type: 'BREATH'; instruction: BreathInstruction }
  | { type: 'STOP_AUSCULTATION' }
  /** A device's reading; `deviceId` says which instrument sent it (only the measuring one's count). */
  | { type: 'READING'; kind: MeasurementKind; deviceId: string; values: Quantity[]; intermediate: boolean; readingId?: string }
  /** `deviceId`: the instrument that reported it (absent when the measurement could not start); another one's error is not this measurement's. */
  | { type: 'MEASUREMENT_ERROR'; code: string; deviceId?: string }
  /** A dermatoscope still was stored (capturePhoto); the photo itself never enters the machine. */
  | { type: 'PHOTO_CAPTURED'; photoId: string }
  /** `endedBy`: the doctor left the room, or the connection ended it (absent when the booth does not know). */
  | { type: 'CALL_ENDED'; endedBy?: CallEndedBy }
  | { type: 'PRESCRIPTION_RECEIVED'; note?: string; number?: string; print?: PrintState }
  /** The prescription's printer, as the host sees it (a print asked again from the kiosk, and its outcome). */
  | { type: 'PRINT_STATE'; state: PrintState }
  | { type: 'DEVICE_FAULT'; deviceId: string; kind: string; code: string }
  | { type: 'DEVICE_RECOVERED'; deviceId: string }
  | { type: 'NETWORK_LOST' }
  | { type: 'NETWORK_RESTORED' }
  | { type: 'ASSISTANT_LOGIN' }
  | { type: 'ASSISTANT_LOGOUT' }
  | { type: 'ASSISTANT_START_MEASUREMENT'; kind: MeasurementKind }
  | { type: 'ASSISTANT_SKIP_DEVICE' }
  | { type: 'ASSISTANT_RESTART' }
  | { type: 'ASSISTANT_END' }
  /** The booth raises its local alert itself. */
  | { type: 'ALERT_RAISE'; reason: AlertReason }
  /** Someone is coming: the pharmacist at the booth (assistant mode), or staff at the counter (`by.via: 'counter'`, a page not built yet). */
  | { type: 'ALERT_ACKNOWLEDGED'; alertId?: string; by: AlertAcknowledger }
  | { type: 'ALERT_RESOLVED'; alertId?: string; by: AlertAcknowledger }
  /** At start-up, crash recovery found this session interrupted (src/host/crash-recovery.ts). */
  | { type: 'SESSION_INTERRUPTED'; sessionId: string }
  /** The exam's stethoscope clip is stored (sealed, in the outbox). */
  | { type: 'CLIP_SAVED'; clipId: string }
  /** The exam's stethoscope clip could not be recorded (`code` from the kiosk's stethoscope or the host's check). */
  | { type: 'CLIP_FAILED'; code: string }
  /** The patient's video, kept after the replay, is stored (sealed, in the outbox). */
  | { type: 'VIDEO_SAVED'; videoId: string }
  /** The case's manifest is stored after every part: the pick-up code may be shown. */
  | { type: 'CASE_STORED' }
  /** The manifest could not be stored (`code`): back to the list, the parts kept, to send again. */
  | { type: 'CASE_FAILED'; code: string };

/** Raised by the machine itself. */
type InternalEvent = { type: 'INACTIVITY_WIPE' } | { type: 'CANCELLED' };

export type SessionMachineEvent = SessionUiEvent | SessionHostEvent | InternalEvent;

/** Host event type names (a renderer event never has one of these). */
export const HOST_EVENT_TYPES = [
  'SET_IDENTITY', 'SET_INTAKE', 'QUEUE_UPDATE', 'CLAIMED', 'MEASUREMENT_REQUESTED', 'AUSCULTATE', 'BREATH', 'STOP_AUSCULTATION', 'READING', 'MEASUREMENT_ERROR', 'PHOTO_CAPTURED', 'CALL_ENDED',
  'PRESCRIPTION_RECEIVED', 'PRINT_STATE', 'DEVICE_FAULT', 'DEVICE_RECOVERED', 'NETWORK_LOST', 'NETWORK_RESTORED', 'ASSISTANT_LOGIN',
  'ASSISTANT_LOGOUT', 'ASSISTANT_START_MEASUREMENT', 'ASSISTANT_SKIP_DEVICE', 'ASSISTANT_RESTART', 'ASSISTANT_END',
  'ALERT_RAISE', 'ALERT_ACKNOWLEDGED', 'ALERT_RESOLVED', 'SESSION_INTERRUPTED', 'CLIP_SAVED', 'CLIP_FAILED', 'VIDEO_SAVED', 'CASE_STORED', 'CASE_FAILED',
] as const satisfies readonly SessionHostEvent['type'][];

/** A patient's touch: restarts the inactivity timer. */
const ACTIVITY_EVENTS = [
  'TOUCH', 'CHOOSE_LANGUAGE', 'NEXT', 'BACK', 'ACCEPT', 'DECLINE', 'CANCEL', 'CANCEL_ABORT', 'STILL_HERE', 'EMERGENCY',
  'EMERGENCY_CLOSE', 'FINISH', 'START_MEASURE', 'RETRY', 'TOGGLE_MUTE', 'CALL_PHARMACIST', 'EXAM_CHOOSE', 'EXAM_SKIP', 'EXAM_SEND',
] as const satisfies readonly SessionMachineEvent['type'][];

export interface TransitionRecord {
  from: string;
  to: string | null;
  event: string;
}

const emptyContext = (language: Language, measuringDevices: MeasuringDevices): SessionContext => ({
  language,
  defaultLanguage: language,
  sessionId: null,
  identity: null,
  consentAt: null,
  intake: null,
  intakeBy: null,
  pathway: null,
  exceptionReason: null,
  queue: { position: null, etaMinutes: null },
  doctor: null,
  callEndedBy: null,
  measurement: null,
  auscultation: null,
  results: [],
  photos: 0,
  prescription: { received: false, note: null, number: null, print: 'none' },
  measurementCount: 0,
  reportToGp: null,
  deviceFault: null,
  alert: null,
  alertCount: 0,
  measuringDevices,
  exam: null,
});

const newMeasurement = (kind: MeasurementKind, serial: number, deviceId: string | null, request: { requestId?: string; note?: string; bodySite?: string; ear?: Ear } = {}): MeasurementContext => ({
  kind, step: 0, live: null, liveUnit: null, deviceId, result: null, error: null,
  requestId: request.requestId ?? null, note: request.note ?? null, bodySite: request.bodySite ?? null, ear: request.ear ?? null, serial,
});

/** The item of the case's checklist with this id. */
function examItem(context: SessionContext, itemId: string): ChecklistItem | undefined {
  return context.exam?.request.checklist.find((i) => i.id === itemId);
}

/** The measurement a checklist item is taken with (null for a stethoscope point or the video). */
function measurementOf(item: ChecklistItem | undefined): MeasurementKind | null {
  switch (item?.kind) {
    case 'temperature': case 'blood-pressure': case 'spo2': case 'dermatoscope-photo': case 'otoscope-photo': return item.kind;
    default: return null;
  }
}

const machineSetup = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionMachineEvent,
    input: {} as SessionInput | undefined,
  },
  actions: {
    /** Provided by the host: a new session id (UUIDv7). */
    startSession: assign({ sessionId: () => null as string | null }),
    /** Attract: no session. */
    endSession: assign(({ context }) => ({ ...emptyContext(context.defaultLanguage, context.measuringDevices) })),
    /** Provided by the host: stores `{ from, to, event }` as a SessionEvent. */
    recordTransition: (_: unknown, _params: TransitionRecord) => undefined,
    /** Provided by the host: asks the instrument to measure (devices.measure). */
    startMeasurement: (_: unknown, _params: { kind: MeasurementKind }) => undefined,
    /** Provided by the host: tells the renderer and the host's caches to drop patient data. */
    notifyWipe: () => undefined,
    setLanguage: assign({
      language: ({ event }) => {
        assertEvent(event, 'CHOOSE_LANGUAGE');
        return event.language;
      },
    }),
    /** Every patient datum leaves the machine; the session id stays until attract, for the trace. */
    wipePatientData: assign(({ context }) => ({ ...emptyContext(context.defaultLanguage, context.measuringDevices), sessionId: context.sessionId, language: context.language })),
    setIdentity: assign({
      identity: ({ event }) => {
        assertEvent(event, 'SET_IDENTITY');
        return event.identity;
      },
    }),
    /** Provided by the host: the time of consent, for the doctor and the record. */
    stampConsent: assign({ consentAt: () => null as string | null }),
    /** The intake, and what the screens and the queue read of it (the first of the first names is the one used). */
    setIntake: assign(({ event }) => {
      assertEvent(event, 'SET_INTAKE');
      const { identity, pathway } = event.intake;
      return {
        intake: event.intake,
        intakeBy: event.by,
        identity: { firstName: identity.firstNames.split(/\s+/)[0] ?? identity.firstNames, lastName: identity.birthName, birthDate: identity.birthDate },
        pathway: pathway.pathway,
        exceptionReason: pathway.exceptionReason ?? null,
      };
    }),
    setQueue: assign({
      queue: ({ event }) => {
        assertEvent(event, 'QUEUE_UPDATE');
        return { position: event.position, etaMinutes: event.etaMinutes, ...(event.doctorsOnline === undefined ? {} : { doctorsOnline: event.doctorsOnline }) };
      },
    }),
    setDoctor: assign({
      doctor: ({ event }) => {
        assertEvent(event, 'CLAIMED');
        return event.doctor ?? null;
      },
    }),
    setCallEnded: assign({
      callEndedBy: ({ event }) => {
        assertEvent(event, 'CALL_ENDED');
        return event.endedBy ?? null;
      },
    }),
    requestMeasurement: assign(({ event, context }) => {
      assertEvent(event, ['MEASUREMENT_REQUESTED', 'ASSISTANT_START_MEASUREMENT']);
      const serial = context.measurementCount + 1;
      const kind = event.kind === 'cuff-pressure' ? 'blood-pressure' : event.kind;
      const deviceId = context.measuringDevices[kind] ?? null;
      return { measurementCount: serial, measurement: newMeasurement(kind, serial, deviceId, event.type === 'MEASUREMENT_REQUESTED' ? event : {}) };
    }),
    nextStep: assign({ measurement: ({ context }) => (context.measurement ? { ...context.measurement, step: context.measurement.step + 1 } : null) }),
    previousStep: assign({ measurement: ({ context }) => (context.measurement ? { ...context.measurement, step: Math.max(0, context.measurement.step - 1) } : null) }),
    clearAttempt: assign({ measurement: ({ context }) => (context.measurement ? { ...context.measurement, live: null, liveUnit: null, result: null, error: null } : null) }),
    setLive: assign({
      measurement: ({ event, context }) => {
        assertEvent(event, 'READING');
        return context.measurement && event.values[0]
          ? { ...context.measurement, live: event.values[0].value, liveUnit: event.values[0].unit }
          : context.measurement;
      },
    }),
    setResult: assign(({ event, context }) => {
      assertEvent(event, 'READING');
      if (!context.measurement) return {};
      return {
        measurement: { ...context.measurement, result: event.values, live: null, liveUnit: null, error: null },
        results: [...context.results, { kind: context.measurement.kind, values: event.values }],
      };
    }),
    setMeasurementError: assign({
      measurement: ({ event, context }) => {
        assertEvent(event, 'MEASUREMENT_ERROR');
        return context.measurement ? { ...context.measurement, error: event.code, live: null, liveUnit: null } : context.measurement;
      },
    }),
    setPhotoResult: assign(({ context }) => (context.measurement
      ? { measurement: { ...context.measurement, result: [], live: null, liveUnit: null, error: null }, photos: context.photos + 1 }
      : {})),
    clearMeasurement: assign({ measurement: () => null }),
    /** A new point keeps the stethoscope's state: moving the chest piece does not reopen the device. */
    setAuscultation: assign({
      auscultation: ({ event, context }) => {
        assertEvent(event, 'AUSCULTATE');
        const before = context.auscultation;
        return { point: event.point, breath: null, status: before?.status ?? 'guidance', error: before?.error ?? null };
      },
    }),
    setBreath: assign({
      auscultation: ({ event, context }) => {
        assertEvent(event, 'BREATH');
        return context.auscultation ? { ...context.auscultation, breath: event.instruction } : null;
      },
    }),
    setStethoscopeStatus: assign({
      auscultation: ({ event, context }) => {
        assertEvent(event, 'STETHOSCOPE_STATUS');
        if (!context.auscultation) return null;
        return { ...context.auscultation, status: event.status, error: event.status === 'error' ? event.code ?? 'STETHOSCOPE_FAILED' : null };
      },
    }),
    clearAuscultation: assign({ auscultation: () => null }),
    setPrescription: assign({
      prescription: ({ event }) => {
        assertEvent(event, 'PRESCRIPTION_RECEIVED');
        return { received: true, note: event.note ?? null, number: event.number ?? null, print: event.print ?? 'none' };
      },
    }),
    setPrintState: assign({
      prescription: ({ event, context }) => {
        assertEvent(event, 'PRINT_STATE');
        return { ...context.prescription, print: event.state };
      },
    }),
    setReportConsent: assign({
      reportToGp: ({ event }) => {
        assertEvent(event, ['ACCEPT', 'DECLINE']);
        return event.type === 'ACCEPT';
      },
    }),
    setDeviceFault: assign({
      deviceFault: ({ event }) => {
        assertEvent(event, 'DEVICE_FAULT');
        return { deviceId: event.deviceId, kind: event.kind, code: event.code };
      },
    }),
    clearDeviceFault: assign({ deviceFault: () => null }),
    openAlert: assign(({ event, context }) => {
      assertEvent(event, ['ALERT_RAISE', 'CALL_PHARMACIST', 'EMERGENCY']);
      const reason: AlertReason = event.type === 'ALERT_RAISE' ? event.reason : event.type === 'EMERGENCY' ? 'emergency' : (event.reason ?? 'help');
      const n = context.alertCount + 1;
      return { alertCount: n, alert: { id: `alert-${n}`, reason, raisedAt: null, acknowledgedBy: null } };
    }),
    /** Provided by the host: a UUIDv7 and the time for the alert just opened. */
    stampAlert: assign({ alert: ({ context }) => context.alert }),
    acknowledgeAlert: assign({
      alert: ({ event, context }) => {
        assertEvent(event, ['ALERT_ACKNOWLEDGED', 'ASSISTANT_LOGIN']);
        return context.alert ? { ...context.alert, acknowledgedBy: acknowledgerOf(event) } : context.alert;
      },
    }),
    clearAlert: assign({ alert: () => null }),
    /** Provided by the host: stores the change as an incident of the session, and tells whoever listens (the counter, later). */
    recordAlert: (_: unknown, _params: AlertRecord) => undefined,
    /** A forwarded case starts from the counter's request (SET_INTAKE with `deferred`): every item to do. */
    openExam: assign({
      exam: ({ event }) => {
        assertEvent(event, 'SET_INTAKE');
        const start = event.deferred!;
        const items = Object.fromEntries(start.request.checklist.map((i) => [i.id, { state: 'todo' } as ExamItemState]));
        return { ...start, items, current: null, taken: null, clipError: null, caseId: null, pickupCode: null };
      },
    }),
    /** The item chosen on the checklist: a measurement (with its body site or ear), a point to listen at, or the video. */
    startExamItem: assign(({ event, context }) => {
      assertEvent(event, 'EXAM_CHOOSE');
      const item = examItem(context, event.itemId);
      if (!context.exam || !item) return {};
      const exam = { ...context.exam, current: item.id, taken: null, clipError: null };
      const kind = measurementOf(item);
      if (kind) {
        const serial = context.measurementCount + 1;
        const site = item.kind === 'dermatoscope-photo' ? { bodySite: item.bodySite } : item.kind === 'otoscope-photo' ? { ear: item.ear } : {};
        return { exam, measurementCount: serial, measurement: newMeasurement(kind, serial, context.measuringDevices[kind] ?? null, site) };
      }
      if (item.kind === 'auscultation') return { exam, auscultation: { point: item.point, breath: null, status: 'guidance' as const, error: null } };
      return { exam };
    }),
    /** The record item the current checklist item produced: the reading's, the still's, the clip's or the video's id. */
    noteTaken: assign({
      exam: ({ event, context }) => {
        assertEvent(event, ['READING', 'PHOTO_CAPTURED', 'CLIP_SAVED', 'VIDEO_SAVED']);
        const id = event.type === 'READING' ? event.readingId ?? null : event.type === 'PHOTO_CAPTURED' ? event.photoId : event.type === 'CLIP_SAVED' ? event.clipId : event.videoId;
        return context.exam ? { ...context.exam, taken: id } : null;
      },
    }),
    /** Back to the list with the item done (what it produced), or left as it was when nothing was taken. */
    completeExamItem: assign({
      exam: ({ context }) => {
        const exam = context.exam;
        if (!exam) return null;
        const items = exam.current && exam.taken ? { ...exam.items, [exam.current]: { state: 'done' as const, itemId: exam.taken } } : exam.items;
        return { ...exam, items, current: null, taken: null };
      },
    }),
    /** Back to the list without taking the item. */
    leaveExamItem: assign({ exam: ({ context }) => (context.exam ? { ...context.exam, current: null, taken: null, clipError: null } : null) }),
    /** The pharmacist skips an item, with the reason the doctor will read. */
    skipExamItem: assign({
      exam: ({ event, context }) => {
        assertEvent(event, 'EXAM_SKIP');
        if (!context.exam) return null;
        return { ...context.exam, items: { ...context.exam.items, [event.itemId]: { state: 'skipped' as const, reason: event.reason.trim() } } };
      },
    }),
    setClipFailed: assign({
      exam: ({ event, context }) => {
        assertEvent(event, 'CLIP_FAILED');
        return context.exam ? { ...context.exam, clipError: event.code } : null;
      },
    }),
    clearClipError: assign({ exam: ({ context }) => (context.exam ? { ...context.exam, clipError: null } : null) }),
    /** Provided by the host: the case's id (UUIDv7) and a pick-up code drawn with crypto; fixed in a bare machine. */
    stampCase: assign({ exam: ({ context }) => (context.exam ? { ...context.exam, caseId: 'case-1', pickupCode: 'ABCDEF' } : null) }),
    /** A manifest that could not be stored: a new id and code at the next "Envoyer" (nothing of this one reached the outbox). */
    unstampCase: assign({ exam: ({ context }) => (context.exam ? { ...context.exam, caseId: null, pickupCode: null } : null) }),
    /** Provided by the host: stores the manifest after every part, then sends CASE_STORED (or CASE_FAILED). */
    storeCase: () => undefined,
    /** Provided by the host: the kiosk records the booth's usual clip from the stethoscope at this point (no hub request). */
    startExamClip: (_: unknown, _params: { point: AuscultationPoint }) => undefined,
    /** The interrupted session keeps its id: the incident screen's trace belongs to it. */
    resumeInterrupted: assign({
      sessionId: ({ event }) => {
        assertEvent(event, 'SESSION_INTERRUPTED');
        return event.sessionId;
      },
    }),
  },
  guards: {
    /** Provided by the host from the booth's opening hours and its clock: outside them a touch starts no session. */
    withinOpeningHours: () => true,
    /**
     * The inactivity prompt and wipe apply only while the patient is filling in
     * steps alone (not with the pharmacist), and never while they wait for the
     * pharmacist they called.
     */
    inactivityApplies: and([
      stateIn('#session.alert.none'),
      or([
        stateIn('#session.flow.language'),
        stateIn('#session.flow.consent'),
        stateIn('#session.flow.identity'),
        stateIn('#session.flow.wrapUp'),
        // The exam's list and its pick-up screen; never while an instrument, the stethoscope or the camera records.
        stateIn('#session.flow.exam.checklist'),
        stateIn('#session.flow.exam.pickup'),
      ]),
      not(stateIn('#session.assistant.on')),
    ]),
    /** Cancel makes sense once a session has started, and not while it is being wiped (nor on the incident screen: the pharmacist ends it). */
    canCancel: not(or([stateIn('#session.flow.attract'), stateIn('#session.flow.privacyWipe'), stateIn('#session.flow.interrupted'), stateIn('#session.flow.exam.sending')])),
    inSession: not(or([stateIn('#session.flow.attract'), stateIn('#session.flow.privacyWipe')])),
    /** The queue and the call live on the hub: without it the patient waits for nothing. */
    patientNeedsHub: or([stateIn('#session.flow.waitingRoom'), stateIn('#session.flow.consultation')]),
    /** An acknowledgement or resolution names the alert it answers (a stale one from the counter is refused); the booth's own may not. */
    isCurrentAlert: ({ event, context }) => (event.type === 'ALERT_ACKNOWLEDGED' || event.type === 'ALERT_RESOLVED')
      && !!context.alert && (event.alertId === undefined || event.alertId === context.alert.id),
    alertAcknowledged: stateIn('#session.alert.acknowledged'),
    emergencyRaised: ({ context }) => context.alert?.reason === 'emergency',
    assistantActive: stateIn('#session.assistant.on'),
    wiping: stateIn('#session.flow.privacyWipe'),
    inCall: stateIn('#session.flow.consultation'),
    assistantInCall: and([stateIn('#session.assistant.on'), stateIn('#session.flow.consultation')]),
    assistantInSession: and([stateIn('#session.assistant.on'), not(stateIn('#session.flow.attract')), not(stateIn('#session.flow.privacyWipe'))]),
    isPhotoMeasurement: ({ context }) => context.measurement?.kind === 'dermatoscope-photo' || context.measurement?.kind === 'otoscope-photo',
    isLastStep: ({ context }) => !!context.measurement && context.measurement.step >= GUIDANCE_STEPS[context.measurement.kind] - 1,
    isFirstStep: ({ context }) => !context.measurement || context.measurement.step === 0,
    /** The booth's pharmacist in assistant mode, or staff at the counter (whom the host has checked). */
    intakeAllowed: ({ event }) => event.type === 'SET_INTAKE' && event.by.via === 'counter',
    /** An intake that asks for no forwarded case (the assistant panel's never does). */
    plainIntake: ({ event }) => event.type === 'SET_INTAKE' && event.deferred === undefined,
    /**
     * "Examen différé": only from the counter, where a named member of staff
     * is signed in — the assistant PIN is shared and cannot say who compiled.
     */
    caseFromCounter: ({ event }) => event.type === 'SET_INTAKE' && event.by.via === 'counter' && event.deferred !== undefined,
    chosenMeasurement: ({ event, context }) => event.type === 'EXAM_CHOOSE' && measurementOf(examItem(context, event.itemId)) !== null,
    chosenAuscultation: ({ event, context }) => event.type === 'EXAM_CHOOSE' && examItem(context, event.itemId)?.kind === 'auscultation',
    chosenVideo: ({ event, context }) => event.type === 'EXAM_CHOOSE' && examItem(context, event.itemId)?.kind === 'video',
    /** An item of this case's checklist (a stale id from another case is refused). */
    isExamItem: ({ event, context }) => (event.type === 'EXAM_SKIP' || event.type === 'EXAM_CHOOSE') && examItem(context, event.itemId) !== undefined,
    /** Every item is done or skipped: the case may be sent. */
    checklistComplete: ({ context }) => !!context.exam && Object.values(context.exam.items).every((i) => i.state !== 'todo'),
    /** The measuring device's live kind (cuff pressure during a blood pressure, an intermediate reading otherwise): shown, not the result. */
    isLiveReading: ({ event, context }) => event.type === 'READING' && readingRole(context.measurement, event) === 'live',
    /** A final reading of the measured kind from the measuring device; any other device's or kind's reading is never the result. */
    isResultReading: ({ event, context }) => event.type === 'READING' && readingRole(context.measurement, event) === 'result',
    /** An error of the measuring instrument (or of the start itself), not of a device streaming beside it. */
    isMeasurementError: ({ event, context }) => event.type === 'MEASUREMENT_ERROR' && (event.deviceId === undefined || event.deviceId === context.measurement?.deviceId),
  },
  delays: {
    /** kiosk-config session.inactivityPromptSeconds (provided by the host). */
    inactivityPrompt: 60_000,
    /** kiosk-config session.wipeAfterPromptSeconds (provided by the host). */
    inactivityWipe: 30_000,
    /** How long "your data has been erased" stays on screen. */
    wipeScreen: 5_000,
    /** kiosk-config alert.reconnectAlertSeconds (provided by the host). */
    networkAlert: NETWORK_ALERT_AFTER_MS,
  },
});

/** A state as xstate's own types describe it for this machine's setup: the names of actions, guards and delays are checked. */
type SessionStateConfig = Parameters<typeof machineSetup.createStateConfig>[0];
/** One transition as xstate types it for any of the machine's events (`always` transitions take them all). */
type Transition = Exclude<NonNullable<SessionStateConfig['always']>, string | readonly unknown[]>;
type TransitionSpec = SingleOrArray<string | Transition>;
/** An action of the chart, as xstate types a state's `entry`. */
type ChartAction = Exclude<NonNullable<SessionStateConfig['entry']>, readonly unknown[]>;
type Delay = keyof NonNullable<SessionStateConfig['after']> & string;

/**
 * A state of the chart before `traced()` adds the trace: xstate's own state
 * config, with each event's transitions typed over all events so that one
 * function can trace them.
 */
interface ChartState extends Omit<SessionStateConfig, 'on' | 'after' | 'always' | 'states'> {
  on?: Partial<Record<SessionMachineEvent['type'], TransitionSpec>>;
  after?: Partial<Record<Delay, TransitionSpec>>;
  always?: TransitionSpec;
  states?: Record<string, ChartState>;
}

/** The machine raises its own alert (an event the alert region takes like the host's). */
function raiseAlert(reason: AlertReason): ChartAction {
  return machineSetup.raise({ type: 'ALERT_RAISE', reason });
}

/** Who answered the alert: the acknowledgement's own, or the pharmacist who unlocked the booth (the PIN names no one); null for any other event. */
function acknowledgerOf(event: SessionMachineEvent): AlertAcknowledger | null {
  if (event.type === 'ASSISTANT_LOGIN') return { via: 'booth' };
  return event.type === 'ALERT_ACKNOWLEDGED' || event.type === 'ALERT_RESOLVED' ? event.by : null;
}

/** The params of `recordAlert` for a change, read from the context (and the acknowledging event). */
function alertRecord(change: AlertRecord['change']): ChartAction {
  return {
    type: 'recordAlert',
    params: ({ context, event }: { context: SessionContext; event: SessionMachineEvent }): AlertRecord => ({
      change,
      alertId: context.alert?.id ?? '',
      reason: context.alert?.reason ?? 'help',
      by: acknowledgerOf(event),
    }),
  };
}

const isList = <T>(item: SingleOrArray<T>): item is readonly T[] => Array.isArray(item);
const toList = <T>(item: SingleOrArray<T> | undefined): T[] => (item === undefined ? [] : isList(item) ? [...item] : [item]);

/**
 * Appends `recordTransition` with `{ from, to, event }` to every transition of
 * a state tree, so no transition can be added without being traced.
 */
function traced(config: ChartState, path: string[] = []): SessionStateConfig {
  const from = path.join('.');
  const resolveTarget = (target: string): string => {
    if (target.startsWith('#')) return target.slice(1).replace(/^session\./, '');
    if (target.startsWith('.')) return [...path, target.slice(1)].join('.');
    return [...path.slice(0, -1), target].join('.');
  };
  const wrap = (spec: TransitionSpec, event: string): Transition[] =>
    toList(spec).map((item) => {
      const t: Transition = typeof item === 'string' ? { target: item } : item;
      const targets = toList(t.target);
      const to = targets.length ? targets.map(resolveTarget).join(',') : null;
      const record: TransitionRecord = { from, to, event };
      return { ...t, actions: [...toList(t.actions), { type: 'recordTransition', params: record }] };
    });
  const mapOn = (on: Partial<Record<string, TransitionSpec>>, prefix: (k: string) => string): Record<string, Transition[]> =>
    Object.fromEntries(Object.entries(on).flatMap(([k, v]) => (v === undefined ? [] : [[k, wrap(v, prefix(k))]])));
  const { on, after, always, states, ...rest } = config;
  return {
    ...rest,
    ...(on ? { on: mapOn(on, (k) => k) } : {}),
    ...(after ? { after: mapOn(after, (k) => `xstate.after.${k}`) } : {}),
    ...(always ? { always: wrap(always, 'always') } : {}),
    ...(states ? { states: Object.fromEntries(Object.entries(states).map(([k, s]) => [k, traced(s, [...path, k])])) } : {}),
  };
}

const activityResets = Object.fromEntries(ACTIVITY_EVENTS.map((e) => [e, { target: 'watching', reenter: true }]));

/**
 * The measurement's screens — illustrated guidance, measuring, the value or
 * the still, recovery — one set for the call and the exam: `home` is where
 * the patient goes back to (the call, the exam's checklist), `taken` what
 * the exam adds when an item is taken, `done` and `leave` what it does on
 * the way back with or without it.
 */
function measurementStates(home: string, extra: { taken: ChartAction[]; done: ChartAction[]; leave: ChartAction[] }): Record<string, ChartState> {
  return {
    /** Illustrated steps: how to put the instrument on. */
    guidance: {
      on: {
        NEXT: [
          { guard: 'isLastStep', target: 'measuring' },
          { actions: 'nextStep' },
        ],
        START_MEASURE: { target: 'measuring' },
        BACK: [
          { guard: 'isFirstStep', target: home, actions: ['clearMeasurement', ...extra.leave] },
          { actions: 'previousStep' },
        ],
      },
    },
    measuring: {
      entry: { type: 'startMeasurement', params: ({ context }: { context: SessionContext }) => ({ kind: context.measurement?.kind ?? 'temperature' }) },
      on: {
        READING: [
          { guard: 'isResultReading', target: 'result', actions: ['setResult', ...extra.taken] },
          { guard: 'isLiveReading', actions: 'setLive' },
        ],
        MEASUREMENT_ERROR: { guard: 'isMeasurementError', target: 'recovery', actions: 'setMeasurementError' },
        PHOTO_CAPTURED: { guard: 'isPhotoMeasurement', target: 'result', actions: ['setPhotoResult', ...extra.taken] },
        BACK: { target: 'guidance', actions: 'clearAttempt' },
      },
    },
    /** The value with its unit. No interpretation: the specialist reads it. */
    result: {
      on: {
        NEXT: { target: home, actions: [...extra.done, 'clearMeasurement'] },
        RETRY: { target: 'measuring', actions: 'clearAttempt' },
        BACK: { target: home, actions: [...extra.done, 'clearMeasurement'] },
      },
    },
    /** "Le brassard est mal placé": how to fix it, then try again. */
    recovery: {
      on: {
        RETRY: { target: 'measuring', actions: 'clearAttempt' },
        BACK: { target: 'guidance', actions: 'clearAttempt' },
      },
    },
  };
}

const flow: ChartState = {
  initial: 'attract',
  on: {
    INACTIVITY_WIPE: '.privacyWipe',
    CANCELLED: '.privacyWipe',
    ASSISTANT_END: { guard: 'assistantInSession', target: '.privacyWipe' },
    // Not from the incident screen: it holds the interrupted session's id, which a new patient must not inherit ("Terminer la séance" first).
    ASSISTANT_RESTART: { guard: and(['assistantInSession', not(stateIn('#session.flow.interrupted'))]), target: '.language', actions: ['wipePatientData', 'notifyWipe'] },
  },
  states: {
    attract: {
      entry: 'endSession',
      exit: 'startSession',
      on: {
        // Only here: a session under way when closing time passes goes on to its end.
        TOUCH: { guard: 'withinOpeningHours', target: 'language' },
        CHOOSE_LANGUAGE: { guard: 'withinOpeningHours', target: 'consent', actions: 'setLanguage' },
        SESSION_INTERRUPTED: { target: 'interrupted', actions: 'resumeInterrupted' },
      },
    },
    /**
     * After a crash: "un incident technique a interrompu la consultation",
     * and the pharmacist is called. The pharmacist ends it (resolving the
     * alert, or "Terminer la séance"); the patient cannot wipe it away.
     */
    interrupted: {
      entry: raiseAlert('technical-incident'),
      on: {
        ALERT_RESOLVED: { guard: and(['alertAcknowledged', 'isCurrentAlert']), target: 'privacyWipe' },
      },
    },
    language: {
      on: {
        CHOOSE_LANGUAGE: { target: 'consent', actions: 'setLanguage' },
        BACK: 'privacyWipe',
      },
    },
    consent: {
      on: {
        ACCEPT: { target: 'identity', actions: 'stampConsent' },
        DECLINE: 'privacyWipe',
        BACK: 'language',
      },
    },
    identity: {
      initial: 'entry',
      states: {
        /**
         * The pharmacist takes the intake (assistant panel, or the counter
         * page); the patient types nothing and is asked no pathway question.
         */
        entry: {
          on: {
            SET_IDENTITY: { guard: 'assistantActive', target: '#session.flow.waitingRoom', actions: 'setIdentity' },
            SET_INTAKE: [
              { guard: 'caseFromCounter', target: '#session.flow.exam', actions: ['setIntake', 'openExam'] },
              { guard: and(['plainIntake', or(['assistantActive', 'intakeAllowed'])]), target: '#session.flow.waitingRoom', actions: 'setIntake' },
            ],
            BACK: '#session.flow.consent',
          },
        },
      },
    },
    waitingRoom: {
      on: {
        QUEUE_UPDATE: { actions: 'setQueue' },
        CLAIMED: { target: 'consultation', actions: 'setDoctor' },
        // A correction while the patient waits; the latest intake wins. Or the counter turns the wait into a case: the booth leaves the queue.
        SET_INTAKE: [
          { guard: 'caseFromCounter', target: 'exam', actions: ['setIntake', 'openExam'] },
          { guard: and(['plainIntake', or(['assistantActive', 'intakeAllowed'])]), actions: 'setIntake' },
        ],
        BACK: 'identity',
      },
    },
    consultation: {
      initial: 'call',
      on: {
        CALL_ENDED: { target: 'wrapUp', actions: ['clearMeasurement', 'setCallEnded'] },
        MEASUREMENT_REQUESTED: { target: '.guidance', actions: 'requestMeasurement', reenter: true },
        AUSCULTATE: { target: '.auscultation', actions: ['clearMeasurement', 'setAuscultation'] },
        ASSISTANT_START_MEASUREMENT: { guard: 'assistantActive', target: '.guidance', actions: 'requestMeasurement', reenter: true },
        ASSISTANT_SKIP_DEVICE: { guard: 'assistantActive', target: '.call', actions: ['clearMeasurement', 'clearDeviceFault'] },
        PRESCRIPTION_RECEIVED: { actions: 'setPrescription' },
        PRINT_STATE: { actions: 'setPrintState' },
      },
      states: {
        /** The video with the specialist; nothing to press. */
        call: {},
        /**
         * The doctor listens: where to place the stethoscope, the breath
         * instruction; the kiosk sends the stethoscope's sound meanwhile.
         */
        auscultation: {
          exit: 'clearAuscultation',
          on: {
            // Moving the chest piece is not a new listening: the stethoscope stays open (the parent's transition would re-enter).
            AUSCULTATE: { actions: 'setAuscultation' },
            BREATH: { actions: 'setBreath' },
            STETHOSCOPE_STATUS: { actions: 'setStethoscopeStatus' },
            STOP_AUSCULTATION: 'call',
          },
        },
        ...measurementStates('#session.flow.consultation.call', { taken: [], done: [], leave: [] }),
      },
    },
    /**
     * "Examen différé": the counter asked for a case instead of a call. The
     * checklist, each item guided as in a call, then "Envoyer le dossier":
     * the host stores the manifest after every part, and the pick-up code is
     * shown. The booth never joins the live queue from here.
     */
    exam: {
      initial: 'checklist',
      states: {
        checklist: {
          on: {
            EXAM_CHOOSE: [
              { guard: 'chosenMeasurement', target: 'guidance', actions: 'startExamItem' },
              { guard: 'chosenAuscultation', target: 'auscultation', actions: 'startExamItem' },
              { guard: 'chosenVideo', target: 'video', actions: 'startExamItem' },
            ],
            // On the screen or from the assistant panel: the pharmacist skips an item, with its reason.
            EXAM_SKIP: { guard: 'isExamItem', actions: 'skipExamItem' },
            EXAM_SEND: { guard: 'checklistComplete', target: 'sending' },
          },
        },
        ...measurementStates('#session.flow.exam.checklist', { taken: ['noteTaken'], done: ['completeExamItem'], leave: ['leaveExamItem'] }),
        /** Where to place the stethoscope, then the booth's usual clip recorded here (no doctor listening). */
        auscultation: {
          initial: 'guidance',
          exit: 'clearAuscultation',
          states: {
            guidance: {
              on: {
                NEXT: 'recording',
                START_MEASURE: 'recording',
                BACK: { target: '#session.flow.exam.checklist', actions: 'leaveExamItem' },
              },
            },
            recording: {
              entry: { type: 'startExamClip', params: ({ context }: { context: SessionContext }) => ({ point: context.auscultation?.point ?? 'mitral' }) },
              on: {
                CLIP_SAVED: { target: '#session.flow.exam.checklist', actions: ['noteTaken', 'completeExamItem'] },
                CLIP_FAILED: { target: 'failed', actions: 'setClipFailed' },
              },
            },
            failed: {
              on: {
                RETRY: { target: 'recording', actions: 'clearClipError' },
                BACK: { target: '#session.flow.exam.checklist', actions: 'leaveExamItem' },
              },
            },
          },
        },
        /**
         * The patient describes the problem on camera. Recording, replay and
         * "recommencer" are the kiosk's own; the machine hears of the video
         * only once the patient kept it and the host stored it.
         */
        video: {
          on: {
            VIDEO_SAVED: { target: 'checklist', actions: ['noteTaken', 'completeExamItem'] },
            BACK: { target: 'checklist', actions: 'leaveExamItem' },
          },
        },
        /** "Envoyer le dossier": the manifest is being written after every part (no cancel now). */
        sending: {
          entry: ['stampCase', 'storeCase'],
          on: {
            CASE_STORED: 'pickup',
            CASE_FAILED: { target: 'checklist', actions: 'unstampCase' },
          },
        },
        /** The pick-up code, large, and its ticket. */
        pickup: { on: { FINISH: '#session.flow.privacyWipe' } },
      },
    },
    wrapUp: {
      initial: 'summary',
      on: {
        PRESCRIPTION_RECEIVED: { actions: 'setPrescription' },
        PRINT_STATE: { actions: 'setPrintState' },
      },
      states: {
        summary: { on: { NEXT: 'prescription' } },
        prescription: { on: { NEXT: 'report', BACK: 'summary' } },
        report: {
          on: {
            ACCEPT: { target: 'goodbye', actions: 'setReportConsent' },
            DECLINE: { target: 'goodbye', actions: 'setReportConsent' },
            BACK: 'prescription',
          },
        },
        goodbye: { on: { FINISH: '#session.flow.privacyWipe', BACK: 'report' } },
      },
    },
    privacyWipe: {
      entry: ['wipePatientData', 'notifyWipe'],
      after: { wipeScreen: 'attract' },
      on: { TOUCH: 'attract' },
    },
  },
};

export const sessionMachine = machineSetup.createMachine({
  id: 'session',
  type: 'parallel',
  context: ({ input }: { input: SessionInput | undefined }) => emptyContext(input?.language ?? 'fr', input?.measuringDevices ?? {}),
  ...(traced({
    type: 'parallel',
    states: {
      flow,
      inactivity: {
        initial: 'off',
        states: {
          off: { always: { guard: 'inactivityApplies', target: 'watching' } },
          watching: {
            always: { guard: not('inactivityApplies'), target: 'off' },
            on: activityResets,
            after: { inactivityPrompt: 'prompting' },
          },
          /** "Êtes-vous toujours là ?" — loud, then the wipe. */
          prompting: {
            always: { guard: not('inactivityApplies'), target: 'off' },
            on: activityResets,
            after: { inactivityWipe: { target: 'off', actions: machineSetup.raise({ type: 'INACTIVITY_WIPE' }) } },
          },
        },
      },
      overlay: {
        initial: 'none',
        on: { EMERGENCY: '.emergency' },
        states: {
          none: { on: { CANCEL: { guard: 'canCancel', target: 'cancelConfirm' } } },
          cancelConfirm: {
            on: {
              CANCEL_ABORT: 'none',
              CANCEL_CONFIRM: { target: 'none', actions: machineSetup.raise({ type: 'CANCELLED' }) },
            },
          },
          /** Call 15 (SAMU) or 112, and alert the pharmacist. */
          emergency: { on: { EMERGENCY_CLOSE: 'none' } },
        },
      },
      device: {
        initial: 'ok',
        states: {
          ok: { on: { DEVICE_FAULT: { target: 'fault', actions: 'setDeviceFault' } } },
          fault: {
            on: {
              DEVICE_FAULT: { actions: 'setDeviceFault' },
              DEVICE_RECOVERED: { target: 'ok', actions: 'clearDeviceFault' },
              ASSISTANT_SKIP_DEVICE: { guard: 'assistantActive', target: 'ok', actions: 'clearDeviceFault' },
            },
          },
        },
      },
      network: {
        initial: 'online',
        states: {
          online: { on: { NETWORK_LOST: 'reconnecting' } },
          /** "Nous rétablissons l'appel…" — for a bounded time only, counted while the patient needs the hub. */
          reconnecting: {
            initial: 'quiet',
            on: { NETWORK_RESTORED: 'online' },
            states: {
              quiet: { always: { guard: 'patientNeedsHub', target: 'counting' } },
              counting: {
                always: { guard: not('patientNeedsHub'), target: 'quiet' },
                after: {
                  networkAlert: {
                    target: '#session.network.unreachable',
                    actions: raiseAlert('call-not-recovering'),
                  },
                },
              },
            },
          },
          /** The hub did not come back: the pharmacist is called; the call comes back by itself if the hub does. */
          unreachable: { on: { NETWORK_RESTORED: 'online' } },
        },
      },
      /** The patient's voice switch; the next patient hears the voice again. */
      voice: {
        initial: 'on',
        states: {
          on: { on: { TOGGLE_MUTE: 'muted' } },
          muted: { on: { TOGGLE_MUTE: 'on' }, always: { guard: 'wiping', target: 'on' } },
        },
      },
      assistant: {
        initial: 'off',
        states: {
          off: { on: { ASSISTANT_LOGIN: 'on' } },
          /** Assistant mode ends with the session. */
          on: { on: { ASSISTANT_LOGOUT: 'off' }, always: { guard: 'wiping', target: 'off' } },
        },
      },
      /**
       * The booth's local alert to the pharmacy: "raised" (the kiosk says
       * "Nous prévenons le pharmacien" and chimes) until someone acknowledges
       * it; only then may the kiosk say the pharmacist is coming. Raising again
       * while raised is coalesced. It belongs to the session: the wipe clears it.
       */
      alert: {
        initial: 'none',
        on: {
          ASSISTANT_RESTART: { guard: and(['assistantInSession', not(stateIn('#session.flow.interrupted'))]), target: '.none', actions: 'clearAlert' },
        },
        states: {
          none: {
            on: {
              CALL_PHARMACIST: { guard: 'inSession', target: 'raised', actions: 'openAlert' },
              ALERT_RAISE: { guard: 'inSession', target: 'raised', actions: 'openAlert' },
              // "Urgence" shows the 15 / 112 guidance (the overlay region) and calls the pharmacy.
              EMERGENCY: { guard: 'inSession', target: 'raised', actions: 'openAlert' },
            },
          },
          raised: {
            entry: ['stampAlert', alertRecord('raised')],
            always: { guard: 'wiping', target: 'none', actions: 'clearAlert' },
            on: {
              ALERT_ACKNOWLEDGED: { guard: 'isCurrentAlert', target: 'acknowledged', actions: 'acknowledgeAlert' },
              // The pharmacist unlocking the booth is there: the booth stops ringing, the counter no longer calls anyone.
              ASSISTANT_LOGIN: { target: 'acknowledged', actions: 'acknowledgeAlert' },
              // A call for help already ringing becomes the emergency: one alert, the more urgent one.
              EMERGENCY: { guard: not('emergencyRaised'), target: 'raised', reenter: true, actions: 'openAlert' },
            },
          },
          acknowledged: {
            entry: alertRecord('acknowledged'),
            always: { guard: 'wiping', target: 'none', actions: 'clearAlert' },
            on: {
              ALERT_RESOLVED: { guard: 'isCurrentAlert', target: 'none', actions: [alertRecord('resolved'), 'clearAlert'] },
              // Asked again after someone said they were coming: a new alert.
              CALL_PHARMACIST: { target: 'raised', actions: 'openAlert' },
              ALERT_RAISE: { target: 'raised', actions: 'openAlert' },
              EMERGENCY: { target: 'raised', actions: 'openAlert' },
            },
          },
        },
      },
    },
  })),
});

export type SessionMachine = typeof sessionMachine;

