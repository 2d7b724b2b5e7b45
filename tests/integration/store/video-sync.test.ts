/**
 * The patient's video of a forwarded case through the booth store and the
 * outbox: sealed in chunks, sent by `record.blobChunk` as video/webm before
 * its `video` item, and an upload cut midway resumes at the next chunk with
 * nothing sent twice — also across a restart of the booth (the progress is
 * in the store). Checked on the outbox's frames (FakeHubChannel beside the
 * real HubLink): the hub's acceptance of `video` items comes with h20hub.
 */
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { BoothStore, type VideoInput } from '../../../src/host/store/store';
import { FakeHubChannel } from '../../../src/host/sync/fake';
import { OutboxSync } from '../../../src/host/sync/outbox-sync';
import { BlobChunkParams, PHOTO_CHUNK_BYTES, RecordItem } from '../../../src/shared/record-protocol';
import { silentLog, tempDir } from '../../helpers/store';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).reverse().forEach((c) => c()));

function video(bytes: number): VideoInput {
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31) & 0xff;
  return { id: uuidv7(), sessionId: 'session-1', mime: 'video/webm', durationMs: 20_000, width: 640, height: 480, recordedAt: new Date().toISOString(), bytes: data };
}

/** A hub that keeps the chunks it got, and fails one chunk once when asked to. */
function hub(failAt: number | null) {
  const received = new Map<number, Buffer>();
  const sent: number[] = [];
  let failed = false;
  const channel = new FakeHubChannel((method, params, bytes) => {
    if (method === 'record.blobChunk') {
      const p = BlobChunkParams.parse(params);
      expect(p.contentType).toBe('video/webm');
      if (p.index === failAt && !failed) {
        failed = true;
        throw Object.assign(new Error('link lost'), { code: 'LINK_DOWN' });
      }
      sent.push(p.index);
      received.set(p.index, Buffer.from(bytes!));
      return { index: p.index, received: received.size };
    }
    const items = (params as { items: unknown[] }).items.map((i) => RecordItem.parse(i));
    return { acked: items.map((i) => i.id), duplicates: [] };
  });
  return { channel, received, sent, failed: () => failed };
}

describe('the patient video from the booth store to the hub', () => {
  it('resumes an upload cut midway at the next chunk, sends nothing twice, and the bytes arrive whole before the video item', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const store = BoothStore.open({ path: join(dir, 'booth.db'), keys: new FakeKeyProvider(), boothId: 'A' });
    cleanups.push(() => store.close());
    const input = video(5 * PHOTO_CHUNK_BYTES + 1234);
    const meta = store.saveVideo(input);
    expect(meta.chunkCount).toBe(6);
    const h = hub(3);
    const sync = new OutboxSync({ store, channel: h.channel, log: silentLog, minDelayMs: 10, maxDelayMs: 50 });
    cleanups.push(() => sync.stop());
    sync.start();
    h.channel.setStatus('online');
    await expect.poll(() => store.pendingCount()).toBe(0);
    expect(h.failed()).toBe(true);
    expect(h.sent).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Buffer.concat([...h.received.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => b)).equals(input.bytes)).toBe(true);
    const ingests = h.channel.calls.filter((c) => c.method === 'record.ingest');
    expect((ingests.at(-1)!.params as { items: RecordItem[] }).items).toEqual([expect.objectContaining({ kind: 'video', data: { ...meta } })]);
  });

  it('resumes after the booth restarts mid-upload: the chunks already acknowledged are not sent again', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const keys = new FakeKeyProvider();
    const path = join(dir, 'booth.db');
    const first = BoothStore.open({ path, keys, boothId: 'A' });
    const input = video(4 * PHOTO_CHUNK_BYTES);
    first.saveVideo(input);
    // The first run got two chunks up, then the booth went down.
    first.markVideoChunksUploaded(input.id, 2);
    first.close();
    const store = BoothStore.open({ path, keys, boothId: 'A' });
    cleanups.push(() => store.close());
    expect(store.getVideoMeta(input.id)).toMatchObject({ uploadedChunks: 2, chunkCount: 4, byteLength: input.bytes.length });
    const h = hub(null);
    // Those two chunks are at the hub (it counts them in its answers; one that did not would have them sent again).
    for (const i of [0, 1]) h.received.set(i, store.readVideoChunk(input.id, i));
    const sync = new OutboxSync({ store, channel: h.channel, log: silentLog, minDelayMs: 10, maxDelayMs: 50 });
    cleanups.push(() => sync.stop());
    sync.start();
    h.channel.setStatus('online');
    await expect.poll(() => store.pendingCount()).toBe(0);
    expect(h.sent).toEqual([2, 3]);
    expect(store.readVideoChunk(input.id, 3).equals(input.bytes.subarray(3 * PHOTO_CHUNK_BYTES))).toBe(true);
  });
});
