/**
 * Cross-node events over a real PostgreSQL's LISTEN/NOTIFY, and starting a
 * cluster node: ids travel between nodes, a listener whose connection dies
 * comes back and asks its consumers to re-read, what cannot be sent is
 * refused with a code, and a database that is not there fails the start at
 * once with its address.
 */
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClusterBus, type ClusterEvent } from '../../../src/hub/cluster/bus';
import { startClusterNode, type ClusterNode } from '../../../src/hub/cluster';
import { migrateCluster } from '../../../src/hub/cluster/schema';
import { codeOf } from '../../../src/shared/errors';
import { FakeClock } from '../../../src/shared/fake-clock';
import { FaultProxy } from '../../helpers/fault-proxy';
import { startPgCluster, type PgCluster } from '../../helpers/pg-cluster';

const WAIT = { timeout: 15_000, interval: 50 };
const FAST_RETRY = { baseMs: 50, maxMs: 400 };

let cluster: PgCluster;
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  cluster = await startPgCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function pool(url: string): pg.Pool {
  const p = new pg.Pool({ connectionString: url, max: 3 });
  p.on('error', () => undefined);
  closers.push(() => p.end());
  return p;
}

async function bus(url: string, nodeId: string): Promise<{ bus: ClusterBus; db: pg.Pool; got: ClusterEvent[]; resyncs: () => number }> {
  const db = pool(url);
  const b = new ClusterBus({ db, connection: url, nodeId, retry: FAST_RETRY });
  closers.push(() => b.stop());
  const got: ClusterEvent[] = [];
  let resyncs = 0;
  b.on('resync', () => resyncs++);
  b.subscribe('rooms', (e) => {
    got.push(e);
  });
  await b.start();
  return { bus: b, db, got, resyncs: () => resyncs };
}

async function freshDatabase(): Promise<string> {
  const url = await cluster.createDatabase();
  await migrateCluster(pool(url));
  return url;
}

