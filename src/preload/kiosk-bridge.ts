/**
 * Builds the object the preload exposes: exactly one function per KioskApi
 * method, plus `onEvent`. Never `ipcRenderer` itself (STYLE rule 5).
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import { IPC_CHANNELS, KIOSK_METHODS } from '../shared/kiosk-api-methods';

interface Reply { ok: boolean; result?: unknown; error?: { code: string; message: string } }

export function buildKioskBridge(ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>): Record<string, unknown> {
  const bridge: Record<string, unknown> = {};
  for (const method of KIOSK_METHODS) {
    // A chunk's bytes go as a typed array (IPC's structured clone), beside the params, never inside them.
    bridge[method] = async (params: unknown, bytes?: unknown) => {
      const reply = (await (bytes instanceof Uint8Array ? ipc.invoke(IPC_CHANNELS.call, method, params, bytes) : ipc.invoke(IPC_CHANNELS.call, method, params))) as Reply;
      if (reply.ok) return reply.result;
      const error = new Error(reply.error?.message ?? 'KioskApi error') as Error & { code?: string; wire?: unknown };
      error.code = reply.error?.code;
      error.wire = reply.error;
      throw error;
    };
  }
  bridge.onEvent = (listener: (event: { name: string; data: unknown }) => void) => {
    const wrapped = (_e: IpcRendererEvent, name: string, data: unknown): void => listener({ name, data });
    ipc.on(IPC_CHANNELS.event, wrapped);
    return () => { ipc.removeListener(IPC_CHANNELS.event, wrapped); };
  };
  return Object.freeze(bridge);
}
