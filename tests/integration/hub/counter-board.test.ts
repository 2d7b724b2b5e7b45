/**
 * The counter board follows the queue and the rooms on a real hub: a booth
 * that sends nothing still moves up when the booth before it is called, and
 * its board names the doctor who claims it and drops them when the call
 * ends — the pharmacist reads where their patient is without the booth's
 * screen having to change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubLink } from '../../../src/host/hub-link';
import type { Hub } from '../../../src/hub/server';
import { createLogger } from '../../../src/node/logger';
import { COUNTER, COUNTER_API, COUNTER_WS_PATH, type Board } from '../../../src/shared/counter-protocol';
import { BOOTH_SECRETS, SPECIALISTS, STAFF, startTestHub } from '../../helpers/hub';
import { ConsoleClient } from '../../resilience/support/clients';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
let hub: Hub;
const links: HubLink[] = [];
const clients: ConsoleClient[] = [];

beforeAll(async () => {
  hub = await startTestHub({ consoleDir: '/nonexistent' });
});
afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  for (const l of links) await l.stop();
  await hub?.close();
});

async function booth(boothId: keyof typeof BOOTH_SECRETS): Promise<HubLink> {
  const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId, token: BOOTH_SECRETS[boothId], log: silent, minDelayMs: 50, maxDelayMs: 200 });
  links.push(link);
  link.start();
  await expect.poll(() => link.status).toBe('online');
  return link;
}

async function counterPage(who: (typeof STAFF)[number]): Promise<ConsoleClient> {
  const res = await fetch(`${hub.url}${COUNTER_API.login}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: who.email, password: who.password }) });
  expect(res.status).toBe(200);
  const page = await ConsoleClient.open(hub.url, { cookie: res.headers.get('set-cookie')!.split(';')[0]!, origin: hub.url }, COUNTER_WS_PATH);
  clients.push(page);
  return page;
}

async function doctor(who: (typeof SPECIALISTS)[number]): Promise<ConsoleClient> {
  const c = await ConsoleClient.login(hub.url, who.email, who.password);
  clients.push(c);
  return c;
}

describe('the counter board', () => {
  it('moves a silent booth up the queue, names the doctor who claims it and drops them when the call ends', async () => {
    const first = await booth('demo-booth-2');
    const second = await booth('demo-booth-1');
    await first.request('queue.join', {});
    await second.request('queue.join', {});
    const marie = await counterPage(STAFF[0]);
    const boardOfMarie = (): Board['booths'][number] | undefined => marie.of<Board>(COUNTER.boardNote).at(-1)?.booths.find((b) => b.boothId === 'demo-booth-1');
    await expect.poll(boardOfMarie).toMatchObject({ position: 2, doctor: null });
    const martin = await doctor(SPECIALISTS[0]);
    const durand = await doctor(SPECIALISTS[1]);

    // Neither booth says anything to the counter from here on: the board follows the queue and the rooms.
    await martin.call('queue.claim', { boothId: 'demo-booth-2' });
    await expect.poll(boardOfMarie).toMatchObject({ position: 1, doctor: null });
    await durand.call('queue.claim', { boothId: 'demo-booth-1' });
    await expect.poll(boardOfMarie).toMatchObject({ position: null, doctor: SPECIALISTS[1].name });
    await durand.call('room.leave', {});
    await expect.poll(boardOfMarie).toMatchObject({ position: null, doctor: null });
    // Another pharmacy's booth is never on Marie's board.
    expect(marie.of<Board>(COUNTER.boardNote).flatMap((b) => b.booths.map((x) => x.boothId))).not.toContain('demo-booth-2');
  });
});
