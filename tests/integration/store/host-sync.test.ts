import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Host } from '../../../src/host/host';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import type { KioskEvent } from '../../../src/shared/kiosk-api';
import { testConfig } from '../../helpers/config';
import { BOOTH_SECRET, hubWithRecord, sessionEvent, silentLog, tempDir, temperature } from '../../helpers/store';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const DAY = 86_400_000;

function until(host: Host, pred: (e: KioskEvent) => boolean): Promise<KioskEvent> {
  return new Promise((resolve) => {
    const on = (e: KioskEvent) => {
      if (pred(e)) {
        host.off('kioskEvent', on);
        resolve(e);
      }
    };
    host.on('kioskEvent', on);
  });
}

describe('host, store and hub together', () => {
  it('delivers readings and session events to the record, reports the network status, and purges acknowledged data after the retention period only', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { hub, record } = await hubWithRecord(join(dir, 'hub'));
    cleanups.push(() => hub.close());
    const clock = { t: Date.parse('2026-02-01T09:00:00Z') };
    const config = testConfig({
      boothId: 'A',
      hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRET },
      store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 },
    });
    const host = new Host(config, silentLog, { drivers: [], keys: new FakeKeyProvider(), clock: { now: () => clock.t } });
    cleanups.push(() => host.stop());
    const statuses: unknown[] = [];
    host.on('kioskEvent', (e) => { if (e.name === 'networkStatus') statuses.push(e.data); });
    host.start();
    await until(host, (e) => e.name === 'networkStatus' && e.data.hub === 'online');
    const r = temperature(37.8);
    const ev = sessionEvent('consent');
    const delivered = until(host, (e) => e.name === 'networkStatus' && e.data.hub === 'online' && e.data.pendingOutbox === 0);
    // Host.recordReading: the store path of a measurement's reading, below the gate that keeps only requested measurements' readings.
    await host.recordReading(r);
    await host.recordSessionEvent(ev);
    await delivered;
    expect((await record.boothItems('A')).map((s) => s.item.id)).toEqual([r.id, ev.id]);
    expect(statuses).toContainEqual({ hub: 'online', pendingOutbox: 0 });

    // An item the hub never acknowledged: written while the hub is down.
    await hub.close();
    await until(host, (e) => e.name === 'networkStatus' && e.data.hub !== 'online');
    const unsent = temperature(38.9);
    await host.recordReading(unsent);
    clock.t += 29 * DAY;
    host.purgeExpired();
    expect(host.store?.getReading(r.id)).toEqual(r);
    clock.t += 2 * DAY;
    host.purgeExpired();
    expect(host.store?.getReading(r.id)).toBeUndefined();
    expect(host.store?.getSessionEvent(ev.id)).toBeUndefined();
    expect(host.store?.getReading(unsent.id)).toEqual(unsent);
    expect(host.store?.pendingCount()).toBe(1);
  });
});
