/**
 * The live state's writes about a room in a network of hub nodes (a real
 * throw-away PostgreSQL, real leases; one store, one pool and one lease per
 * node): a claim writes the room's holder in the same statement, with the
 * claiming node's epoch, and only while that node's lease is live; a claim
 * is removed only by the room's live holder. A node that lost its lease, or
 * an older epoch of it, changes nothing.
 */
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lapsedNodes, NodeLease } from '../../../src/hub/cluster/lease';
import { RoomDirectory } from '../../../src/hub/cluster/rooms';
import { migrateCluster } from '../../../src/hub/cluster/schema';
import type { QueueEntry } from '../../../src/hub/media/queue';
import { openPgHubState, type PgHubStateStore } from '../../../src/hub/state/pg-store';
import type { NodeFence, StoredClaim } from '../../../src/hub/state/repository';
import { FileKeyProvider, type KeyProvider } from '../../../src/node/keys';
import { HubLink } from '../../../src/host/hub-link';
import type { Hub } from '../../../src/hub/server';
import { createLogger } from '../../../src/node/logger';
import { codeOf } from '../../../src/shared/errors';
import { BOOTH_SECRETS, freshDataDir, SPECIALISTS, startTestHub, testHubConfig } from '../../helpers/hub';
import { startPgCluster, type PgCluster } from '../../helpers/pg-cluster';
import { ConsoleClient } from '../../resilience/support/clients';

// Short enough for a test to wait out, long enough for a loaded 2-core machine.
const TIMING = { leaseMs: 1_500, heartbeatMs: 300 };
const WAIT = { timeout: 15_000, interval: 100 };

let cluster: PgCluster;
const pools: pg.Pool[] = [];
const leases: NodeLease[] = [];
const stores: PgHubStateStore[] = [];
const dirs: string[] = [];
const hubs: Hub[] = [];
const links: HubLink[] = [];
const consoles: ConsoleClient[] = [];

