/**
 * The transport-independent half of KioskApi on the host: validate, then run
 * the handler. Both transports (IPC, WebSocket) call this and nothing else,
 * so one contract test suite proves both.
 */
import type { Logger } from 'pino';
import { ApiValidationError, CabineError } from '../shared/errors';
import { KIOSK_CHUNK_METHOD, validateRequest, type KioskHandlers, type WireError } from '../shared/kiosk-api';

/** `bytes`: the raw body of a binary chunk (a binary WebSocket frame, an IPC typed array); for that method only. */
export type Dispatch = (method: unknown, params: unknown, bytes?: Uint8Array) => Promise<unknown>;

export function createDispatcher(handlers: KioskHandlers, log: Logger): Dispatch {
  return async (method, params, bytes) => {
    let request;
    try {
      request = validateRequest(method, params);
      if ((request.method === KIOSK_CHUNK_METHOD) !== (bytes instanceof Uint8Array)) {
        throw new ApiValidationError(request.method === KIOSK_CHUNK_METHOD ? `${request.method} carries its bytes beside its params` : `${request.method} carries no bytes`);
      }
    } catch (error) {
      // Never log the params: they may hold a PIN or a photo.
      log.warn({ code: (error as CabineError).code, method: typeof method === 'string' ? method.slice(0, 64) : typeof method, detail: (error as Error).message.slice(0, 300) }, 'refused an invalid KioskApi request');
      throw error;
    }
    const handler = handlers[request.method] as (p: unknown, bytes?: Uint8Array) => unknown;
    return await handler(request.params, bytes);
  };
}

/** The error shape sent back over a transport: code and messages, no stack. */
export function toWireError(error: unknown): WireError {
  if (error instanceof CabineError) return { code: error.code, message: error.message, userMessage: error.userMessage };
  return { code: 'INTERNAL', message: 'Internal error in the booth software' };
}

export { ApiValidationError };
