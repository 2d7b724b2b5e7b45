/**
 * The consultation's data plane between the booth, the hub and the
 * specialist's console (DESIGN §1, §4, §6), beside the media signaling:
 * live readings and photos, measurement requests and their progress, the
 * booth's devices, the patient context, notes and the prescription.
 *
 * Names are hub-protocol method names (`HubFrame.m`). Every params object
 * is a zod schema checked on arrival by whoever receives it.
 *
 * Flows:
 * - Readings: the booth stores a reading, its outbox sends it in
 *   `record.ingest`; once the hub has stored it, the hub notes
 *   `consult.reading` (same id) to the specialist of that booth's room.
 *   Duplicates are never relayed. Photos likewise (`consult.photo`), their
 *   bytes fetched by the console over HTTP at `photoUrl(id)` (cookie auth).
 * - Requests: console `consult.requestMeasurement` → hub requests
 *   `consult.measurementRequested` of the booth (answer: MeasurementRequestedResult) → the host moves its session
 *   machine (MEASUREMENT_REQUESTED) and reports each stage with
 *   `consult.progress` → hub forwards it to the console as `consult.progress`.
 * - Devices: the booth sends `consult.devices` on connect and on every
 *   change; the console gets them as `consult.devices` notes.
 * - Prescription: console `consult.prescribe` → the hub numbers, stores and
 *   signs it → requests `consult.prescription` of the booth (answer: PrescriptionStored,
 *   once the booth has it; retried when the booth reconnects) → QR + PDF there.
 * - Auscultation: console `consult.auscultate` (a point), `consult.breath`,
 *   `consult.stopAuscultation` → hub requests `consult.auscultationRequested`
 *   of the booth (answer: AuscultationRequestedResult, once its session took
 *   it) → the kiosk shows the point's guidance and sends the stethoscope as
 *   its own audio producer; every change goes back as
 *   `consult.auscultation` (guidance, listening, stopped, error) → hub
 *   forwards it to the console as the `consult.auscultation` note.
 */
import { z } from 'zod';
import { DeviceStatus, Ear, MeasurementKind, Reading } from './domain';
import { EmergencyNote } from './counter-protocol';
import { PhotoMeta } from './record-protocol';
import { DoctorIntake } from './intake';
import { AuscultationPoint, BreathInstruction, StethoscopeError } from './auscultation';
import { ExceptionReason, Pathway } from './session-view';

export const CONSULT = {
  // console → hub (requests)
  requestMeasurement: 'consult.requestMeasurement',
  saveNotes: 'consult.saveNotes',
  prescribe: 'consult.prescribe',
  context: 'consult.context',
  // hub → console (notes)
  readingNote: 'consult.reading',
  photoNote: 'consult.photo',
  progressNote: 'consult.progress',
  devicesNote: 'consult.devices',
  contextNote: 'consult.context',
  // booth → hub (requests)
  progress: 'consult.progress',
  devices: 'consult.devices',
  // hub → booth (requests: the booth answers once it has acted, so the hub knows)
  measurementRequested: 'consult.measurementRequested',
  prescription: 'consult.prescription',
} as const;

/** The stethoscope's live path and the guided auscultation (own block: see AUSCULTATION_STAGES below). */
export const AUSCULTATION = {
  // console → hub (requests)
  auscultate: 'consult.auscultate',
  breath: 'consult.breath',
  stop: 'consult.stopAuscultation',
  // hub → booth (request: the booth answers once its session took it)
  requested: 'consult.auscultationRequested',
  // booth → hub (request), then hub → console (note), same name
  progress: 'consult.auscultation',
  progressNote: 'consult.auscultation',
} as const;

/** What the console may ask for: every kind but the cuff's live pressure (part of blood-pressure). */
export const RequestableKind = MeasurementKind.exclude(['cuff-pressure']);
export type RequestableKind = z.infer<typeof RequestableKind>;

// ---- measurement requests ---------------------------------------------------

const requestFields = {
  kind: RequestableKind,
  /** For a dermatoscope still: where on the body ("avant-bras gauche"). */
  bodySite: z.string().trim().min(1).max(120).optional(),
  /** A short instruction shown to the patient and pharmacist ("bras gauche"). */
  note: z.string().trim().max(200).optional(),
  /** For an otoscope still, and only there: which ear (its only body sites, never free text). */
  ear: Ear.optional(),
};

/** An otoscope still names its ear (and no free-text site); no other measurement has an ear. */
function earRule(p: { kind: RequestableKind; ear?: Ear | undefined; bodySite?: string | undefined }, ctx: z.RefinementCtx): void {
  if (p.kind === 'otoscope-photo') {
    if (!p.ear) ctx.addIssue({ code: 'custom', path: ['ear'], message: 'an otoscope still needs its ear: "left" or "right"' });
    if (p.bodySite !== undefined) ctx.addIssue({ code: 'custom', path: ['bodySite'], message: 'an otoscope still has no free-text site: the ear says it' });
  } else if (p.ear !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['ear'], message: 'only an otoscope still has an ear' });
  }
}

