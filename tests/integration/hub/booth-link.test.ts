import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { HubLink, type LinkStatus } from '../../../src/host/hub-link';
import { hashSecret } from '../../../src/hub/directory';
import { startHub, type Hub } from '../../../src/hub/server';
import { createLogger } from '../../../src/node/logger';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const SECRET_A = 'booth-a-secret-0123456789';
const SECRET_B = 'booth-b-secret-0123456789';

let hub: Hub | undefined;
const links: HubLink[] = [];

async function makeHub(port = 0): Promise<Hub> {
  const h = await startHub({
    port,
    consoleDir: '/nonexistent',
    log: silent,
    config: {
      booths: [
        { boothId: 'A', tokenHash: await hashSecret(SECRET_A, 1024), pharmacy: { name: 'A', city: 'X' } },
        { boothId: 'B', tokenHash: await hashSecret(SECRET_B, 1024), pharmacy: { name: 'B', city: 'Y' } },
      ],
      specialists: [],
      media: { listenIp: '127.0.0.1', rtcMinPort: 40000, rtcMaxPort: 40999, workers: 0 },
      allowedOrigins: [],
      dataDir: '/tmp',
    },
  });
  h.booths.handle('echo', z.object({ text: z.string().max(100) }), (peer, p) => ({ from: peer.id, text: p.text }));
  return h;
}

function link(boothId: string, token: string, port: number): HubLink {
  const l = new HubLink({ url: `ws://127.0.0.1:${port}/booth`, boothId, token, log: silent, minDelayMs: 50, maxDelayMs: 200 });
  links.push(l);
  l.start();
  return l;
}

function statusReached(l: HubLink, want: LinkStatus): Promise<void> {
  if (l.status === want) return Promise.resolve();
  return new Promise((resolve) => l.on('status', (s) => s === want && resolve()));
}

afterEach(async () => {
  for (const l of links.splice(0)) await l.stop();
  await hub?.close();
  hub = undefined;
});

describe('booth ↔ hub link', () => {
  it('authenticates a booth with its own secret and answers its requests as that booth', async () => {
    hub = await makeHub();
    const a = link('A', SECRET_A, hub.port);
    await statusReached(a, 'online');
    await expect(a.request('echo', { text: 'bonjour' })).resolves.toEqual({ from: 'A', text: 'bonjour' });
  });

  it("refuses booth A's secret presented as booth B, and an unknown booth", async () => {
    hub = await makeHub();
    const results = await Promise.all(
      [['B', SECRET_A], ['Z', SECRET_A], ['A', '']].map(([id, token]) => new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${hub!.port}/booth`, { headers: { authorization: `Bearer ${token}`, 'x-cabine-booth': id! } });
        ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(200));
        ws.on('error', () => resolve(-1));
      })),
    );
    expect(results).toEqual([401, 401, 401]);
    expect(hub.booths.connectedBooths()).toEqual([]);
  });

  it('refuses invalid params and unknown methods with a typed error', async () => {
    hub = await makeHub();
    const a = link('A', SECRET_A, hub.port);
    await statusReached(a, 'online');
    await expect(a.request('echo', { text: 42 })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(a.request('admin.dropAll', {})).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
  });

  it('cuts off a flooding booth while an honest booth keeps being served', async () => {
    hub = await makeHub();
    const honest = link('B', SECRET_B, hub.port);
    await statusReached(honest, 'online');
    const flooder = new WebSocket(`ws://127.0.0.1:${hub.port}/booth`, { headers: { authorization: `Bearer ${SECRET_A}`, 'x-cabine-booth': 'A' } });
    await new Promise((r) => flooder.on('open', r));
    const closed = new Promise<number>((r) => flooder.on('close', (code) => r(code)));
    for (let i = 0; i < 2000 && flooder.readyState === flooder.OPEN; i++) {
      flooder.send(JSON.stringify({ t: 'req', id: i, m: 'echo', p: { text: 'x' } }));
    }
    expect(await closed).toBe(1008);
    await expect(honest.request('echo', { text: 'still here' })).resolves.toEqual({ from: 'B', text: 'still here' });
  });

  it('cuts off a booth sending an oversized frame', async () => {
    hub = await makeHub();
    const ws = new WebSocket(`ws://127.0.0.1:${hub.port}/booth`, { headers: { authorization: `Bearer ${SECRET_A}`, 'x-cabine-booth': 'A' } });
    await new Promise((r) => ws.on('open', r));
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.send('x'.repeat(2 * 1024 * 1024));
    expect(await closed).toBe(1009);
  });

  it('goes offline when the hub stops and back online when it returns on the same port', async () => {
    hub = await makeHub();
    const port = hub.port;
    const a = link('A', SECRET_A, port);
    await statusReached(a, 'online');
    await hub.close();
    await statusReached(a, 'offline');
    await expect(a.request('echo', { text: 'x' })).rejects.toMatchObject({ code: 'HUB_UNAVAILABLE' });
    hub = await makeHub(port);
    await statusReached(a, 'online');
    await expect(a.request('echo', { text: 'back' })).resolves.toEqual({ from: 'A', text: 'back' });
  });

  it('paces a burst of its own frames under the hub\'s rate limit, so that a busy booth is never cut off by its hub', async () => {
    // A booth at a busy moment (outbox drain, live readings, screen changes, the call's signaling)
    // may send more at once than the hub lets any peer send; the hub cuts a peer past its limit.
    hub = await makeHub();
    const a = link('A', SECRET_A, hub.port);
    await statusReached(a, 'online');
    let dropped = false;
    a.on('status', (st) => { if (st !== 'online') dropped = true; });
    const answers = await Promise.all(Array.from({ length: 700 }, (_, i) => a.request('echo', { text: `n${i}` }, { timeoutMs: 60_000 })));
    expect(answers.map((r) => (r as { text: string }).text)).toEqual(Array.from({ length: 700 }, (_, i) => `n${i}`));
    expect(dropped).toBe(false);
  }, 60_000);
});
