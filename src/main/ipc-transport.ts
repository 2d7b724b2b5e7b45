/**
 * The IPC transport of KioskApi (DESIGN §2): one `invoke` channel for
 * requests, one channel for events. The sender frame is checked on every
 * call; params are validated by the same dispatcher as the WebSocket one.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Logger } from 'pino';
import { toWireError, type Dispatch } from '../host/api-dispatch';
import type { KioskEvent, WireError } from '../shared/kiosk-api';
import { IPC_CHANNELS } from '../shared/kiosk-api-methods';

export type IpcReply = { ok: true; result: unknown } | { ok: false; error: WireError };

export interface KioskIpcOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  dispatch: Dispatch;
  /** True only for our kiosk window's main frame on our own origin. */
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
  log: Logger;
}

export function registerKioskIpc(opts: KioskIpcOptions): { sendEvent(to: WebContents, event: KioskEvent): void; dispose(): void } {
  // `bytes`: a chunk of a binary transfer, a typed array carried by IPC's structured clone, never JSON.
  opts.ipcMain.handle(IPC_CHANNELS.call, async (event, method: unknown, params: unknown, bytes?: unknown): Promise<IpcReply> => {
    if (!opts.isTrustedSender(event)) {
      opts.log.warn({ url: event.senderFrame?.url?.slice(0, 120) }, 'refused KioskApi call from an untrusted frame');
      return { ok: false, error: { code: 'API_UNTRUSTED_SENDER', message: 'Caller is not the kiosk window' } };
    }
    try {
      return { ok: true, result: await opts.dispatch(method, params, bytes instanceof Uint8Array ? bytes : undefined) };
    } catch (error) {
      return { ok: false, error: toWireError(error) };
    }
  });
  return {
    sendEvent(to, event) {
      if (!to.isDestroyed()) to.send(IPC_CHANNELS.event, event.name, event.data);
    },
    dispose() {
      opts.ipcMain.removeHandler(IPC_CHANNELS.call);
    },
  };
}
