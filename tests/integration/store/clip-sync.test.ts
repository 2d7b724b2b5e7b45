/**
 * Stethoscope clips through the booth store, the outbox and the hub's
 * record: sealed at the booth, sent by the chunked binary call when the hub
 * is reachable, resumed after a cut, kept with their auscultation point;
 * a clip that is not what it claims is refused and nothing is stored.
 */
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { HubLink, type LinkStatus } from '../../../src/host/hub-link';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { BoothStore, type ClipInput } from '../../../src/host/store/store';
import { OutboxSync } from '../../../src/host/sync/outbox-sync';
import { MAX_CLIP_BYTES } from '../../../src/shared/binary-transfer';
import { PHOTO_CHUNK_BYTES } from '../../../src/shared/record-protocol';
import { decodeWav, encodeWav } from '../../../src/shared/wav';
import { BOOTH_SECRET, hubWithRecord, silentLog, tempDir } from '../../helpers/store';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const { hub, record } = await hubWithRecord(join(dir, 'hub'));
  cleanups.push(() => hub.close());
  const store = BoothStore.open({ path: join(dir, 'booth.db'), keys: new FakeKeyProvider(), boothId: 'A' });
  cleanups.push(() => store.close());
  const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: 'A', token: BOOTH_SECRET, log: silentLog, minDelayMs: 20, maxDelayMs: 100 });
  cleanups.push(() => link.stop());
  return { dir, record, store, link };
}

const online = (l: HubLink): Promise<void> =>
  l.status === 'online' ? Promise.resolve() : new Promise((r) => l.on('status', (s: LinkStatus) => s === 'online' && r()));

function drained(sync: OutboxSync, store: BoothStore): Promise<void> {
  return new Promise((resolve) => {
    const check = () => { if (store.pendingCount() === 0) resolve(); };
    sync.on('acked', check);
    check();
  });
}

/** A clip as the kiosk records it: 48 kHz, 16-bit, mono, a 100 Hz tone. */
function clip(seconds = 3, point: ClipInput['point'] = 'mitral'): ClipInput {
  const samples = new Float32Array(48_000 * seconds).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 100 * i) / 48_000));
  const bytes = Buffer.from(encodeWav({ sampleRate: 48_000, channels: [samples] }));
  return {
    id: uuidv7(), sessionId: 'session-1', point, mime: 'audio/wav', sampleRate: 48_000, bitsPerSample: 16, channels: 1,
    durationMs: seconds * 1000, recordedAt: new Date().toISOString(), bytes,
  };
}

