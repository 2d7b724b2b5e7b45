import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileKeyProvider } from '../../../src/node/keys';
import { FakeClock } from '../../../src/shared/fake-clock';
import { BoothStore } from '../../../src/host/store/store';
import { boothKeyRotation, type BoothKeySchedule } from '../../../src/host/key-rotation';
import type { Incident } from '../../../src/host/incidents';
import { silentLog, tempDir, temperature } from '../../helpers/store';

const DAY = 86_400_000;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const macrotask = (): Promise<void> => new Promise((r) => setImmediate(r));

async function days(clock: FakeClock, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await clock.advance(DAY);
    for (let k = 0; k < 5; k++) await macrotask();
  }
}

function booth(opts: { idle: () => boolean; periodDays?: number }) {
  const { dir, cleanup } = tempDir('cabine-key-schedule-');
  cleanups.push(cleanup);
  const keys = new FileKeyProvider(join(dir, 'booth.key'));
  const clock = new FakeClock(Date.now());
  const store = BoothStore.open({ path: join(dir, 'booth.db'), keys, boothId: 'A', clock });
  cleanups.push(() => store.close());
  const readings = Array.from({ length: 120 }, () => temperature(37));
  store.saveReadings(readings);
  const incidents: Incident[] = [];
  const schedule: BoothKeySchedule = boothKeyRotation({
    store, keys, clock, log: silentLog, batchSize: 25, idle: opts.idle, idleRecheckMs: 30_000,
    ...(opts.periodDays ? { periodDays: opts.periodDays } : {}),
    onIncident: (i) => void incidents.push(i),
  });
  cleanups.push(() => schedule.stop());
  return { keys, clock, store, readings, incidents, schedule };
}

describe('booth key rotation schedule', () => {
  it('rotates once the key is older than the period (90 days when absent), re-seals, retires the old key and notes each step', async () => {
    const { keys, clock, store, readings, incidents, schedule } = booth({ idle: () => true });
    schedule.start();
    await days(clock, 89);
    expect(keys.list().map((k) => k.id)).toEqual([1]);
    expect(incidents).toEqual([]);
    await days(clock, 2);
    await expect.poll(() => keys.list().map((k) => k.id)).toEqual([2]);
    expect(incidents.map((i) => i.code)).toEqual(['KEY_ROTATED', 'KEY_RESEALED', 'KEY_RETIRED']);
    expect(incidents[0]!.message.fr).toMatch(/Nouvelle clé/);
    for (const r of readings) expect(store.getReading(r.id)).toEqual(r);
    // The new key's age starts again: no second rotation the next day.
    await days(clock, 1);
    expect(keys.list().map((k) => k.id)).toEqual([2]);
  });

  it('waits for the end of the session in progress before re-sealing, then finishes', async () => {
    let idle = false;
    const { keys, clock, incidents, schedule } = booth({ idle: () => idle, periodDays: 7 });
    schedule.start();
    await days(clock, 8);
    // Due, but a patient is in the booth: nothing rotated yet.
    expect(keys.list().map((k) => k.id)).toEqual([1]);
    idle = true;
    await clock.advance(30_000);
    await expect.poll(() => keys.list().map((k) => k.id)).toEqual([2]);
    expect(incidents.map((i) => i.code)).toContain('KEY_RETIRED');
  });

  it('finishes at start a rotation left halfway (a key added, rows still on the old one)', async () => {
    const { keys, store, readings, incidents, schedule } = booth({ idle: () => true });
    keys.rotate();
    schedule.start();
    await expect.poll(() => keys.list().map((k) => k.id)).toEqual([2]);
    expect(incidents.map((i) => i.code)).toEqual(['KEY_RESEALED', 'KEY_RETIRED']);
    for (const r of readings) expect(store.getReading(r.id)).toEqual(r);
  });
});
