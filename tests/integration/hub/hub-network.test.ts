/**
 * Two hub nodes of one network (one PostgreSQL, one key folder), both in
 * this process: the waiting queue is the network's, a booth on node A
 * claimed from a console on node B goes to B for its call, and a console
 * tab that opens on a node not holding its room is sent to the one that does.
 * Doctors' and pharmacists' sessions are the network's: any node knows them,
 * and a sign-out on one holds on all.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { v7 as uuidv7 } from 'uuid';
import { HubLink } from '../../../src/host/hub-link';
import type { Hub } from '../../../src/hub/server';
import { STRAY_SWEEP_MS } from '../../../src/hub/media/rooms';
import { QUEUE, ROOM } from '../../../src/shared/media-protocol';
import { COUNTER_API, COUNTER_WS_PATH } from '../../../src/shared/counter-protocol';
import { CLOSE_SIGNED_OUT } from '../../../src/shared/hub-protocol';
import { BOOTH_SECRETS, SPECIALISTS, STAFF, freshDataDir, startTestHub, testHubConfig } from '../../helpers/hub';
import { startPgCluster, type PgCluster } from '../../helpers/pg-cluster';
import { silentLog } from '../../helpers/store';

let pg: PgCluster;
const hubs: Hub[] = [];
const links: HubLink[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  pg = await startPgCluster();
}, 60_000);

afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const l of links.splice(0)) await l.stop();
  for (const h of hubs.splice(0)) await h.close();
});

afterAll(async () => {
  await pg?.stop();
});

async function startNetwork(count: number): Promise<Hub[]> {
  const store = { engine: 'postgresql' as const, url: await pg.createDatabase() };
  const keyDir = freshDataDir();
  const nodes: Hub[] = [];
  for (let i = 0; i < count; i += 1) {
    // Open tabs' sessions asked again often: a sign-out on one node closes the tabs of the others within the test.
    const hub = await startTestHub({ config: { ...(await testHubConfig(freshDataDir())), store, keyDir, node: { id: `node-${'abc'[i]}` } }, limits: { sessionCheckMs: 200 } });
    hubs.push(hub);
    nodes.push(hub);
  }
  return nodes;
}

interface Frame { t: string; id?: number; m?: string; p?: Record<string, unknown>; r?: Record<string, unknown>; ok?: boolean; e?: { code: string } }

interface Console {
  frames: Frame[];
  request(m: string, p?: object): Promise<Frame>;
  notes(m: string): Record<string, unknown>[];
}

async function login(hub: Hub, who: (typeof SPECIALISTS)[number] = SPECIALISTS[0]): Promise<string> {
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: who.email, password: who.password }) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** A console tab whose page `page` served, connected to `node`. */
async function consoleOn(node: Hub, cookie: string, page: Hub = node): Promise<Console> {
  const ws = new WebSocket(`ws://127.0.0.1:${node.port}/console`, { headers: { cookie, origin: page.url } });
  sockets.push(ws);
  const frames: Frame[] = [];
  ws.on('message', (raw) => frames.push(JSON.parse(raw.toString()) as Frame));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`console refused: ${res.statusCode}`)));
  });
  let next = 1;
  return {
    frames,
    request: async (m, p = {}) => {
      const id = next++;
      ws.send(JSON.stringify({ t: 'req', id, m, p }));
      await expect.poll(() => frames.some((f) => f.t === 'res' && f.id === id)).toBe(true);
      return frames.find((f) => f.t === 'res' && f.id === id)!;
    },
    notes: (m) => frames.filter((f) => f.t === 'note' && f.m === m).map((f) => f.p ?? {}),
  };
}

function boothLink(boothId: keyof typeof BOOTH_SECRETS, first: Hub, others: Hub[]): { link: HubLink; notes: { m: string; p: Record<string, unknown> }[] } {
  const link = new HubLink({
    url: `ws://127.0.0.1:${first.port}/booth`, fallbackUrls: others.map((h) => `ws://127.0.0.1:${h.port}/booth`),
    boothId, token: BOOTH_SECRETS[boothId], log: silentLog, minDelayMs: 50, maxDelayMs: 200,
  });
  links.push(link);
  const notes: { m: string; p: Record<string, unknown> }[] = [];
  link.on('note', (m: string, p: unknown) => notes.push({ m, p: p as Record<string, unknown> }));
  link.start();
  return { link, notes };
}

