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
import { randomBytes, randomUUID } from 'node:crypto';
import { createWsKioskApi, uploadBinary } from '../../../src/renderer/kiosk/src/api-client';
import { BINARY_CHUNK_BYTES } from '../../../src/shared/binary-transfer';
import { MAX_UPLOAD_BYTES, type KioskApi, type KioskEvent } from '../../../src/shared/kiosk-api';
import { createLogger } from '../../../src/node/logger';
import { testConfig } from '../../helpers/config';
import { FaultProxy } from '../../helpers/fault-proxy';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);

interface Harness {
  api: KioskApi;
  host: Host;
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
    host,
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
    host,
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

  it("tells the kiosk its screen's diagonal (to size text for the screen), the inactivity prompt's length (its countdown) and which camera is which", async () => {
    h = await makeHarness();
    await expect(h.api.getSettings({})).resolves.toEqual({ screenDiagonalInches: 21.5, inactivityWipeSeconds: 30, media: { dermatoscope: { label: '^fake_device_2$' }, otoscope: { label: '^fake_device_3$' }, stethoscope: { label: '^Fake Audio Input 2$' } } });
  });

  describe('the binary call', () => {
    const storedPhotos = (host: Host): number => (host.store?.outboxBatch(500) ?? []).filter((e) => e.kind === 'photo').length;
    const still = { width: 1920, height: 1080, polarisation: 'polarised' as const };

    it('carries a still larger than one chunk in chunks, and the host stores it byte-identical', async () => {
      h = await makeHarness();
      const bytes = randomBytes(BINARY_CHUNK_BYTES * 2 + 1234);
      const { uploadId, byteLength } = await uploadBinary(h.api, 'image/jpeg', bytes);
      expect(byteLength).toBe(bytes.length);
      const { photoId } = await h.api.capturePhoto({ ...still, uploadId });
      expect(h.host.store!.readPhoto(photoId).equals(bytes)).toBe(true);
      expect(h.host.store!.getPhotoMeta(photoId)).toMatchObject({ mime: 'image/jpeg', byteLength: bytes.length });
      // An upload names its bytes for one call only.
      await expect(h.api.capturePhoto({ ...still, uploadId })).rejects.toMatchObject({ code: 'BINARY_UNKNOWN' });
    });

    it('refuses an oversized payload when it is declared, before any byte, with a message a person can act on, and stores nothing', async () => {
      h = await makeHarness();
      const transferId = randomUUID();
      await expect(h.api.binaryBegin({ transferId, contentType: 'image/jpeg', totalBytes: MAX_UPLOAD_BYTES + 1 })).rejects.toMatchObject({
        code: 'BINARY_TOO_LARGE',
        wire: { userMessage: { fr: expect.stringContaining('trop lourd'), en: expect.stringContaining('too large') } },
      });
      // A chunk past what was declared is refused as well, and the transfer is dropped.
      const small = randomUUID();
      await h.api.binaryBegin({ transferId: small, contentType: 'image/jpeg', totalBytes: 10 });
      await expect(h.api.binaryChunk({ transferId: small, index: 0 }, new Uint8Array(11))).rejects.toMatchObject({ code: 'BINARY_TOO_LARGE' });
      await expect(h.api.binaryEnd({ transferId: small })).rejects.toMatchObject({ code: 'BINARY_UNKNOWN' });
      await expect(h.api.capturePhoto({ ...still, uploadId: small })).rejects.toMatchObject({ code: 'BINARY_UNKNOWN' });
      expect(storedPhotos(h.host)).toBe(0);
    });

    it('refuses a truncated transfer and one whose chunks arrive out of order, and keeps nothing of either', async () => {
      h = await makeHarness();
      const bytes = randomBytes(BINARY_CHUNK_BYTES + 5);
      const cut = randomUUID();
      await h.api.binaryBegin({ transferId: cut, contentType: 'image/jpeg', totalBytes: bytes.length });
      await h.api.binaryChunk({ transferId: cut, index: 0 }, bytes.subarray(0, BINARY_CHUNK_BYTES));
      await expect(h.api.binaryEnd({ transferId: cut })).rejects.toMatchObject({ code: 'BINARY_INCOMPLETE' });
      await expect(h.api.capturePhoto({ ...still, uploadId: cut })).rejects.toMatchObject({ code: 'BINARY_UNKNOWN' });
      const shuffled = randomUUID();
      await h.api.binaryBegin({ transferId: shuffled, contentType: 'image/jpeg', totalBytes: bytes.length });
      await expect(h.api.binaryChunk({ transferId: shuffled, index: 1 }, bytes.subarray(BINARY_CHUNK_BYTES))).rejects.toMatchObject({ code: 'BINARY_OUT_OF_ORDER' });
      await expect(h.api.binaryChunk({ transferId: shuffled, index: 0 }, bytes.subarray(0, BINARY_CHUNK_BYTES))).rejects.toMatchObject({ code: 'BINARY_UNKNOWN' });
      expect(storedPhotos(h.host)).toBe(0);
    });

    it('refuses a chunk whose bytes are not beside its params, and a file type the photo call does not take', async () => {
      h = await makeHarness();
      const transferId = randomUUID();
      await h.api.binaryBegin({ transferId, contentType: 'image/jpeg', totalBytes: 4 });
      await expect(h.raw('binaryChunk', { transferId, index: 0, data: 'AAAA' })).rejects.toMatchObject({ code: 'API_INVALID_MESSAGE' });
      await expect(h.raw('binaryChunk', { transferId, index: 0 })).rejects.toMatchObject({ code: 'API_INVALID_MESSAGE' });
      const { uploadId } = await uploadBinary(h.api, 'audio/wav', randomBytes(100));
      await expect(h.api.capturePhoto({ ...still, uploadId })).rejects.toMatchObject({ code: 'BINARY_REFUSED_TYPE' });
      expect(storedPhotos(h.host)).toBe(0);
    });
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
    expect(await connect(port, ['cabine.kiosk.v1', `secret.${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`], origin)).toBe(401);
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

describe("the kiosk page's WebSocket client", () => {
  it('abandons an opening handshake the host never answers and connects on the next attempt', async () => {
    const host = new Host(testConfig(), silent);
    const transport = await startWsTransport({ dispatch: host.dispatch, staticDir: '/nonexistent', log: silent });
    // A host restarted under the page: the first connection is accepted and never answered.
    const proxy = await new FaultProxy(transport.port).start();
    proxy.delay(10 * 60_000);
    class BrowserLikeWebSocket extends WebSocket {
      constructor(url: string, protocols: string[]) {
        super(url, protocols, { origin: transport.origin });
      }
    }
    (globalThis as Record<string, unknown>).WebSocket = BrowserLikeWebSocket;
    const api = createWsKioskApi(new URL(transport.url).hash.replace('#secret=', ''), `ws://127.0.0.1:${proxy.port}/api`);
    try {
      // The first handshake's request held (not only its connection made: passing before its bytes arrive would let it through).
      await expect.poll(() => proxy.held).toBeGreaterThanOrEqual(1);
      expect(proxy.connections).toBe(1);
      proxy.pass();
      await api.ready;
      expect(proxy.connections, 'a second attempt').toBeGreaterThan(1);
      expect(await api.getSnapshot({})).toMatchObject({ state: 'attract' });
    } finally {
      api.close();
      await proxy.stop();
      await transport.close();
    }
  }, 15_000);
});

describe('WebSocket transport binary frames', () => {
  let transport: WsTransport | undefined;
  afterEach(async () => {
    await transport?.close();
    transport = undefined;
  });

  it('answers a malformed binary frame with a typed error, acts on none, and keeps the connection', async () => {
    const host = new Host(testConfig(), silent);
    transport = await startWsTransport({ dispatch: host.dispatch, staticDir: '/nonexistent', log: silent });
    const secret = new URL(transport.url).hash.replace('#secret=', '');
    const ws = new WebSocket(`ws://127.0.0.1:${transport.port}/api`, ['cabine.kiosk.v1', `secret.${secret}`], { origin: transport.origin });
    await new Promise((r) => ws.on('open', r));
    const replies: { ok: boolean; id: number | null; error?: { code: string } }[] = [];
    ws.on('message', (m) => replies.push(JSON.parse(String(m))));
    const lengthPrefixed = (header: Buffer, rest = Buffer.alloc(0)): Buffer => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(header.length);
      return Buffer.concat([len, header, rest]);
    };
    ws.send(Buffer.from([1, 2]));
    ws.send(Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.alloc(64)]));
    ws.send(lengthPrefixed(Buffer.from('{ nope'), Buffer.alloc(8)));
    // A well-formed frame for a method that takes no bytes.
    ws.send(lengthPrefixed(Buffer.from(JSON.stringify({ kind: 'request', id: 4, method: 'getSnapshot', params: {} })), Buffer.alloc(8)));
    ws.send(JSON.stringify({ kind: 'request', id: 5, method: 'getSnapshot', params: {} }));
    await expect.poll(() => replies.length).toBe(5);
    expect(replies.slice(0, 3)).toEqual(Array(3).fill(expect.objectContaining({ ok: false, id: null, error: expect.objectContaining({ code: 'BINARY_MALFORMED' }) })));
    expect(replies[3]).toMatchObject({ ok: false, id: 4, error: { code: 'API_INVALID_MESSAGE' } });
    expect(replies[4]).toMatchObject({ ok: true, id: 5 });
    ws.close();
    host.stop();
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
