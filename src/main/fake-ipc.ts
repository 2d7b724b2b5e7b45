/**
 * An in-memory stand-in for Electron's ipcMain/ipcRenderer pair, beside the
 * real IPC transport it stands for, so the KioskApi contract suite runs on
 * the IPC transport without the Electron binary. It copies values through
 * structuredClone, as Electron's IPC does.
 */
import type { IpcMainInvokeEvent } from 'electron';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;
type Listener = (event: unknown, ...args: unknown[]) => void;

export interface FakeSender {
  url: string;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export function createFakeIpc(senderUrl = 'file:///app/dist/renderer/kiosk/index.html') {
  const handlers = new Map<string, Handler>();
  const listeners = new Map<string, Set<Listener>>();
  const sender: FakeSender = {
    url: senderUrl,
    isDestroyed: () => false,
    send(channel, ...args) {
      for (const l of listeners.get(channel) ?? []) l({}, ...structuredClone(args));
    },
  };
  const ipcMain = {
    handle(channel: string, handler: Handler) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, handler);
    },
    removeHandler(channel: string) {
      handlers.delete(channel);
    },
  };
  const ipcRenderer = {
    async invoke(channel: string, ...args: unknown[]) {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      const event = { sender, senderFrame: { url: sender.url } } as unknown as IpcMainInvokeEvent;
      return structuredClone(await handler(event, ...structuredClone(args)));
    },
    on(channel: string, listener: Listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
      return ipcRenderer;
    },
    removeListener(channel: string, listener: Listener) {
      listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
  };
  return { ipcMain, ipcRenderer, sender };
}
