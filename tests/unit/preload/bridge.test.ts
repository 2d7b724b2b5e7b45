import { describe, expect, it, vi } from 'vitest';
import { createFakeIpc } from '../../../src/main/fake-ipc';
import { buildKioskBridge } from '../../../src/preload/kiosk-bridge';
import { IPC_CHANNELS, KIOSK_METHODS } from '../../../src/shared/kiosk-api-methods';

const exposed: Record<string, unknown> = {};
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => { exposed[key] = api; } },
  ipcRenderer: { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn(), send: vi.fn(), sendSync: vi.fn() },
}));

describe('preload', () => {
  it('exposes exactly the KioskApi methods and onEvent, under one key, and never ipcRenderer', async () => {
    await import('../../../src/preload/preload');
    expect(Object.keys(exposed)).toEqual(['cabine']);
    const api = exposed.cabine as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([...KIOSK_METHODS, 'onEvent'].sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('sends each call on the one KioskApi channel and turns a refused call into an error with its code', async () => {
    const { ipcMain, ipcRenderer } = createFakeIpc();
    const calls: unknown[][] = [];
    ipcMain.handle(IPC_CHANNELS.call, (_e, ...args) => {
      calls.push(args);
      return args[0] === 'getSnapshot' ? { ok: true, result: { state: 'attract' } } : { ok: false, error: { code: 'NOT_AVAILABLE', message: 'no' } };
    });
    const bridge = buildKioskBridge(ipcRenderer as never) as Record<string, (p: unknown) => Promise<unknown>>;
    await expect(bridge.getSnapshot!({})).resolves.toEqual({ state: 'attract' });
    await expect(bridge.capturePhoto!({})).rejects.toMatchObject({ code: 'NOT_AVAILABLE' });
    expect(calls).toEqual([['getSnapshot', {}], ['capturePhoto', {}]]);
  });

  it('passes a chunk\'s bytes to IPC as a typed array beside its params, never inside them', async () => {
    const { ipcMain, ipcRenderer } = createFakeIpc();
    const calls: unknown[][] = [];
    ipcMain.handle(IPC_CHANNELS.call, (_e, ...args) => {
      calls.push(args);
      return { ok: true, result: { received: 1 } };
    });
    const bridge = buildKioskBridge(ipcRenderer as never) as Record<string, (p: unknown, bytes?: Uint8Array) => Promise<unknown>>;
    const header = { transferId: '0190d8e2-0000-7000-8000-000000000000', index: 0 };
    await expect(bridge.binaryChunk!(header, new Uint8Array([1, 2, 3]))).resolves.toEqual({ received: 1 });
    expect(calls).toEqual([['binaryChunk', header, new Uint8Array([1, 2, 3])]]);
    expect(calls[0]![2]).toBeInstanceOf(Uint8Array);
  });
});
