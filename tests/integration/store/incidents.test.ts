import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Host } from '../../../src/host/host';
import type { StoreError } from '../../../src/node/store-errors';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { BoothStore } from '../../../src/host/store/store';
import { DurableWriter } from '../../../src/host/store/writer';
import type { KioskEvent } from '../../../src/shared/kiosk-api';
import { testConfig } from '../../helpers/config';
import { silentLog, tempDir, temperature } from '../../helpers/store';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function openStore(busyTimeoutMs = 5000) {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const path = join(dir, 'booth.db');
  const store = BoothStore.open({ path, keys: new FakeKeyProvider(), boothId: 'A', busyTimeoutMs });
  cleanups.push(() => store.close());
  return { store, path, dir };
}

function writerFor(store: BoothStore) {
  const incidents: StoreError[] = [];
  const writer = new DurableWriter({ store: () => store, onIncident: (e) => incidents.push(e), minDelayMs: 5, maxDelayMs: 20 });
  cleanups.push(() => writer.stop());
  return { writer, incidents };
}

describe('store incidents keep the reading and retry', () => {
  it('raises DISK_FULL when the disk is full, keeps every reading in memory, and stores them all in order once space returns', async () => {
    const { store } = openStore();
    const { writer, incidents } = writerFor(store);
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages}`);
    const readings = Array.from({ length: 300 }, (_, i) => temperature(36 + i / 100));
    const stored: string[] = [];
    const done = readings.map((r) => writer.write({ kind: 'reading', reading: r }).then(() => stored.push(r.id)));
    await new Promise((r) => setTimeout(r, 50));
    expect(incidents.map((e) => e.code)).toContain('DISK_FULL');
    expect(incidents[0]!.userMessage.fr).toMatch(/disque/);
    expect(writer.pending()).toBeGreaterThan(0);
    expect(stored.length + writer.pending()).toBe(readings.length);
    store.db.pragma('max_page_count = 1000000');
    await Promise.all(done);
    expect(stored).toEqual(readings.map((r) => r.id));
    expect(store.outboxBatch(1000).map((e) => e.itemId)).toEqual(readings.map((r) => r.id));
    expect(store.integrityCheck()).toBe('ok');
  });

  it('raises DB_LOCKED while another connection holds the write lock, then stores the reading', async () => {
    const { store, path } = openStore(20);
    const { writer, incidents } = writerFor(store);
    const other = new Database(path);
    cleanups.push(() => { other.close(); });
    other.exec('BEGIN IMMEDIATE');
    const r = temperature(37.2);
    let stored = false;
    const done = writer.write({ kind: 'reading', reading: r }).then(() => (stored = true));
    await new Promise((res) => setTimeout(res, 60));
    expect(incidents.map((e) => e.code)).toEqual(['DB_LOCKED']);
    expect(stored).toBe(false);
    other.exec('COMMIT');
    await done;
    expect(store.getReading(r.id)).toEqual(r);
  });

  it('reports a corrupt file as DB_CORRUPT when opening it', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, 'booth.db');
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    expect(() => BoothStore.open({ path, keys: new FakeKeyProvider(), boothId: 'A' })).toThrow(expect.objectContaining({ code: 'DB_CORRUPT' }));
  });
});

describe('host: write before show', () => {
  // Host.recordReading: the store path of a measurement's reading, below the gate that keeps only requested measurements' readings (tests/unit/host/requested-readings.test.ts).
  function makeHost(dir: string, deps: ConstructorParameters<typeof Host>[2] = {}) {
    const config = testConfig({ store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 }, hub: { url: 'ws://127.0.0.1:9/booth', token: 'x'.repeat(20) } });
    const host = new Host(config, silentLog, { drivers: [], storeRetry: { minDelayMs: 5, maxDelayMs: 20 }, ...deps });
    const events: KioskEvent[] = [];
    host.on('kioskEvent', (e) => events.push(e));
    cleanups.push(() => host.stop());
    return { host, events };
  }

  it('shows a reading only once it is in the store, and stores session events', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { host } = makeHost(dir);
    host.start();
    const r = temperature(36.8);
    let storedWhenShown: unknown = 'not shown';
    host.on('kioskEvent', (e) => { if (e.name === 'reading') storedWhenShown = host.store?.getReading(e.data.id); });
    await host.recordReading(r);
    expect(storedWhenShown).toEqual(r);
    await host.recordSessionEvent({ id: '0190b6a8-0000-7000-8000-0000000000aa', sessionId: 's', type: 'consent', at: new Date().toISOString() });
    expect(host.store?.getSessionEvent('0190b6a8-0000-7000-8000-0000000000aa')?.type).toBe('consent');
  });

  it('stores each session transition the machine reports', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { host } = makeHost(dir, { keys: new FakeKeyProvider() });
    host.start();
    const seen: string[] = [];
    host.on('sessionEvent', (e) => seen.push(e.id));
    await host.dispatch('sendEvent', { event: { type: 'TOUCH' } });
    await new Promise((res) => setTimeout(res, 20));
    expect(seen.length).toBeGreaterThan(0);
    for (const id of seen) expect(host.store?.getSessionEvent(id)?.type).toBe('transition');
  });

  it('emits DISK_FULL as a KioskApi incident and shows the reading once space returns', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const store = BoothStore.open({ path: join(dir, 'injected.db'), keys: new FakeKeyProvider(), boothId: 'A' });
    cleanups.push(() => store.close());
    const { host, events } = makeHost(dir, { store });
    host.start();
    store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true }) as number}`);
    const readings = Array.from({ length: 200 }, (_, i) => temperature(36 + i / 1000));
    const shown = Promise.all(readings.map((r) => host.recordReading(r)));
    await new Promise((res) => setTimeout(res, 40));
    const incident = events.find((e) => e.name === 'incident');
    expect(incident?.data).toMatchObject({ code: 'DISK_FULL', message: { fr: expect.stringMatching(/disque/), en: expect.stringMatching(/disk/) } });
    const shownBefore = events.filter((e) => e.name === 'reading').length;
    expect(shownBefore).toBeLessThan(readings.length);
    store.db.pragma('max_page_count = 1000000');
    await shown;
    expect(events.filter((e) => e.name === 'reading').map((e) => (e.data as { id: string }).id)).toEqual(readings.map((r) => r.id));
    for (const r of readings) expect(store.getReading(r.id)).toEqual(r);
  });

  it('on a corrupt store file: emits a DB_CORRUPT incident, keeps the reading unshown in memory, and stores then shows it once the file is replaced', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, 'booth.db');
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    const { host, events } = makeHost(dir, { keys: new FakeKeyProvider() });
    host.start();
    const r = temperature(39.1);
    const shown = host.recordReading(r);
    await new Promise((res) => setTimeout(res, 40));
    expect(events.filter((e) => e.name === 'incident').map((e) => e.data.code)).toContain('DB_CORRUPT');
    expect(events.some((e) => e.name === 'reading')).toBe(false);
    expect(host.writer.pendingWrites()).toEqual([{ kind: 'reading', reading: r }]);
    // Support moves the damaged file away; the next retry creates a fresh store.
    const { renameSync } = await import('node:fs');
    renameSync(path, `${path}.damaged`);
    await shown;
    expect(host.store?.getReading(r.id)).toEqual(r);
    expect(events.find((e) => e.name === 'reading')?.data).toEqual(r);
    expect(events.some((e) => e.name === 'networkStatus' && e.data.pendingOutbox === 1)).toBe(true);
  });
});
