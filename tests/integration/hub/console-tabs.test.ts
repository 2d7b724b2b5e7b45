/**
 * One doctor, two console tabs (the call reaches one screen), on a real
 * hub: exactly
 * one connection holds the specialist's side of a room. A second tab of
 * the same account is told the call is open elsewhere and touches nothing
 * until it takes over (`room.takeOver`, the doctor's click); the tab it
 * took over from is told so and is refused media from then on. Closing
 * the holder while another tab of the account is open never starts the
 * grace period (that tab may take over); the grace starts only when the
 * account has no console open at all. The booth's side is never touched.
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

const GRACE_MS = 300;
/** What the test hub's directory says of demo-booth-1 (tests/helpers/hub.ts). */
const PHARMACY = { name: 'Pharmacie test 1', city: 'Aurillac' };

async function setUp(): Promise<{ hub: Hub; link: HubLink; boothNotes: string[]; cookie: string; first: ConsoleClient; roomId: string }> {
  const hub = await startTestHub({ consoleDir: '/nonexistent', config: await testHubConfig(freshDataDir()), media: { graceMs: GRACE_MS } });
  hubs.push(hub);
  const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: 'demo-booth-1', token: BOOTH_SECRETS['demo-booth-1'], log: silent, minDelayMs: 50, maxDelayMs: 200 });
  const boothNotes: string[] = [];
  link.on('note', (m) => boothNotes.push(m));
  links.push(link);
  link.start();
  await expect.poll(() => link.status).toBe('online');
  await link.request('queue.join', {});
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SPECIALISTS[0].email, password: SPECIALISTS[0].password }) });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const first = await open(hub, cookie);
  const { roomId } = await first.call<{ roomId: string }>('queue.claim', { boothId: 'demo-booth-1' });
  // The booth's media is up: its transport must outlive everything the consoles do.
  await link.request('media.capabilities', {});
  await link.request('media.createTransport', { direction: 'send' });
  await first.call('media.capabilities');
  await first.call('media.createTransport', { direction: 'send' });
  return { hub, link, boothNotes, cookie, first, roomId };
}

async function open(hub: Hub, cookie: string): Promise<ConsoleClient> {
  const c = await ConsoleClient.open(hub.url, { cookie, origin: hub.url });
  consoles.push(c);
  return c;
}

const boothTransports = (hub: Hub): string[] => [...(hub.media!.service.roomOfBooth('demo-booth-1')?.sides.booth?.transports.keys() ?? [])];