export const RequestMeasurementParams = z.object(requestFields).strict().superRefine(earRule);
export type RequestMeasurementParams = z.infer<typeof RequestMeasurementParams>;
export const RequestMeasurementResult = z.object({ requestId: z.uuid() });

export const MeasurementRequested = z.object({ ...requestFields, requestId: z.uuid() }).strict().superRefine(earRule);
export type MeasurementRequested = z.infer<typeof MeasurementRequested>;
/** The booth's answer: whether its session took the request (not when the patient is elsewhere in the flow). */
export const MeasurementRequestedResult = z.object({ accepted: z.boolean() }).strict();

/**
 * Where a requested measurement is: `requested` (sent to the booth),
 * `guidance` (the patient follows the steps), `measuring` (waiting for or
 * taking the reading), `done`, `error` (device or quality problem, with its
 * message), `cancelled` (skipped by the pharmacist or the call moved on).
 */
export const ProgressStage = z.enum(['requested', 'guidance', 'measuring', 'done', 'error', 'cancelled']);
export type ProgressStage = z.infer<typeof ProgressStage>;

export const MeasurementProgress = z.object({
  requestId: z.uuid().nullable(),
  kind: MeasurementKind,
  stage: ProgressStage,
  /** Guidance step (1-based) and how many, while in `guidance`. */
  step: z.number().int().positive().optional(),
  steps: z.number().int().positive().optional(),
  error: z.object({ code: z.string().max(64), message: z.object({ fr: z.string().max(300), en: z.string().max(300) }) }).optional(),
  at: z.iso.datetime({ offset: true }),
}).strict();
export type MeasurementProgress = z.infer<typeof MeasurementProgress>;

// ---- devices ------------------------------------------------------------------

export const BoothDevices = z.object({ devices: z.array(DeviceStatus).max(16) }).strict();
export type BoothDevices = z.infer<typeof BoothDevices>;

// ---- readings and photos relayed to the console ---------------------------------

export const ReadingNote = z.object({ boothId: z.string(), roomId: z.string(), reading: Reading }).strict();
export type ReadingNote = z.infer<typeof ReadingNote>;

export const PhotoNote = z.object({ boothId: z.string(), roomId: z.string(), photo: PhotoMeta, url: z.string() }).strict();
export type PhotoNote = z.infer<typeof PhotoNote>;

/** Where the console fetches a photo's bytes (GET, specialist cookie, only for their own booth's photos). */
export const photoUrl = (photoId: string): string => `/api/photos/${encodeURIComponent(photoId)}`;

// ---- patient context --------------------------------------------------------------

/** What the booth tells the hub when it queues (no surname, no birth date: first name and age suffice there). */
export const PatientContext = z.object({
  sessionId: z.string().max(64).nullable(),
  firstName: z.string().max(60).nullable(),
  age: z.number().int().min(0).max(130).nullable(),
  reason: z.string().max(200).nullable(),
  pathway: Pathway.nullable(),
  exceptionReason: ExceptionReason.nullable(),
  language: z.enum(['fr', 'en']).nullable(),
  /** The pharmacist's intake for the doctor who took the call (identity banner, reason, pathway, consent, GP); null when none was taken. */
  intake: DoctorIntake.nullable(),
}).strict();
export type PatientContext = z.infer<typeof PatientContext>;

export const ContextNote = z.object({
  boothId: z.string(),
  roomId: z.string(),
  pharmacy: z.object({ name: z.string(), city: z.string() }).nullable(),
  patient: PatientContext,
  devices: z.array(DeviceStatus),
}).strict();
export type ContextNote = z.infer<typeof ContextNote>;

// ---- notes and prescription ---------------------------------------------------------

export const NOTES_MAX = 20_000;
export const SaveNotesParams = z.object({ text: z.string().max(NOTES_MAX) }).strict();

/** The session's latest notes as the hub stored them (when). */
export const StoredNotes = z.object({ text: z.string().max(NOTES_MAX), at: z.iso.datetime({ offset: true }) }).strict();
export type StoredNotes = z.infer<typeof StoredNotes>;

/**
 * The answer to `consult.context` (the console's catch-up on claim, reload
 * or takeover): the context, what the room already relayed, and the notes
 * the hub holds for the session (null: none yet). The console starts its
 * notes from them: a console that started empty would overwrite them. And
 * the booth's "Urgence" if one is open (raised or answered, null: none): a
 * console opened or reloaded after the `counter.emergency` note went out
 * must still show it.
 */
