/** Shapes the console receives from the hub's HTTP API and queue notes. */
import { z } from 'zod';
import { ExceptionReason, Pathway } from '../../../shared/session-view';

export interface Me { id: string; name: string; specialty: string }

/** One `queue.updated` entry (src/hub/media/signaling.ts QueueEntry, plus the hub's estimate), checked on arrival. */
export const Waiting = z.object({
  boothId: z.string(),
  pharmacy: z.object({ name: z.string(), city: z.string() }).nullable(),
  reason: z.string().nullable(),
  firstName: z.string().nullable(),
  age: z.number().nullable(),
  pathway: Pathway.nullish(),
  exceptionReason: ExceptionReason.nullish(),
  sessionId: z.string().nullish(),
  language: z.enum(['fr', 'en']).nullish(),
  since: z.string(),
  etaMinutes: z.number().nullish(),
});
export type Waiting = z.infer<typeof Waiting>;
/** The queue as the hub sends it (`queue.updated`, `queue.list`). */
export const QueueNote = z.object({ booths: z.array(Waiting) });
/** `room.mine`: the room this specialist holds, if any. */
export const RoomMine = z.object({ room: z.object({ roomId: z.string(), boothId: z.string() }).nullable() });

/** The consultation the console is in or has just finished. */
export interface CallInfo { boothId: string; roomId: string | null; label: string; entry: Waiting | null }

/** Where the call is for this tab: held here, or elsewhere (`opened`: this tab came second; `takenOver`: another tab took it; `released`: nobody holds it). */
export type Presence = 'here' | 'opened' | 'takenOver' | 'released';
/** `room.elsewhere`: another tab of this doctor holds the call. */
export const ElsewhereNote = z.object({ roomId: z.string(), boothId: z.string(), pharmacy: z.object({ name: z.string(), city: z.string() }).nullish(), reason: z.enum(['opened', 'takenOver']) });
/** `room.boothOffline`: the booth is away; durations as of when the hub sent it. */
export const BoothOfflineNote = z.object({ roomId: z.string(), boothId: z.string(), awayMs: z.number(), endsInMs: z.number() });
/** `room.closed`: the call ended, and why. */
export const RoomClosedNote = z.object({ roomId: z.string(), reason: z.string() });
