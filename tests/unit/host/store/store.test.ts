import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeKeyProvider } from '../../../../src/host/store/fake';
import { BoothStore } from '../../../../src/host/store/store';
import { PHOTO_CHUNK_BYTES } from '../../../../src/shared/record-protocol';
import { sessionEvent, tempDir, temperature } from '../../../helpers/store';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const DAY = 86_400_000;

function makeStore(now: { t: number } = { t: Date.now() }): BoothStore {
  const { dir, cleanup } = tempDir();
  const store = BoothStore.open({ path: join(dir, 'booth.db'), keys: new FakeKeyProvider(), boothId: 'A', clock: { now: () => now.t } });
  cleanups.push(() => { store.close(); cleanup(); });
  return store;
}

describe('booth store', () => {
  it('keeps readings, events and a session identity and queues items in write order', () => {
    const store = makeStore();
    const r1 = temperature(36.7);
    const e1 = sessionEvent('consent');
    const r2 = temperature(38.2);
    store.saveReading(r1);
    store.saveSessionEvent(e1);
    store.saveReading(r2);
    store.saveSession({ id: 'session-1', startedAt: new Date().toISOString(), identity: { name: 'Jeanne Dupont' }, notes: 'allergie pénicilline' });
    expect(store.getReading(r2.id)).toEqual(r2);
    expect(store.getSessionEvent(e1.id)).toEqual(e1);
    expect(store.getSession('session-1')).toMatchObject({ identity: { name: 'Jeanne Dupont' }, notes: 'allergie pénicilline' });
    expect(store.outboxBatch(10).map((e) => e.itemId)).toEqual([r1.id, e1.id, r2.id]);
    expect(store.pendingCount()).toBe(3);
  });

  it('saves the same reading twice as one item', () => {
    const store = makeStore();
    const r = temperature(36.7);
    store.saveReading(r);
    store.saveReading(r);
    expect(store.pendingCount()).toBe(1);
  });

  it('splits a photo into sealed chunks and gives back the same bytes', () => {
    const store = makeStore();
    const bytes = randomBytes(PHOTO_CHUNK_BYTES * 2 + 1000);
    const meta = store.savePhoto({ id: '0190b6a8-0000-7000-8000-000000000001', sessionId: 'session-1', mime: 'image/jpeg', width: 1920, height: 1080, takenAt: new Date().toISOString(), polarisation: 'polarised', bodySite: 'avant-bras gauche', bytes });
    expect(meta.chunkCount).toBe(3);
    expect(store.readPhoto(meta.id).equals(bytes)).toBe(true);
    expect(store.getPhotoMeta(meta.id)).toMatchObject({ bodySite: 'avant-bras gauche', uploadedChunks: 0 });
  });

  it('marks acknowledged items and sends only the rest', () => {
    const store = makeStore();
    const rs = [temperature(36.1), temperature(36.2), temperature(36.3)];
    rs.forEach((r) => store.saveReading(r));
    expect(store.markAcked([rs[0]!.id, rs[1]!.id])).toBe(2);
    expect(store.outboxBatch(10).map((e) => e.itemId)).toEqual([rs[2]!.id]);
  });

  it('purges acknowledged data only after the retention period and never unacknowledged data', () => {
    const clock = { t: Date.parse('2026-01-01T10:00:00Z') };
    const store = makeStore(clock);
    const acked = temperature(36.5);
    const kept = temperature(39.5);
    store.saveReading(acked);
    store.saveReading(kept);
    store.markAcked([acked.id]);
    clock.t += 29 * DAY;
    expect(store.purge(30).readings).toBe(0);
    expect(store.getReading(acked.id)).toBeDefined();
    clock.t += 2 * DAY;
    expect(store.purge(30).readings).toBe(1);
    expect(store.getReading(acked.id)).toBeUndefined();
    clock.t += 365 * DAY;
    store.purge(30);
    expect(store.getReading(kept.id)).toEqual(kept);
    expect(store.pendingCount()).toBe(1);
  });
});