describe('the cluster bus', () => {
  it('carries ids from one node to another', async () => {
    const url = await freshDatabase();
    const a = await bus(url, 'node-a');
    const b = await bus(url, 'node-b');
    await a.bus.publish('rooms', { kind: 'room.ended', ids: ['room-1', 'booth-7'] });
    await expect.poll(() => b.got, WAIT).toEqual([{ kind: 'room.ended', ids: ['room-1', 'booth-7'], from: 'node-a' }]);
    await expect.poll(() => a.got.length, WAIT).toBe(1);
  });

  it('listens again after its connection is killed, asks for a resync, and receives later events', async () => {
    const url = await freshDatabase();
    const a = await bus(url, 'node-a');
    const b = await bus(url, 'node-b');
    const killed = await a.db.query<{ ok: boolean }>("SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'cabine-bus:node-b'");
    expect(killed.rows).toEqual([{ ok: true }]);
    await expect.poll(() => b.resyncs(), WAIT).toBe(1);
    await a.bus.publish('rooms', { kind: 'queue.changed', ids: ['booth-1'] });
    await expect.poll(() => b.got.map((e) => e.kind), WAIT).toEqual(['queue.changed']);
  });

  it('keeps retrying while the database is down, then listens again and asks for a resync', async () => {
    const url = await freshDatabase();
    const b = await bus(url, 'node-b');
    cluster.halt('immediate');
    try {
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      cluster.restart();
    }
    await expect.poll(() => b.resyncs(), WAIT).toBe(1);
    const a = await bus(url, 'node-a');
    await a.bus.publish('rooms', { kind: 'queue.changed', ids: ['booth-2'] });
    await expect.poll(() => b.got.map((e) => e.ids[0]), WAIT).toEqual(['booth-2']);
  });

  it('cuts a listening connection that went silent, listens again through a fresh one and asks for a resync', async () => {
    const url = await freshDatabase();
    const proxy = await new FaultProxy(cluster.port).start();
    closers.push(() => proxy.stop());
    const viaProxy = url.replace(`:${cluster.port}/`, `:${proxy.port}/`);
    const b = new ClusterBus({ db: pool(url), connection: viaProxy, nodeId: 'node-b', retry: FAST_RETRY, pingMs: 200, connectTimeoutMs: 1_000 });
    closers.push(() => b.stop());
    const got: ClusterEvent[] = [];
    let resyncs = 0;
    b.on('resync', () => resyncs++);
    b.subscribe('rooms', (e) => void got.push(e));
    await b.start();
    // Nothing crosses any more, and nothing says the connection is gone: a half-open link.
    proxy.delay(30_000);
    await expect.poll(() => proxy.connections, WAIT).toBeGreaterThanOrEqual(2);
    proxy.pass();
    await expect.poll(() => resyncs, WAIT).toBe(1);
    const a = await bus(url, 'node-a');
    await a.bus.publish('rooms', { kind: 'queue.changed', ids: ['booth-3'] });
    await expect.poll(() => got.map((e) => e.ids[0]), WAIT).toEqual(['booth-3']);
  });

  it('refuses a payload PostgreSQL would refuse, with a code, and sends nothing', async () => {
    const url = await freshDatabase();
    const a = await bus(url, 'node-a');
    const b = await bus(url, 'node-b');
    const ids = Array.from({ length: 400 }, (_, i) => `room-${String(i).padStart(20, '0')}`);
    const refused = await a.bus.publish('rooms', { kind: 'room.ended', ids }).catch((e: unknown) => e);
    expect(codeOf(refused)).toBe('NOTIFY_PAYLOAD_TOO_LARGE');
    expect((refused as Error).message).toMatch(/8000 bytes/);
    await a.bus.publish('rooms', { kind: 'room.ended', ids: ['small'] });
    await expect.poll(() => b.got.map((e) => e.ids), WAIT).toEqual([['small']]);
  });

  it('refuses what is not an id (text with spaces, a person\'s name)', async () => {
    const url = await freshDatabase();
    const a = await bus(url, 'node-a');
    await expect(a.bus.publish('rooms', { kind: 'room.ended', ids: ['Jeanne Dupont, née 1948'] })).rejects.toMatchObject({ code: 'NOTIFY_NOT_IDS' });
  });

  it('shrugs off a NOTIFY for a room that no longer exists and a malformed NOTIFY, and keeps delivering', async () => {
    const url = await freshDatabase();
    const node = await startClusterNode({ url, nodeId: 'node-b', nodeUrl: 'https://b.test', retry: FAST_RETRY });
    closers.push(() => node.close());
    const a = await bus(url, 'node-a');
    const seen: (string | null)[] = [];
    // A consumer as the hub writes one: ids in, state re-read from the database.
    let listening = false;
    node.bus.subscribe('rooms', async (e) => {
      for (const id of e.ids) {
        if (id === 'probe') listening = true;
        else seen.push((await node.rooms.locate(id))?.nodeId ?? null);
      }
    });
    // `subscribe` LISTENs without waiting: events sent before the server has it are not this node's to hear.
    await expect.poll(async () => {
      await a.bus.publish('rooms', { kind: 'room.ended', ids: ['probe'] });
      return listening;
    }, WAIT).toBe(true);
    await node.rooms.own('live-room');
    await a.db.query("SELECT pg_notify('cabine_rooms', 'not json at all')");
    await a.bus.publish('rooms', { kind: 'room.ended', ids: ['gone-room'] });
    await a.bus.publish('rooms', { kind: 'room.moved', ids: ['live-room'] });
    await expect.poll(() => seen, WAIT).toEqual([null, 'node-b']);
  });
});

