/**
 * Who may reach which room: specialists by login (session cookie, allowed
 * Origin), booths by their link's own secret; each only in their own room.
 * Oversized frames and floods cut the offender off while honest clients
 * keep being served. Real hub, real mediasoup worker.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HubLink } from '../../../src/host/hub-link';
import type { Hub } from '../../../src/hub/server';
import { createLogger } from '../../../src/node/logger';
import { BOOTH_SECRETS, SPECIALISTS, startTestHub } from '../../helpers/hub';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
let hub: Hub;
const links: HubLink[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  // A short grace period: a booth that drops out leaves the queue soon after (tests/integration/hub/hub-state.test.ts covers the grace itself).
  hub = await startTestHub({ consoleDir: '/nonexistent', media: { graceMs: 200 } });
});

// Each test's booths and consoles go away with it (a booth's second link would replace its first).
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const l of links.splice(0)) await l.stop();
});

afterAll(async () => {
  await hub?.close();
});

async function login(email: string, password: string): Promise<{ status: number; cookie: string | null; setCookie: string | null }> {
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const setCookie = res.headers.get('set-cookie');
  return { status: res.status, setCookie, cookie: setCookie ? setCookie.split(';')[0]! : null };
}

/** A console connection speaking the hub protocol from Node. */
class ConsoleClient {
  private nextId = 1;
  private readonly pending = new Map<number, (frame: { ok: boolean; r?: unknown; e?: { code: string } }) => void>();
  readonly notes: { m: string; p: unknown }[] = [];
  closedWith: number | null = null;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const f = JSON.parse(raw.toString()) as { t: string; id: number; ok: boolean; m: string; p: unknown };
      if (f.t === 'res') this.pending.get(f.id)?.(f);
      else if (f.t === 'note') this.notes.push({ m: f.m, p: f.p });
    });
    ws.on('close', (code) => (this.closedWith = code));
  }
  async call(m: string, p: unknown): Promise<unknown> {
    const id = this.nextId++;
    const frame = await new Promise<{ ok: boolean; r?: unknown; e?: { code: string } }>((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ t: 'req', id, m, p }));
    });
    if (!frame.ok) throw Object.assign(new Error(frame.e!.code), { code: frame.e!.code });
    return frame.r;
  }
}

