/**
 * Recorded stethoscope clips through a real hub (real record in a temporary
 * folder): the console asks for a clip at a point of its own room's booth,
 * the booth answers once it records or says why not (the console reads it in
 * the doctor's words), a stored clip reaches only the claimant and its WAV
 * is served to them alone; a clip the booth could not finish is told.
 */
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HubLink } from '../../../src/host/hub-link';
import type { Hub } from '../../../src/hub/server';
import type { ClipFailedNote, ClipNote } from '../../../src/shared/clip-protocol';
import { PHOTO_CHUNK_BYTES, type ClipMeta } from '../../../src/shared/record-protocol';
import { encodeWav } from '../../../src/shared/wav';
import { BOOTH_SECRETS, SPECIALISTS, startTestHub, testHubConfig } from '../../helpers/hub';
import { silentLog, tempDir } from '../../helpers/store';
import { ConsoleClient } from '../../resilience/support/clients';

let hub: Hub;
let dataDir: { dir: string; cleanup: () => void };
const links: HubLink[] = [];
const consoles: ConsoleClient[] = [];

beforeAll(async () => {
  dataDir = tempDir('cabine-clips-');
  const config = await testHubConfig();
  hub = await startTestHub({ consoleDir: '/nonexistent', config: { ...config, dataDir: dataDir.dir } });
});

afterEach(async () => {
  for (const c of consoles.splice(0)) if (c.ws.readyState === WebSocket.OPEN) await c.call('room.leave', {}).catch(() => undefined);
  for (const c of consoles.splice(0)) c.ws.terminate();
  for (const l of links.splice(0)) await l.stop();
  await expect.poll(() => hub.media!.service.roomCount()).toBe(0);
});

afterAll(async () => {
  await hub?.close();
  dataDir?.cleanup();
});

async function cookieOf(i: 0 | 1): Promise<string> {
  const who = SPECIALISTS[i];
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: who.email, password: who.password }) });
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

async function specialist(i: 0 | 1): Promise<ConsoleClient & { cookie: string }> {
  const cookie = await cookieOf(i);
  const client = await ConsoleClient.open(hub.url, { cookie, origin: hub.url });
  consoles.push(client);
  return Object.assign(client, { cookie });
}

type BoothId = keyof typeof BOOTH_SECRETS;

async function claimed(boothId: BoothId, onClip: (p: unknown) => unknown) {
  const sessionId = uuidv7();
  const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId, token: BOOTH_SECRETS[boothId], log: silentLog, minDelayMs: 50, maxDelayMs: 100 });
  link.handle('consult.clipRequested', async (p) => onClip(p));
  links.push(link);
  link.start();
  await new Promise<void>((resolve) => (link.status === 'online' ? resolve() : link.on('status', (s) => s === 'online' && resolve())));
  await link.request('queue.join', { sessionId, patient: { firstName: 'Jeanne', age: 81 }, language: 'fr' });
  const doctor = await specialist(0);
  await doctor.call('queue.claim', { boothId });
  return { link, doctor, sessionId };
}

async function sendClip(link: HubLink, boothId: string, sessionId: string, point: ClipMeta['point']): Promise<{ meta: ClipMeta; bytes: Buffer }> {
  const bytes = Buffer.from(encodeWav({ sampleRate: 48_000, channels: [new Float32Array(48_000 * 2)] }));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const count = Math.ceil(bytes.length / PHOTO_CHUNK_BYTES);
  const meta: ClipMeta = {
    id: uuidv7(), sessionId, point, mime: 'audio/wav', sampleRate: 48_000, bitsPerSample: 16, channels: 1, durationMs: 2000,
    byteLength: bytes.length, chunkCount: count, sha256, recordedAt: new Date().toISOString(),
  };
  for (let index = 0; index < count; index++) {
    await link.request('record.blobChunk', { blobId: meta.id, contentType: 'audio/wav', totalBytes: bytes.length, index, count, sha256 }, { bytes: bytes.subarray(index * PHOTO_CHUNK_BYTES, (index + 1) * PHOTO_CHUNK_BYTES) });
  }
  await link.request('record.ingest', { batchId: uuidv7(), items: [{ id: meta.id, boothId, sessionId, seq: 1, kind: 'clip', data: meta }] });
  return { meta, bytes };
}

describe('a stethoscope clip asked for by the console', () => {
  it('is asked of the booth of the doctor\'s room, reaches the doctor once stored, and its WAV is served to them only', async () => {
    const asked: unknown[] = [];
    const { link, doctor, sessionId } = await claimed('demo-booth-1', (p) => { asked.push(p); return { recording: true }; });
    const answer = await doctor.call<{ requestId: string; seconds: number }>('consult.recordClip', { point: 'mitral' });
    expect(answer.seconds).toBe(15);
    expect(asked).toEqual([{ requestId: answer.requestId, point: 'mitral', seconds: 15 }]);

    const { meta, bytes } = await sendClip(link, 'demo-booth-1', sessionId, 'mitral');
    await expect.poll(() => doctor.of<ClipNote>('consult.clip').length).toBe(1);
    const note = doctor.of<ClipNote>('consult.clip')[0]!;
    expect(note).toMatchObject({ boothId: 'demo-booth-1', clip: { id: meta.id, point: 'mitral' }, url: `/api/clips/${meta.id}` });
    expect(await doctor.call('consult.clips', {})).toMatchObject({ clips: [{ clip: { id: meta.id } }] });

    const wav = await fetch(`${hub.url}${note.url}`, { headers: { cookie: doctor.cookie } });
    expect(wav.status).toBe(200);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await wav.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await fetch(`${hub.url}${note.url}`, { headers: { cookie: await cookieOf(1) } })).status).toBe(404);
    expect((await fetch(`${hub.url}${note.url}`)).status).toBe(401);
    // A photo's URL does not serve a clip.
    expect((await fetch(`${hub.url}/api/photos/${meta.id}`, { headers: { cookie: doctor.cookie } })).status).toBe(404);
  });

  it('refuses a point that does not exist without asking the booth', async () => {
    const asked: unknown[] = [];
    const { doctor } = await claimed('demo-booth-1', (p) => { asked.push(p); return { recording: true }; });
    await expect(doctor.call('consult.recordClip', { point: 'spleen' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect(asked).toEqual([]);
  });

  it('tells the doctor, in words, why the booth did not record', async () => {
    const { doctor } = await claimed('demo-booth-1', () => { throw Object.assign(new Error('no stethoscope'), { code: 'NO_STETHOSCOPE' }); });
    await expect(doctor.call('consult.recordClip', { point: 'aortic' })).rejects.toMatchObject({ code: 'NO_STETHOSCOPE', message: expect.stringContaining('Aucun stéthoscope') });
  });

  it('tells the doctor that the stethoscope was unplugged during the recording', async () => {
    const { link, doctor } = await claimed('demo-booth-1', () => ({ recording: true }));
    const { requestId } = await doctor.call<{ requestId: string }>('consult.recordClip', { point: 'tricuspid' });
    await link.request('consult.clipFailed', { requestId, point: 'tricuspid', code: 'STETHOSCOPE_UNPLUGGED' });
    await expect.poll(() => doctor.of<ClipFailedNote>('consult.clipFailed').length).toBe(1);
    expect(doctor.of<ClipFailedNote>('consult.clipFailed')[0]).toMatchObject({ requestId, code: 'STETHOSCOPE_UNPLUGGED', message: expect.stringContaining('Le stéthoscope a été débranché pendant l’enregistrement') });
  });
});
