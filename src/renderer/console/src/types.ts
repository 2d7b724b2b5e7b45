/** Shapes the console receives from the hub's HTTP API and queue notes. */
import type { ExceptionReason, Pathway } from '../../../shared/session-view';

export interface Me { id: string; name: string; specialty: string }

/** One `queue.updated` entry (src/hub/media/signaling.ts QueueEntry, plus the hub's estimate). */
export interface Waiting {
  boothId: string;
  pharmacy: { name: string; city: string } | null;
  reason: string | null;
  firstName: string | null;
  age: number | null;
  pathway?: Pathway | null;
  exceptionReason?: ExceptionReason | null;
  sessionId?: string | null;
  language?: 'fr' | 'en' | null;
  since: string;
  etaMinutes?: number | null;
}

/** The consultation the console is in or has just finished. */
export interface CallInfo { boothId: string; roomId: string | null; label: string; entry: Waiting | null }
