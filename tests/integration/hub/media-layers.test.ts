/**
 * The video layers a side asks for, and the call's quality figures for the
 * record: a consumer's layers are set only within what its producer
 * announced, a producer that announces layers beyond what the hub accepts
 * is refused, and each side's quality report is kept with the consultation.
 * Real hub, real mediasoup worker; producers announced from Node (no media
 * needs to flow for the router to take them).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HubLink } from '../../../src/host/hub-link';
import type { Hub } from '../../../src/hub/server';
import { createLogger } from '../../../src/node/logger';
import type { CallQuality } from '../../../src/shared/media-protocol';
import { BOOTH_SECRETS, SPECIALISTS, startTestHub } from '../../helpers/hub';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
let hub: Hub;
const links: HubLink[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  hub = await startTestHub({ consoleDir: '/nonexistent', media: { graceMs: 200 } });
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const l of links.splice(0)) await l.stop();
});

afterAll(async () => {
  await hub?.close();
});

type Frame = { ok: boolean; r?: unknown; e?: { code: string; message?: string } };

/** A console connection speaking the hub protocol from Node. */
class ConsoleClient {
  private nextId = 1;
  private readonly pending = new Map<number, (frame: Frame) => void>();
  /** The hub's notes, in order. */
  readonly notes: { m: string; p: unknown }[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const f = JSON.parse(raw.toString()) as Frame & { t: string; id: number; m: string; p: unknown };
      if (f.t === 'res') this.pending.get(f.id)?.(f);
      if (f.t === 'note') this.notes.push({ m: f.m, p: f.p });
    });
  }
  async call<T = unknown>(m: string, p: unknown): Promise<T> {
    const id = this.nextId++;
    const frame = await new Promise<Frame>((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ t: 'req', id, m, p }));
    });
    if (!frame.ok) throw Object.assign(new Error(frame.e!.message ?? frame.e!.code), { code: frame.e!.code });
    return frame.r as T;
  }
}

async function specialist(): Promise<ConsoleClient> {
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SPECIALISTS[0].email, password: SPECIALISTS[0].password }) });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const ws = new WebSocket(`ws://127.0.0.1:${hub.port}/console`, { headers: { cookie, origin: hub.url } });
  sockets.push(ws);
  await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  return new ConsoleClient(ws);
}

async function booth(): Promise<HubLink> {
  const l = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: 'demo-booth-1', token: BOOTH_SECRETS['demo-booth-1'], log: silent, minDelayMs: 50, maxDelayMs: 100 });
  links.push(l);
  l.start();
  await new Promise<void>((resolve) => (l.status === 'online' ? resolve() : l.on('status', (s) => s === 'online' && resolve())));
  return l;
}

const vp8 = { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 };
const simulcast = (encodings: object[]) => ({ mid: '0', codecs: [vp8], encodings, rtcp: { cname: 'booth' } });
const threeLayers = [{ ssrc: 1001, scalabilityMode: 'L1T3' }, { ssrc: 1002, scalabilityMode: 'L1T3' }, { ssrc: 1003, scalabilityMode: 'L1T3' }];

async function inCall(sessionId: string): Promise<{ b: HubLink; doctor: ConsoleClient; sendId: string; recvId: string; caps: unknown }> {
  const b = await booth();
  const doctor = await specialist();
  await b.request('queue.join', { sessionId });
  await doctor.call('queue.claim', { boothId: 'demo-booth-1' });
  await b.request('media.capabilities', {});
  const { rtpCapabilities: caps } = await doctor.call<{ rtpCapabilities: unknown }>('media.capabilities', {});
  const send = await b.request<{ id: string }>('media.createTransport', { direction: 'send' });
  const recv = await doctor.call<{ id: string }>('media.createTransport', { direction: 'recv' });
  return { b, doctor, sendId: send.id, recvId: recv.id, caps };
}

function quality(over: Partial<CallQuality> = {}): CallQuality {
  return {
    durationSeconds: 42,
    receive: { audioConcealedRatio: 0.004, videoFreezeCount: 1, videoFreezeSeconds: 0.6, videoFps: 24.5, videoWidth: 640, videoHeight: 480, videoKbps: 850, audioKbps: 38 },
    send: { videoKbps: 900, audioKbps: 40, videoWidth: 640, videoHeight: 480 },
    rttMs: 48, path: 'udp', audioOnlySeconds: 0, audioOnlyEpisodes: 0, line: { receive: 'good', send: 'good' },
    ...over,
  };
}

