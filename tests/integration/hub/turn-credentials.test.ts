/**
 * The hub hands TURN credentials (coturn's time-limited scheme, src/hub/turn.ts)
 * to the booth and the console of a call, each its own, with the media
 * capabilities; a connection that is not authenticated never gets as far as
 * asking, and the shared secret never leaves the hub. Real hub, real worker.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HubLink } from '../../../src/host/hub-link';
import type { Hub } from '../../../src/hub/server';
import { createLogger } from '../../../src/node/logger';
import { BOOTH_SECRETS, SPECIALISTS, startTestHub, testHubConfig } from '../../helpers/hub';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const SECRET = 'test-turn-secret-0123456789abcdef';
const TURN = { urls: ['turns:127.0.0.1:5349?transport=tcp'], secret: SECRET, ttlSeconds: 600 };
let hub: Hub;
let link: HubLink | null = null;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  hub = await startTestHub({ consoleDir: '/nonexistent', config: { ...(await testHubConfig()), turn: TURN } });
});

afterAll(async () => {
  for (const s of sockets) s.terminate();
  await link?.stop();
  await hub?.close();
});

/** Opens a WebSocket and says whether the hub let it in (101) or refused it (HTTP status); frames received are kept. */
function open(path: string, headers: Record<string, string>): Promise<{ status: number; frames: string[] }> {
  return new Promise((resolve) => {
    const frames: string[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${hub.port}${path}`, { headers });
    sockets.push(ws);
    ws.on('message', (raw) => frames.push(raw.toString()));
    ws.on('unexpected-response', (_q, res) => resolve({ status: res.statusCode ?? 0, frames }));
    ws.on('open', () => resolve({ status: 101, frames }));
    ws.on('error', () => resolve({ status: -1, frames }));
  });
}

interface Caps { iceServers: { urls: string[]; username: string; credential: string }[] }

describe('TURN credentials from the hub', () => {
  it('gives the booth and the console of a call each a credential of their own that coturn will recompute, never the secret', async () => {
    link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: 'demo-booth-1', token: BOOTH_SECRETS['demo-booth-1'], log: silent, minDelayMs: 50, maxDelayMs: 100 });
    link.start();
    await new Promise<void>((resolve) => (link!.status === 'online' ? resolve() : link!.on('status', (s) => s === 'online' && resolve())));
    await link.request('queue.join', {});

    const login = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SPECIALISTS[0].email, password: SPECIALISTS[0].password }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const ws = new WebSocket(`ws://127.0.0.1:${hub.port}/console`, { headers: { cookie, origin: hub.url } });
    sockets.push(ws);
    await new Promise((r) => ws.once('open', r));
    const answers = new Map<number, unknown>();
    ws.on('message', (raw) => {
      const f = JSON.parse(raw.toString()) as { t: string; id: number; r?: unknown };
      if (f.t === 'res') answers.set(f.id, f.r);
    });
    const call = async (id: number, m: string): Promise<unknown> => {
      ws.send(JSON.stringify({ t: 'req', id, m, p: m === 'queue.claim' ? { boothId: 'demo-booth-1' } : {} }));
      for (let i = 0; i < 500 && !answers.has(id); i++) await new Promise((r) => setTimeout(r, 10));
      return answers.get(id);
    };
    await call(1, 'queue.claim');
    const doctor = (await call(2, 'media.capabilities')) as Caps;
    const booth = await link.request<Caps>('media.capabilities', {});

    for (const [caps, holder] of [[booth, 'demo-booth-1'], [doctor, 'dr-martin']] as const) {
      expect(caps.iceServers).toHaveLength(1);
      const [server] = caps.iceServers;
      expect(server!.urls).toEqual(TURN.urls);
      const [expiry, who] = server!.username.split(':');
      expect(who).toBe(holder);
      // Valid for the configured lifetime from now, give or take the test's own duration.
      expect(Number(expiry) - Date.now() / 1000).toBeGreaterThan(TURN.ttlSeconds - 60);
      expect(Number(expiry) - Date.now() / 1000).toBeLessThanOrEqual(TURN.ttlSeconds);
      expect(server!.credential).toBe(createHmac('sha1', SECRET).update(server!.username).digest('base64'));
      expect(JSON.stringify(caps)).not.toContain(SECRET);
    }
  });

  it('lets no unauthenticated booth or console connect at all, so none can ask for a credential', async () => {
    const anonymousBooth = await open('/booth', { 'x-cabine-booth': 'demo-booth-1' });
    const forgedBooth = await open('/booth', { 'x-cabine-booth': 'demo-booth-1', authorization: 'Bearer forged-secret' });
    const anonymousConsole = await open('/console', { origin: hub.url });
    for (const r of [anonymousBooth, forgedBooth, anonymousConsole]) {
      expect(r.status).toBe(401);
      expect(r.frames).toEqual([]);
    }
  });
});
