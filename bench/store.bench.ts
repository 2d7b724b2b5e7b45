/**
 * Booth store: readings written per second in transactions of 100 against
 * one autocommit transaction each (same file system, same encryption,
 * synchronous=FULL in both), and the outbox drain rate to a hub on loopback
 * in batches of 200 against one item per request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { v7 as uuidv7 } from 'uuid';
import { HubLink } from '../src/host/hub-link';
import { FakeKeyProvider } from '../src/host/store/fake';
import { BoothStore } from '../src/host/store/store';
import { OutboxSync } from '../src/host/sync/outbox-sync';
import { hashSecret } from '../src/hub/directory';
import type { AccessJournal } from '../src/hub/journal/types';
import { startHub } from '../src/hub/server';
import type { Reading } from '../src/shared/domain';
import { createLogger } from '../src/node/logger';
import type { BenchResult } from './types';

const log = createLogger('bench', { write: () => true } as unknown as NodeJS.WritableStream);
const SECRET = 'bench-booth-secret-0123456789';

function reading(i: number): Reading {
  const at = new Date().toISOString();
  return {
    id: uuidv7(), sessionId: `s-${i % 10}`, kind: 'temperature', code: '8310-5',
    values: [{ code: '8310-5', name: 'Body temperature', value: 36 + (i % 30) / 10, unit: 'Cel' }],
    takenAt: at, receivedAt: at, device: { id: 'thermometer-1', kind: 'thermometer', model: 'TH', serial: 'S', firmware: '1' }, flags: [],
  };
}

function perSecond(n: number, fn: () => void): number {
  const t0 = performance.now();
  fn();
  return n / ((performance.now() - t0) / 1000);
}

/**
 * Readings per second the booth's outbox delivers to a loopback hub (record on
 * SQLite), `batchSize` per request; `journal`: the hub's access journal (its
 * HMAC chain in journal.db when absent).
 */
export async function drainRate(dir: string, name: string, count: number, batchSize: number, journal?: AccessJournal): Promise<number> {
  const hub = await startHub({
    consoleDir: '/nonexistent', log, media: false, ...(journal ? { journal } : {}),
    config: { booths: [{ boothId: 'A', tokenHash: await hashSecret(SECRET, 1024), pharmacy: { name: 'A', city: 'X' } }], specialists: [], media: { listenIp: '127.0.0.1', rtcMinPort: 40000, rtcMaxPort: 40999, workers: 0 }, allowedOrigins: [], dataDir: join(dir, `hub-${name}`) },
  });
  const store = BoothStore.open({ path: join(dir, `drain-${name}.db`), keys: new FakeKeyProvider(), boothId: 'A' });
  for (let i = 0; i < count; i += 100) store.saveReadings(Array.from({ length: Math.min(100, count - i) }, (_, k) => reading(i + k)));
  const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: 'A', token: SECRET, log });
  link.start();
  await new Promise<void>((r) => link.on('status', (s) => s === 'online' && r()));
  const sync = new OutboxSync({ store, channel: link, log, batchSize });
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    sync.on('acked', () => store.pendingCount() === 0 && resolve());
    sync.start();
  });
  const rate = count / ((performance.now() - t0) / 1000);
  sync.stop();
  await link.stop();
  store.close();
  await hub.close();
  return rate;
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-bench-store-'));
  try {
    const keys = new FakeKeyProvider();
    const batched = BoothStore.open({ path: join(dir, 'batched.db'), keys, boothId: 'A' });
    const B = 5000;
    const batchedRate = perSecond(B, () => {
      for (let i = 0; i < B; i += 100) batched.saveReadings(Array.from({ length: 100 }, (_, k) => reading(i + k)));
    });
    batched.close();
    const single = BoothStore.open({ path: join(dir, 'single.db'), keys, boothId: 'A' });
    const S = 500;
    const rs = Array.from({ length: S }, (_, i) => reading(i));
    const singleRate = perSecond(S, () => rs.forEach((r) => single.saveReading(r)));
    single.close();
    const drainBatched = await drainRate(dir, 'batched', 5000, 200);
    const drainSingle = await drainRate(dir, 'single', 300, 1);
    return [
      { area: 'store', name: 'readings inserted, transactions of 100', value: batchedRate, unit: 'readings/s', baseline: { name: 'one autocommit insert each', value: singleRate }, note: `ratio ${(batchedRate / singleRate).toFixed(1)}×; AES-256-GCM and synchronous=FULL in both; ${tmpdir()}` },
      { area: 'store', name: 'outbox drain to a loopback hub, batches of 200', value: drainBatched, unit: 'readings/s', baseline: { name: 'one item per request', value: drainSingle }, note: 'hub record on SQLite, synchronous=FULL' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
