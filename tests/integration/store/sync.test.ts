import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { HubLink, type LinkStatus } from '../../../src/host/hub-link';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { BoothStore } from '../../../src/host/store/store';
import { OutboxSync, type NetworkStatusData } from '../../../src/host/sync/outbox-sync';
import type { Hub } from '../../../src/hub/server';
import type { RecordRepository } from '../../../src/hub/record/index';
import { exportSession } from '../../../src/hub/record/export';
import type { Media } from 'fhir/r4';
import { MAX_PHOTO_BYTES } from '../../../src/shared/binary-transfer';
import { PHOTO_CHUNK_BYTES } from '../../../src/shared/record-protocol';
import { BOOTH_SECRET, hubWithRecord, sessionEvent, silentLog, tempDir, temperature } from '../../helpers/store';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(boothId = 'A') {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const { hub, record } = await hubWithRecord(join(dir, 'hub'));
  cleanups.push(() => hub.close());
  const keys = new FakeKeyProvider();
  const store = BoothStore.open({ path: join(dir, 'booth.db'), keys, boothId });
  cleanups.push(() => store.close());
  const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId, token: BOOTH_SECRET, log: silentLog, minDelayMs: 20, maxDelayMs: 100 });
  cleanups.push(() => link.stop());
  return { dir, hub, record, store, keys, link };
}

function online(l: HubLink): Promise<void> {
  return l.status === 'online' ? Promise.resolve() : new Promise((r) => l.on('status', (s: LinkStatus) => s === 'online' && r()));
}

function drained(sync: OutboxSync, store: BoothStore): Promise<void> {
  return new Promise((resolve) => {
    const check = () => { if (store.pendingCount() === 0) resolve(); };
    sync.on('acked', check);
    check();
  });
}

