/**
 * The guided auscultation through a real hub: the console's point, breath
 * instruction and stop reach the booth of its room as
 * `consult.auscultationRequested`, and the booth's progress comes back to
 * that console only; refusals are in French and say what to do.
 */
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HubLink } from '../../../src/host/hub-link';
import type { Hub } from '../../../src/hub/server';
import { AUSCULTATION, type AuscultationProgress } from '../../../src/shared/consult-protocol';
import { BOOTH_SECRETS, SPECIALISTS, startTestHub, testHubConfig } from '../../helpers/hub';
import { silentLog, tempDir } from '../../helpers/store';
import { ConsoleClient } from '../../resilience/support/clients';

let hub: Hub;
let dataDir: { dir: string; cleanup: () => void };
const links: HubLink[] = [];
const consoles: ConsoleClient[] = [];

beforeAll(async () => {
  dataDir = tempDir('cabine-ausc-');
  const config = await testHubConfig();
  hub = await startTestHub({ consoleDir: '/nonexistent', config: { ...config, dataDir: dataDir.dir } });
});

afterEach(async () => {
  for (const c of consoles.splice(0)) {
    if (c.ws.readyState === WebSocket.OPEN) await c.call('room.leave', {}).catch(() => undefined);
    c.ws.terminate();
  }
  for (const l of links.splice(0)) await l.stop();
  await expect.poll(() => hub.media!.service.roomCount()).toBe(0);
});

afterAll(async () => {
  await hub?.close();
  dataDir?.cleanup();
});

async function specialist(i: 0 | 1): Promise<ConsoleClient> {
  const who = SPECIALISTS[i];
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: who.email, password: who.password }) });
  const client = await ConsoleClient.open(hub.url, { cookie: res.headers.get('set-cookie')!.split(';')[0]!, origin: hub.url });
  consoles.push(client);
  return client;
}

async function claimed(boothId: keyof typeof BOOTH_SECRETS, answer: (p: unknown) => unknown): Promise<{ link: HubLink; doctor: ConsoleClient }> {
  const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId, token: BOOTH_SECRETS[boothId], log: silentLog, minDelayMs: 50, maxDelayMs: 100 });
  link.handle(AUSCULTATION.requested, answer);
  links.push(link);
  link.start();
  await new Promise<void>((resolve) => (link.status === 'online' ? resolve() : link.on('status', (s) => s === 'online' && resolve())));
  await link.request('queue.join', { sessionId: uuidv7() });
  const doctor = await specialist(0);
  await doctor.call('queue.claim', { boothId });
  return { link, doctor };
}

describe('auscultation through the hub', () => {
  it('takes the point, the breath and the stop to the booth, and brings its progress back to the claimant only', async () => {
    const received: unknown[] = [];
    const { link, doctor } = await claimed('demo-booth-1', (p) => {
      received.push(p);
      return { accepted: true };
    });
    const other = await specialist(1);
    expect(await doctor.call(AUSCULTATION.auscultate, { point: 'mitral' })).toEqual({ accepted: true });
    expect(await doctor.call(AUSCULTATION.breath, { instruction: 'deep' })).toEqual({ accepted: true });
    expect(await doctor.call(AUSCULTATION.stop, {})).toEqual({ accepted: true });
    expect(received).toEqual([{ action: 'listen', point: 'mitral' }, { action: 'breath', instruction: 'deep' }, { action: 'stop' }]);

    const listening: AuscultationProgress = { point: 'mitral', stage: 'listening', breath: null, at: new Date().toISOString() };
    await link.request(AUSCULTATION.progress, listening);
    await expect.poll(() => doctor.of<AuscultationProgress>(AUSCULTATION.progressNote)).toEqual([listening]);
    expect(other.of(AUSCULTATION.progressNote)).toEqual([]);
  });

  it('refuses a point that does not exist with a French message naming the points, before the booth hears of it', async () => {
    const received: unknown[] = [];
    const { doctor } = await claimed('demo-booth-1', (p) => {
      received.push(p);
      return { accepted: true };
    });
    await expect(doctor.call(AUSCULTATION.auscultate, { point: 'spleen' })).rejects.toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining('Point d’auscultation inconnu') });
    await expect(doctor.call(AUSCULTATION.breath, { instruction: 'sing' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect(received).toEqual([]);
  });

  it('says so when the patient is not on the consultation screen, when the booth is offline, and without a room', async () => {
    const { link, doctor } = await claimed('demo-booth-2', () => ({ accepted: false }));
    await expect(doctor.call(AUSCULTATION.auscultate, { point: 'aortic' })).rejects.toMatchObject({ code: 'NOT_NOW', message: expect.stringContaining('écran de consultation') });
    await link.stop();
    await expect.poll(() => hub.booths.peer('demo-booth-2')).toBeUndefined();
    await expect(doctor.call(AUSCULTATION.auscultate, { point: 'aortic' })).rejects.toMatchObject({ code: 'BOOTH_OFFLINE', message: expect.stringContaining('hors ligne') });
    const lonely = await specialist(1);
    await expect(lonely.call(AUSCULTATION.stop, {})).rejects.toMatchObject({ code: 'NO_ROOM' });
  });
});