describe('starting a cluster node', () => {
  it('starts, migrates, acquires its lease and listens', async () => {
    const url = await cluster.createDatabase();
    const node = await startClusterNode({ url, nodeId: 'node-a', nodeUrl: 'https://a.test' });
    closers.push(() => node.close());
    expect(node.epoch).toBe(1);
    expect((await node.liveNodes()).map((n) => n.nodeId)).toEqual(['node-a']);
  });

  it('adopts a dead node\'s rooms by itself and says which', async () => {
    const url = await cluster.createDatabase();
    const timing = { leaseMs: 1_500, heartbeatMs: 300 };
    const a = await startClusterNode({ url, nodeId: 'node-a', nodeUrl: 'https://a.test', ...timing });
    closers.push(() => a.close());
    const b: ClusterNode = await startClusterNode({ url, nodeId: 'node-b', nodeUrl: 'https://b.test', ...timing });
    closers.push(() => b.close());
    const adopted: string[] = [];
    b.on('adopted', (rooms) => adopted.push(...rooms));
    await a.rooms.own('room-1');
    await a.close({ releaseLease: false });
    await expect.poll(() => adopted, WAIT).toEqual(['room-1']);
  });

  it('takes a new lease after losing its own, and gets its rooms back as orphans', async () => {
    const url = await cluster.createDatabase();
    // Its timers run only when the test moves this clock: a node whose event loop was blocked.
    const clock = new FakeClock(Date.now());
    const a = await startClusterNode({ url, nodeId: 'node-a', nodeUrl: 'https://a.test', leaseMs: 1_500, heartbeatMs: 300, retry: FAST_RETRY, clock });
    closers.push(() => a.close());
    const seen: string[] = [];
    a.on('lost', (why) => seen.push(`lost ${why}`));
    a.on('acquired', (epoch) => seen.push(`acquired ${epoch}`));
    a.on('adopted', (rooms) => seen.push(`adopted ${rooms.join()}`));
    await a.rooms.own('room-1');
    await expect.poll(async () => (await a.liveNodes()).length, WAIT).toBe(0);
    await clock.advance(300);
    await expect.poll(() => seen, WAIT).toEqual(['lost lapsed']);
    await clock.advance(FAST_RETRY.maxMs);
    await expect.poll(() => seen, WAIT).toEqual(['lost lapsed', 'acquired 2']);
    await clock.advance(300);
    await expect.poll(() => seen, WAIT).toEqual(['lost lapsed', 'acquired 2', 'adopted room-1']);
  });

  it('does not take its node id back from a newer process that took it over', async () => {
    const url = await cluster.createDatabase();
    const clock = new FakeClock(Date.now());
    const old = await startClusterNode({ url, nodeId: 'node-a', nodeUrl: 'https://old.test', leaseMs: 1_500, heartbeatMs: 300, retry: FAST_RETRY, clock });
    closers.push(() => old.close({ releaseLease: false }));
    const lost: string[] = [];
    old.on('lost', (why) => lost.push(why));
    const fresh = await startClusterNode({ url, nodeId: 'node-a', nodeUrl: 'https://new.test', leaseMs: 1_500, heartbeatMs: 300 });
    closers.push(() => fresh.close());
    await clock.advance(300);
    await expect.poll(() => lost, WAIT).toEqual(['taken-over']);
    await clock.advance(10 * FAST_RETRY.maxMs);
    expect((await fresh.liveNodes()).map((n) => [n.url, n.epoch])).toEqual([['https://new.test', 2]]);
  });

  it('fails at once with a code and the address when nothing listens there', async () => {
    const port = await closedPort();
    const failed = await startClusterNode({ url: `postgresql://cabine@127.0.0.1:${port}/cabine`, nodeId: 'node-a', nodeUrl: 'https://a.test' }).catch((e: unknown) => e);
    expect(codeOf(failed)).toBe('PG_UNREACHABLE');
    expect((failed as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it('gives up after its connect timeout when the server accepts but never answers, instead of hanging', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    closers.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => silent.close(() => r()));
    });
    const { port } = silent.address() as { port: number };
    const failed = await startClusterNode({ url: `postgresql://cabine:secret@127.0.0.1:${port}/cabine`, nodeId: 'node-a', nodeUrl: 'https://a.test', connectTimeoutMs: 500 }).catch((e: unknown) => e);
    expect(codeOf(failed)).toBe('PG_UNREACHABLE');
    expect((failed as Error).message).toContain(`127.0.0.1:${port}`);
    expect((failed as Error).message).not.toContain('secret');
  });
});

/** A port nothing listens on: bound once, then freed. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
