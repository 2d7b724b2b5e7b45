/**
 * One KioskApi contract, two transports (DESIGN §2): the same suite runs on
 * the loopback WebSocket (real server, the renderer's own client) and on the
 * Electron IPC transport (real main-side handler and preload bridge over an
 * in-memory IPC pair).
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Host } from '../../../src/host/host';
import { startWsTransport, type WsTransport } from '../../../src/host/transport-ws';
import { createFakeIpc } from '../../../src/main/fake-ipc';
import { registerKioskIpc } from '../../../src/main/ipc-transport';
import { buildKioskBridge } from '../../../src/preload/kiosk-bridge';
import { createWsKioskApi } from '../../../src/renderer/kiosk/src/api-client';
import type { KioskApi, KioskEvent } from '../../../src/shared/kiosk-api';
import { createLogger } from '../../../src/node/logger';
import { testConfig } from '../../helpers/config';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);

interface Harness {
  api: KioskApi;
  /** Sends a request the typed client would never send. */
  raw(method: unknown, params: unknown): Promise<unknown>;
  close(): Promise<void>;
}

async function wsHarness(): Promise<Harness> {
  const host = new Host(testConfig(), silent);
  const transport: WsTransport = await startWsTransport({ dispatch: host.dispatch, staticDir: '/nonexistent', log: silent });
  host.on('kioskEvent', (e) => transport.broadcast(e));
  host.start();
  const secret = new URL(transport.url).hash.replace('#secret=', '');
  const origin = transport.origin;
  // The renderer's own client, with Node's `ws` standing in for the browser's WebSocket.
  class BrowserLikeWebSocket extends WebSocket {
    constructor(url: string, protocols: string[]) {
      super(url, protocols, { origin });
    }
  }
  (globalThis as Record<string, unknown>).WebSocket = BrowserLikeWebSocket;
  const api = createWsKioskApi(secret, `ws://127.0.0.1:${transport.port}/api`);
  await api.ready;
  return {
    api,
    raw: (method, params) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${transport.port}/api`, ['cabine.kiosk.v1', `secret.${secret}`], { origin });
        ws.on('open', () => ws.send(JSON.stringify({ kind: 'request', id: 7, method, params })));
        ws.on('message', (m) => {
          const msg = JSON.parse(String(m)) as { kind: string; ok: boolean; result?: unknown; error?: { code: string } };
          if (msg.kind !== 'response') return;
          ws.close();
          if (msg.ok) resolve(msg.result);
          else reject(Object.assign(new Error('refused'), msg.error));
        });
        ws.on('error', reject);
      }),
    async close() {
      api.close();
      host.stop();
      await transport.close();
    },
  };
}

async function ipcHarness(): Promise<Harness> {
  const host = new Host(testConfig(), silent);
  const { ipcMain, ipcRenderer, sender } = createFakeIpc();
  const ipc = registerKioskIpc({ ipcMain, dispatch: host.dispatch, isTrustedSender: (e) => e.senderFrame?.url === sender.url, log: silent });
  host.on('kioskEvent', (e) => ipc.sendEvent(sender as never, e));
  host.start();
  const api = buildKioskBridge(ipcRenderer as never) as unknown as KioskApi;
  return {
    api,
    async raw(method, params) {
      const reply = (await ipcRenderer.invoke('cabine:kiosk-call', method, params)) as { ok: boolean; result?: unknown; error?: { code: string } };
      if (reply.ok) return reply.result;
      throw Object.assign(new Error('refused'), reply.error);
    },
    async close() {
      ipc.dispose();
      host.stop();
    },
  };
}

function nextEvent(api: KioskApi, name: KioskEvent['name']): Promise<KioskEvent> {
  return new Promise((resolve) => {
    const off = api.onEvent((e) => {
      if (e.name === name) {
        off();
        resolve(e);
      }
    });
  });
}

describe.each([
  ['WebSocket', wsHarness],
  ['IPC', ipcHarness],
])('KioskApi over the %s transport', (_name, makeHarness) => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('returns the attract screen as the first snapshot', async () => {
    h = await makeHarness();
    const view = await h.api.getSnapshot({});
    expect(view).toMatchObject({ state: 'attract', language: 'fr', step: null });
  });

  it('accepts a valid session event and pushes the new snapshot', async () => {
    h = await makeHarness();
    const snapshot = nextEvent(h.api, 'snapshot');
    await expect(h.api.sendEvent({ event: { type: 'TOUCH' } })).resolves.toEqual({ accepted: true });
    expect((await snapshot).data).toMatchObject({ state: 'language', step: 1 });
  });

  it('answers accepted: false for a valid event the current state does not take', async () => {
    h = await makeHarness();
    await expect(h.api.sendEvent({ event: { type: 'FINISH' } })).resolves.toEqual({ accepted: false });
    expect((await h.api.getSnapshot({})).state).toBe('attract');
  });

  it('refuses an event that is not in the contract and does not act on it', async () => {
    h = await makeHarness();
    await expect(h.raw('sendEvent', { event: { type: 'xstate.init' } })).rejects.toMatchObject({ code: 'API_INVALID_MESSAGE' });
    await expect(h.raw('sendEvent', { event: { type: 'TOUCH', sneaky: true } })).rejects.toMatchObject({ code: 'API_INVALID_MESSAGE' });
    expect((await h.api.getSnapshot({})).state).toBe('attract');
  });

  it('refuses an unknown method', async () => {
    h = await makeHarness();
    await expect(h.raw('deleteEverything', {})).rejects.toMatchObject({ code: 'API_INVALID_MESSAGE' });
    await expect(h.raw({ toString: 1 }, {})).rejects.toMatchObject({ code: 'API_INVALID_MESSAGE' });
  });

  it('has no prescription outside a consultation, and refuses a reprint with a typed error', async () => {
    h = await makeHarness();
    await expect(h.api.getPrescription({})).resolves.toEqual({ prescription: null });
    await expect(h.api.reprintPrescription({})).rejects.toMatchObject({ code: 'NO_PRESCRIPTION' });
    await expect(h.raw('reprintPrescription', { copies: 2 })).rejects.toMatchObject({ code: 'API_INVALID_MESSAGE' });
  });

  it('refuses params of the wrong shape', async () => {
    h = await makeHarness();
    await expect(h.raw('assistantLogin', { pin: '12ab' })).rejects.toMatchObject({ code: 'API_INVALID_MESSAGE' });
    await expect(h.raw('getSnapshot', null)).rejects.toMatchObject({ code: 'API_INVALID_MESSAGE' });
  });
});

describe('WebSocket transport access control', () => {
  let transport: WsTransport | undefined;
  afterEach(async () => {
    await transport?.close();
    transport = undefined;
  });

  async function start(): Promise<{ port: number; secret: string; origin: string; host: Host }> {
    const host = new Host(testConfig(), silent);
    transport = await startWsTransport({ dispatch: host.dispatch, staticDir: '/nonexistent', log: silent });
    return { port: transport.port, secret: new URL(transport.url).hash.replace('#secret=', ''), origin: transport.origin, host };
  }

  function connect(port: number, protocols: string[], origin?: string): Promise<'open' | number> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, protocols, origin ? { origin } : {});
      ws.on('open', () => { ws.close(); resolve('open'); });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(0));
    });
  }

  it('listens on loopback only and puts the secret in the fragment, not the query', async () => {
    await start();
    const url = new URL(transport!.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.search).toBe('');
    expect(url.hash).toMatch(/^#secret=[A-Za-z0-9_-]{32}$/);
  });

  it('refuses a connection without the launch secret', async () => {
    const { port, origin } = await start();
    expect(await connect(port, ['cabine.kiosk.v1'], origin)).toBe(401);
  });

  it('refuses a connection with a wrong secret', async () => {
    const { port, origin, secret } = await start();
    expect(await connect(port, ['cabine.kiosk.v1', `secret.${secret.slice(0, -1)}x`], origin)).toBe(401);
  });

  it('refuses a connection from another origin even with the secret', async () => {
    const { port, secret } = await start();
    expect(await connect(port, ['cabine.kiosk.v1', `secret.${secret}`], 'http://evil.example')).toBe(401);
    expect(await connect(port, ['cabine.kiosk.v1', `secret.${secret}`])).toBe(401);
  });

  it('answers malformed JSON and a bad envelope with a typed error and keeps the connection', async () => {
    const { port, origin, secret } = await start();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, ['cabine.kiosk.v1', `secret.${secret}`], { origin });
    await new Promise((r) => ws.on('open', r));
    const replies: { ok: boolean; id: number | null; error?: { code: string } }[] = [];
    ws.on('message', (m) => replies.push(JSON.parse(String(m))));
    ws.send('{ nope');
    ws.send(JSON.stringify({ kind: 'request', id: 'x', method: 'getSnapshot', params: {} }));
    ws.send(JSON.stringify({ kind: 'request', id: 3, method: 'getSnapshot', params: {} }));
    await expect.poll(() => replies.length).toBe(3);
    expect(replies[0]).toMatchObject({ ok: false, id: null, error: { code: 'API_INVALID_MESSAGE' } });
    expect(replies[1]).toMatchObject({ ok: false, id: null, error: { code: 'API_INVALID_MESSAGE' } });
    expect(replies[2]).toMatchObject({ ok: true, id: 3 });
    ws.close();
  });
});

describe('IPC transport sender check', () => {
  it('refuses a call from a frame that is not the kiosk page', async () => {
    const host = new Host(testConfig(), silent);
    const { ipcMain, ipcRenderer, sender } = createFakeIpc('https://evil.example/');
    const ipc = registerKioskIpc({ ipcMain, dispatch: host.dispatch, isTrustedSender: (e) => e.senderFrame?.url.startsWith('file:///app/') === true, log: silent });
    void sender;
    const reply = await ipcRenderer.invoke('cabine:kiosk-call', 'getSnapshot', {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'API_UNTRUSTED_SENDER' } });
    ipc.dispose();
  });
});
