/**
 * What a hub restart, a network flicker or a console reload must not end
 * (the consultation survives them), on a real hub with its real state
 * file: the waiting
 * queue, the claims (same room id, nobody else can take them) and the
 * specialists' logins come back after a restart; a side that comes back is
 * told `room.resumed`; a side that stays away past the grace period ends the
 * room; waiting booths hear their position and ETA.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HubLink } from '../../../src/host/hub-link';
import type { Hub } from '../../../src/hub/server';
import { createLogger } from '../../../src/node/logger';
import { BOOTH_SECRETS, freshDataDir, SPECIALISTS, startTestHub, testHubConfig } from '../../helpers/hub';
import { ConsoleClient } from '../../resilience/support/clients';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const hubs: Hub[] = [];
const links: HubLink[] = [];
const consoles: ConsoleClient[] = [];

afterEach(async () => {
  for (const c of consoles.splice(0)) c.ws.terminate();
  for (const l of links.splice(0)) await l.stop();
  for (const h of hubs.splice(0)) await h.close();
});

async function hubOn(dataDir: string, opts: { port?: number; graceMs?: number } = {}): Promise<Hub> {
  const hub = await startTestHub({ consoleDir: '/nonexistent', port: opts.port, config: await testHubConfig(dataDir), media: { graceMs: opts.graceMs } });
  hubs.push(hub);
  return hub;
}

async function stop(hub: Hub): Promise<void> {
  hubs.splice(hubs.indexOf(hub), 1);
  await hub.close();
}

async function login(hub: Hub, i: 0 | 1): Promise<string> {
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SPECIALISTS[i].email, password: SPECIALISTS[i].password }) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

async function openConsole(hub: Hub, cookie: string): Promise<ConsoleClient> {
  const c = await ConsoleClient.open(hub.url, { cookie, origin: hub.url });
  consoles.push(c);
  return c;
}

async function booth(hub: Hub, id: keyof typeof BOOTH_SECRETS): Promise<{ link: HubLink; notes: { m: string; p: Record<string, unknown> }[] }> {
  const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: id, token: BOOTH_SECRETS[id], log: silent, minDelayMs: 50, maxDelayMs: 200 });
  const notes: { m: string; p: Record<string, unknown> }[] = [];
  link.on('note', (m, p) => notes.push({ m, p: p as Record<string, unknown> }));
  links.push(link);
  link.start();
  await expect.poll(() => link.status).toBe('online');
  return { link, notes };
}

describe('hub restart', () => {
  it('restores the queue, the claim under the same room id and the login; both sides hear room.resumed', async () => {
    const dataDir = freshDataDir();
    let hub = await hubOn(dataDir);
    const port = hub.port;
    const b1 = await booth(hub, 'demo-booth-1');
    const b2 = await booth(hub, 'demo-booth-2');
    await b1.link.request('queue.join', { reason: 'Angine', patient: { firstName: 'Amandine', age: 34 } });
    await b2.link.request('queue.join', { reason: 'Fièvre' });
    const cookie = await login(hub, 0);
    const martin = await openConsole(hub, cookie);
    const { roomId } = await martin.call<{ roomId: string }>('queue.claim', { boothId: 'demo-booth-1' });

    await stop(hub);
    martin.ws.terminate();
    hub = await hubOn(dataDir, { port });

    // The login outlived the process: the same cookie opens the console.
    expect((await fetch(`${hub.url}/api/me`, { headers: { cookie } })).status).toBe(200);
    const again = await openConsole(hub, cookie);
    await expect.poll(() => again.of<Record<string, unknown>>('room.resumed').at(-1)).toEqual({ roomId, reason: 'hubRestarted' });
    await expect(again.call('room.mine')).resolves.toEqual({ room: { roomId, boothId: 'demo-booth-1' } });
    // The booths' links come back by themselves: booth 1 to its room, booth 2 to its place.
    await expect.poll(() => b1.notes.findLast((n) => n.m === 'room.resumed')?.p, { timeout: 10_000 }).toEqual({ roomId, reason: 'hubRestarted' });
    await expect.poll(() => b2.notes.findLast((n) => n.m === 'queue.position')?.p, { timeout: 10_000 }).toEqual({ position: 1, etaMinutes: 12, doctorsOnline: 1 });
    expect(hub.media!.service.waiting().map((w) => [w.boothId, w.reason])).toEqual([['demo-booth-2', 'Fièvre']]);
    expect(hub.media!.service.roomOfBooth('demo-booth-1')!.entry).toMatchObject({ firstName: 'Amandine', age: 34 });
    // The restored room has a router again: both sides set up their media.
    await expect(b1.link.request('media.capabilities', {})).resolves.toMatchObject({ roomId });
    await expect(again.call('media.capabilities')).resolves.toMatchObject({ roomId });
  });

  it('does not let another specialist take a restored claim', async () => {
    const dataDir = freshDataDir();
    let hub = await hubOn(dataDir);
    const port = hub.port;
    const b1 = await booth(hub, 'demo-booth-1');
    await b1.link.request('queue.join', {});
    const martin = await openConsole(hub, await login(hub, 0));
    const { roomId } = await martin.call<{ roomId: string }>('queue.claim', { boothId: 'demo-booth-1' });
    await stop(hub);
    hub = await hubOn(dataDir, { port });
    await expect.poll(() => b1.link.status, { timeout: 10_000 }).toBe('online');

    const durand = await openConsole(hub, await login(hub, 1));
    await expect(durand.call('queue.claim', { boothId: 'demo-booth-1' })).rejects.toMatchObject({ code: 'NOT_WAITING' });
    await expect(durand.call('room.mine')).resolves.toEqual({ room: null });
    await expect(durand.call('media.capabilities')).rejects.toMatchObject({ code: 'NO_ROOM' });
    expect(hub.media!.service.roomOfBooth('demo-booth-1')!.id).toBe(roomId);
  });

  it('refuses a login that was logged out before the restart', async () => {
    const dataDir = freshDataDir();
    let hub = await hubOn(dataDir);
    const port = hub.port;
    const cookie = await login(hub, 0);
    await fetch(`${hub.url}/api/logout`, { method: 'POST', headers: { cookie } });
    await stop(hub);
    hub = await hubOn(dataDir, { port });
    expect((await fetch(`${hub.url}/api/me`, { headers: { cookie } })).status).toBe(401);
  });
});

describe('two hubs on one state', () => {
  it('gives a booth waiting on both to the first doctor only: the other hub refuses NOT_WAITING and opens no room', async () => {
    const dataDir = freshDataDir();
    const first = await hubOn(dataDir);
    const b1 = await booth(first, 'demo-booth-1');
    await b1.link.request('queue.join', { reason: 'Angine' });
    // The second hub reads the queue the first one wrote (in a network on PostgreSQL, the network's queue); the booth is online on both.
    const second = await hubOn(dataDir);
    await booth(second, 'demo-booth-1');
    expect(second.media!.service.waiting().map((e) => e.boothId)).toEqual(['demo-booth-1']);

    const martin = await openConsole(first, await login(first, 0));
    const durand = await openConsole(second, await login(second, 1));
    await expect(martin.call('queue.claim', { boothId: 'demo-booth-1' })).resolves.toMatchObject({ boothId: 'demo-booth-1' });
    await expect(durand.call('queue.claim', { boothId: 'demo-booth-1' })).rejects.toMatchObject({ code: 'NOT_WAITING' });
    expect(second.media!.service.roomOfBooth('demo-booth-1')).toBeUndefined();
    await expect(durand.call('room.mine')).resolves.toEqual({ room: null });
  });
});

describe('a side dropping out', () => {
  it('keeps the call when the console reconnects within the grace period, and tells it room.resumed', async () => {
    const hub = await hubOn(freshDataDir());
    const b1 = await booth(hub, 'demo-booth-1');
    await b1.link.request('queue.join', {});
    const cookie = await login(hub, 0);
    const first = await openConsole(hub, cookie);
    const { roomId } = await first.call<{ roomId: string }>('queue.claim', { boothId: 'demo-booth-1' });
    first.ws.terminate();
    await expect.poll(() => b1.notes.findLast((n) => n.m === 'room.peerLeft')?.p).toEqual({ side: 'specialist' });

    const second = await openConsole(hub, cookie);
    await expect.poll(() => second.of<Record<string, unknown>>('room.resumed').at(-1)).toEqual({ roomId, reason: 'reconnected' });
    expect(b1.notes.map((n) => n.m)).not.toContain('room.closed');
    await expect(second.call('room.mine')).resolves.toEqual({ room: { roomId, boothId: 'demo-booth-1' } });
  });

  it('keeps the call when the booth link drops and comes back, and tells the booth room.resumed', async () => {
    const hub = await hubOn(freshDataDir());
    const b1 = await booth(hub, 'demo-booth-1');
    await b1.link.request('queue.join', {});
    const martin = await openConsole(hub, await login(hub, 0));
    const { roomId } = await martin.call<{ roomId: string }>('queue.claim', { boothId: 'demo-booth-1' });
    // The network drops the booth's connection; its link reconnects by itself.
    for (const ws of hub.booths.peer('demo-booth-1') ? [hub.booths.peer('demo-booth-1')!.ws] : []) ws.terminate();
    await expect.poll(() => martin.of<Record<string, unknown>>('room.peerLeft').at(-1)).toEqual({ side: 'booth' });
    await expect.poll(() => b1.notes.findLast((n) => n.m === 'room.resumed')?.p, { timeout: 10_000 }).toEqual({ roomId, reason: 'reconnected' });
    expect(martin.notes.map((n) => n.m)).not.toContain('room.closed');
    expect(hub.media!.service.roomOfBooth('demo-booth-1')!.id).toBe(roomId);
  });

  it('ends the room when the console stays away past the grace period, and both sides hear why', async () => {
    const hub = await hubOn(freshDataDir(), { graceMs: 300 });
    const b1 = await booth(hub, 'demo-booth-1');
    await b1.link.request('queue.join', {});
    const martin = await openConsole(hub, await login(hub, 0));
    const { roomId } = await martin.call<{ roomId: string }>('queue.claim', { boothId: 'demo-booth-1' });
    martin.ws.terminate();
    await expect.poll(() => b1.notes.findLast((n) => n.m === 'room.closed')?.p, { timeout: 10_000 }).toEqual({ roomId, reason: 'specialistLost' });
    expect(hub.media!.service.roomCount()).toBe(0);
  });

  it('keeps a waiting booth in its place while its link is down, refusing a claim until it is back', async () => {
    const hub = await hubOn(freshDataDir());
    const b1 = await booth(hub, 'demo-booth-1');
    await b1.link.request('queue.join', { reason: 'Angine' });
    const martin = await openConsole(hub, await login(hub, 0));
    const stopped = new Promise((resolve) => hub.booths.once('disconnected', resolve));
    await b1.link.stop();
    await stopped;
    expect(hub.media!.service.waiting().map((w) => w.boothId)).toEqual(['demo-booth-1']);
    await expect(martin.call('queue.claim', { boothId: 'demo-booth-1' })).rejects.toMatchObject({ code: 'BOOTH_OFFLINE' });
    const back = await booth(hub, 'demo-booth-1');
    await expect.poll(() => back.notes.findLast((n) => n.m === 'queue.position')?.p).toEqual({ position: 1, etaMinutes: 12, doctorsOnline: 1 });
    await expect(martin.call('queue.claim', { boothId: 'demo-booth-1' })).resolves.toMatchObject({ boothId: 'demo-booth-1' });
  });
});

describe('queue positions', () => {
  it('tells every waiting booth its position and ETA, and gives consoles each entry’s ETA', async () => {
    const hub = await hubOn(freshDataDir());
    const martin = await openConsole(hub, await login(hub, 0));
    const b1 = await booth(hub, 'demo-booth-1');
    const b2 = await booth(hub, 'demo-booth-2');
    await b1.link.request('queue.join', {});
    await b2.link.request('queue.join', {});
    // One specialist online, no consultation ended yet: 12 min per patient ahead.
    await expect.poll(() => b2.notes.findLast((n) => n.m === 'queue.position')?.p).toEqual({ position: 2, etaMinutes: 24, doctorsOnline: 1 });
    await expect.poll(() => (martin.of<Record<string, unknown>>('queue.updated').at(-1)?.booths as { boothId: string; etaMinutes: number }[]).map((b) => [b.boothId, b.etaMinutes])).toEqual([['demo-booth-1', 12], ['demo-booth-2', 24]]);
    // A second specialist halves the wait.
    await openConsole(hub, await login(hub, 1));
    await expect.poll(() => b2.notes.findLast((n) => n.m === 'queue.position')?.p).toEqual({ position: 2, etaMinutes: 12, doctorsOnline: 2 });
    // Booth 1 claimed: booth 2 moves up.
    await martin.call<{ roomId: string }>('queue.claim', { boothId: 'demo-booth-1' });
    await expect.poll(() => b2.notes.findLast((n) => n.m === 'queue.position')?.p).toEqual({ position: 1, etaMinutes: 6, doctorsOnline: 2 });
  });

  it('tells waiting booths when no doctor is connected, and again as soon as one connects or the last one leaves', async () => {
    const hub = await hubOn(freshDataDir());
    const b1 = await booth(hub, 'demo-booth-1');
    await b1.link.request('queue.join', {});
    const last = () => b1.notes.findLast((n) => n.m === 'queue.position')?.p.doctorsOnline;
    await expect.poll(last).toBe(0);
    const martin = await openConsole(hub, await login(hub, 0));
    await expect.poll(last).toBe(1);
    martin.ws.terminate();
    await expect.poll(last).toBe(0);
  });
});