describe('the layers a side asks for', () => {
  it('sets layers within what the producer announced and refuses any beyond, or on a video with one layer', async () => {
    const { b, doctor, sendId, recvId, caps } = await inCall('sess-layers');
    const { id: cameraId } = await b.request<{ id: string }>('media.produce', { transportId: sendId, kind: 'video', source: 'camera', rtpParameters: simulcast(threeLayers) });
    const consumer = await doctor.call<{ id: string }>('media.consume', { transportId: recvId, producerId: cameraId, rtpCapabilities: caps });

    await expect(doctor.call('media.setPreferredLayers', { consumerId: consumer.id, spatialLayer: 1, temporalLayer: 2 })).resolves.toEqual({ ok: true });
    const held = hub.media!.service.roomOfBooth('demo-booth-1')!.sides.specialist!.consumers.get(consumer.id)!;
    expect(held.preferredLayers).toEqual({ spatialLayer: 1, temporalLayer: 2 });

    // Three spatial layers announced (0..2), three temporal (0..2).
    await expect(doctor.call('media.setPreferredLayers', { consumerId: consumer.id, spatialLayer: 3 })).rejects.toMatchObject({ code: 'LAYERS_REFUSED' });
    await expect(doctor.call('media.setPreferredLayers', { consumerId: consumer.id, spatialLayer: 0, temporalLayer: 3 })).rejects.toMatchObject({ code: 'LAYERS_REFUSED' });
    await expect(doctor.call('media.setPreferredLayers', { consumerId: consumer.id, spatialLayer: -1 })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    // The refusals changed nothing.
    expect(held.preferredLayers).toEqual({ spatialLayer: 1, temporalLayer: 2 });

    // A single-layer video has no layers to choose.
    const { id: plainId } = await b.request<{ id: string }>('media.produce', { transportId: sendId, kind: 'video', source: 'dermatoscope', rtpParameters: { ...simulcast([{ ssrc: 2001 }]), mid: '1' } });
    const plain = await doctor.call<{ id: string }>('media.consume', { transportId: recvId, producerId: plainId, rtpCapabilities: caps });
    await expect(doctor.call('media.setPreferredLayers', { consumerId: plain.id, spatialLayer: 0 })).rejects.toMatchObject({ code: 'LAYERS_REFUSED' });

    // Only one's own consumers: the booth cannot steer the doctor's.
    await expect(b.request('media.setPreferredLayers', { consumerId: consumer.id, spatialLayer: 0 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await doctor.call('room.leave', {});
  });

  it('refuses a producer that announces more layers than the hub accepts, and keeps the call', async () => {
    const { b, doctor, sendId } = await inCall('sess-bad-layers');
    const four = [...threeLayers, { ssrc: 1004, scalabilityMode: 'L1T3' }];
    await expect(b.request('media.produce', { transportId: sendId, kind: 'video', source: 'camera', rtpParameters: simulcast(four) })).rejects.toMatchObject({ code: 'LAYERS_REFUSED' });
    await expect(b.request('media.produce', { transportId: sendId, kind: 'video', source: 'camera', rtpParameters: simulcast([{ ssrc: 1001, scalabilityMode: 'L7T9' }]) })).rejects.toMatchObject({ code: 'LAYERS_REFUSED' });
    await expect(b.request('media.produce', {
      transportId: sendId, kind: 'audio', source: 'microphone',
      rtpParameters: { mid: '2', codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 3001 }, { ssrc: 3002 }], rtcp: { cname: 'booth' } },
    })).rejects.toMatchObject({ code: 'LAYERS_REFUSED' });
    // The same side then produces a proper simulcast camera.
    await expect(b.request('media.produce', { transportId: sendId, kind: 'video', source: 'camera', rtpParameters: simulcast(threeLayers) })).resolves.toMatchObject({ id: expect.any(String) });
    await doctor.call('room.leave', {});
  });
});

describe('the call\'s quality figures', () => {
  it('keeps each side\'s latest report with the consultation, and refuses a malformed one', async () => {
    const { b, doctor } = await inCall('sess-quality');
    await b.request('media.qualityReport', quality({ durationSeconds: 10 }));
    await b.request('media.qualityReport', quality({ durationSeconds: 20, path: 'relay-tls', audioOnlySeconds: 6, audioOnlyEpisodes: 1 }));
    await doctor.call('media.qualityReport', quality({ line: { receive: 'degraded', send: 'good' } }));
    await expect(doctor.call('media.qualityReport', { ...quality(), receive: { ...quality().receive, audioConcealedRatio: 3 } })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(doctor.call('media.qualityReport', { ...quality(), patient: 'Jeanne' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });

    await expect.poll(async () => (await hub.record.repo.callQuality('sess-quality')).length).toBe(2);
    const stored = await hub.record.repo.callQuality('sess-quality');
    expect(stored.find((s) => s.side === 'booth')).toMatchObject({ boothId: 'demo-booth-1', quality: { durationSeconds: 20, path: 'relay-tls', audioOnlyEpisodes: 1 } });
    expect(stored.find((s) => s.side === 'specialist')).toMatchObject({ quality: { line: { receive: 'degraded' } } });
    await doctor.call('room.leave', {});
  });
});

describe('a side whose network blocks the media', () => {
  it('is told to the other side, both when it is blocked and when the path is found again, and a malformed report is refused', async () => {
    const { b, doctor } = await inCall('sess-path');
    const heard: unknown[] = [];
    b.on('note', (m: string, p: unknown) => { if (m === 'media.peerPath') heard.push(p); });
    const peerPath = () => doctor.notes.filter((n) => n.m === 'media.peerPath').map((n) => n.p);

    await expect(b.request('media.pathReport', { blocked: true })).resolves.toEqual({ ok: true });
    await expect.poll(peerPath).toEqual([{ side: 'booth', blocked: true }]);
    await b.request('media.pathReport', { blocked: false });
    await expect.poll(peerPath).toEqual([{ side: 'booth', blocked: true }, { side: 'booth', blocked: false }]);
    // The doctor's own path, told to the booth.
    await doctor.call('media.pathReport', { blocked: true });
    await expect.poll(() => heard).toEqual([{ side: 'specialist', blocked: true }]);

    await expect(b.request('media.pathReport', { blocked: 'yes' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(doctor.call('media.pathReport', { blocked: true, side: 'booth' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect(peerPath()).toHaveLength(2);
    await doctor.call('room.leave', {});
  });
});
