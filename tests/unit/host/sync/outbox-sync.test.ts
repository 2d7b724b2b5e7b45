import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HubUnavailableError } from '../../../../src/host/hub-link';
import { FakeKeyProvider } from '../../../../src/host/store/fake';
import { BoothStore } from '../../../../src/host/store/store';
import { FakeHubChannel } from '../../../../src/host/sync/fake';
import { OutboxSync } from '../../../../src/host/sync/outbox-sync';
import type { RecordItem } from '../../../../src/shared/record-protocol';
import { silentLog, tempDir, temperature } from '../../../helpers/store';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).reverse().forEach((c) => c()));

function setup(answer: ConstructorParameters<typeof FakeHubChannel>[0]) {
  const { dir, cleanup } = tempDir();
  const store = BoothStore.open({ path: join(dir, 'b.db'), keys: new FakeKeyProvider(), boothId: 'A' });
  const channel = new FakeHubChannel(answer);
  const draws: number[] = [];
  const sync = new OutboxSync({ store, channel, log: silentLog, minDelayMs: 4, maxDelayMs: 40, random: () => { const r = 0.5; draws.push(r); return r; } });
  cleanups.push(cleanup, () => store.close(), () => sync.stop());
  return { store, channel, sync, draws };
}

const ackAll = (_m: string, p: unknown) => ({ acked: (p as { items: RecordItem[] }).items.map((i) => i.id), duplicates: [] });
const idle = () => new Promise((r) => setTimeout(r, 30));

describe('outbox sync', () => {
  it('sends nothing while the link is offline and everything once it comes online', async () => {
    const { store, channel, sync } = setup(ackAll);
    store.saveReading(temperature(36.5));
    sync.start();
    sync.kick();
    await idle();
    expect(channel.calls).toEqual([]);
    channel.setStatus('online');
    await idle();
    expect(channel.calls.map((c) => c.method)).toEqual(['record.ingest']);
    expect(store.pendingCount()).toBe(0);
  });

  it('retries a failed send with jittered backoff and then delivers', async () => {
    let failures = 2;
    const { store, channel, sync, draws } = setup((m, p) => {
      if (failures-- > 0) throw new HubUnavailableError('no answer in time');
      return ackAll(m, p);
    });
    store.saveReading(temperature(36.5));
    channel.status = 'online';
    sync.start();
    await new Promise<void>((resolve) => sync.on('acked', () => resolve()));
    expect(channel.calls).toHaveLength(3);
    expect(draws.length).toBeGreaterThanOrEqual(2);
    expect(store.pendingCount()).toBe(0);
    // Each attempt carried a fresh batch id (the hub refuses a replayed one).
    expect(new Set(channel.calls.map((c) => (c.params as { batchId: string }).batchId)).size).toBe(3);
  });

  it('marks acknowledged only the ids the hub returned, and backs off instead of spinning when it acknowledges none', async () => {
    const [a, b] = [temperature(36.1), temperature(36.2)];
    const { store, channel, sync, draws } = setup((_m, p) => ({ acked: (p as { items: RecordItem[] }).items.filter((i) => i.id === a.id).map((i) => i.id), duplicates: [] }));
    store.saveReading(a);
    store.saveReading(b);
    channel.status = 'online';
    sync.start();
    await new Promise<void>((resolve) => sync.on('acked', () => resolve()));
    await idle();
    sync.stop();
    expect(store.outboxBatch(10).map((e) => e.itemId)).toEqual([b.id]);
    expect(draws.length).toBeGreaterThan(0);
    expect(channel.calls.length).toBeLessThan(20);
  });
});
