/**
 * The intake from the counter page to the booth, through the hub (a
 * hub → booth request, `HubFrame.m`):
 *
 *   counter page ──(its own request to the hub)──▶ hub ──intake.update──▶ booth
 *
 * The hub sends `intake.update` only for a member of staff signed in on the
 * counter page and bound to the pharmacy of the target booth; the booth
 * checks again that the staff member's pharmacy is its own (kiosk-config
 * `pharmacy`), that the update is for its current session, and that the
 * patient is at the identity step or in the waiting room. The booth answers
 * `{ accepted }` (with why not), or refuses with a typed error: OTHER_PHARMACY,
 * INVALID_INTAKE (each problem in words, French and English, never a value).
 * Both the assistant panel and the counter edit the same intake; the latest
 * wins, and each change is a session event naming who made it.
 */
import { z } from 'zod';
import { CaseRequest } from './case-record';
import { Intake } from './intake';

export const INTAKE = {
  // hub → booth (request: the booth answers once its session has taken it, or not)
  update: 'intake.update',
} as const;

/** Who at the counter made the change, and for which pharmacy (as the hub's staff account says). */
export const CounterStaff = z.object({
  staffId: z.string().min(1).max(120),
  /** First name, kept in the session event. */
  name: z.string().trim().min(1).max(80).optional(),
  pharmacy: z.object({ name: z.string().min(1).max(200), city: z.string().min(1).max(200) }).strict(),
}).strict();
export type CounterStaff = z.infer<typeof CounterStaff>;

export const IntakeUpdate = z.object({
  /** The booth's session the counter was looking at: an update for an earlier patient is never applied to the next. */
  sessionId: z.string().min(1).max(64),
  intake: Intake,
  staff: CounterStaff,
  /**
   * "Examen différé": compile this case instead of joining the live queue
   * (src/shared/case-protocol.ts), with when the hub took the patient's
   * consent. Only from the counter: the case names who compiled it.
   */
  deferred: z.object({ request: CaseRequest, consentAt: z.iso.datetime({ offset: true }) }).strict().optional(),
}).strict();
export type IntakeUpdate = z.input<typeof IntakeUpdate>;

export const IntakeUpdateResult = z.object({
  accepted: z.boolean(),
  /** Why not: another session is on the booth now, or the patient is past the waiting room (or not yet at the identity step). */
  reason: z.enum(['session', 'step']).optional(),
}).strict();
export type IntakeUpdateResult = z.infer<typeof IntakeUpdateResult>;