describe('two console tabs of one doctor', () => {
  it('tells a second tab the call is open elsewhere and lets it touch nothing until it takes over', async () => {
    const { hub, cookie, first, roomId } = await setUp();
    const booth = boothTransports(hub);
    const second = await open(hub, cookie);
    await expect.poll(() => second.of('room.elsewhere').at(-1)).toEqual({ roomId, boothId: 'demo-booth-1', pharmacy: PHARMACY, reason: 'opened' });
    expect(second.of('room.resumed')).toEqual([]);
    await expect(second.call('media.capabilities')).rejects.toMatchObject({ code: 'ELSEWHERE' });
    await expect(second.call('room.leave')).rejects.toMatchObject({ code: 'ELSEWHERE' });
    // The first tab still holds the call, undisturbed.
    await expect(first.call('media.createTransport', { direction: 'recv' })).resolves.toMatchObject({ id: expect.any(String) });
    expect(first.of('room.elsewhere')).toEqual([]);
    expect(hub.media!.service.roomOfBooth('demo-booth-1')!.id).toBe(roomId);
    expect(boothTransports(hub)).toEqual(booth);
  });

  it('hands the call to the tab that takes over, tells the old one, and leaves the booth untouched', async () => {
    const { hub, cookie, first, roomId, boothNotes } = await setUp();
    const booth = boothTransports(hub);
    const second = await open(hub, cookie);
    await expect.poll(() => second.of('room.elsewhere').length).toBe(1);
    await expect(second.call('room.takeOver')).resolves.toEqual({ roomId, boothId: 'demo-booth-1' });
    await expect.poll(() => first.of('room.elsewhere').at(-1)).toEqual({ roomId, boothId: 'demo-booth-1', pharmacy: PHARMACY, reason: 'takenOver' });
    await expect(second.call('media.capabilities')).resolves.toMatchObject({ roomId });
    await expect(first.call('media.createTransport', { direction: 'recv' })).rejects.toMatchObject({ code: 'ELSEWHERE' });
    expect(boothTransports(hub)).toEqual(booth);
    expect(boothNotes).not.toContain('room.closed');
    // And back: the first tab takes it again.
    await expect(first.call('room.takeOver')).resolves.toEqual({ roomId, boothId: 'demo-booth-1' });
    await expect.poll(() => second.of('room.elsewhere').at(-1)).toEqual({ roomId, boothId: 'demo-booth-1', pharmacy: PHARMACY, reason: 'takenOver' });
    await expect(first.call('media.capabilities')).resolves.toMatchObject({ roomId });
    expect(boothTransports(hub)).toEqual(booth);
  });

  it('keeps the call past the grace period when the holding tab closes while another is open, until that one takes over', async () => {
    const { hub, cookie, first, roomId, boothNotes } = await setUp();
    const second = await open(hub, cookie);
    await expect.poll(() => second.of('room.elsewhere').length).toBe(1);
    await second.call('room.takeOver');
    second.ws.terminate();
    await expect.poll(() => first.of('room.released').at(-1)).toEqual({ roomId, boothId: 'demo-booth-1' });
    await new Promise((r) => setTimeout(r, GRACE_MS * 3));
    expect(hub.media!.service.roomOfBooth('demo-booth-1')?.id).toBe(roomId);
    expect(first.of('room.closed')).toEqual([]);
    expect(boothNotes).not.toContain('room.closed');
    await expect(first.call('room.takeOver')).resolves.toEqual({ roomId, boothId: 'demo-booth-1' });
    await expect(first.call('media.capabilities')).resolves.toMatchObject({ roomId });
  });

  it('changes nothing when the tab that does not hold the call closes', async () => {
    const { hub, cookie, first, roomId } = await setUp();
    const second = await open(hub, cookie);
    await expect.poll(() => second.of('room.elsewhere').length).toBe(1);
    second.ws.terminate();
    await new Promise((r) => setTimeout(r, GRACE_MS * 3));
    expect(hub.media!.service.roomOfBooth('demo-booth-1')?.id).toBe(roomId);
    expect(first.of('room.released')).toEqual([]);
    await expect(first.call('media.createTransport', { direction: 'recv' })).resolves.toMatchObject({ id: expect.any(String) });
  });

  it('ends the room after the grace period once the doctor has no console open at all', async () => {
    const { hub, cookie, first, roomId, link } = await setUp();
    const notes: { m: string; p: unknown }[] = [];
    link.on('note', (m, p) => notes.push({ m, p }));
    const second = await open(hub, cookie);
    await expect.poll(() => second.of('room.elsewhere').length).toBe(1);
    first.ws.terminate();
    await expect.poll(() => second.of('room.released').length).toBe(1);
    second.ws.terminate();
    await expect.poll(() => notes.find((n) => n.m === 'room.closed')?.p, { timeout: 10_000 }).toEqual({ roomId, reason: 'specialistLost' });
  });

  it('tells every tab of the doctor when the room ends', async () => {
    const { hub, cookie, first, roomId } = await setUp();
    const second = await open(hub, cookie);
    await expect.poll(() => second.of('room.elsewhere').length).toBe(1);
    await first.call('room.leave');
    await expect.poll(() => second.of('room.closed').at(-1)).toEqual({ roomId, reason: 'ended' });
  });
});