beforeAll(async () => {
  cluster = await startPgCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

afterEach(async () => {
  for (const c of consoles.splice(0)) c.ws.terminate();
  for (const l of links.splice(0)) await l.stop();
  for (const h of hubs.splice(0)) await h.close();
  for (const l of leases.splice(0)) l.stop();
  for (const s of stores.splice(0)) await s.close();
  for (const p of pools.splice(0)) await p.end();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Network {
  url: string;
  keys: KeyProvider;
  /** A connection of the test's own, to look at the cluster tables. */
  db: pg.Pool;
}

/** A database with both schemas, as a network's nodes leave it after they start. */
async function network(): Promise<Network> {
  const url = await cluster.createDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'cabine-fencing-'));
  dirs.push(dir);
  const keys = new FileKeyProvider(join(dir, 'hub-state.key'));
  stores.push(await openPgHubState(url, keys));
  const db = connect(url);
  await migrateCluster(db);
  return { url, keys, db };
}

function connect(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  pools.push(pool);
  return pool;
}

interface Node {
  lease: NodeLease;
  rooms: RoomDirectory;
  state: PgHubStateStore;
  /** What this node's writes carry now. */
  fence(): NodeFence;
}

/** A hub node: its lease and room directory on one pool, its live state on another, as a node has. */
async function node(net: Network, nodeId: string): Promise<Node> {
  const db = connect(net.url);
  const lease = new NodeLease({ db, nodeId, url: `https://${nodeId}.test:8443`, ...TIMING });
  leases.push(lease);
  await lease.acquire();
  const state = await openPgHubState(net.url, net.keys);
  stores.push(state);
  return { lease, rooms: new RoomDirectory(db, lease), state, fence: () => ({ nodeId, epoch: lease.epoch! }) };
}

function entry(boothId: string): QueueEntry {
  return {
    boothId, pharmacy: { name: 'Pharmacie du Marché', city: 'Aurillac' }, reason: 'Angine persistante', firstName: 'Amandine', age: 34,
    pathway: null, exceptionReason: null, sessionId: `session-${boothId}`, language: 'fr', since: '2026-11-23T10:00:00.000Z',
  };
}

function claim(boothId: string, specialistId: string, n = 0): StoredClaim {
  return { roomId: `room-${boothId}-${specialistId}-${n}`, boothId, specialistId, claimedAt: `2026-11-23T10:${String(n % 60).padStart(2, '0')}:00.000Z`, entry: entry(boothId) };
}

/** Waits until the database's clock says this node's lease is over. */
async function lapsed(net: Network, n: Node): Promise<void> {
  n.lease.stop();
  await expect.poll(async () => (await lapsedNodes(net.db)).map((r) => r.nodeId), WAIT).toContain(n.lease.nodeId);
}

describe('the claim of a waiting booth in a network', () => {
  it('writes the room\'s holder, this node with its epoch, in the same step as the claim', async () => {
    const net = await network();
    const a = await node(net, 'node-a');
    await a.state.putQueueEntry(entry('b1'));
    const c = claim('b1', 'dr-martin');
    expect(await a.state.claimWaiting(c, a.fence())).toBe(true);
    expect(await a.rooms.locate(c.roomId)).toMatchObject({ nodeId: 'node-a', epoch: a.lease.epoch, live: true });
    expect(await a.state.claims()).toEqual([c]);
    expect(await a.state.queue()).toEqual([]);
  });

  it('claims nothing and holds nothing when the claim cannot be stored whole', async () => {
    const net = await network();
    const a = await node(net, 'node-a');
    const b = await node(net, 'node-b');
    const c = claim('b1', 'dr-martin');
    // Another node holds a room under this id: the holder cannot be written, so neither is the claim.
    await b.rooms.own(c.roomId);
    await a.state.putQueueEntry(entry('b1'));
    await expect(a.state.claimWaiting(c, a.fence())).rejects.toThrow();
    expect((await a.state.queue()).map((e) => e.boothId)).toEqual(['b1']);
    expect(await a.state.claims()).toEqual([]);
    expect((await a.rooms.locate(c.roomId))?.nodeId).toBe('node-b');
  });

  it('refuses a node whose lease lapsed (FENCED): the booth still waits, no claim, no holder', async () => {
    const net = await network();
    const a = await node(net, 'node-a');
    const b = await node(net, 'node-b');
    await a.state.putQueueEntry(entry('b1'));
    const fence = a.fence();
    await lapsed(net, a);
    const c = claim('b1', 'dr-martin');
    const refused = await a.state.claimWaiting(c, fence).catch((e: unknown) => e);
    expect(codeOf(refused)).toBe('FENCED');
    expect((await b.state.queue()).map((e) => e.boothId)).toEqual(['b1']);
    expect(await b.state.claims()).toEqual([]);
    expect(await b.rooms.locate(c.roomId)).toBeNull();
  });

  it('refuses an older epoch of a node that took a new lease (FENCED), and changes nothing', async () => {
    const net = await network();
    const a = await node(net, 'node-a');
    await a.state.putQueueEntry(entry('b1'));
    const old = a.fence();
    a.lease.stop();
    await a.lease.acquire();
    const c = claim('b1', 'dr-martin');
    await expect(a.state.claimWaiting(c, old)).rejects.toMatchObject({ code: 'FENCED' });
    expect((await a.state.queue()).map((e) => e.boothId)).toEqual(['b1']);
    expect(await a.state.claims()).toEqual([]);
    expect(await a.rooms.locate(c.roomId)).toBeNull();
  });

  it('still answers false for a booth already claimed, on a live lease', async () => {
    const net = await network();
    const a = await node(net, 'node-a');
    const b = await node(net, 'node-b');
    await a.state.putQueueEntry(entry('b1'));
    expect(await a.state.claimWaiting(claim('b1', 'dr-martin'), a.fence())).toBe(true);
    expect(await b.state.claimWaiting(claim('b1', 'dr-durand', 1), b.fence())).toBe(false);
    expect((await b.state.claims()).map((c) => c.specialistId)).toEqual(['dr-martin']);
    expect(await b.rooms.locate(claim('b1', 'dr-durand', 1).roomId)).toBeNull();
  });

  it('gives each of 10 waiting booths to exactly one of 50 claims from three nodes, each room held by the node whose claim won', async () => {
    const net = await network();
    const nodes = [await node(net, 'node-a'), await node(net, 'node-b'), await node(net, 'node-c')];
    for (let b = 0; b < 10; b++) await nodes[0]!.state.putQueueEntry(entry(`b${b}`));
    const attempts = Array.from({ length: 50 }, (_, i) => ({ node: nodes[i % 3]!, claim: claim(`b${i % 10}`, `dr-${i}`, i) }));
    const won = await Promise.all(attempts.map((a) => a.node.state.claimWaiting(a.claim, a.node.fence())));
    const winners = attempts.filter((_, i) => won[i]);
    expect(winners).toHaveLength(10);
    expect(new Set(winners.map((w) => w.claim.boothId)).size).toBe(10);
    expect(await nodes[1]!.state.queue()).toEqual([]);
    expect((await nodes[2]!.state.claims()).map((c) => c.roomId).sort()).toEqual(winners.map((w) => w.claim.roomId).sort());
    for (const w of winners) expect((await nodes[0]!.rooms.locate(w.claim.roomId))?.nodeId).toBe(w.node.lease.nodeId);
    const held = (await Promise.all(nodes.map((n) => n.rooms.held()))).flat();
    expect(held.sort()).toEqual(winners.map((w) => w.claim.roomId).sort());
  });
});

describe('the removal of a claim in a network', () => {
  it('removes the claim and the room\'s holder together when this node holds the room', async () => {
    const net = await network();
    const a = await node(net, 'node-a');
    await a.state.putQueueEntry(entry('b1'));
    const c = claim('b1', 'dr-martin');
    await a.state.claimWaiting(c, a.fence());
    await a.state.removeClaim(c.roomId, a.fence());
    expect(await a.state.claims()).toEqual([]);
    expect(await a.rooms.locate(c.roomId)).toBeNull();
  });

  it('refuses an older epoch (FENCED) once another node adopted the room: the claim and its new holder stay', async () => {
    const net = await network();
    const a = await node(net, 'node-a');
    const b = await node(net, 'node-b');
    await a.state.putQueueEntry(entry('b1'));
    const c = claim('b1', 'dr-martin');
    await a.state.claimWaiting(c, a.fence());
    const old = a.fence();
    a.lease.stop();
    await a.lease.acquire();
    expect(await b.rooms.adoptOrphans()).toEqual([c.roomId]);
    await expect(a.state.removeClaim(c.roomId, old)).rejects.toMatchObject({ code: 'FENCED' });
    // Its new epoch is live, but the room is another node's now.
    await expect(a.state.removeClaim(c.roomId, a.fence())).rejects.toMatchObject({ code: 'FENCED' });
    expect(await b.state.claims()).toEqual([c]);
    expect(await b.rooms.locate(c.roomId)).toMatchObject({ nodeId: 'node-b', epoch: b.lease.epoch, live: true });
  });

  it('refuses a node whose lease lapsed (FENCED), even before a survivor adopted its room', async () => {
    const net = await network();
    const a = await node(net, 'node-a');
    await a.state.putQueueEntry(entry('b1'));
    const c = claim('b1', 'dr-martin');
    await a.state.claimWaiting(c, a.fence());
    const fence = a.fence();
    await lapsed(net, a);
    await expect(a.state.removeClaim(c.roomId, fence)).rejects.toMatchObject({ code: 'FENCED' });
    expect(await a.state.claims()).toEqual([c]);
    expect((await a.rooms.locate(c.roomId))?.nodeId).toBe('node-a');
  });
});

const silent = createLogger('test', new Writable({ write: (_chunk, _encoding, done) => done() }));

/** A hub node of a network alone on a fresh database, with a booth waiting and a doctor's console open. */
async function hubNodeWithAWaitingBooth(): Promise<{ hub: Hub; db: pg.Pool; console: ConsoleClient }> {
  const url = await cluster.createDatabase();
  const hub = await startTestHub({
    consoleDir: '/nonexistent',
    config: { ...(await testHubConfig()), store: { engine: 'postgresql', url }, keyDir: freshDataDir(), node: { id: 'node-a', url: 'https://node-a.test' } },
  });
  hubs.push(hub);
  const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: 'demo-booth-1', token: BOOTH_SECRETS['demo-booth-1'], log: silent, minDelayMs: 50, maxDelayMs: 200 });
  links.push(link);
  link.start();
  await expect.poll(() => link.status).toBe('online');
  await link.request('queue.join', { reason: 'Angine', patient: { firstName: 'Amandine', age: 34 } });
  const doctor = await ConsoleClient.login(hub.url, SPECIALISTS[0].email, SPECIALISTS[0].password);
  consoles.push(doctor);
  return { hub, db: connect(url), console: doctor };
}

