/**
 * What the console knows about the consultation in progress, built from the
 * hub's `consult.*` notes and answers (src/shared/consult-protocol.ts): the
 * patient context, the booth's devices, readings (deduplicated by id, the
 * cuff's own live pressure kept apart for the gauge), photos, and each
 * measurement request with its latest stage, and the booth's "Urgence"
 * while it stands. A pure reducer: the same
 * notes in any repetition give the same view.
 */
import type { DeviceStatus, MeasurementKind, Reading, UcumUnit } from '../../../shared/domain';
import type { ContextNote, MeasurementProgress, PhotoNote, ProgressStage } from '../../../shared/consult-protocol';
import type { EmergencyNote } from '../../../shared/counter-protocol';
import { isCuffPressure, isLiveOnly } from './format';

export interface RequestEntry {
  /** The hub's requestId, or `booth:<kind>:<n>` for a measurement the pharmacist started. */
  key: string;
  requestId: string | null;
  kind: MeasurementKind;
  note?: string;
  bodySite?: string;
  stage: ProgressStage;
  step?: number;
  steps?: number;
  error?: MeasurementProgress['error'];
  at: string;
}

/** The cuff's live pressure; `at` is the host's receipt time of the latest cuff reading or result. */
export interface CuffGauge { value: number; unit: UcumUnit; at: string; active: boolean }

export interface ConsultState {
  context: ContextNote | null;
  devices: DeviceStatus[];
  /** Every reading but the cuff's live pressure, in the order taken (oldest first). */
  readings: Reading[];
  /** Ids already taken (readings and cuff pressures): a repeated note changes nothing. */
  seen: ReadonlySet<string>;
  cuff: CuffGauge | null;
  photos: PhotoNote[];
  /** Newest first. */
  requests: RequestEntry[];
  /** The patient's "Urgence", raised or answered, until the alert ends; null when none stands. */
  emergency: EmergencyNote | null;
}

export type ConsultAction =
  /** `emergency`: the catch-up's word on it (null: none stands); absent from a plain context note, which leaves it as it is. */
  | { type: 'context'; note: ContextNote; readings?: Reading[]; photos?: PhotoNote[]; emergency?: EmergencyNote | null }
  | { type: 'emergency'; note: EmergencyNote }
  | { type: 'reading'; reading: Reading }
  | { type: 'photo'; note: PhotoNote }
  | { type: 'progress'; progress: MeasurementProgress }
  | { type: 'devices'; devices: DeviceStatus[] }
  | { type: 'requested'; requestId: string; kind: MeasurementKind; note?: string; bodySite?: string; at: string }
  | { type: 'reset' };

export const emptyConsult: ConsultState = { context: null, devices: [], readings: [], seen: new Set(), cuff: null, photos: [], requests: [], emergency: null };

const TERMINAL: ReadonlySet<ProgressStage> = new Set(['done', 'error', 'cancelled']);
/** Stages a request never leaves (after an error the pharmacist may retry: measuring again). */
const STICKY: ReadonlySet<ProgressStage> = new Set(['done', 'cancelled']);

function addReading(state: ConsultState, reading: Reading): ConsultState {
  if (state.seen.has(reading.id)) return state;
  const seen = new Set(state.seen).add(reading.id);
  // NOTE: the gauge orders by the host's clock (receivedAt): the cuff stamps its result with its own clock, to the
  // second and from when the measurement began, so the last deflation pressures may look newer than the result.
  if (isLiveOnly(reading)) {
    const value = reading.values[0];
    // A cuff pressure from before the gauge's latest (or the final result), or any other live value, only joins the seen set.
    if (!isCuffPressure(reading) || !value || (state.cuff && Date.parse(state.cuff.at) >= Date.parse(reading.receivedAt))) return { ...state, seen };
    return { ...state, seen, cuff: { value: value.value, unit: value.unit, at: reading.receivedAt, active: true } };
  }
  const cuff = reading.kind === 'blood-pressure' ? { value: state.cuff?.value ?? 0, unit: state.cuff?.unit ?? 'mm[Hg]', at: reading.receivedAt, active: false } : state.cuff;
  return { ...state, seen, cuff, readings: insertByTime(state.readings, reading) };
}

