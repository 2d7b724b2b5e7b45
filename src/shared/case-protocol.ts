/**
 * Exam-and-forward and tele-expertise (DESIGN §1, §5): a case compiled at the
 * booth, forwarded, answered later. Neither side needs to be online with the
 * other: the booth stores every part sealed and its outbox sends them like
 * any reading; the hub holds the case in a queue by specialty until a doctor
 * of that specialty answers; the answer reaches the pharmacy's counter page.
 *
 * Flows (names are hub-protocol method names, `HubFrame.m`; every params
 * object is checked on arrival by whoever receives it):
 * - Start: a signed-in member of staff on the counter page sends the intake
 *   with a `deferred` CaseRequest (`counter.setIntake`, SetIntakeParams) →
 *   the hub checks the pharmacy and both schemas, then requests
 *   `intake.update` of the booth with the same `deferred` and the staff
 *   member named → the booth's session goes to the exam instead of the
 *   waiting room. The booth's assistant PIN cannot start a case: it names
 *   nobody.
 * - Compile (at the booth, online or not): each checklist item is guided as
 *   in a call; readings, stills and clips are the usual record items of the
 *   session; the patient's video is a `video` record item (VideoMeta) with
 *   its bytes in `record.blobChunk` like a photo's. "Envoyer" stores the
 *   `case` record item (CaseManifest) last, which names every item it holds;
 *   the kiosk prints the pick-up code and the session is wiped. A case
 *   abandoned before "Envoyer" is never sent: its parts stay in the session
 *   only (they are the session's record, like a call's readings), the
 *   manifest never exists.
 * - Queue: the hub holds a case as `incomplete` until every item its
 *   manifest names (and every blob) has arrived, then `waiting` in the queue
 *   of its specialty; consoles of that specialty get `case.queue` on every
 *   change (across nodes through the network's bus).
 * - Listing: `case.list` and `counter.cases` answer what their notes carry
 *   (`{ cases }`).
 * - Review: console `case.open` → CaseFile (the intake as the doctor sees it,
 *   the question, readings, stills, clips, video, each blob at its URL).
 * - Answer: console `case.answer` → the first answer wins (one statement in
 *   the record, whichever node it reaches); a second is refused
 *   CASE_ALREADY_ANSWERED naming who answered. The hub numbers and signs the
 *   prescription, signs the answer, records it.
 * - Counter: `counter.cases` lists the pharmacy's cases (note of the same
 *   name on every change); an `urgent` answer rings (`counter.caseRing`) until
 *   `counter.acknowledgeCase`; the answer and its prescription print as a PDF
 *   at `caseAnswerPdfUrl(caseId)` (staff cookie).
 * - Export: a doctor of the case's specialty fetches the case as a FHIR R4
 *   Bundle at `caseBundleUrl(caseId)` (console cookie).
 */
import { z } from 'zod';
import { CaseEntry, CaseSpecialty, Checklist, PickupCode, VideoMeta } from './case-record';
import { PrescribeParams, Prescription } from './consult-protocol';
import { Reading } from './domain';
import { DoctorIntake } from './intake';
import { ClipMeta, PhotoMeta } from './record-protocol';

export const CASE = {
  // console → hub (requests)
  list: 'case.list',
  open: 'case.open',
  answer: 'case.answer',
  // hub → console (note): the queue of the console's specialties, whole
  queueNote: 'case.queue',
  // counter page → hub (requests)
  counterList: 'counter.cases',
  acknowledge: 'counter.acknowledgeCase',
  // hub → counter page (notes)
  counterNote: 'counter.cases',
  ringNote: 'counter.caseRing',
} as const;

// ---- the hub's queue and the review ------------------------------------------------------

export const CaseState = z.enum(['incomplete', 'waiting', 'answered']);
export type CaseState = z.infer<typeof CaseState>;

/** A case in a doctor's queue: enough to choose, not the case itself. */
export const CaseSummary = z.object({
  caseId: z.uuid(),
  specialty: CaseSpecialty,
  state: CaseState,
  /** First name and age only, as the live queue shows. */
  patient: z.object({ firstName: z.string(), age: z.number().int().nullable() }).strict(),
  reason: z.string().max(300),
  question: z.string().max(1_000),
  pharmacy: z.object({ name: z.string(), city: z.string() }).strict(),
  /** When the whole case reached the hub. */
  receivedAt: z.iso.datetime({ offset: true }),
  /** receivedAt + the specialty's target. */
  dueAt: z.iso.datetime({ offset: true }),
  answeredBy: z.string().nullable(),
}).strict();
export type CaseSummary = z.infer<typeof CaseSummary>;

export const CaseQueueNote = z.object({ cases: z.array(CaseSummary) }).strict();
export type CaseQueueNote = z.infer<typeof CaseQueueNote>;

export const OpenCaseParams = z.object({ caseId: z.uuid() }).strict();

// ---- the answer ----------------------------------------------------------------------------

/** advice: plain words for the patient; live-needed: a live consultation, with its urgency; referral: to another doctor. */
export const AnswerKind = z.enum(['advice', 'live-needed', 'referral']);
export type AnswerKind = z.infer<typeof AnswerKind>;

