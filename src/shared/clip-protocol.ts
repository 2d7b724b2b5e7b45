/**
 * Recorded stethoscope clips between the console, the hub, the booth's host
 * and its kiosk page (a clip's metadata is ClipMeta in record-protocol.ts).
 *
 * Flow: console `consult.recordClip { point }` → hub requests
 * `consult.clipRequested` of the booth of the caller's room → the host asks
 * its kiosk page (`clipCommand` KioskApi event), which opens the configured
 * stethoscope and answers `clipState: recording` (or `failed` with a code);
 * the host then answers the hub, which answers the console. The kiosk
 * records CLIP_SECONDS of PCM, encodes a 16-bit WAV, uploads it by the
 * binary call and names it with `saveClip`; the host stores it sealed and
 * its outbox sends it like a photo. Once the hub's record holds it, the
 * console gets `consult.clip` and fetches the bytes at `clipUrl(id)` (cookie
 * auth, the photos' access rules). A clip that cannot be completed (the
 * stethoscope unplugged midway) is never sent as if whole: the booth tells
 * the hub `consult.clipFailed`, the console gets a `consult.clipFailed` note.
 */
import { z } from 'zod';
import { AuscultationPoint, CLIP_SECONDS } from './auscultation';
import { ClipMeta } from './record-protocol';

export const CLIP = {
  // console → hub (requests)
  record: 'consult.recordClip',
  list: 'consult.clips',
  // hub → console (notes)
  clipNote: 'consult.clip',
  failedNote: 'consult.clipFailed',
  // hub → booth (request: answered once the recording has started)
  requested: 'consult.clipRequested',
  // booth → hub (request)
  failed: 'consult.clipFailed',
} as const;

export const RecordClipParams = z.object({ point: AuscultationPoint }).strict();
export type RecordClipParams = z.infer<typeof RecordClipParams>;
export const RecordClipResult = z.object({ requestId: z.uuid(), seconds: z.number().int().positive() }).strict();
export type RecordClipResult = z.infer<typeof RecordClipResult>;

/** The hub's request to the booth, and the host's command to its kiosk page. */
export const ClipRequested = z.object({
  requestId: z.uuid(),
  point: AuscultationPoint,
  seconds: z.number().int().min(1).max(60).default(CLIP_SECONDS),
}).strict();
export type ClipRequested = z.output<typeof ClipRequested>;
export const ClipRequestedResult = z.object({ recording: z.literal(true) }).strict();

/** Why the booth did not start a clip (its answer's error code to `consult.clipRequested`). */
export const ClipRefusalCode = z.enum(['NO_STETHOSCOPE', 'NOT_IN_CALL', 'ALREADY_RECORDING']);
export type ClipRefusalCode = z.infer<typeof ClipRefusalCode>;

/** Why a clip that had started was not kept. */
export const ClipFailureCode = z.enum(['STETHOSCOPE_UNPLUGGED', 'CAPTURE_FAILED', 'STORE_FAILED']);
export type ClipFailureCode = z.infer<typeof ClipFailureCode>;

export const ClipFailed = z.object({ requestId: z.uuid(), point: AuscultationPoint, code: ClipFailureCode }).strict();
export type ClipFailed = z.infer<typeof ClipFailed>;

/** What the console hears of a failed clip: the message is the hub's, in the doctor's words. */
export const ClipFailedNote = ClipFailed.extend({ boothId: z.string(), roomId: z.string(), message: z.string().max(300) }).strict();
export type ClipFailedNote = z.infer<typeof ClipFailedNote>;

export const ClipNote = z.object({ boothId: z.string(), roomId: z.string(), clip: ClipMeta, url: z.string() }).strict();
export type ClipNote = z.infer<typeof ClipNote>;
export const ClipList = z.object({ clips: z.array(ClipNote) }).strict();

/** Where the console fetches a clip's WAV (GET, specialist cookie, only for their own booth's clips). */
export const clipUrl = (clipId: string): string => `/api/clips/${encodeURIComponent(clipId)}`;

/** The doctor's words for each refusal and failure (the console shows them as they are). */
export const CLIP_MESSAGES: Readonly<Record<ClipRefusalCode | ClipFailureCode, string>> = {
  NO_STETHOSCOPE: 'Aucun stéthoscope n’est branché à la cabine : demandez au pharmacien de le brancher, puis recommencez.',
  NOT_IN_CALL: 'Le patient n’est pas en consultation à la cabine : l’enregistrement n’a pas commencé.',
  ALREADY_RECORDING: 'Un enregistrement est déjà en cours à la cabine : attendez qu’il se termine.',
  STETHOSCOPE_UNPLUGGED: 'Le stéthoscope a été débranché pendant l’enregistrement : l’extrait n’a pas été gardé. Faites-le rebrancher, puis recommencez.',
  CAPTURE_FAILED: 'L’enregistrement a échoué à la cabine : rien n’a été gardé. Recommencez.',
  STORE_FAILED: 'La cabine n’a pas pu garder l’enregistrement : rien n’a été envoyé. Recommencez.',
};

/** What the kiosk says, calmly, when a clip stops before its end. */
export const CLIP_KIOSK_WORDING = {
  recording: { fr: 'Enregistrement en cours', en: 'Recording' },
  hold: { fr: 'Gardez le stéthoscope en place, sans parler.', en: 'Keep the stethoscope in place, without speaking.' },
  STETHOSCOPE_UNPLUGGED: {
    fr: 'Le stéthoscope a été débranché pendant l’enregistrement. Ce n’est pas grave : rebranchez-le, le médecin recommencera.',
    en: 'The stethoscope was unplugged during the recording. No harm done: plug it back in, the doctor will start again.',
  },
  NO_STETHOSCOPE: {
    fr: 'Le stéthoscope n’est pas branché. Le pharmacien peut le brancher, puis le médecin recommencera.',
    en: 'The stethoscope is not plugged in. The pharmacist can plug it in, then the doctor will start again.',
  },
  CAPTURE_FAILED: { fr: 'L’enregistrement n’a pas abouti. Le médecin va recommencer.', en: 'The recording did not work. The doctor will start again.' },
  STORE_FAILED: { fr: 'L’enregistrement n’a pas abouti. Le médecin va recommencer.', en: 'The recording did not work. The doctor will start again.' },
} as const;