function openConsole(headers: Record<string, string>): Promise<{ status: number; client?: ConsoleClient }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${hub.port}/console`, { headers });
    sockets.push(ws);
    ws.on('unexpected-response', (_q, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.on('open', () => resolve({ status: 101, client: new ConsoleClient(ws) }));
    ws.on('error', () => resolve({ status: -1 }));
  });
}

async function specialist(i: 0 | 1): Promise<ConsoleClient> {
  const { cookie } = await login(SPECIALISTS[i].email, SPECIALISTS[i].password);
  const { client } = await openConsole({ cookie: cookie!, origin: hub.url });
  return client!;
}

async function booth(id: keyof typeof BOOTH_SECRETS, secret: string = BOOTH_SECRETS[id]): Promise<HubLink> {
  const l = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: id, token: secret, log: silent, minDelayMs: 50, maxDelayMs: 100 });
  links.push(l);
  l.start();
  await new Promise<void>((resolve) => (l.status === 'online' ? resolve() : l.on('status', (s) => s === 'online' && resolve())));
  return l;
}

describe('specialist login', () => {
  it('refuses a wrong password and an unknown address, and sets an HttpOnly SameSite=Strict cookie on success', async () => {
    expect((await login(SPECIALISTS[0].email, 'wrong-password')).status).toBe(401);
    expect((await login('nobody@cabine.example', 'consultation-demo')).status).toBe(401);
    const ok = await login(SPECIALISTS[0].email, SPECIALISTS[0].password);
    expect(ok.status).toBe(200);
    expect(ok.setCookie).toMatch(/HttpOnly/);
    expect(ok.setCookie).toMatch(/SameSite=Strict/);
    const me = await fetch(`${hub.url}/api/me`, { headers: { cookie: ok.cookie! } });
    expect(await me.json()).toMatchObject({ id: 'dr-martin' });
    expect((await fetch(`${hub.url}/api/me`)).status).toBe(401);
  });

  it('refuses a malformed body with 400 and logs out', async () => {
    const bad = await fetch(`${hub.url}/api/login`, { method: 'POST', body: '{"email":1}' });
    expect(bad.status).toBe(400);
    const ok = await login(SPECIALISTS[1].email, SPECIALISTS[1].password);
    await fetch(`${hub.url}/api/logout`, { method: 'POST', headers: { cookie: ok.cookie! } });
    expect((await fetch(`${hub.url}/api/me`, { headers: { cookie: ok.cookie! } })).status).toBe(401);
  });
});

describe('console connection', () => {
  it('requires the session cookie and an allowed Origin', async () => {
    const { cookie } = await login(SPECIALISTS[0].email, SPECIALISTS[0].password);
    expect((await openConsole({ origin: hub.url })).status).toBe(401);
    expect((await openConsole({ origin: hub.url, cookie: 'cabine_session=forged' })).status).toBe(401);
    expect((await openConsole({ origin: 'http://evil.example', cookie: cookie! })).status).toBe(403);
    expect((await openConsole({ cookie: cookie! })).status).toBe(403);
    expect((await openConsole({ origin: hub.url, cookie: cookie! })).status).toBe(101);
  });
});

describe('rooms', () => {
  it("keeps each booth in its own room and each specialist in the room they claimed", async () => {
    const a = await booth('demo-booth-1');
    const b = await booth('demo-booth-2');
    const martin = await specialist(0);
    const durand = await specialist(1);
    await a.request('queue.join', {});
    await b.request('queue.join', { reason: 'Toux', patient: { firstName: 'Jeanne', age: 81 } });
    expect((await martin.call('queue.list', {}) as { booths: { boothId: string }[] }).booths.map((x) => x.boothId)).toEqual(['demo-booth-1', 'demo-booth-2']);

    // Nobody is in a room before a claim.
    await expect(a.request('media.capabilities', {})).rejects.toMatchObject({ code: 'NO_ROOM' });
    await expect(martin.call('media.capabilities', {})).rejects.toMatchObject({ code: 'NO_ROOM' });

    await martin.call('queue.claim', { boothId: 'demo-booth-1' });
    await expect(durand.call('queue.claim', { boothId: 'demo-booth-1' })).rejects.toMatchObject({ code: 'NOT_WAITING' });
    await durand.call('queue.claim', { boothId: 'demo-booth-2' });
    await expect(martin.call('queue.claim', { boothId: 'demo-booth-2' })).rejects.toMatchObject({ code: 'BUSY' });

    // A booth names no room: its identity is its link's authentication.
    await expect(a.request('media.capabilities', { boothId: 'demo-booth-2' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    const capsA = await a.request<{ roomId: string }>('media.capabilities', {});
    const capsB = await b.request<{ roomId: string }>('media.capabilities', {});
    expect(capsA.roomId).toBe(hub.media!.service.roomOfBooth('demo-booth-1')!.id);
    expect(capsB.roomId).not.toBe(capsA.roomId);

    // Booth B produces (a producer injected on its side of room B).
    const roomB = hub.media!.service.roomOfBooth('demo-booth-2')!;
    const direct = await roomB.router.createDirectTransport();
    const foreign = await direct.produce({ kind: 'audio', rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1111 }] } });
    roomB.sides.booth!.producers.set(foreign.id, foreign);

    // Dr Martin, in room A, cannot consume it, nor use room B's transports.
    const recv = await martin.call('media.createTransport', { direction: 'recv' }) as { id: string };
    const caps = hub.media!.service.roomOfBooth('demo-booth-1')!.router.rtpCapabilities;
    await expect(martin.call('media.consume', { transportId: recv.id, producerId: foreign.id, rtpCapabilities: caps })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const transportOfB = await b.request<{ id: string }>('media.createTransport', { direction: 'send' });
    await expect(martin.call('media.restartIce', { transportId: transportOfB.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Booth A cannot touch booth B's transport either.
    await expect(a.request('media.restartIce', { transportId: transportOfB.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Dr Durand, who claimed room B, can.
    await expect(durand.call('media.consume', { transportId: (await durand.call('media.createTransport', { direction: 'recv' }) as { id: string }).id, producerId: foreign.id, rtpCapabilities: roomB.router.rtpCapabilities })).resolves.toMatchObject({ producerId: foreign.id });

    // The specialist ending the call tears the room down and the booth hears it.
    const closed = new Promise<unknown>((resolve) => a.on('note', (m, p) => m === 'room.closed' && resolve(p)));
    await martin.call('room.leave', {});
    await expect(closed).resolves.toMatchObject({ reason: 'ended' });
    expect(hub.media!.service.roomOfBooth('demo-booth-1')).toBeUndefined();
    await durand.call('room.leave', {});
    expect(hub.media!.service.roomCount()).toBe(0);
  });

  it('removes a booth from the queue when it stays disconnected past the grace period', async () => {
    const martin = await specialist(0);
    const l = await booth('demo-booth-2');
    await l.request('queue.join', {});
    await expect.poll(() => hub.media!.service.waiting().map((w) => w.boothId)).toContain('demo-booth-2');
    await l.stop();
    await expect.poll(() => hub.media!.service.waiting().map((w) => w.boothId), { timeout: 10_000 }).not.toContain('demo-booth-2');
    await expect.poll(() => martin.notes.at(-1)).toMatchObject({ m: 'queue.updated', p: { booths: [] } });
  });
});

describe('abuse', () => {
  it('cuts off an oversized console frame and a flood, and keeps serving an honest specialist meanwhile', async () => {
    const honest = await specialist(1);
    const big = await specialist(0);
    const closedBig = new Promise<number>((resolve) => big.ws.on('close', (code) => resolve(code)));
    big.ws.send(JSON.stringify({ t: 'req', id: 1, m: 'queue.list', p: { pad: 'x'.repeat(300 * 1024) } }));
    expect(await closedBig).toBe(1009);

    const flood = await specialist(0);
    const closedFlood = new Promise<number>((resolve) => flood.ws.on('close', (code) => resolve(code)));
    for (let i = 0; i < 1000 && flood.ws.readyState === WebSocket.OPEN; i++) flood.ws.send(JSON.stringify({ t: 'req', id: i, m: 'queue.list', p: {} }));
    expect(await closedFlood).toBe(1008);

    await expect(honest.call('queue.list', {})).resolves.toMatchObject({ booths: expect.any(Array) });
  });

  it('cuts off a booth that floods, while another booth keeps being served', async () => {
    const honest = await booth('demo-booth-1');
    const raw = new WebSocket(`ws://127.0.0.1:${hub.port}/booth`, { headers: { authorization: `Bearer ${BOOTH_SECRETS['demo-booth-2']}`, 'x-cabine-booth': 'demo-booth-2' } });
    sockets.push(raw);
    await new Promise((resolve) => raw.on('open', resolve));
    const closed = new Promise<number>((resolve) => raw.on('close', (code) => resolve(code)));
    for (let i = 0; i < 2000 && raw.readyState === WebSocket.OPEN; i++) raw.send(JSON.stringify({ t: 'req', id: i, m: 'queue.join', p: {} }));
    expect(await closed).toBe(1008);
    await expect(honest.request('queue.join', {})).resolves.toMatchObject({ position: expect.any(Number) });
  });

  it("slows down repeated wrong passwords for one account, never a colleague's right one from the same address", async () => {
    const strict = await startTestHub({ consoleDir: '/nonexistent', limits: { login: { freeFailures: 5 } } });
    try {
      const attempt = async (who: (typeof SPECIALISTS)[number], password: string): Promise<number> => (await fetch(`${strict.url}/api/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: who.email, password }),
      })).status;
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push(await attempt(SPECIALISTS[0], 'guess-' + i));
      expect(statuses).toEqual([401, 401, 401, 401, 401]);
      expect(await attempt(SPECIALISTS[0], 'guess-6')).toBe(429);
      expect(await attempt(SPECIALISTS[1], SPECIALISTS[1].password)).toBe(200);
    } finally {
      await strict.close();
    }
  });
});
