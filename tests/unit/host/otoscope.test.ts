/**
 * The otoscope in the host: a UVC camera no driver sees, listed among the
 * booth's devices as the kiosk page finds it (kiosk-config `media.otoscope`),
 * asked for with its ear, and its still stored sealed as the otoscope's with
 * the ear as body site.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Host } from '../../../src/host/host';
import type { DeviceStatus } from '../../../src/shared/domain';
import type { MediaSelection } from '../../../src/shared/media-devices';
import { createLogger } from '../../../src/node/logger';
import { testConfig } from '../../helpers/config';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const identity = { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' };
const REQUEST_ID = '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function startHost(media: MediaSelection) {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-otoscope-'));
  const config = testConfig({ media, store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 } });
  const host = new Host(config, silent, { clock: { now: () => Date.parse('2026-11-23T10:00:00Z') }, drivers: [] });
  const statuses: DeviceStatus[] = [];
  host.on('kioskEvent', (e: { name: string; data: unknown }) => { if (e.name === 'deviceStatus') statuses.push(e.data as DeviceStatus); });
  host.start();
  cleanups.push(async () => {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { host, statuses };
}

async function inCall(host: Host): Promise<void> {
  for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }] as const) await host.dispatch('sendEvent', { event });
  host.sendHostEvent({ type: 'ASSISTANT_LOGIN' });
  host.sendHostEvent({ type: 'SET_IDENTITY', identity });
  host.sendHostEvent({ type: 'ASSISTANT_LOGOUT' });
  host.sendHostEvent({ type: 'CLAIMED' });
}

async function upload(host: Host, bytes: Buffer): Promise<string> {
  const transferId = randomUUID();
  await host.dispatch('binaryBegin', { transferId, contentType: 'image/jpeg', totalBytes: bytes.length });
  await host.dispatch('binaryChunk', { transferId, index: 0 }, bytes);
  return ((await host.dispatch('binaryEnd', { transferId })) as { uploadId: string }).uploadId;
}

describe('otoscope among the booth devices', () => {
  it('is listed when kiosk-config names it, ready when the kiosk page finds its camera, unplugged (a device fault) when it does not', async () => {
    const { host, statuses } = startHost({ otoscope: { label: 'Otoscope' } });
    expect(await host.dispatch('reportInstrumentCamera', { role: 'otoscope', present: true, label: 'USB Otoscope (1bcf:2c99)' })).toEqual({ accepted: true });
    expect(statuses.at(-1)).toMatchObject({ deviceId: 'otoscope', kind: 'otoscope', state: 'ready', info: { kind: 'otoscope', model: 'USB Otoscope (1bcf:2c99)' } });
    await inCall(host);
    await host.dispatch('reportInstrumentCamera', { role: 'otoscope', present: false });
    expect(statuses.at(-1)).toMatchObject({ deviceId: 'otoscope', kind: 'otoscope', state: 'disconnected', error: { code: 'DISCONNECTED' } });
    expect(host.view().context.deviceFault).toMatchObject({ deviceId: 'otoscope', kind: 'otoscope' });
    await host.dispatch('reportInstrumentCamera', { role: 'otoscope', present: true, label: 'USB Otoscope (1bcf:2c99)' });
    expect(host.view().context.deviceFault).toBeNull();
  });

  it('lists no otoscope the kiosk page has not found yet (nothing to ask for, no fault: it was never there)', async () => {
    const { host, statuses } = startHost({ otoscope: { label: 'Otoscope' } });
    expect(await host.dispatch('reportInstrumentCamera', { role: 'otoscope', present: false })).toEqual({ accepted: true });
    expect(statuses).toEqual([]);
    await inCall(host);
    expect(host.view().context.deviceFault).toBeNull();
  });

  it('has no otoscope when kiosk-config names none: a report of one is not taken', async () => {
    const { host, statuses } = startHost({});
    expect(await host.dispatch('reportInstrumentCamera', { role: 'otoscope', present: true, label: 'USB Otoscope' })).toEqual({ accepted: false });
    expect(statuses).toEqual([]);
  });
});

describe('otoscope still', () => {
  it('goes from the request with its ear to the guidance and the capture without asking any driver, and is stored as the otoscope\'s with the ear', async () => {
    const { host } = startHost({ otoscope: { label: 'Otoscope' } });
    await host.dispatch('reportInstrumentCamera', { role: 'otoscope', present: true, label: 'USB Otoscope (1bcf:2c99)' });
    await inCall(host);
    expect(host.consult.measurementRequested({ requestId: REQUEST_ID, kind: 'otoscope-photo', ear: 'left' })).toEqual({ accepted: true });
    expect(host.view()).toMatchObject({ state: 'consultation.guidance', context: { measurement: { kind: 'otoscope-photo', ear: 'left', stepCount: 3 } } });
    for (let i = 0; i < 3; i++) await host.dispatch('sendEvent', { event: { type: 'NEXT' } });
    // No driver takes the otoscope's still: the measuring screen waits for the kiosk's capture, no error.
    await new Promise((r) => setImmediate(r));
    expect(host.view().state).toBe('consultation.measuring');
    const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
    const { photoId } = (await host.dispatch('capturePhoto', { width: 1280, height: 960, polarisation: 'none', modality: 'otoscope', uploadId: await upload(host, jpeg) })) as { photoId: string };
    expect(host.view().state).toBe('consultation.result');
    expect(host.store?.getPhotoMeta(photoId)).toMatchObject({
      width: 1280, height: 960, modality: 'otoscope', ear: 'left', bodySite: 'oreille gauche', device: { kind: 'otoscope', model: 'USB Otoscope (1bcf:2c99)' },
    });
    expect(host.store?.readPhoto(photoId).equals(jpeg)).toBe(true);
  });

  it('refuses a request for an ear that does not exist, and an otoscope request with no ear', () => {
    const { host } = startHost({ otoscope: { label: 'Otoscope' } });
    expect(() => host.consult.measurementRequested({ requestId: REQUEST_ID, kind: 'otoscope-photo', ear: 'middle' })).toThrow();
    expect(() => host.consult.measurementRequested({ requestId: REQUEST_ID, kind: 'otoscope-photo' })).toThrow();
    expect(() => host.consult.measurementRequested({ requestId: REQUEST_ID, kind: 'otoscope-photo', ear: 'left', bodySite: 'nez' })).toThrow();
    expect(() => host.consult.measurementRequested({ requestId: REQUEST_ID, kind: 'temperature', ear: 'left' })).toThrow();
  });
});
