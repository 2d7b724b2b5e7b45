/**
 * The booth's disk fills up, or another program holds the database's write
 * lock, in the middle of measurements: the host (real store, real
 * thermometer driver on a socat pty, real hub record over the real link)
 * raises a typed incident, keeps every reading, shows none before it is on
 * disk, and once the condition clears stores, shows and delivers every one,
 * exactly once and in order.
 *
 * A full disk is real where we can mount a small tmpfs (root, as in CI): the
 * store lives on it and a filler file takes the last byte, so SQLite gets
 * ENOSPC from the kernel. Without root, SQLite's own page limit
 * (`max_page_count`) stands in for it and gives the same SQLITE_FULL.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ThermometerDriver } from '../../devices/drivers/thermometer/driver';
import { ThermometerSimulator } from '../../devices/drivers/thermometer/simulator';
import { PtySimulation } from '../../devices/simulated';
import { Host } from '../../src/host/host';
import { FakeKeyProvider } from '../../src/host/store/fake';
import { BoothStore } from '../../src/host/store/store';
import type { KioskEvent } from '../../src/shared/kiosk-api';
import { testConfig } from '../helpers/config';
import { measureAgain, pharmacistMeasures, walkToCall } from '../helpers/measure';
import { BOOTH_SECRET, hubWithRecord, silentLog, tempDir } from '../helpers/store';
import { FAST } from '../unit/devices/drivers/helpers';
import { until } from './support/clients';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A folder on a 4 MiB tmpfs when this machine lets us mount one; null otherwise. */
function smallFilesystem(): string | null {
  if (process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'cabine-smalldisk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  cleanups.push(() => {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Fills the filesystem holding `dir` to the last byte; returns a function that frees the space. */
function fillDisk(dir: string): () => void {
  const filler = join(dir, 'filler.bin');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let size = chunk.length;
  for (;;) {
    try {
      writeSync(fd, chunk.subarray(0, size));
    } catch {
      if (size === 1) break;
      size = Math.max(1, size >> 1);
    }
  }
  closeSync(fd);
  return () => unlinkSync(filler);
}

async function boothWithHub(storeDir: string, store?: BoothStore) {
  const { dir, cleanup } = tempDir('cabine-store-faults-');
  cleanups.push(cleanup);
  const { hub, record } = await hubWithRecord(join(dir, 'hub'));
  cleanups.push(() => hub.close());
  const sim = new ThermometerSimulator({ speed: 0.01 });
  const pty = new PtySimulation(sim);
  await pty.start();
  cleanups.push(() => pty.stop());
  // A reading counts only inside its measurement: a loaded machine must not time the thermometer out first.
  const thermometer = new ThermometerDriver({ id: 'thermometer-1', path: pty.devicePath, timing: { ...FAST, measureTimeoutMs: 10_000 } });
  const config = testConfig({
    boothId: 'A',
    hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRET },
    store: { path: join(storeDir, 'booth.db'), keyFile: join(storeDir, 'booth.key'), retentionDays: 30 },
  });
  const host = new Host(config, silentLog, { drivers: [thermometer], storeRetry: { minDelayMs: 10, maxDelayMs: 100 }, keys: new FakeKeyProvider(), ...(store ? { store } : {}) });
  const events: KioskEvent[] = [];
  host.on('kioskEvent', (e) => events.push(e));
  let taken = 0;
  thermometer.on('reading', () => taken++);
  host.start();
  cleanups.push(() => host.stop());
  await until(() => thermometer.status().state === 'ready', 'thermometer ready');
  await until(() => host.hubLink.status === 'online', 'booth online');
  // A reading belongs to a measurement someone asked for (issue #14): the patient is in a call, the pharmacist asks.
  await walkToCall(host);
  const shown = () => events.filter((e) => e.name === 'reading').map((e) => (e.data as { id: string }).id);
  const incidents = () => events.filter((e) => e.name === 'incident').map((e) => e.data as { code: string; message: { fr: string; en: string } });
  /**
   * Takes a measurement on the real thermometer (the driver emits it; the host stores then shows it): the
   * pharmacist's temperature measurement, then "measure again" from its result, or — while the last reading
   * still waits for the disk — the thermometer asked again. Resolves once the reading has reached the host.
   */
  const measure = async () => {
    const before = taken;
    const state = host.view().state;
    if (state === 'consultation.call') await pharmacistMeasures(host, 'temperature');
    else if (state === 'consultation.result') await measureAgain(host);
    else await host.dispatch('requestMeasurement', { kind: 'temperature' });
    await until(() => taken > before || undefined, 'the thermometer\'s reading reached the host');
  };
  const heldReadings = async () => (await record.boothItems('A')).filter((s) => s.item.kind === 'reading').map((s) => s.item.id);
  return { host, thermometer, events, shown, incidents, measure, heldReadings };
}

const N = 6;

describe('store faults during measurements', () => {
  it('disk full: a DISK_FULL incident, no reading shown before it is stored, and every reading stored, shown and delivered once in order when space returns', async () => {
    const small = smallFilesystem();
    let store: BoothStore | undefined;
    let storeDir: string;
    if (small) {
      storeDir = join(small, 'booth');
      mkdirSync(storeDir);
    } else {
      const t = tempDir('cabine-pagelimit-');
      cleanups.push(t.cleanup);
      storeDir = t.dir;
      store = BoothStore.open({ path: join(storeDir, 'booth.db'), keys: new FakeKeyProvider(), boothId: 'A' });
      cleanups.push(() => store!.close());
    }
    const booth = await boothWithHub(storeDir, store);
    // One reading goes through normally first.
    await booth.measure();
    await until(() => booth.shown().length === 1 || undefined, 'first reading shown');

    const free = small ? fillDisk(small) : (() => {
      store!.db.pragma(`max_page_count = ${store!.db.pragma('page_count', { simple: true }) as number}`);
      return () => void store!.db.pragma('max_page_count = 1073741823');
    })();
    let freed = false;
    cleanups.push(() => { if (!freed) free(); });
    const pendingReadings = () => booth.host.writer.pendingWrites().flatMap((w) => (w.kind === 'reading' ? [w.reading.id] : []));
    // Measure until the disk says no (at once on the full tmpfs; a page or two later under the page limit).
    for (let taken = 1; !booth.incidents().some((i) => i.code === 'DISK_FULL'); taken++) {
      if (taken > 500) throw new Error('the disk never filled up');
      await booth.measure();
      await until(() => booth.shown().length + pendingReadings().length === 1 + taken || undefined, `reading ${taken} taken`);
    }
    expect(booth.incidents().find((i) => i.code === 'DISK_FULL')!.message.fr).toMatch(/disque/);
    const shownAtFull = booth.shown().length;
    for (let i = 0; i < N; i++) {
      const before = pendingReadings().length;
      await booth.measure();
      await until(() => pendingReadings().length > before || undefined, `reading ${i} kept while the disk is full`);
    }
    // Write before show: nothing of what waits in memory is on screen, nothing is lost.
    expect(booth.shown()).toHaveLength(shownAtFull);
    const waiting = pendingReadings();
    expect(waiting.length).toBeGreaterThanOrEqual(N);

    free();
    freed = true;
    booth.host.writer.retryNow();
    await until(() => booth.shown().length === shownAtFull + waiting.length || undefined, 'every reading shown once space returned', 20_000);
    expect(booth.shown().slice(shownAtFull)).toEqual(waiting);
    const held = await until(async () => {
      const ids = await booth.heldReadings();
      return ids.length >= booth.shown().length ? ids : undefined;
    }, 'every reading in the hub record', 20_000);
    expect(held).toEqual(booth.shown());
    expect(booth.host.store!.integrityCheck()).toBe('ok');
  }, 60_000);

  it('database locked by another program: a DB_LOCKED incident, then every reading stored, shown and delivered once in order when the lock is released', async () => {
    const t = tempDir('cabine-locked-');
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'booth.db');
    const store = BoothStore.open({ path, keys: new FakeKeyProvider(), boothId: 'A', busyTimeoutMs: 30 });
    cleanups.push(() => store.close());
    const booth = await boothWithHub(t.dir, store);
    await booth.measure();
    await until(() => booth.shown().length === 1 || undefined, 'first reading shown');

    // A backup tool (another connection) takes the write lock and keeps it.
    const other = new Database(path);
    cleanups.push(() => { if (other.open) other.close(); });
    other.exec('BEGIN EXCLUSIVE');
    for (let i = 0; i < N; i++) {
      await booth.measure();
      await until(() => booth.host.writer.pending() > i || undefined, `reading ${i} waiting`);
    }
    await until(() => booth.incidents().find((i) => i.code === 'DB_LOCKED'), 'DB_LOCKED incident');
    expect(booth.shown()).toHaveLength(1);
    const waiting = booth.host.writer.pendingWrites().flatMap((w) => (w.kind === 'reading' ? [w.reading.id] : []));
    expect(waiting).toHaveLength(N);

    other.exec('COMMIT');
    other.close();
    await until(() => booth.shown().length === N + 1 || undefined, 'every reading shown once the lock is released', 20_000);
    expect(booth.shown().slice(1)).toEqual(waiting);
    const held = await until(async () => {
      const ids = await booth.heldReadings();
      return ids.length >= N + 1 ? ids : undefined;
    }, 'every reading in the hub record', 20_000);
    expect(held).toEqual(booth.shown());
  }, 60_000);
});
