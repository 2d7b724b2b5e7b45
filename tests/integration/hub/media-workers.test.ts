/**
 * The worker pool: rooms go to the least-loaded worker, and a worker that
 * dies is replaced and its rooms are rebuilt on the new one, both sides told.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HubLink } from '../../../src/host/hub-link';
import type { Hub } from '../../../src/hub/server';
import { createLogger } from '../../../src/node/logger';
import { BOOTH_SECRETS, SPECIALISTS, startTestHub, testHubConfig } from '../../helpers/hub';
import WebSocket from 'ws';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
let hub: Hub | undefined;
const links: HubLink[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const l of links.splice(0)) await l.stop();
  await hub?.close();
  hub = undefined;
});

async function booth(h: Hub, id: keyof typeof BOOTH_SECRETS): Promise<HubLink> {
  const l = new HubLink({ url: `ws://127.0.0.1:${h.port}/booth`, boothId: id, token: BOOTH_SECRETS[id], log: silent, minDelayMs: 50, maxDelayMs: 100 });
  links.push(l);
  l.start();
  await new Promise<void>((resolve) => (l.status === 'online' ? resolve() : l.on('status', (s) => s === 'online' && resolve())));
  return l;
}

async function consoleClaim(h: Hub, i: 0 | 1, boothId: string): Promise<{ notes: string[] }> {
  const res = await fetch(`${h.url}/api/login`, { method: 'POST', body: JSON.stringify({ email: SPECIALISTS[i].email, password: SPECIALISTS[i].password }) });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const ws = new WebSocket(`ws://127.0.0.1:${h.port}/console`, { headers: { cookie, origin: h.url } });
  sockets.push(ws);
  const notes: string[] = [];
  ws.on('message', (raw) => {
    const f = JSON.parse(raw.toString()) as { t: string; m: string };
    if (f.t === 'note') notes.push(f.m);
  });
  await new Promise((r) => ws.on('open', r));
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (raw) => {
      const f = JSON.parse(raw.toString()) as { t: string; id: number; ok: boolean };
      if (f.t !== 'res' || f.id !== 1) return;
      if (f.ok) resolve();
      else reject(new Error(raw.toString()));
    });
    ws.send(JSON.stringify({ t: 'req', id: 1, m: 'queue.claim', p: { boothId } }));
  });
  return { notes };
}

describe('mediasoup worker pool', () => {
  it('spreads rooms over the workers, least loaded first', async () => {
    hub = await startTestHub({ consoleDir: '/nonexistent', config: { ...(await testHubConfig()), media: { listenIp: '127.0.0.1', rtcMinPort: 40000, rtcMaxPort: 40999, workers: 2 } } });
    for (const id of ['demo-booth-1', 'demo-booth-2'] as const) await (await booth(hub, id)).request('queue.join', {});
    await consoleClaim(hub, 0, 'demo-booth-1');
    await consoleClaim(hub, 1, 'demo-booth-2');
    expect(hub.media!.pool.load().map((w) => w.rooms)).toEqual([1, 1]);
  });

  it('replaces a worker that dies and rebuilds its rooms on the new worker, same room id, telling both sides', async () => {
    hub = await startTestHub({ consoleDir: '/nonexistent' });
    const b = await booth(hub, 'demo-booth-1');
    await b.request('queue.join', {});
    const specialist = await consoleClaim(hub, 0, 'demo-booth-1');
    const roomId = hub.media!.service.roomOfBooth('demo-booth-1')!.id;
    await b.request('media.capabilities', {});
    await b.request('media.createTransport', { direction: 'send' });
    const boothHeard = new Promise<unknown>((resolve) => b.on('note', (m, p) => m === 'room.resumed' && resolve(p)));
    const oldPid = hub.media!.pool.workers[0]!.pid;
    process.kill(oldPid, 'SIGKILL');

    await expect(boothHeard).resolves.toEqual({ roomId, reason: 'mediaRestarted' });
    await expect.poll(() => specialist.notes).toContain('room.resumed');
    expect(specialist.notes).not.toContain('room.closed');
    expect(hub.media!.service.roomOfBooth('demo-booth-1')!.id).toBe(roomId);
    await expect.poll(() => hub!.media!.pool.workers[0]?.pid).not.toBe(oldPid);
    // The room runs on the fresh worker: the booth sets up its media again.
    await expect(b.request('media.capabilities', {})).resolves.toMatchObject({ roomId });
    await expect(b.request('media.createTransport', { direction: 'send' })).resolves.toMatchObject({ id: expect.any(String) });
    expect(hub.media!.pool.load()).toEqual([{ pid: hub.media!.pool.workers[0]!.pid, rooms: 1 }]);
  });
});