/** A network of one node, a booth waiting there, and a doctor's console that sees it. */
async function oneNodeWithABoothWaiting(): Promise<{ a: Hub; onA: Console; booth: ReturnType<typeof boothLink> }> {
  const [a] = await startNetwork(1);
  const onA = await consoleOn(a!, await login(a!));
  const booth = boothLink('demo-booth-1', a!, []);
  await expect.poll(() => booth.link.status).toBe('online');
  await booth.link.request(QUEUE.join, { sessionId: uuidv7() });
  await expect.poll(() => waitingIds(onA)).toEqual(['demo-booth-1']);
  return { a: a!, onA, booth };
}

/** This process's event loop busy past the 3-s lease (a long computation): the database lets the node's lease lapse. */
function stallPastTheLease(): void {
  const until = Date.now() + 4_000;
  while (Date.now() < until) { /* busy */ }
}

const waitingIds = (c: Console): string[] => ((c.notes(QUEUE.updated).at(-1)?.booths ?? []) as { boothId: string }[]).map((b) => b.boothId);

async function signedIn(hub: Hub, path: string, cookie: string): Promise<number> {
  return (await fetch(`${hub.url}${path}`, { headers: { cookie } })).status;
}

async function signOut(hub: Hub, path: string, cookie: string): Promise<void> {
  expect((await fetch(`${hub.url}${path}`, { method: 'POST', headers: { cookie } })).status).toBe(200);
}

