/**
 * A console or a counter page lives no longer than its session, on a real
 * hub: signing out closes every tab opened with that session at once
 * (CLOSE_SIGNED_OUT), so no live reading or patient context reaches a tab
 * whose account signed out; the other accounts' tabs stay open, and the
 * closed tab cannot reconnect with its old cookie. A tab holding a call is
 * not cut: it closes once the call has ended. (Across nodes:
 * hub-network.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Hub } from '../../../src/hub/server';
import { COUNTER_API, COUNTER_WS_PATH } from '../../../src/shared/counter-protocol';
import { CLOSE_SIGNED_OUT } from '../../../src/shared/hub-protocol';
import { HubLink } from '../../../src/host/hub-link';
import { createLogger } from '../../../src/node/logger';
import { QUEUE } from '../../../src/shared/media-protocol';
import { BOOTH_SECRETS, SPECIALISTS, STAFF, startTestHub } from '../../helpers/hub';
import { ConsoleClient } from '../../resilience/support/clients';

let hub: Hub;
const clients: ConsoleClient[] = [];
const links: HubLink[] = [];

beforeAll(async () => {
  // Sessions asked again often: the tab that held a call closes within the test once the call ends.
  hub = await startTestHub({ consoleDir: '/nonexistent', limits: { sessionCheckMs: 200 } });
});
afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  for (const l of links) await l.stop();
  await hub?.close();
});

async function signIn(path: string, who: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${hub.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: who.email, password: who.password }) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

async function tab(cookie: string, path = '/console'): Promise<ConsoleClient> {
  const c = await ConsoleClient.open(hub.url, { cookie, origin: hub.url }, path);
  clients.push(c);
  return c;
}

async function signOut(path: string, cookie: string): Promise<void> {
  expect((await fetch(`${hub.url}${path}`, { method: 'POST', headers: { cookie } })).status).toBe(200);
}

describe('signing out', () => {
  it('closes every console tab of that session at once, keeps another doctor\'s, and the old cookie opens no tab again', async () => {
    const martin = await signIn('/api/login', SPECIALISTS[0]);
    const durand = await signIn('/api/login', SPECIALISTS[1]);
    const tabs = [await tab(martin), await tab(martin)];
    const other = await tab(durand);

    await signOut('/api/logout', martin);
    await expect.poll(() => tabs.map((t) => t.closedWith)).toEqual([CLOSE_SIGNED_OUT, CLOSE_SIGNED_OUT]);
    expect(other.closedWith).toBeNull();
    expect(other.ws.readyState).toBe(WebSocket.OPEN);
    await expect(tab(martin)).rejects.toMatchObject({ status: 401 });
  });

  it('closes the counter page of that session at once and keeps another pharmacist\'s', async () => {
    const marie = await signIn(COUNTER_API.login, STAFF[0]);
    const paul = await signIn(COUNTER_API.login, STAFF[1]);
    const page = await tab(marie, COUNTER_WS_PATH);
    const other = await tab(paul, COUNTER_WS_PATH);

    await signOut(COUNTER_API.logout, marie);
    await expect.poll(() => page.closedWith).toBe(CLOSE_SIGNED_OUT);
    expect(other.closedWith).toBeNull();
    await expect(tab(marie, COUNTER_WS_PATH)).rejects.toMatchObject({ status: 401 });
  });

  it('does not cut a consultation: the tab holding the call stays until the call ends, then closes', async () => {
    const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: 'demo-booth-1', token: BOOTH_SECRETS['demo-booth-1'], log: createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream), minDelayMs: 50, maxDelayMs: 200 });
    links.push(link);
    link.start();
    await expect.poll(() => link.status).toBe('online');
    await link.request(QUEUE.join, {});
    const martin = await signIn('/api/login', SPECIALISTS[0]);
    const inCall = await tab(martin);
    const idle = await tab(martin);
    await inCall.call(QUEUE.claim, { boothId: 'demo-booth-1' });

    // Signed out in the middle of the call (the console's button is off during a call; the session could also expire).
    await signOut('/api/logout', martin);
    await expect.poll(() => idle.closedWith).toBe(CLOSE_SIGNED_OUT);
    // Several checks later, the call's tab still answers.
    await new Promise((r) => setTimeout(r, 1000));
    expect(inCall.closedWith).toBeNull();
    await inCall.call('room.leave', {});
    await expect.poll(() => inCall.closedWith).toBe(CLOSE_SIGNED_OUT);
  });
});