describe('stethoscope clips from the booth to the record', () => {
  it('keeps a clip recorded while the hub is away, sends it once the hub is back, byte-identical with its point', async () => {
    const { record, store, link } = await setup();
    const input = clip(3);
    const meta = store.saveClip(input);
    expect(meta.chunkCount).toBe(Math.ceil(input.bytes.length / PHOTO_CHUNK_BYTES));
    const sync = new OutboxSync({ store, channel: link, log: silentLog, minDelayMs: 20, maxDelayMs: 100 });
    cleanups.push(() => sync.stop());
    sync.start();
    expect(store.pendingCount()).toBe(1);
    link.start();
    await drained(sync, store);
    const bytes = await record.photoBytes(meta.id);
    expect(bytes?.equals(input.bytes)).toBe(true);
    const wav = decodeWav(bytes!);
    expect(wav.sampleRate).toBe(48_000);
    expect(wav.channels[0]!.length).toBe(3 * 48_000);
    const [stored] = await record.sessionItems('session-1');
    expect(stored!.item).toMatchObject({ kind: 'clip', data: { id: meta.id, point: 'mitral', durationMs: 3000, sampleRate: 48_000, bitsPerSample: 16 } });
  });

  it('resumes an upload cut midway at the next chunk, sends nothing twice, and loses nothing', async () => {
    const { record, store, link } = await setup();
    const input = clip(8);
    const meta = store.saveClip(input);
    expect(meta.chunkCount).toBeGreaterThan(3);
    const sent: number[] = [];
    let cut = false;
    // The link drops during the third chunk, once.
    const flaky = new Proxy(link, {
      get(target, prop) {
        if (prop === 'request') {
          return (method: string, params: { index?: number }, opts?: { bytes?: Uint8Array }) => {
            if (method === 'record.blobChunk') {
              if (params.index === 2 && !cut) {
                cut = true;
                return Promise.reject(Object.assign(new Error('link lost'), { code: 'LINK_DOWN' }));
              }
              sent.push(params.index!);
            }
            return target.request(method, params, opts);
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const sync = new OutboxSync({ store, channel: flaky, log: silentLog, minDelayMs: 20, maxDelayMs: 100 });
    cleanups.push(() => sync.stop());
    sync.start();
    link.start();
    await drained(sync, store);
    expect(cut).toBe(true);
    expect(sent).toEqual(Array.from({ length: meta.chunkCount }, (_, i) => i));
    expect((await record.photoBytes(meta.id))?.equals(input.bytes)).toBe(true);
    expect((await record.sessionItems('session-1')).map((s) => s.item.kind)).toEqual(['clip']);
  });
});

describe('the hub refuses a clip that is not what it claims, and stores nothing', () => {
  async function connected() {
    const ctx = await setup();
    ctx.link.start();
    await online(ctx.link);
    return ctx;
  }
  async function upload(link: HubLink, store: BoothStore, id: string): Promise<void> {
    const m = store.getClipMeta(id)!;
    for (let index = 0; index < m.chunkCount; index++) {
      await link.request('record.blobChunk', { blobId: id, contentType: 'audio/wav', totalBytes: m.byteLength, index, count: m.chunkCount, sha256: m.sha256 }, { bytes: store.readClipChunk(id, index) });
    }
  }

  it('refuses a clip naming a point that does not exist', async () => {
    const { record, store, link } = await connected();
    const meta = store.saveClip(clip(1));
    await upload(link, store, meta.id);
    const item = store.recordItem(store.outboxBatch(1)[0]!);
    const hostile = { ...item, data: { ...item.data, point: 'spleen' } };
    await expect(link.request('record.ingest', { batchId: uuidv7(), items: [hostile] })).rejects.toMatchObject({ code: 'INVALID_ITEM' });
    expect(await record.boothItems('A')).toEqual([]);
  });

  it('refuses a clip whose bytes have not all arrived, or do not hold the WAV its metadata describes', async () => {
    const { record, store, link } = await connected();
    const meta = store.saveClip(clip(2));
    const item = store.recordItem(store.outboxBatch(1)[0]!);
    await expect(link.request('record.ingest', { batchId: uuidv7(), items: [item] })).rejects.toMatchObject({ code: 'CLIP_INCOMPLETE' });
    await upload(link, store, meta.id);
    // Whole and hashed, but 2 s at 48 kHz claimed as 15 s at 44.1 kHz.
    const lying = { ...item, data: { ...item.data, durationMs: 15_000, sampleRate: 44_100 } };
    await expect(link.request('record.ingest', { batchId: uuidv7(), items: [lying] })).rejects.toMatchObject({ code: 'CLIP_MISMATCH' });
    expect(await record.boothItems('A')).toEqual([]);
  });

  it('refuses a clip upload over its cap or of another audio type before storing any of it', async () => {
    const { record, link } = await connected();
    const blobId = uuidv7();
    const send = (p: Partial<{ contentType: string; totalBytes: number; count: number }>) =>
      link.request('record.blobChunk', { blobId, contentType: 'audio/wav', totalBytes: 10, index: 0, count: 1, sha256: 'c'.repeat(64), ...p }, { bytes: new Uint8Array(PHOTO_CHUNK_BYTES) });
    const huge = MAX_CLIP_BYTES + 1;
    await expect(send({ totalBytes: huge, count: Math.ceil(huge / PHOTO_CHUNK_BYTES) })).rejects.toMatchObject({ code: 'BINARY_TOO_LARGE' });
    await expect(send({ contentType: 'audio/ogg', totalBytes: PHOTO_CHUNK_BYTES })).rejects.toMatchObject({ code: 'BINARY_REFUSED_TYPE' });
    expect(await record.photoBytes(blobId)).toBeNull();
  });
});
