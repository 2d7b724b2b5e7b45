/**
 * An upload the booth counts done while the real hub lacks some of its
 * chunks (an answer that crossed a line drop on a slow uplink, issue #20's
 * bench: the clip's item was then refused CLIP_INCOMPLETE at every retry and
 * the case never reached the doctor). The booth must notice — from the hub's
 * count after the last chunk, or from its `*_INCOMPLETE` refusal of the item —
 * send the upload again, and lose nothing. Real booth store file, real hub
 * with its record (SQLite, or PostgreSQL with CABINE_TEST_HUB_STORE=postgresql),
 * real HubLink over a socket.
 */
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { HubLink, type LinkStatus } from '../../../src/host/hub-link';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { BoothStore } from '../../../src/host/store/store';
import { OutboxSync } from '../../../src/host/sync/outbox-sync';
import { codeOf } from '../../../src/shared/errors';
import { PHOTO_CHUNK_BYTES } from '../../../src/shared/record-protocol';
import { encodeWav } from '../../../src/shared/wav';
import { BOOTH_SECRETS, startTestHub } from '../../helpers/hub';
import { silentLog, tempDir } from '../../helpers/store';

const BOOTH = 'demo-booth-1';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const hub = await startTestHub({ port: 0, media: false });
  cleanups.push(() => hub.close());
  const record = hub.record.repo;
  const store = BoothStore.open({ path: join(dir, 'booth.db'), keys: new FakeKeyProvider(), boothId: BOOTH });
  cleanups.push(() => store.close());
  const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: BOOTH, token: BOOTH_SECRETS[BOOTH], log: silentLog, minDelayMs: 20, maxDelayMs: 100 });
  cleanups.push(() => link.stop());
  link.start();
  await new Promise<void>((r) => (link.status === 'online' ? r() : link.on('status', (s: LinkStatus) => s === 'online' && r())));
  return { record, store, link };
}

/** Incompressible-looking bytes of a given length (not all one value: a chunk mixed up would show). */
function bytesOf(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return b;
}

/** One upload of each kind, each over three chunks, as the booth stores them. */
const UPLOADS = {
  photo(store: BoothStore) {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), bytesOf(3 * PHOTO_CHUNK_BYTES, 1)]);
    const m = store.savePhoto({ id: uuidv7(), sessionId: 'session-1', mime: 'image/jpeg', width: 1920, height: 1080, takenAt: new Date().toISOString(), polarisation: 'none', bytes });
    return { id: m.id, bytes, count: m.chunkCount, contentType: m.mime, sha256: m.sha256, read: (i: number) => store.readPhotoChunk(m.id, i), done: () => store.markPhotoChunksUploaded(m.id, m.chunkCount) };
  },
  clip(store: BoothStore) {
    const samples = new Float32Array(48_000 * 5).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 100 * i) / 48_000));
    const bytes = Buffer.from(encodeWav({ sampleRate: 48_000, channels: [samples] }));
    const m = store.saveClip({ id: uuidv7(), sessionId: 'session-1', point: 'mitral', mime: 'audio/wav', sampleRate: 48_000, bitsPerSample: 16, channels: 1, durationMs: 5000, recordedAt: new Date().toISOString(), bytes });
    return { id: m.id, bytes, count: m.chunkCount, contentType: m.mime, sha256: m.sha256, read: (i: number) => store.readClipChunk(m.id, i), done: () => store.markClipChunksUploaded(m.id, m.chunkCount) };
  },
  video(store: BoothStore) {
    const bytes = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), bytesOf(3 * PHOTO_CHUNK_BYTES, 2)]);
    const m = store.saveVideo({ id: uuidv7(), sessionId: 'session-1', mime: 'video/webm', durationMs: 20_000, width: 640, height: 480, recordedAt: new Date().toISOString(), bytes });
    return { id: m.id, bytes, count: m.chunkCount, contentType: m.mime, sha256: m.sha256, read: (i: number) => store.readVideoChunk(m.id, i), done: () => store.markVideoChunksUploaded(m.id, m.chunkCount) };
  },
};

/** The outbox over `channel` until the store is empty, or until the hub has refused the batch `limit` times (then it would never end). */
async function drainOrGiveUp(store: BoothStore, channel: HubLink, limit = 4): Promise<string[]> {
  const refusals: string[] = [];
  const watched = new Proxy(channel, {
    get(target, prop) {
      if (prop === 'request') {
        return (method: string, params: unknown, opts?: { bytes?: Uint8Array }) => target.request(method, params, opts).catch((error: unknown) => {
          if (method === 'record.ingest') refusals.push(codeOf(error) ?? 'INTERNAL');
          throw error;
        });
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const sync = new OutboxSync({ store, channel: watched, log: silentLog, minDelayMs: 10, maxDelayMs: 40 });
  cleanups.push(() => sync.stop());
  sync.start();
  await expect.poll(() => store.pendingCount() === 0 || refusals.length >= limit, { timeout: 20_000 }).toBe(true);
  return refusals;
}

describe.each(Object.keys(UPLOADS) as (keyof typeof UPLOADS)[])('a %s the booth counts uploaded while the hub lacks chunks of it', (kind) => {
  it('is sent again when the hub refuses its item as incomplete, instead of being retried forever', async () => {
    const { record, store, link } = await setup();
    const up = UPLOADS[kind](store);
    expect(up.count).toBeGreaterThanOrEqual(3);
    // Only the first chunk reached the hub, yet the booth's store says every chunk went up.
    await link.request('record.blobChunk', { blobId: up.id, contentType: up.contentType, totalBytes: up.bytes.length, index: 0, count: up.count, sha256: up.sha256 }, { bytes: up.read(0) });
    up.done();
    const refusals = await drainOrGiveUp(store, link);
    expect(refusals).toEqual([`${kind.toUpperCase()}_INCOMPLETE`]);
    expect(store.pendingCount()).toBe(0);
    expect((await record.photoBytes(up.id))?.equals(up.bytes)).toBe(true);
    expect((await record.sessionItems('session-1')).map((s) => s.item.kind)).toEqual([kind]);
  });
});

describe('a chunk answered as stored that the hub never got', () => {
  it('is noticed from the hub\'s count after the last chunk and sent again before the item, which the hub then takes whole', async () => {
    const { record, store, link } = await setup();
    const up = UPLOADS.clip(store);
    let swallowed = false;
    // An answer that crossed a line drop: the booth hears "stored" for chunk 1, which never reached the hub.
    const lossy = new Proxy(link, {
      get(target, prop) {
        if (prop === 'request') {
          return (method: string, params: { index?: number }, opts?: { bytes?: Uint8Array }) => {
            if (method === 'record.blobChunk' && params.index === 1 && !swallowed) {
              swallowed = true;
              return Promise.resolve({ index: 1, received: 2 });
            }
            return target.request(method, params, opts);
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const refusals = await drainOrGiveUp(store, lossy);
    expect(swallowed).toBe(true);
    expect(refusals).toEqual([]);
    expect(store.pendingCount()).toBe(0);
    expect((await record.photoBytes(up.id))?.equals(up.bytes)).toBe(true);
    expect((await record.sessionItems('session-1')).map((s) => s.item.kind)).toEqual(['clip']);
  });
});
