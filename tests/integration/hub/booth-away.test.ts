/**
 * The console hears when the booth side of its room drops and comes back
 * (so the doctor knows whether to wait), on a real hub:
 * `room.boothOffline` says for how long the booth has been away and in how
 * long the room ends if it stays away
 * (the grace period), as durations so the console's own clock can count
 * them down; `room.boothOnline` says it is back. A console that arrives
 * while the booth is away is told at once; a booth that never comes back
 * ends the room with the reason `boothLost`.
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

interface Away { roomId: string; boothId: string; awayMs: number; endsInMs: number }

async function inCall(graceMs: number): Promise<{ hub: Hub; link: HubLink; cookie: string; martin: ConsoleClient; roomId: string }> {
  const hub = await startTestHub({ consoleDir: '/nonexistent', config: await testHubConfig(freshDataDir()), media: { graceMs } });
  hubs.push(hub);
  const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: 'demo-booth-1', token: BOOTH_SECRETS['demo-booth-1'], log: silent, minDelayMs: 50, maxDelayMs: 200 });
  links.push(link);
  link.start();
  await expect.poll(() => link.status).toBe('online');
  await link.request('queue.join', {});
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SPECIALISTS[0].email, password: SPECIALISTS[0].password }) });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const martin = await ConsoleClient.open(hub.url, { cookie, origin: hub.url });
  consoles.push(martin);
  const { roomId } = await martin.call<{ roomId: string }>('queue.claim', { boothId: 'demo-booth-1' });
  return { hub, link, cookie, martin, roomId };
}

describe('the booth side of a room, as the console hears it', () => {
  it('says the booth went offline with the time left before the call ends, then that it is back', async () => {
    const { hub, martin, roomId } = await inCall(60_000);
    hub.booths.peer('demo-booth-1')!.ws.terminate();
    await expect.poll(() => martin.of<Away>('room.boothOffline').length).toBe(1);
    const away = martin.of<Away>('room.boothOffline')[0]!;
    expect(away).toMatchObject({ roomId, boothId: 'demo-booth-1' });
    expect(away.awayMs).toBeGreaterThanOrEqual(0);
    expect(away.awayMs + away.endsInMs).toBe(60_000);
    // The booth's link reconnects by itself.
    await expect.poll(() => martin.of('room.boothOnline').at(-1), { timeout: 10_000 }).toEqual({ roomId, boothId: 'demo-booth-1' });
    expect(martin.of('room.closed')).toEqual([]);
  });

  it('tells a console that comes back while the booth is away how long it has been away', async () => {
    const { hub, link, cookie, martin, roomId } = await inCall(60_000);
    await link.stop();
    await expect.poll(() => martin.of<Away>('room.boothOffline').length).toBe(1);
    martin.ws.terminate();
    await new Promise((r) => setTimeout(r, 50));
    const again = await ConsoleClient.open(hub.url, { cookie, origin: hub.url });
    consoles.push(again);
    await expect.poll(() => again.of<Away>('room.boothOffline').at(-1)).toMatchObject({ roomId, boothId: 'demo-booth-1' });
    const away = again.of<Away>('room.boothOffline').at(-1)!;
    expect(away.awayMs).toBeGreaterThanOrEqual(50);
    expect(away.awayMs + away.endsInMs).toBe(60_000);
    // It heard it after being told it is back in its room.
    expect(again.notes.map((n) => n.m).filter((m) => m === 'room.resumed' || m === 'room.boothOffline')).toEqual(['room.resumed', 'room.boothOffline']);
  });

  it('ends the call with the reason boothLost when the booth stays away past the grace period', async () => {
    const { link, martin, roomId } = await inCall(300);
    await link.stop();
    await expect.poll(() => martin.of<Away>('room.boothOffline').length).toBe(1);
    await expect.poll(() => martin.of('room.closed').at(-1), { timeout: 10_000 }).toEqual({ roomId, reason: 'boothLost' });
  });
});
