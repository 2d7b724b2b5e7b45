/**
 * A network of two hub nodes on one PostgreSQL: a consultation claimed on
 * node A, then A killed (SIGKILL: no goodbye, its lease simply lapses). Node B
 * adopts the room under the same id, the booth's link fails over to B from
 * its node list, the doctor's console reconnects to B with the same cookie,
 * and both are told the room resumed. Node B, running beside A all along, did
 * not take A's live room before A died.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { v7 as uuidv7 } from 'uuid';
import { HubLink } from '../../../src/host/hub-link';
import type { Hub } from '../../../src/hub/server';
import { ROOM } from '../../../src/shared/media-protocol';
import { BOOTH_SECRETS, SPECIALISTS, type HubProcess } from '../../helpers/hub';
import { startNodePair } from '../../helpers/hub-nodes';
import { startPgCluster, type PgCluster } from '../../helpers/pg-cluster';
import { silentLog } from '../../helpers/store';

let pg: PgCluster;
let nodeA: HubProcess | null = null;
let nodeB: Hub | null = null;
const links: HubLink[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  pg = await startPgCluster();
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.terminate();
  for (const l of links) await l.stop();
  await nodeA?.kill();
  await nodeB?.close();
  await pg?.stop();
});

interface Frame { t: string; id?: number; m?: string; p?: { roomId?: string }; r?: { roomId?: string }; ok?: boolean }

function consoleOn(url: string, port: number, cookie: string): { ws: WebSocket; frames: Frame[]; open: Promise<void> } {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/console`, { headers: { cookie, origin: url } });
  sockets.push(ws);
  const frames: Frame[] = [];
  ws.on('message', (raw) => frames.push(JSON.parse(raw.toString()) as Frame));
  ws.on('error', () => undefined);
  return { ws, frames, open: new Promise<void>((r) => ws.once('open', () => r())) };
}

it('resumes a consultation on the surviving node, same room, when the node holding it is killed', async () => {
  // B runs beside A from the start, as a second node does.
  const pair = await startNodePair(pg);
  nodeA = pair.a;
  nodeB = pair.b;
  const b = nodeB;

  const link = new HubLink({
    url: `ws://127.0.0.1:${nodeA.port}/booth`, fallbackUrls: [`ws://127.0.0.1:${b.port}/booth`],
    boothId: 'demo-booth-1', token: BOOTH_SECRETS['demo-booth-1'], log: silentLog, minDelayMs: 50, maxDelayMs: 200,
  });
  links.push(link);
  const boothNotes: { m: string; p: unknown }[] = [];
  link.on('note', (m: string, p: unknown) => boothNotes.push({ m, p }));
  link.start();
  await expect.poll(() => link.status).toBe('online');
  await link.request('queue.join', { sessionId: uuidv7(), patient: { firstName: 'Jeanne', age: 81 } });

  const login = await fetch(`${nodeA.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SPECIALISTS[0].email, password: SPECIALISTS[0].password }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const onA = consoleOn(nodeA.url, nodeA.port, cookie);
  await onA.open;
  onA.ws.send(JSON.stringify({ t: 'req', id: 1, m: 'queue.claim', p: { boothId: 'demo-booth-1' } }));
  await expect.poll(() => onA.frames.find((f) => f.t === 'res' && f.id === 1)?.ok).toBe(true);
  const roomId = onA.frames.find((f) => f.t === 'res' && f.id === 1)!.r!.roomId!;
  expect(roomId).toBeTruthy();
  // A holds the room; B, beside it, does not take it.
  expect(b.media!.service.roomOfBooth('demo-booth-1')).toBeUndefined();

  await nodeA.kill();
  onA.ws.terminate();

  // The lease of A lapses; B adopts its room under the same id.
  await expect.poll(() => b.media!.service.roomOfBooth('demo-booth-1')?.id, { timeout: 20_000 }).toBe(roomId);
  // The booth failed over from its list and is told the room resumed.
  await expect.poll(() => boothNotes.find((n) => n.m === ROOM.resumed)?.p, { timeout: 20_000 }).toMatchObject({ roomId });
  // The doctor's console comes back on B with its cookie (the session lives in the shared database).
  const onB = consoleOn(b.url, b.port, cookie);
  await onB.open;
  await expect.poll(() => onB.frames.find((f) => f.m === ROOM.resumed)?.p, { timeout: 20_000 }).toMatchObject({ roomId });
}, 120_000);