describe('sessions in a network of hub nodes', () => {
  it('knows a doctor\'s and a pharmacist\'s session on every node, and a sign-out on one node ends it on all, closing their open tabs there', async () => {
    const [a, b] = await startNetwork(2);
    const doctor = await login(a!);
    const counterLogin = await fetch(`${a!.url}${COUNTER_API.login}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: STAFF[0].email, password: STAFF[0].password }) });
    expect(counterLogin.status).toBe(200);
    const staff = counterLogin.headers.get('set-cookie')!.split(';')[0]!;
    // The other node answers the next request (a balancer without stickiness) and opens the counter's connection.
    expect([await signedIn(b!, '/api/me', doctor), await signedIn(b!, COUNTER_API.me, staff)]).toEqual([200, 200]);
    const counterWs = new WebSocket(`ws://127.0.0.1:${b!.port}${COUNTER_WS_PATH}`, { headers: { cookie: staff, origin: b!.url } });
    sockets.push(counterWs);
    await new Promise<void>((resolve, reject) => {
      counterWs.once('open', () => resolve());
      counterWs.once('unexpected-response', (_req, res) => reject(new Error(`counter refused: ${res.statusCode}`)));
    });
    const counterClosed = new Promise<number>((resolve) => counterWs.once('close', (code) => resolve(code)));
    const consoleOnA = new WebSocket(`ws://127.0.0.1:${a!.port}/console`, { headers: { cookie: doctor, origin: a!.url } });
    sockets.push(consoleOnA);
    await new Promise<void>((resolve, reject) => {
      consoleOnA.once('open', () => resolve());
      consoleOnA.once('unexpected-response', (_req, res) => reject(new Error(`console refused: ${res.statusCode}`)));
    });
    const consoleClosed = new Promise<number>((resolve) => consoleOnA.once('close', (code) => resolve(code)));
    // The doctor signs out on B, the pharmacist on A: the other node refuses each at once.
    await signOut(b!, '/api/logout', doctor);
    await signOut(a!, COUNTER_API.logout, staff);
    expect([await signedIn(a!, '/api/me', doctor), await signedIn(b!, COUNTER_API.me, staff)]).toEqual([401, 401]);
    // And their tabs open on the other node (the console on A, the counter page on B) close: nothing more reaches them.
    expect(await Promise.all([consoleClosed, counterClosed])).toEqual([CLOSE_SIGNED_OUT, CLOSE_SIGNED_OUT]);
  });
});

describe('a network of hub nodes', () => {
  it('shows a booth waiting on one node to the consoles of the other, in one order, and forgets it when it leaves', async () => {
    const [a, b] = await startNetwork(2);
    const cookie = await login(b!);
    const onB = await consoleOn(b!, cookie);
    const one = boothLink('demo-booth-1', a!, [b!]);
    const two = boothLink('demo-booth-2', b!, [a!]);
    await expect.poll(() => one.link.status).toBe('online');
    await expect.poll(() => two.link.status).toBe('online');
    await one.link.request(QUEUE.join, { sessionId: uuidv7(), patient: { firstName: 'Jeanne', age: 81 } });
    await expect.poll(() => waitingIds(onB)).toEqual(['demo-booth-1']);
    await two.link.request(QUEUE.join, { sessionId: uuidv7(), patient: { firstName: 'Louis', age: 77 } });
    await expect.poll(() => waitingIds(onB)).toEqual(['demo-booth-1', 'demo-booth-2']);
    // Node A's consoles see the same order.
    const onA = await consoleOn(a!, await login(a!, SPECIALISTS[1]));
    await expect.poll(() => waitingIds(onA)).toEqual(['demo-booth-1', 'demo-booth-2']);
    // The booth on B hears its place in the network's queue, not in B's alone.
    await expect.poll(() => two.notes.filter((n) => n.m === QUEUE.position).at(-1)?.p.position).toBe(2);
    await one.link.request(QUEUE.leave, {});
    await expect.poll(() => waitingIds(onB)).toEqual(['demo-booth-2']);
    await expect.poll(() => two.notes.filter((n) => n.m === QUEUE.position).at(-1)?.p.position).toBe(1);
  });

  it('sends a booth on node A to node B when a console on B claims it, where it hears the claim and opens its media', async () => {
    const [a, b] = await startNetwork(2);
    const onB = await consoleOn(b!, await login(b!));
    const booth = boothLink('demo-booth-1', a!, [b!]);
    await expect.poll(() => booth.link.status).toBe('online');
    await booth.link.request(QUEUE.join, { sessionId: uuidv7(), patient: { firstName: 'Jeanne', age: 81 } });
    await expect.poll(() => waitingIds(onB)).toEqual(['demo-booth-1']);

    const claimed = await onB.request(QUEUE.claim, { boothId: 'demo-booth-1' });
    expect(claimed.ok).toBe(true);
    const roomId = claimed.r!.roomId as string;
    // The room lives on B; the booth's link left A for B (its own list names B) and heard the claim there.
    expect(b!.media!.service.roomOfBooth('demo-booth-1')?.id).toBe(roomId);
    expect(a!.media!.service.roomOfBooth('demo-booth-1')).toBeUndefined();
    await expect.poll(() => booth.notes.find((n) => n.m === QUEUE.claimed)?.p).toMatchObject({ roomId, specialist: { name: SPECIALISTS[0].name } });
    expect(booth.link.node).toBe(`127.0.0.1:${b!.port}`);
    const caps = await booth.link.request<{ roomId: string }>('media.capabilities', {});
    expect(caps.roomId).toBe(roomId);
    // Nobody waits any more, on either node.
    expect(a!.media!.service.waiting()).toEqual([]);
    expect(b!.media!.service.waiting()).toEqual([]);
    await expect.poll(() => waitingIds(onB)).toEqual([]);
  });

  it('still sends a booth on node A to its call on node B when A never heard of the claim (the network\'s events are lost while a node does not listen)', async () => {
    const [a, b] = await startNetwork(2);
    const onB = await consoleOn(b!, await login(b!));
    const booth = boothLink('demo-booth-1', a!, [b!]);
    await expect.poll(() => booth.link.status).toBe('online');
    await booth.link.request(QUEUE.join, { sessionId: uuidv7() });
    await expect.poll(() => waitingIds(onB)).toEqual(['demo-booth-1']);
    // A stops listening to the bus: the claim's event and the room's never reach it.
    await a!.cluster!.bus.stop();
    const claimed = await onB.request(QUEUE.claim, { boothId: 'demo-booth-1' });
    expect(claimed.ok).toBe(true);
    await expect.poll(() => booth.notes.find((n) => n.m === QUEUE.claimed)?.p.roomId, { timeout: STRAY_SWEEP_MS * 4 }).toBe(claimed.r!.roomId);
    expect(booth.link.node).toBe(`127.0.0.1:${b!.port}`);
  });

  it('sends a console tab opened on another node to the node holding its doctor\'s call', async () => {
    const [a, b] = await startNetwork(2);
    const cookie = await login(b!);
    const onB = await consoleOn(b!, cookie);
    const booth = boothLink('demo-booth-1', b!, [a!]);
    await expect.poll(() => booth.link.status).toBe('online');
    await booth.link.request(QUEUE.join, { sessionId: uuidv7() });
    await expect.poll(() => waitingIds(onB)).toEqual(['demo-booth-1']);
    const roomId = (await onB.request(QUEUE.claim, { boothId: 'demo-booth-1' })).r!.roomId as string;

    // The same doctor's second tab, served and connected by node A (the cookie is the network's).
    const onA = await consoleOn(a!, cookie);
    // The call goes on, even asked of a node that does not hold it (the console must not show it ended).
    expect((await onA.request(ROOM.mine, {})).r).toEqual({ room: { roomId, boothId: 'demo-booth-1' } });
    await expect.poll(() => onA.notes(ROOM.moved)[0]).toEqual({ roomId, url: b!.url });
    // A booth that joins a node not holding its room is sent on the same way.
    expect(booth.link.node).toBe(`127.0.0.1:${b!.port}`);
  });

  it('lets a console whose page another node of the network served connect, and names the nodes in the page\'s policy', async () => {
    const [a, b] = await startNetwork(2);
    const cookie = await login(a!);
    // A's page, B's socket: the origin of a live node of the network is allowed.
    await expect.poll(async () => {
      try {
        await consoleOn(b!, cookie, a!);
        return true;
      } catch {
        return false;
      }
    }, { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => (await fetch(`${a!.url}/`)).headers.get('content-security-policy'), { timeout: 10_000 })
      .toMatch(new RegExp(`connect-src 'self'[^;]*ws://127\\.0\\.0\\.1:${b!.port}`));
    // An origin that is no node of the network is still refused.
    await expect(consoleOn(b!, cookie, { url: 'http://evil.example' } as Hub)).rejects.toThrow(/403/);
  });

  it('lets a doctor claim right after the node stalled past its lease: the claim waits for the new lease instead of failing', async () => {
    const { onA, booth } = await oneNodeWithABoothWaiting();
    stallPastTheLease();
    const claimed = await onA.request(QUEUE.claim, { boothId: 'demo-booth-1' });
    expect(claimed.e).toBeUndefined();
    expect(claimed.ok).toBe(true);
    await expect.poll(() => booth.notes.find((n) => n.m === QUEUE.claimed)?.p.roomId).toBe(claimed.r!.roomId);
  });

  it('gets a call back under its id when its node stalled past its lease: the rooms dropped with the lease are adopted again, both sides resumed', async () => {
    const { a, onA, booth } = await oneNodeWithABoothWaiting();
    const roomId = (await onA.request(QUEUE.claim, { boothId: 'demo-booth-1' })).r!.roomId as string;
    stallPastTheLease();
    await expect.poll(() => booth.notes.find((n) => n.m === ROOM.resumed)?.p, { timeout: 15_000 }).toMatchObject({ roomId });
    await expect.poll(() => onA.notes(ROOM.resumed).at(-1), { timeout: 15_000 }).toMatchObject({ roomId });
    expect(a.media!.service.roomOfBooth('demo-booth-1')?.id).toBe(roomId);
    expect(booth.notes.some((n) => n.m === ROOM.closed)).toBe(false);
  });
});