export const AnswerCaseParams = z.object({
  caseId: z.uuid(),
  kind: AnswerKind,
  /** For the patient, in plain words (printed at the counter). */
  advice: z.string().trim().min(1).max(4_000),
  /** urgent rings the counter until acknowledged and shows the number to call the patient. */
  urgency: z.enum(['routine', 'urgent']),
  /** live-needed: within how long. */
  liveWithin: z.enum(['today', '48h', 'week']).optional(),
  /** referral: to whom (a specialty, a service) and why. */
  referral: z.object({ to: z.string().trim().min(1).max(200), reason: z.string().trim().min(1).max(1_000) }).strict().optional(),
  /** A prescription through the existing flow (numbered and signed by the hub). */
  prescription: PrescribeParams.optional(),
}).strict().superRefine((a, ctx) => {
  if (a.kind === 'live-needed' && !a.liveWithin) ctx.addIssue({ code: 'custom', path: ['liveWithin'], message: 'say within how long the live consultation is needed' });
  if (a.kind === 'referral' && !a.referral) ctx.addIssue({ code: 'custom', path: ['referral'], message: 'say to whom the patient is referred, and why' });
});
export type AnswerCaseParams = z.input<typeof AnswerCaseParams>;

/** An answer as recorded: who, when, the prescription as issued, and the hub's signature over the rest. */
export const CaseAnswer = z.object({
  caseId: z.uuid(),
  kind: AnswerKind,
  advice: z.string(),
  urgency: z.enum(['routine', 'urgent']),
  liveWithin: z.enum(['today', '48h', 'week']).optional(),
  referral: z.object({ to: z.string(), reason: z.string() }).strict().optional(),
  prescription: Prescription.optional(),
  answeredBy: z.object({ id: z.string(), name: z.string(), specialty: z.string() }).strict(),
  answeredAt: z.iso.datetime({ offset: true }),
  /** base64url signature by the hub's signing key over the answer's canonical JSON without this field. */
  signature: z.string().max(200),
}).strict();
export type CaseAnswer = z.infer<typeof CaseAnswer>;

/** Blob URLs the console and counter fetch with their cookie (access checked per case). */
/**
 * `case.open`: the whole case as the doctor reviews it. Blobs are fetched at
 * their URL with the doctor's cookie (photos at photoUrl, clips at clipUrl,
 * the video at caseVideoUrl; access follows the doctor's case specialties).
 */
export const CaseFile = z.object({
  summary: CaseSummary,
  /** The intake as a doctor may see it (no NIR). */
  patient: DoctorIntake,
  /** The pharmacist's note. */
  note: z.string(),
  /** Who compiled it: "Marie, Pharmacie de la Place". */
  compiledBy: z.string(),
  checklist: Checklist,
  entries: z.array(CaseEntry),
  readings: z.array(Reading),
  photos: z.array(z.object({ meta: PhotoMeta, url: z.string() }).strict()),
  clips: z.array(z.object({ meta: ClipMeta, url: z.string() }).strict()),
  video: z.object({ meta: VideoMeta, url: z.string() }).strict().nullable(),
  answer: CaseAnswer.nullable(),
}).strict();
export type CaseFile = z.infer<typeof CaseFile>;

export const caseVideoUrl = (videoId: string): string => `/api/videos/${encodeURIComponent(videoId)}`;
export const caseAnswerPdfUrl = (caseId: string): string => `/api/counter/cases/${encodeURIComponent(caseId)}/answer.pdf`;
/**
 * The case as a FHIR R4 Bundle (src/shared/fhir-case.ts: the request, the
 * exam, the answer once there is one, who compiled and who answered), for a
 * doctor of the case's specialty with the console's cookie (added by h20wire).
 * A forwarded session has no call, hence no claim: the session's report
 * route (`/api/sessions/:id/report.fhir.json`, for the doctor who held the
 * call) never serves it; this one follows the case's own access rule.
 */
export const caseBundleUrl = (caseId: string): string => `/api/cases/${encodeURIComponent(caseId)}/case.fhir.json`;

// ---- the counter's view ---------------------------------------------------------------------

export const CounterCase = z.object({
  caseId: z.uuid(),
  boothId: z.string(),
  pickupCode: PickupCode,
  /** The pharmacy compiled it and knows the patient: the name is theirs to see. */
  patient: z.object({ birthName: z.string(), firstNames: z.string(), birthDate: z.string() }).strict(),
  contactPhone: z.string(),
  specialty: CaseSpecialty,
  compiledBy: z.string(),
  receivedAt: z.iso.datetime({ offset: true }),
  state: CaseState,
  answer: CaseAnswer.nullable(),
  acknowledgedBy: z.object({ staffId: z.string(), name: z.string(), at: z.iso.datetime({ offset: true }) }).strict().nullable(),
}).strict();
export type CounterCase = z.infer<typeof CounterCase>;

export const CounterCasesNote = z.object({ cases: z.array(CounterCase) }).strict();
export const AcknowledgeCaseParams = z.object({ caseId: z.uuid() }).strict();
export const CaseRingNote = z.object({ caseId: z.uuid(), pickupCode: PickupCode, ring: z.number().int().min(1) }).strict();

/** Refusals a console or counter page may see. */
export const CASE_ERRORS = {
  unknownCase: 'UNKNOWN_CASE',
  /** Another doctor answered first: the refusal names them. */
  alreadyAnswered: 'CASE_ALREADY_ANSWERED',
  /** The doctor's account does not answer cases of this specialty. */
  notYourSpecialty: 'NOT_YOUR_SPECIALTY',
  /** Not every part of the case has arrived yet. */
  incomplete: 'CASE_INCOMPLETE',
  /** `counter.acknowledgeCase` of a case no doctor has answered yet (added by h20hub). */
  notAnswered: 'CASE_NOT_ANSWERED',
} as const;