/** Keeps readings in the order taken: they mostly arrive in that order, so the place is found from the end. */
function insertByTime(list: readonly Reading[], reading: Reading): Reading[] {
  const t = Date.parse(reading.takenAt);
  let i = list.length;
  while (i > 0 && Date.parse(list[i - 1]!.takenAt) > t) i--;
  return [...list.slice(0, i), reading, ...list.slice(i)];
}

function addPhoto(state: ConsultState, note: PhotoNote): ConsultState {
  if (state.photos.some((p) => p.photo.id === note.photo.id)) return state;
  return { ...state, photos: [...state.photos, note] };
}

function applyProgress(state: ConsultState, p: MeasurementProgress): ConsultState {
  let index = p.requestId
    ? state.requests.findIndex((r) => r.requestId === p.requestId)
    // The pharmacist's own measurement: the latest unfinished one of that kind, if any.
    : state.requests.findIndex((r) => r.requestId === null && r.kind === p.kind && !TERMINAL.has(r.stage));
  const fields = { stage: p.stage, step: p.step, steps: p.steps, error: p.error, at: p.at };
  let requests: RequestEntry[];
  if (index < 0) {
    const key = p.requestId ?? `booth:${p.kind}:${state.requests.length + 1}`;
    requests = [{ key, requestId: p.requestId, kind: p.kind, ...fields }, ...state.requests];
    index = 0;
  } else {
    const current = state.requests[index]!;
    // Notes may cross. The hub stamps `requested` with its own clock and may send it after the booth's first stage:
    // it never overwrites another stage. The booth's stages follow its clock; a finished request stays finished.
    if (p.stage === 'requested' && current.stage !== 'requested') return state;
    if (current.stage !== 'requested' && Date.parse(current.at) > Date.parse(p.at)) return state;
    if (STICKY.has(current.stage) && !STICKY.has(p.stage)) return state;
    requests = state.requests.map((r, i) => (i === index ? { ...r, ...fields } : r));
  }
  const endsCuff = p.kind === 'blood-pressure' && TERMINAL.has(p.stage) && state.cuff?.active;
  return { ...state, requests, cuff: endsCuff ? { ...state.cuff!, active: false } : state.cuff };
}

export function consultReducer(state: ConsultState, action: ConsultAction): ConsultState {
  switch (action.type) {
    case 'reset':
      return emptyConsult;
    case 'context': {
      let next: ConsultState = { ...state, context: action.note, devices: action.note.devices, emergency: action.emergency === undefined ? state.emergency : action.emergency };
      for (const r of [...(action.readings ?? [])].sort((a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt))) next = addReading(next, r);
      for (const p of action.photos ?? []) next = addPhoto(next, p);
      return next;
    }
    case 'reading':
      return addReading(state, action.reading);
    case 'photo':
      return addPhoto(state, action.note);
    case 'progress':
      return applyProgress(state, action.progress);
    case 'devices':
      return { ...state, devices: action.devices };
    case 'emergency': {
      const { note } = action;
      if (note.state !== 'resolved') return { ...state, emergency: note };
      // The end of an older alert arriving late does not close the one standing now.
      return state.emergency && state.emergency.alertId !== note.alertId ? state : { ...state, emergency: null };
    }
    case 'requested': {
      const existing = state.requests.find((r) => r.requestId === action.requestId);
      if (existing) {
        return { ...state, requests: state.requests.map((r) => (r === existing ? { ...r, note: action.note, bodySite: action.bodySite } : r)) };
      }
      const entry: RequestEntry = { key: action.requestId, requestId: action.requestId, kind: action.kind, note: action.note, bodySite: action.bodySite, stage: 'requested', at: action.at };
      return { ...state, requests: [entry, ...state.requests] };
    }
  }
}

/**
 * The consultation view's classes: during an open emergency the call view
 * gives the patient's video the whole width (console.css), so the doctor
 * sees the patient while the pharmacy comes; after the call, the wrap-up.
 */
export function consultLayout({ live, emergency }: { live: boolean; emergency: EmergencyNote | null }): string {
  if (!live) return 'consult consult--ended';
  return emergency ? 'consult consult--live consult--emergency' : 'consult consult--live';
}

/** Readings of one kind in the order they were taken (the state keeps them so): what a trend draws. */
export function readingsOfKind(readings: readonly Reading[], kind: MeasurementKind): Reading[] {
  return readings.filter((r) => r.kind === kind);
}