export const ContextCatchUp = ContextNote.extend({
  readings: z.array(Reading),
  photos: z.array(PhotoNote),
  notes: StoredNotes.nullable(),
  emergency: EmergencyNote.nullable(),
}).strict();
export type ContextCatchUp = z.infer<typeof ContextCatchUp>;

export const PrescriptionItem = z.object({
  /** Medication or act ("Paracétamol 500 mg, comprimé"). */
  name: z.string().trim().min(1).max(200),
  /** Posology ("1 comprimé 3 fois par jour"). */
  dosage: z.string().trim().min(1).max(300),
  /** Duration ("5 jours"). */
  duration: z.string().trim().max(100).optional(),
  quantity: z.string().trim().max(100).optional(),
}).strict();
export type PrescriptionItem = z.infer<typeof PrescriptionItem>;

export const PrescribeParams = z.object({
  items: z.array(PrescriptionItem).min(1).max(20),
  instructions: z.string().trim().max(2_000).default(''),
}).strict();
export type PrescribeParams = z.input<typeof PrescribeParams>;

/**
 * A prescription as the hub issued it: a unique number and a signed QR
 * payload (a simulated format modelled on the French e-prescription, see the
 * README), the prescriber, and the patient as the booth identified them.
 */
export const Prescription = z.object({
  number: z.string().regex(/^[A-Z0-9-]{8,40}$/),
  issuedAt: z.iso.datetime({ offset: true }),
  sessionId: z.string().nullable(),
  boothId: z.string(),
  prescriber: z.object({ id: z.string(), name: z.string(), specialty: z.string() }).strict(),
  patient: z.object({ firstName: z.string().nullable(), age: z.number().int().nullable() }).strict(),
  items: z.array(PrescriptionItem).min(1).max(20),
  instructions: z.string(),
  /** What the QR code carries (text). */
  qr: z.string().max(1_000),
}).strict();
export type Prescription = z.infer<typeof Prescription>;

export const PrescriptionDelivery = z.object({ prescription: Prescription }).strict();
/** The booth's answer once the prescription is stored on the booth (and printed or saved). */
export const PrescriptionStored = z.object({ stored: z.literal(true), printed: z.boolean() }).strict();

// ---- auscultation (stethoscope, live) ------------------------------------------------------

/** Listen at a point: the kiosk shows where to place the chest piece, then sends the stethoscope. A new point while listening moves there. */
export const AuscultateParams = z.object({
  point: z.enum(AuscultationPoint.options, {
    error: () => `Point d’auscultation inconnu : choisissez l’un de ${AuscultationPoint.options.join(', ')}.`,
  }),
}).strict();
export type AuscultateParams = z.infer<typeof AuscultateParams>;
export const BreathParams = z.object({ instruction: BreathInstruction }).strict();
export type BreathParams = z.infer<typeof BreathParams>;
export const StopAuscultationParams = z.object({}).strict();

/** What the hub asks of the booth. */
export const AuscultationRequested = z.discriminatedUnion('action', [
  z.object({ action: z.literal('listen'), point: AuscultationPoint }).strict(),
  z.object({ action: z.literal('breath'), instruction: BreathInstruction }).strict(),
  z.object({ action: z.literal('stop') }).strict(),
]);
export type AuscultationRequested = z.infer<typeof AuscultationRequested>;
/** Whether the booth's session took it (not when the patient is elsewhere in the flow, nor a breath with no point). */
export const AuscultationRequestedResult = z.object({ accepted: z.boolean() }).strict();

/**
 * `guidance`: the kiosk shows where to place the chest piece (the stethoscope
 * is being opened); `listening`: its sound is on its way (producer source
 * 'stethoscope'); `stopped`: nothing is sent any more; `error`: no
 * stethoscope configured, not found, unplugged, or the wrong device.
 */
export const AUSCULTATION_STAGES = ['guidance', 'listening', 'stopped', 'error'] as const;
export const AuscultationStage = z.enum(AUSCULTATION_STAGES);
export type AuscultationStage = z.infer<typeof AuscultationStage>;

export const AuscultationProgress = z.object({
  /** The point on the kiosk's screen (null once stopped). */
  point: AuscultationPoint.nullable(),
  stage: AuscultationStage,
  /** The breath instruction on screen, if the doctor gave one. */
  breath: BreathInstruction.nullable(),
  error: z.object({ code: StethoscopeError, message: z.object({ fr: z.string().max(300), en: z.string().max(300) }) }).strict().optional(),
  at: z.iso.datetime({ offset: true }),
}).strict();
export type AuscultationProgress = z.infer<typeof AuscultationProgress>;
