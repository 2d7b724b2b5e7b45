/**
 * What the kiosk renderer sees of the session machine: a serialisable view,
 * never the machine itself, and the UI events it may send back. The renderer
 * never decides the flow (DESIGN §1): it shows `state` and sends events.
 */
import { z } from 'zod';

export const Language = z.enum(['fr', 'en']);
export type Language = z.infer<typeof Language>;

/** Entered by the assistant on the assistant panel; the patient types nothing. */
export const Identity = z.object({
  firstName: z.string().trim().min(1).max(80),
  lastName: z.string().trim().min(1).max(80),
  /** YYYY-MM-DD */
  birthDate: z.iso.date(),
}).strict();
export type Identity = z.infer<typeof Identity>;

/** Reimbursement pathway (parcours de soins): GP known, seen within 12 months, or an exception. */
export const Pathway = z.enum(['gp-known', 'seen-12-months', 'exception']);
export type Pathway = z.infer<typeof Pathway>;
export const ExceptionReason = z.enum(['no-gp', 'gp-unavailable', 'emergency', 'under-16', 'direct-access']);
export type ExceptionReason = z.infer<typeof ExceptionReason>;

export const SessionView = z.object({
  /** The machine's state value as a dotted path, e.g. "consultation.measuring". */
  state: z.string(),
  language: Language,
  sessionId: z.string().nullable(),
  /** Step indicator: 1 Langue … 5 Consultation; null outside the steps. */
  step: z.number().int().min(1).max(5).nullable(),
  assistant: z.boolean(),
  /** State-specific details for the screen; never the booth secret. */
  context: z.record(z.string(), z.unknown()),
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
  z.object({ type: z.literal('CHOOSE_PATHWAY'), pathway: Pathway }).strict(),
  z.object({ type: z.literal('CHOOSE_EXCEPTION'), reason: ExceptionReason }).strict(),
  /** "I am ready": the measurement starts. */
  z.object({ type: z.literal('START_MEASURE') }).strict(),
  z.object({ type: z.literal('RETRY') }).strict(),
  z.object({ type: z.literal('TOGGLE_MUTE') }).strict(),
]);
export type SessionUiEvent = z.infer<typeof SessionUiEvent>;
