/**
 * A booth configured with two hub nodes, both real hubs on loopback that know
 * the same booth secrets: it fails over to the other node when its node
 * stops, its outbox delivers through whichever node it is on, and it comes
 * back to the first node when that is the one that answers.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HubLink, type LinkStatus } from '../../../src/host/hub-link';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { BoothStore } from '../../../src/host/store/store';
import { OutboxSync } from '../../../src/host/sync/outbox-sync';
import type { Hub } from '../../../src/hub/server';
import { BOOTH_SECRETS, freePort, freshDataDir, startTestHub, testHubConfig } from '../../helpers/hub';
import { silentLog, tempDir, temperature } from '../../helpers/store';

const BOOTH = 'demo-booth-1';
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const hub of running) await stopNode(hub);
});

const running = new Set<Hub>();

/** A hub node on a given port and data directory; the ones still running are stopped at the end. */
async function node(port: number, dataDir: string): Promise<Hub> {
  const hub = await startTestHub({ port, consoleDir: '/nonexistent', media: false, config: await testHubConfig(dataDir) });
  running.add(hub);
  return hub;
}

async function stopNode(hub: Hub): Promise<void> {
  running.delete(hub);
  await hub.close();
}

function reached(link: HubLink, want: LinkStatus): Promise<void> {
  if (link.status === want) return Promise.resolve();
  return new Promise((resolve) => {
    const on = (s: LinkStatus): void => {
      if (s !== want) return;
      link.off('status', on);
      resolve();
    };
    link.on('status', on);
  });
}

describe('a booth with two hub nodes', () => {
  it('moves to the other node when its node stops, delivers a reading taken meanwhile there, and comes back to the first when only it answers', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const dataA = freshDataDir();
    let a = await node(portA, dataA);
    const b = await node(portB, freshDataDir());
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const store = BoothStore.open({ path: join(dir, 'booth.db'), keys: new FakeKeyProvider(), boothId: BOOTH });
    cleanups.push(() => store.close());
    const link = new HubLink({
      url: `ws://127.0.0.1:${portA}/booth`, fallbackUrls: [`ws://127.0.0.1:${portB}/booth`],
      boothId: BOOTH, token: BOOTH_SECRETS[BOOTH], log: silentLog, minDelayMs: 50, maxDelayMs: 200,
    });
    cleanups.push(() => link.stop());
    const sync = new OutboxSync({ store, channel: link, log: silentLog, minDelayMs: 20, maxDelayMs: 100 });
    cleanups.push(() => sync.stop());
    sync.start();
    link.start();

    await reached(link, 'online');
    expect(link.node).toBe(`127.0.0.1:${portA}`);
    expect(a.booths.connectedBooths()).toContain(BOOTH);

    await stopNode(a);
    await reached(link, 'offline');
    const reading = temperature(37.2);
    store.saveReading(reading);
    sync.kick();
    await reached(link, 'online');
    expect(link.node).toBe(`127.0.0.1:${portB}`);
    expect(b.booths.connectedBooths()).toContain(BOOTH);
    await expect.poll(() => store.pendingCount()).toBe(0);
    expect((await b.record.repo.boothItems(BOOTH)).map((s) => s.item.id)).toEqual([reading.id]);

    await stopNode(b);
    await reached(link, 'offline');
    a = await node(portA, dataA);
    await reached(link, 'online');
    expect(link.node).toBe(`127.0.0.1:${portA}`);
    await expect.poll(() => a.booths.connectedBooths()).toContain(BOOTH);
  });
});