async function count(db: pg.Pool, table: string): Promise<number> {
  return (await db.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${table}`)).rows[0]!.n;
}

describe('a hub node of a network', () => {
  it('holds the room it claims from the claim on, and lets the room and its claim go together when the call ends', async () => {
    const { db, console: doctor } = await hubNodeWithAWaitingBooth();
    const { roomId } = await doctor.call<{ roomId: string }>('queue.claim', { boothId: 'demo-booth-1' });
    expect((await db.query('SELECT node_id, epoch FROM cluster_room_owners WHERE room_id = $1', [roomId])).rows).toEqual([{ node_id: 'node-a', epoch: 1 }]);
    await doctor.call('room.leave');
    await expect.poll(() => count(db, 'hub_state.claims'), WAIT).toBe(0);
    expect(await count(db, 'cluster_room_owners')).toBe(0);
  });

  it('refuses a claim once its lease was taken over (NODE_FENCED, said to the doctor), and the booth still waits', async () => {
    const { db, console: doctor } = await hubNodeWithAWaitingBooth();
    // A newer process under this node id took the lease: this one's epoch is stale.
    await db.query("UPDATE cluster_nodes SET epoch = epoch + 1 WHERE node_id = 'node-a'");
    const answer = await doctor.raw('queue.claim', { boothId: 'demo-booth-1' });
    expect(answer.ok).toBe(false);
    expect(answer.e).toMatchObject({ code: 'NODE_FENCED', message: expect.stringMatching(/reconnects to another node/) });
    expect(await count(db, 'hub_state.claims')).toBe(0);
    expect(await count(db, 'cluster_room_owners')).toBe(0);
    expect((await db.query('SELECT booth_id FROM hub_state.queue')).rows).toEqual([{ booth_id: 'demo-booth-1' }]);
  });

  it('refuses a claim its database could not store (CLAIM_NOT_SAVED) rather than give the booth without a word to the other nodes', async () => {
    const { db, console: doctor } = await hubNodeWithAWaitingBooth();
    // The claims' table out of reach: the statement fails as with a database lost mid-run.
    await db.query('ALTER TABLE hub_state.claims RENAME TO claims_away');
    const answer = await doctor.raw('queue.claim', { boothId: 'demo-booth-1' });
    expect(answer.e?.code).toBe('CLAIM_NOT_SAVED');
    expect(await count(db, 'cluster_room_owners')).toBe(0);
    expect((await db.query('SELECT booth_id FROM hub_state.queue')).rows).toEqual([{ booth_id: 'demo-booth-1' }]);
  });
});
