/** Shapes the console receives from the hub's HTTP API; queue and room notes are in src/shared/media-protocol.ts. */
import type { WaitingBooth as Waiting } from '../../../shared/media-protocol';

export interface Me { id: string; name: string; specialty: string }

/** One `queue.updated` entry (the hub's QueueEntry with its estimate), checked on arrival. */
export type { Waiting };

/** The consultation the console is in or has just finished. */
export interface CallInfo { boothId: string; roomId: string | null; label: string; entry: Waiting | null }

/** Where the call is for this tab: held here, or elsewhere (`opened`: this tab came second; `takenOver`: another tab took it; `released`: nobody holds it). */
export type Presence = 'here' | 'opened' | 'takenOver' | 'released';
