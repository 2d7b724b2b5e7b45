/**
 * The wire protocol between a booth's host and the hub (DESIGN §1, §4, §6):
 * one authenticated WebSocket per booth carries the outbox sync, the readings
 * relay and the media signaling. Requests go both ways and are answered by
 * id; notes are one-way. Every frame is validated on arrival.
 */
import { z } from 'zod';

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

/** Headers a booth presents when it opens its connection. */
export const BOOTH_ID_HEADER = 'x-cabine-booth';
export const BOOTH_PATH = '/booth';

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
 * Requests awaiting their `res` frame, by id, each with a timeout: the one
 * bookkeeping both ends of the link use (host HubLink, hub Peer).
 */
export class PendingRequests {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();

  /** Registers a request; `send(id)` puts it on the wire. */
  start<T>(send: (id: number) => void, timeoutMs: number, onTimeout: () => Error): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(onTimeout());
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      send(id);
    });
  }

  /** Settles the request a `res` frame answers; an unknown id is ignored. */
  settle(frame: Extract<HubFrame, { t: 'res' }>): void {
    const p = this.pending.get(frame.id);
    if (!p) return;
    this.pending.delete(frame.id);
    clearTimeout(p.timer);
    if (frame.ok) p.resolve(frame.r);
    else p.reject(new HubRequestError(frame.e.code, frame.e.message));
  }

  /** Rejects every request still waiting (the connection is gone). */
  failAll(error: () => Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(error());
      this.pending.delete(id);
    }
  }
}
