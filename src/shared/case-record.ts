/**
 * What a forwarded case is made of, as the booth records it and the counter
 * asks for it (the flows are in case-protocol.ts): the specialties, the
 * checklist, the counter's request, the patient's video and the `case`
 * record item. Apart from case-protocol.ts so that the record's item schema
 * (record-protocol.ts) can name them without a cycle.
 */
import { z } from 'zod';
import { AuscultationPoint } from './auscultation';
import { Ear } from './domain';
import { DoctorIntake } from './intake';
import type { Language } from './language';

// ---- specialties ---------------------------------------------------------------------

/** The specialties a case can be sent to; a doctor's account lists the ones they answer (hub-config `specialists[].cases`). */
export const CASE_SPECIALTIES = ['general', 'dermatology'] as const;
export const CaseSpecialty = z.enum(CASE_SPECIALTIES);
export type CaseSpecialty = z.infer<typeof CaseSpecialty>;

export const SPECIALTY_LABEL: Record<Language, Record<CaseSpecialty, string>> = {
  fr: { general: 'Médecine générale', dermatology: 'Dermatologie' },
  en: { general: 'General medicine', dermatology: 'Dermatology' },
};

/** The answer time the queue aims for, per specialty (hours from the case's arrival): shown with each case, overdue ones first. */
export const TARGET_ANSWER_HOURS: Record<CaseSpecialty, number> = { general: 24, dermatology: 72 };

// ---- the checklist ---------------------------------------------------------------------

/** The patient's video describing the problem: at most this long and this large (refused before recording ends). */
export const MAX_VIDEO_MS = 60_000;
export const MAX_VIDEO_BYTES = 40 * 1024 * 1024;
export const VIDEO_CONTENT_TYPES = ['video/webm'] as const;

/** A checklist item's id: short, stable within the case ("i1", "i2", …). */
export const ChecklistId = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);

/** One thing to take at the booth. The pharmacist may add, remove or reorder items before the exam starts. */
export const ChecklistItem = z.discriminatedUnion('kind', [
  z.object({ id: ChecklistId, kind: z.literal('temperature') }).strict(),
  z.object({ id: ChecklistId, kind: z.literal('blood-pressure') }).strict(),
  z.object({ id: ChecklistId, kind: z.literal('spo2') }).strict(),
  /** A dermatoscope still of one lesion, at its body site ("avant-bras gauche"). */
  z.object({ id: ChecklistId, kind: z.literal('dermatoscope-photo'), bodySite: z.string().trim().min(1).max(120) }).strict(),
  z.object({ id: ChecklistId, kind: z.literal('otoscope-photo'), ear: Ear }).strict(),
  /** A stethoscope clip recorded at one point (the clip's length is the booth's CLIP length). */
  z.object({ id: ChecklistId, kind: z.literal('auscultation'), point: AuscultationPoint }).strict(),
  /** The patient describes the problem on camera (optional by nature: the patient may decline). */
  z.object({ id: ChecklistId, kind: z.literal('video') }).strict(),
]);
export type ChecklistItem = z.infer<typeof ChecklistItem>;
export type ChecklistKind = ChecklistItem['kind'];

export const Checklist = z.array(ChecklistItem).min(1).max(20).superRefine((items, ctx) => {
  const seen = new Set<string>();
  for (const [i, item] of items.entries()) {
    if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: 'checklist ids are unique' });
    seen.add(item.id);
  }
  if (items.filter((i) => i.kind === 'video').length > 1) ctx.addIssue({ code: 'custom', message: 'at most one video' });
});
export type Checklist = z.infer<typeof Checklist>;

/** The checklist each specialty starts from; the pharmacist edits it on the counter page. */
export const DEFAULT_CHECKLIST: Record<CaseSpecialty, ChecklistItem[]> = {
  general: [
    { id: 'i1', kind: 'temperature' },
    { id: 'i2', kind: 'blood-pressure' },
    { id: 'i3', kind: 'spo2' },
    { id: 'i4', kind: 'auscultation', point: 'mitral' },
    { id: 'i5', kind: 'auscultation', point: 'lung-back-left' },
    { id: 'i6', kind: 'video' },
  ],
  dermatology: [
    { id: 'i1', kind: 'dermatoscope-photo', bodySite: 'Lésion 1' },
    { id: 'i2', kind: 'video' },
  ],
};