describe('outbox sync to the hub record', () => {
  it('sends a photo larger than one chunk as raw bytes in binary frames, never base64 in JSON, and the hub holds it byte-identical', async () => {
    const { record, store, link } = await setup();
    const bytes = randomBytes(PHOTO_CHUNK_BYTES * 2 + 321);
    const meta = store.savePhoto({ id: uuidv7(), sessionId: 'session-1', mime: 'image/png', width: 1920, height: 1080, takenAt: new Date().toISOString(), polarisation: 'uv', bytes });
    const sent: { method: string; json: string; bytes?: number }[] = [];
    // The real link, watched: what each request puts in JSON and beside it.
    const watched = new Proxy(link, {
      get(target, prop) {
        if (prop === 'request') {
          return (method: string, params: unknown, opts?: { bytes?: Uint8Array }) => {
            sent.push({ method, json: JSON.stringify(params), ...(opts?.bytes ? { bytes: opts.bytes.length } : {}) });
            return target.request(method, params, opts);
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const sync = new OutboxSync({ store, channel: watched, log: silentLog });
    cleanups.push(() => sync.stop());
    sync.start();
    link.start();
    await drained(sync, store);
    expect((await record.photoBytes(meta.id))?.equals(bytes)).toBe(true);
    const chunks = sent.filter((r) => r.method !== 'record.ingest');
    expect(chunks.map((r) => [r.method, r.bytes])).toEqual([['record.blobChunk', PHOTO_CHUNK_BYTES], ['record.blobChunk', PHOTO_CHUNK_BYTES], ['record.blobChunk', 321]]);
    for (const r of sent) expect(r.json.length).toBeLessThan(2000);
  });


  it('sends everything written offline once the hub is reachable, in order, and empties the outbox', async () => {
    const { record, store, link } = await setup();
    const statuses: NetworkStatusData[] = [];
    const items = [temperature(36.4), sessionEvent('measure'), temperature(36.9)];
    store.saveReading(items[0] as never);
    store.saveSessionEvent(items[1] as never);
    store.saveReading(items[2] as never);
    const sync = new OutboxSync({ store, channel: link, log: silentLog, minDelayMs: 20, maxDelayMs: 100 });
    sync.on('networkStatus', (s) => statuses.push(s));
    cleanups.push(() => sync.stop());
    sync.start();
    expect(statuses[0]).toEqual({ hub: 'offline', pendingOutbox: 3 });
    link.start();
    await drained(sync, store);
    expect((await record.sessionItems('session-1')).map((s) => s.item.id)).toEqual(items.map((i) => i.id));
    expect((await record.sessionItems('session-1'))[0]!.item.data).toEqual(items[0]);
    expect(statuses.at(-1)).toEqual({ hub: 'online', pendingOutbox: 0 });
  });

  it('resumes after a host restart without storing anything twice in the record', async () => {
    const { dir, record, keys, link } = await setup();
    const path = join(dir, 'booth2.db');
    const first = BoothStore.open({ path, keys, boothId: 'A' });
    const rs = Array.from({ length: 5 }, (_, i) => temperature(36 + i / 10));
    rs.forEach((r) => first.saveReading(r));
    // The hub got the first two, but the booth died before marking them acknowledged.
    await link.start();
    await online(link);
    await link.request('record.ingest', { batchId: uuidv7(), items: first.outboxBatch(2).map((e) => first.recordItem(e)) });
    first.close();
    const second = BoothStore.open({ path, keys, boothId: 'A' });
    cleanups.push(() => second.close());
    const sync = new OutboxSync({ store: second, channel: link, log: silentLog });
    cleanups.push(() => sync.stop());
    sync.start();
    await drained(sync, second);
    expect((await record.boothItems('A')).map((s) => s.item.id)).toEqual(rs.map((r) => r.id));
  });

  it('uploads a photo in acknowledged chunks, resumes after a cut, and the hub holds the same bytes', async () => {
    const { record, store, link } = await setup();
    const bytes = randomBytes(PHOTO_CHUNK_BYTES * 3 + 17);
    const meta = store.savePhoto({ id: uuidv7(), sessionId: 'session-1', mime: 'image/jpeg', width: 1920, height: 1080, takenAt: new Date().toISOString(), polarisation: 'none', bytes });
    link.start();
    await online(link);
    // One chunk went up before the cut.
    await link.request('record.photoChunk', { photoId: meta.id, index: 0, count: meta.chunkCount, sha256: meta.sha256, data: store.readPhotoChunk(meta.id, 0).toString('base64') });
    store.markPhotoChunksUploaded(meta.id, 1);
    const sync = new OutboxSync({ store, channel: link, log: silentLog });
    cleanups.push(() => sync.stop());
    sync.start();
    await drained(sync, store);
    expect((await record.photoBytes(meta.id))?.equals(bytes)).toBe(true);
    expect((await record.sessionItems('session-1')).map((s) => s.item.kind)).toEqual(['photo']);
    const media = (await exportSession(record, 'session-1', 'P-1')).entry!.map((e) => e.resource!).find((r) => r.resourceType === 'Media') as Media;
    expect(Buffer.from(media.content.data!, 'base64').equals(bytes)).toBe(true);
  });
});

describe('hub ingest refuses bad input and stores nothing', () => {
  async function connected() {
    const ctx = await setup();
    ctx.link.start();
    await online(ctx.link);
    return ctx;
  }
  const item = (store: BoothStore) => {
    const r = temperature(37);
    store.saveReading(r);
    return store.recordItem(store.outboxBatch(1)[0]!);
  };

  it('acknowledges a duplicate without storing it twice', async () => {
    const { store, link, record } = await connected();
    const it1 = item(store);
    await expect(link.request('record.ingest', { batchId: uuidv7(), items: [it1] })).resolves.toEqual({ acked: [it1.id], duplicates: [] });
    await expect(link.request('record.ingest', { batchId: uuidv7(), items: [it1] })).resolves.toEqual({ acked: [], duplicates: [it1.id] });
    expect((await record.boothItems('A'))).toHaveLength(1);
  });

  it('still recognises a duplicate after the hub restarts on the same data directory, and reads back what it sealed', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const store = BoothStore.open({ path: join(dir, 'booth.db'), keys: new FakeKeyProvider(), boothId: 'A' });
    cleanups.push(() => store.close());
    const r = temperature(37.3);
    store.saveReading(r);
    const it1 = store.recordItem(store.outboxBatch(1)[0]!);
    for (const expected of [{ acked: [it1.id], duplicates: [] }, { acked: [], duplicates: [it1.id] }]) {
      const { hub, record } = await hubWithRecord(join(dir, 'hub'));
      const l = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: 'A', token: BOOTH_SECRET, log: silentLog });
      l.start();
      await online(l);
      await expect(l.request('record.ingest', { batchId: uuidv7(), items: [it1] })).resolves.toEqual(expected);
      expect((await record.boothItems('A')).map((s) => s.item.data)).toEqual([r]);
      await l.stop();
      await hub.close();
    }
  });

  it('refuses a replayed batch id', async () => {
    const { store, link, record } = await connected();
    const batchId = uuidv7();
    await link.request('record.ingest', { batchId, items: [item(store)] });
    await expect(link.request('record.ingest', { batchId, items: [item(store)] })).rejects.toMatchObject({ code: 'REPLAYED_BATCH' });
    expect((await record.boothItems('A'))).toHaveLength(1);
  });

  it('refuses an item of the wrong shape, and the valid items beside it are not stored', async () => {
    const { store, link, record } = await connected();
    const good = item(store);
    const bad = { ...item(store), data: { ...item(store).data, values: 'hot' } };
    await expect(link.request('record.ingest', { batchId: uuidv7(), items: [good, bad] })).rejects.toMatchObject({ code: 'INVALID_ITEM' });
    expect((await record.boothItems('A'))).toHaveLength(0);
  });

  it("refuses a booth claiming another booth's id in the payload", async () => {
    const { store, link, record } = await connected();
    const mine = item(store);
    const forged = { ...item(store), boothId: 'B' };
    await expect(link.request('record.ingest', { batchId: uuidv7(), items: [mine, forged] })).rejects.toMatchObject({ code: 'BOOTH_MISMATCH' });
    expect((await record.boothItems('A'))).toHaveLength(0);
    expect((await record.boothItems('B'))).toHaveLength(0);
  });

  it('refuses a batch of more than 500 items', async () => {
    const { store, link, record } = await connected();
    const one = item(store);
    const items = Array.from({ length: 501 }, () => ({ ...one, id: uuidv7() }));
    await expect(link.request('record.ingest', { batchId: uuidv7(), items })).rejects.toMatchObject({ code: 'BATCH_TOO_LARGE' });
    expect((await record.boothItems('A'))).toHaveLength(0);
  });

  it('refuses a photo chunk larger than 192 KiB and one claiming another photo\'s hash', async () => {
    const { link, record } = await connected();
    const photoId = uuidv7();
    const big = randomBytes(PHOTO_CHUNK_BYTES + 1).toString('base64');
    await expect(link.request('record.photoChunk', { photoId, index: 0, count: 2, sha256: 'a'.repeat(64), data: big })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await link.request('record.photoChunk', { photoId, index: 0, count: 2, sha256: 'a'.repeat(64), data: 'AAAA' });
    await expect(link.request('record.photoChunk', { photoId, index: 1, count: 2, sha256: 'b'.repeat(64), data: 'AAAA' })).rejects.toMatchObject({ code: 'PHOTO_MISMATCH' });
    expect(await record.photoBytes(photoId)).toBeNull();
  });

  it('refuses an oversized or hostile binary upload before storing any of it', async () => {
    const { link, record } = await connected();
    const blobId = uuidv7();
    const sha256 = 'c'.repeat(64);
    const upload = (p: Partial<{ contentType: string; totalBytes: number; index: number; count: number }>, bytes: Uint8Array) =>
      link.request('record.blobChunk', { blobId, contentType: 'image/jpeg', totalBytes: 10, index: 0, count: 1, sha256, ...p }, { bytes });
    const huge = MAX_PHOTO_BYTES + 1;
    await expect(upload({ totalBytes: huge, count: Math.ceil(huge / PHOTO_CHUNK_BYTES) }, randomBytes(PHOTO_CHUNK_BYTES))).rejects.toMatchObject({ code: 'BINARY_TOO_LARGE' });
    await expect(upload({}, randomBytes(PHOTO_CHUNK_BYTES))).rejects.toMatchObject({ code: 'BINARY_TOO_LARGE' });
    await expect(upload({}, randomBytes(9))).rejects.toMatchObject({ code: 'INVALID_CHUNK' });
    await expect(upload({ count: 3 }, randomBytes(10))).rejects.toMatchObject({ code: 'INVALID_CHUNK' });
    await expect(upload({ index: 1 }, randomBytes(10))).rejects.toMatchObject({ code: 'INVALID_CHUNK' });
    await expect(upload({ contentType: 'text/html' }, randomBytes(10))).rejects.toMatchObject({ code: 'BINARY_REFUSED_TYPE' });
    // The binary call in a JSON frame, and a base64 photo of more chunks than the cap allows.
    await expect(link.request('record.blobChunk', { blobId, contentType: 'image/jpeg', totalBytes: 4, index: 0, count: 1, sha256 })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(link.request('record.photoChunk', { photoId: blobId, index: 0, count: 1000, sha256, data: 'AAAA' })).rejects.toMatchObject({ code: 'BINARY_TOO_LARGE' });
    expect(await record.photoBytes(blobId)).toBeNull();
  });

  it('refuses the record item of a photo whose binary upload was cut, and keeps no record of it', async () => {
    const { store, link, record } = await connected();
    const bytes = randomBytes(PHOTO_CHUNK_BYTES + 10);
    const meta = store.savePhoto({ id: uuidv7(), sessionId: 's', mime: 'image/jpeg', width: 10, height: 10, takenAt: new Date().toISOString(), polarisation: 'none', bytes });
    expect(meta.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    await link.request('record.blobChunk', { blobId: meta.id, contentType: 'image/jpeg', totalBytes: bytes.length, index: 0, count: 2, sha256: meta.sha256 }, { bytes: store.readPhotoChunk(meta.id, 0) });
    const photoItem = store.recordItem(store.outboxBatch(1)[0]!);
    await expect(link.request('record.ingest', { batchId: uuidv7(), items: [photoItem] })).rejects.toMatchObject({ code: 'PHOTO_INCOMPLETE' });
    expect(await record.boothItems('A')).toHaveLength(0);
    expect(await record.photoBytes(meta.id)).toBeNull();
  });

  it('refuses a photo item whose chunks have not all arrived', async () => {
    const { store, link, record } = await connected();
    const meta = store.savePhoto({ id: uuidv7(), sessionId: 's', mime: 'image/png', width: 10, height: 10, takenAt: new Date().toISOString(), polarisation: 'uv', bytes: randomBytes(1000) });
    const photoItem = store.recordItem(store.outboxBatch(1)[0]!);
    expect(photoItem.id).toBe(meta.id);
    await expect(link.request('record.ingest', { batchId: uuidv7(), items: [photoItem] })).rejects.toMatchObject({ code: 'PHOTO_INCOMPLETE' });
    expect((await record.boothItems('A'))).toHaveLength(0);
  });
});

export type { Hub, RecordRepository };
