/**
 * The wire protocol between a booth's host and the hub (DESIGN §1, §4, §6):
 * one authenticated WebSocket per booth carries the outbox sync, the readings
 * relay and the media signaling. Requests go both ways and are answered by
 * id; notes are one-way. Every frame is validated on arrival.
 */
import { z } from 'zod';
import type { PendingRequests } from './pending-requests';

/**
 * Frames a booth may send the hub: `perSecond` sustained, `burst` at once;
 * past it the hub cuts the connection (a flooding or broken booth must not
 * starve the others). The booth paces itself under it (`BOOTH_FRAME_PACE`),
 * answers to the hub's own requests included, so that a busy moment — the
 * outbox draining, readings, screen changes and a call's signaling at once —
 * never gets an honest booth cut off.
 */
export const BOOTH_FRAME_LIMIT = { perSecond: 100, burst: 400 } as const;
export const BOOTH_FRAME_PACE = { perSecond: 80, burst: 300 } as const;

export const HubFrame = z.union([
  z.object({ t: z.literal('req'), id: z.number().int().nonnegative(), m: z.string().regex(/^[a-z][a-zA-Z0-9.]{0,63}$/), p: z.unknown() }).strict(),
  z.object({ t: z.literal('res'), id: z.number().int().nonnegative(), ok: z.literal(true), r: z.unknown() }).strict(),
  z.object({
    t: z.literal('res'),
    id: z.number().int().nonnegative(),
    ok: z.literal(false),
    e: z.object({ code: z.string(), message: z.string() }),
  }).strict(),
  z.object({ t: z.literal('note'), m: z.string().regex(/^[a-z][a-zA-Z0-9.]{0,63}$/), p: z.unknown() }).strict(),
]);
export type HubFrame = z.infer<typeof HubFrame>;

/** A text frame from the hub as the web pages receive it: the frame, or null for anything not JSON or not a frame. */
export function parseHubText(text: string): HubFrame | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = HubFrame.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Headers a booth presents when it opens its connection. */
export const BOOTH_ID_HEADER = 'x-cabine-booth';
export const BOOTH_PATH = '/booth';

/**
 * The close code of a console's or counter page's connection whose session
 * ended (signed out, on this node or another, or expired): the page shows
 * its sign-in rather than reconnecting (4000–4999: the application's own).
 */
export const CLOSE_SIGNED_OUT = 4401;

/** Largest frame either side accepts (a photo chunk is at most 256 KiB). */
export const HUB_MAX_FRAME_BYTES = 1024 * 1024;

/** A request answered with an error crosses the wire as this. */
export class HubRequestError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'HubRequestError';
    this.code = code;
  }
}

/**
 * Settles the request a `res` frame answers: its result, or its error as a
 * HubRequestError. An id no longer waiting (timed out) is ignored.
 */
export function settleResponse(pending: PendingRequests, frame: Extract<HubFrame, { t: 'res' }>): void {
  if (frame.ok) pending.resolve(frame.id, frame.r);
  else pending.reject(frame.id, new HubRequestError(frame.e.code, frame.e.message));
}
