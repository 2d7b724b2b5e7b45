/**
 * What the consultation keeps across a hub restart lives in the record
 * (DESIGN §10): a prescription the booth never acknowledged is delivered by
 * the next hub process when the booth connects, and the specialist who held
 * the session still reaches its photo and its report. Two real hubs, one
 * after the other, on the same data folder.
 */
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HubLink } from '../../../src/host/hub-link';
import type { Hub } from '../../../src/hub/server';
import type { Prescription } from '../../../src/shared/consult-protocol';
import { BOOTH_SECRETS, SPECIALISTS, startTestHub, testHubConfig } from '../../helpers/hub';
import { silentLog, tempDir } from '../../helpers/store';

const data = tempDir('cabine-consult-restart-');
const hubs: Hub[] = [];
const links: HubLink[] = [];
const sockets: WebSocket[] = [];

afterAll(async () => {
  for (const s of sockets) s.terminate();
  for (const l of links) await l.stop();
  for (const h of hubs) await h.close();
  data.cleanup();
});

async function start(): Promise<Hub> {
  const hub = await startTestHub({ consoleDir: '/nonexistent', config: await testHubConfig(data.dir) });
  hubs.push(hub);
  return hub;
}

async function boothOn(hub: Hub, setup: (l: HubLink) => void = () => {}): Promise<HubLink> {
  const l = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: 'demo-booth-1', token: BOOTH_SECRETS['demo-booth-1'], log: silentLog, minDelayMs: 50, maxDelayMs: 100 });
  setup(l);
  links.push(l);
  l.start();
  await new Promise<void>((resolve) => l.on('status', (s) => s === 'online' && resolve()));
  return l;
}

async function cookieOn(hub: Hub): Promise<string> {
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SPECIALISTS[0].email, password: SPECIALISTS[0].password }) });
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

it('delivers a pending prescription, still serves the photo and report to their specialist, and gives a returning console its context after the hub restarts', async () => {
  const first = await start();
  const sessionId = uuidv7();
  const link = await boothOn(first);
  await link.request('queue.join', { sessionId, patient: { firstName: 'Jeanne', age: 81 } });
  const bytes = Buffer.from('a dermatoscope still');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const photoId = uuidv7();
  await link.request('record.photoChunk', { photoId, index: 0, count: 1, sha256, data: bytes.toString('base64') });
  await link.request('record.ingest', { batchId: uuidv7(), items: [{ id: photoId, boothId: 'demo-booth-1', sessionId, seq: 1, kind: 'photo', data: { id: photoId, sessionId, mime: 'image/png', width: 10, height: 10, byteLength: bytes.length, chunkCount: 1, sha256, takenAt: new Date().toISOString(), polarisation: 'none' } }] });

  const cookie = await cookieOn(first);
  const ws = new WebSocket(`ws://127.0.0.1:${first.port}/console`, { headers: { cookie, origin: first.url } });
  sockets.push(ws);
  await new Promise<void>((r) => ws.once('open', () => r()));
  const answers = new Map<number, { ok: boolean; r?: unknown }>();
  ws.on('message', (raw) => {
    const f = JSON.parse(raw.toString()) as { t: string; id: number; ok: boolean; r?: unknown };
    if (f.t === 'res') answers.set(f.id, f);
  });
  const call = async (id: number, m: string, p: unknown): Promise<unknown> => {
    ws.send(JSON.stringify({ t: 'req', id, m, p }));
    await expect.poll(() => answers.get(id)).toBeDefined();
    expect(answers.get(id)!.ok).toBe(true);
    return answers.get(id)!.r;
  };
  await call(1, 'queue.claim', { boothId: 'demo-booth-1' });
  await link.stop();
  await expect.poll(() => first.booths.peer('demo-booth-1')).toBeUndefined();
  const { prescription } = await call(2, 'consult.prescribe', { items: [{ name: 'Paracétamol 1 g', dosage: '1 comprimé' }] }) as { prescription: Prescription };
  ws.terminate();
  await first.close();

  const second = await start();
  const received: Prescription[] = [];
  await boothOn(second, (l) => l.handle('consult.prescription', (p) => {
    received.push((p as { prescription: Prescription }).prescription);
    return { stored: true, printed: true };
  }));
  await expect.poll(() => received.map((p) => p.number)).toEqual([prescription.number]);
  expect(received[0]).toEqual(prescription);

  // Logins are per process: log in again; the claim the record kept still grants access.
  const again = await cookieOn(second);
  const photo = await fetch(`${second.url}/api/photos/${photoId}`, { headers: { cookie: again } });
  expect(photo.status).toBe(200);
  expect(Buffer.from(await photo.arrayBuffer())).toEqual(bytes);
  const pdf = await fetch(`${second.url}/api/sessions/${sessionId}/report.pdf`, { headers: { cookie: again } });
  expect(pdf.status).toBe(200);
  expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');

  // The console comes back to its restored room: the context again, and the history from the record.
  const back = new WebSocket(`ws://127.0.0.1:${second.port}/console`, { headers: { cookie: again, origin: second.url } });
  sockets.push(back);
  const frames: { t: string; id?: number; m?: string; p?: unknown; r?: unknown }[] = [];
  back.on('message', (raw) => frames.push(JSON.parse(raw.toString()) as (typeof frames)[number]));
  await new Promise<void>((r) => back.once('open', () => r()));
  await expect.poll(() => frames.find((f) => f.m === 'consult.context')?.p).toMatchObject({ boothId: 'demo-booth-1', patient: { sessionId, firstName: 'Jeanne' } });
  back.send(JSON.stringify({ t: 'req', id: 1, m: 'consult.context', p: {} }));
  await expect.poll(() => frames.find((f) => f.t === 'res' && f.id === 1)?.r).toMatchObject({ photos: [{ photo: { id: photoId }, url: `/api/photos/${photoId}` }], readings: [] });
});
