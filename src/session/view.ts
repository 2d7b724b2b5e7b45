import type { SnapshotFrom, StateValue, StateValueMap } from 'xstate';
import type { AlertView, ExamView, NetworkView, SessionView, SessionViewContext } from '../shared/session-view';
import { TARGET_ANSWER_HOURS } from '../shared/case-record';
import { GUIDANCE_STEPS, type ExamContext, type SessionMachine } from './machine';

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

/** The patient's screen: the `flow` region of the parallel root (or the whole value for an older flat machine). */
export function flowPath(value: unknown): string {
  if (value && typeof value === 'object' && 'flow' in value) return statePath((value as { flow: unknown }).flow);
  return statePath(value);
}

/** The machine's regions and their states (the root is parallel, so its value is never a bare string). */
export function regionsOf(value: StateValue): StateValueMap {
  return typeof value === 'string' ? {} : value;
}

/** Which cross-cutting layer covers the screen, most urgent first. */
function overlayOf(value: StateValueMap): SessionViewContext['overlay'] {
  if (value.overlay === 'emergency') return 'emergency';
  if (value.overlay === 'cancelConfirm') return 'cancelConfirm';
  if (value.inactivity === 'prompting') return 'inactivityPrompt';
  return null;
}

/** The network region as the patient hears it: the call is reconnecting, or the hub has not come back within the bound. */
function networkOf(value: StateValueMap): NetworkView {
  if (value.network === 'unreachable') return 'unreachable';
  if (value.network && typeof value.network === 'object' && 'reconnecting' in value.network) return 'reconnecting';
  return 'online';
}

/** The step indicator of the UI (1 Langue … 5 Consultation) for a flow state path. */
export function stepOf(state: string): number | null {
  const top = state.split('.')[0];
  switch (top) {
    case 'language': return 1;
    case 'consent': return 2;
    case 'identity': return 3;
    case 'waitingRoom': return 4;
    case 'consultation': return 5;
    case 'exam': return 5;
    default: return null;
  }
}

/** What the host adds to the view from its configuration. */
export interface ViewExtras {
  assistant?: boolean;
  /** kiosk-config `alert.chime`, null when switched off. */
  chime?: { volume: number } | null;
  /** Who heard the alert and how many times it rang (the host's counter relay). */
  alertReach?: (alertId: string) => { reach: 'counter' | 'booth' | null; ring: number };
  /** Outside opening hours (the host's clock): what the attract screen says instead of inviting a touch. */
  closed?: SessionViewContext['closed'];
  /** The booth refuses sessions (its key file is lost): every screen gives way to « hors service ». */
  outOfService?: SessionViewContext['outOfService'];
}

/** The exam as its screens show it: the checklist's states, never the question, the note or the phone number. */
function examView(exam: ExamContext): ExamView {
  const items = exam.request.checklist.map((item) => {
    const s = exam.items[item.id] ?? { state: 'todo' as const };
    return { item, state: s.state, ...(s.state === 'skipped' ? { skipped: s.reason } : {}) };
  });
  return {
    specialty: exam.request.specialty,
    items,
    current: exam.current,
    canSend: items.every((i) => i.state !== 'todo'),
    clipError: exam.clipError,
    pickupCode: exam.pickupCode,
    answerHours: TARGET_ANSWER_HOURS[exam.request.specialty],
  };
}

/**
 * The serialisable view the renderer receives. Never carries secrets; the
 * identity only on the screens that show it (identity step, assistant panel).
 */
export function toSessionView(snapshot: SnapshotFrom<SessionMachine>, extra: ViewExtras = {}): SessionView {
  const value = regionsOf(snapshot.value);
  const state = flowPath(value);
  const top = state.split('.')[0];
  const c = snapshot.context;
  const assistant = value.assistant === 'on' || extra.assistant === true;
  const network = networkOf(value);
  const alert: AlertView | null = c.alert && (value.alert === 'raised' || value.alert === 'acknowledged')
    ? { ...c.alert, state: value.alert, chime: extra.chime === undefined ? { volume: 1 } : extra.chime, ...extra.alertReach?.(c.alert.id) }
    : null;
  const context: SessionViewContext = {
    overlay: overlayOf(value),
    // The patient hears about the network and the devices only where they matter: the queue and the call.
    network: top === 'waitingRoom' || top === 'consultation' ? network : 'online',
    // Whether anyone was really called: the kiosk says "le pharmacien est prévenu" only then, "arrive" only once acknowledged.
    alert,
    deviceFault: top === 'consultation' || value.assistant === 'on' ? c.deviceFault : null,
    muted: value.voice === 'muted',
    // The exam's list, its sending and its pick-up screen have no step behind them (the inactivity region takes BACK as a touch).
    canBack: snapshot.can({ type: 'BACK' }) && !['exam.checklist', 'exam.sending', 'exam.pickup'].includes(state),
    canCancel: snapshot.can({ type: 'CANCEL' }),
  };
  if (top === 'identity' || assistant) {
    context.identity = c.identity;
    context.intake = c.intake;
  }
  if (top === 'waitingRoom') context.reason = c.intake?.reason ?? null;
  if (top === 'identity' || top === 'waitingRoom') {
    context.pathway = c.pathway;
    context.exceptionReason = c.exceptionReason;
  }
  if (top === 'waitingRoom') context.queue = c.queue;
  if (top === 'attract' && extra.closed) context.closed = extra.closed;
  if (extra.outOfService) context.outOfService = extra.outOfService;
  if ((top === 'consultation' || top === 'exam') && c.measurement) {
    context.measurement = { ...c.measurement, stepCount: GUIDANCE_STEPS[c.measurement.kind] };
  }
  if ((top === 'consultation' || top === 'exam') && c.auscultation) context.auscultation = c.auscultation;
  if (top === 'exam' && c.exam) context.exam = examView(c.exam);
  if (top === 'consultation') context.doctor = c.doctor;
  if (top === 'consultation' || top === 'wrapUp') context.prescription = c.prescription;
  if (top === 'wrapUp') {
    context.results = c.results;
    context.photos = c.photos;
    context.reportToGp = c.reportToGp;
    context.callEndedBy = c.callEndedBy;
  }
  return {
    state,
    language: c.language,
    sessionId: c.sessionId,
    step: stepOf(state),
    assistant,
    context,
  };
}