// ---- the request from the counter ------------------------------------------------------

/** A French phone number as typed (spaces, dots, +33 allowed); kept as 10 digits or +33 and 9. */
export const ContactPhone = z.string().trim().transform((typed, ctx) => {
  const compact = typed.replace(/[\s.-]/g, '');
  const m = /^(?:\+33|0033|0)([1-9]\d{8})$/.exec(compact);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: 'contact-phone' });
    return z.NEVER;
  }
  return `0${m[1]}`;
});

/** What the pharmacist asks for, with the intake (SetIntakeParams.deferred, IntakeUpdate.deferred). */
export const CaseRequest = z.object({
  specialty: CaseSpecialty,
  /** The question asked of the doctor ("Cette lésion est-elle suspecte ?"). */
  question: z.string().trim().min(1).max(1_000),
  /** The pharmacist's note (what they saw, since when). */
  note: z.string().trim().max(2_000).default(''),
  /** Where the patient can be called back with the answer. */
  contactPhone: ContactPhone,
  checklist: Checklist,
  /** The patient agreed to an exam answered later (stamped on the hub's clock when the counter sends it). */
  consent: z.literal(true),
}).strict();
export type CaseRequest = z.infer<typeof CaseRequest>;
export type CaseRequestInput = z.input<typeof CaseRequest>;

// ---- what the booth records -------------------------------------------------------------

/** The patient's video as the record keeps it; its bytes travel like a photo's, under its id. */
export const VideoMeta = z.object({
  id: z.uuid(),
  sessionId: z.string().nullable(),
  mime: z.enum(VIDEO_CONTENT_TYPES),
  durationMs: z.number().int().positive().max(MAX_VIDEO_MS + 1_000),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  byteLength: z.number().int().positive().max(MAX_VIDEO_BYTES),
  chunkCount: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  recordedAt: z.iso.datetime({ offset: true }),
}).strict();
export type VideoMeta = z.infer<typeof VideoMeta>;

/** The pick-up code printed for the patient: 6 characters without look-alikes (no 0/O, 1/I/L), shown as "K7M-4QP". */
export const PICKUP_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const PickupCode = z.string().regex(/^[A-HJKMNP-Z2-9]{6}$/);
export const formatPickupCode = (code: string): string => `${code.slice(0, 3)}-${code.slice(3)}`;

/** What became of each checklist item: the record item that holds it, or skipped (and why, in the pharmacist's words). */
export const CaseEntry = z.object({
  checklistId: ChecklistId,
  kind: z.enum(['temperature', 'blood-pressure', 'spo2', 'dermatoscope-photo', 'otoscope-photo', 'auscultation', 'video']),
  /** The record item's id (reading, photo, clip, video); null when skipped. */
  itemId: z.uuid().nullable(),
  skipped: z.string().trim().max(200).optional(),
}).strict();
export type CaseEntry = z.infer<typeof CaseEntry>;

/** Who compiled the case: a named member of staff (the counter's sign-in), and their pharmacy. */
export const CaseCompiler = z.object({
  staffId: z.string().min(1).max(120),
  name: z.string().trim().min(1).max(80),
  pharmacy: z.object({ name: z.string().min(1).max(200), city: z.string().min(1).max(200) }).strict(),
}).strict();
export type CaseCompiler = z.infer<typeof CaseCompiler>;

/**
 * The `case` record item, stored by the booth after every part: the hub
 * knows the case complete when it holds each `entries[].itemId`.
 */
export const CaseManifest = z.object({
  caseId: z.uuid(),
  sessionId: z.string().min(1).max(64),
  specialty: CaseSpecialty,
  question: z.string().max(1_000),
  note: z.string().max(2_000),
  contactPhone: z.string().regex(/^0[1-9]\d{8}$/),
  /** The intake as a doctor may see it (no NIR), with the consent's time. */
  patient: DoctorIntake,
  /** When the patient agreed to the deferred exam. */
  caseConsentAt: z.iso.datetime({ offset: true }),
  compiledBy: CaseCompiler,
  pickupCode: PickupCode,
  checklist: Checklist,
  entries: z.array(CaseEntry).max(40),
  completedAt: z.iso.datetime({ offset: true }),
}).strict();
export type CaseManifest = z.infer<typeof CaseManifest>;
