/**
 * Hub nodes sharing one PostgreSQL (a real throw-away cluster; one Pool per
 * node): the lease is judged by the database's clock, a dead node's rooms
 * move to exactly one survivor, and a node that lost its lease can no longer
 * change a room (fencing), whatever its own clock says.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_SCHEMA_VERSION, migrateCluster } from '../../../src/hub/cluster/schema';
import { liveNodes, lapsedNodes, NodeLease, type LeaseLoss } from '../../../src/hub/cluster/lease';
import { fenced, RoomDirectory, withFence } from '../../../src/hub/cluster/rooms';
import { codeOf, type CabineError } from '../../../src/shared/errors';
import { systemClock, type Clock } from '../../../src/shared/clock';
import { FakeClock } from '../../../src/shared/fake-clock';
import { startPgCluster, type PgCluster } from '../../helpers/pg-cluster';

// Short enough for a test to wait out, long enough for a loaded 2-core machine.
const TIMING = { leaseMs: 1_500, heartbeatMs: 300 };
const WAIT = { timeout: 15_000, interval: 100 };

let cluster: PgCluster;
const pools: pg.Pool[] = [];
const leases: NodeLease[] = [];

beforeAll(async () => {
  cluster = await startPgCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

afterEach(async () => {
  for (const l of leases.splice(0)) l.stop();
  for (const p of pools.splice(0)) await p.end();
});

async function database(): Promise<string> {
  const url = await cluster.createDatabase();
  const pool = connect(url);
  await migrateCluster(pool);
  return url;
}

function connect(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  pools.push(pool);
  return pool;
}

/** A node: its own Pool (its own connections), its lease and its room directory. */
async function node(url: string, nodeId: string, clock: Clock = systemClock): Promise<{ db: pg.Pool; lease: NodeLease; rooms: RoomDirectory }> {
  const db = connect(url);
  const lease = new NodeLease({ db, nodeId, url: `https://${nodeId}.test:8443`, clock, ...TIMING });
  leases.push(lease);
  await lease.acquire();
  return { db, lease, rooms: new RoomDirectory(db, lease) };
}

async function ids(rows: Promise<{ nodeId: string }[]>): Promise<string[]> {
  return (await rows).map((n) => n.nodeId).sort();
}

/** Sessions of this database waiting for a lock another holds. */
async function blockedOnLocks(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::integer AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
  return rows[0]!.n;
}

/** A clock `offsetMs` away from the real one (a node whose time is wrong); timers stay real. */
function offsetClock(offsetMs: number): Clock {
  return { ...systemClock, now: () => Date.now() + offsetMs };
}

describe('the cluster schema', () => {
  it('is created once when several nodes start together, and migrating again changes nothing', async () => {
    const url = await cluster.createDatabase();
    const found = await Promise.all([connect(url), connect(url), connect(url)].map((db) => migrateCluster(db)));
    expect(found.sort()).toEqual([0, CLUSTER_SCHEMA_VERSION, CLUSTER_SCHEMA_VERSION]);
    const db = connect(url);
    expect(await migrateCluster(db)).toBe(CLUSTER_SCHEMA_VERSION);
    expect((await db.query('SELECT version FROM cluster_schema_version')).rows).toEqual([{ version: CLUSTER_SCHEMA_VERSION }]);
  });

  it('refuses to run on a schema a newer node migrated, saying to update this one', async () => {
    const url = await database();
    const db = connect(url);
    await db.query('UPDATE cluster_schema_version SET version = version + 1');
    await expect(migrateCluster(db)).rejects.toMatchObject({ code: 'CLUSTER_SCHEMA_NEWER', message: expect.stringMatching(/update this node/) });
  });
});

describe('node leases', () => {
  it('registers two nodes, both live by the database clock', async () => {
    const url = await database();
    const a = await node(url, 'node-a');
    const b = await node(url, 'node-b');
    expect(await ids(liveNodes(a.db))).toEqual(['node-a', 'node-b']);
    expect(await lapsedNodes(b.db)).toEqual([]);
    expect(a.lease.epoch).toBe(1);
    expect(a.lease.held).toBe(true);
  });

  it('keeps a heartbeating node live past several lease lengths', async () => {
    const url = await database();
    const a = await node(url, 'node-a');
    let renewals = 0;
    a.lease.on('renewed', () => renewals++);
    // Enough renewals to span more than two leases: had one failed, the lease would have lapsed.
    await expect.poll(() => renewals, WAIT).toBeGreaterThanOrEqual(Math.ceil((2 * TIMING.leaseMs) / TIMING.heartbeatMs) + 1);
    expect(await ids(liveNodes(a.db))).toEqual(['node-a']);
  });

  it('judges a node lapsed by the database clock, whatever the node clock says', async () => {
    const url = await database();
    const ahead = await node(url, 'ahead', offsetClock(+24 * 3_600_000));
    const behind = await node(url, 'behind', offsetClock(-24 * 3_600_000));
    expect(await ids(liveNodes(ahead.db))).toEqual(['ahead', 'behind']);
    expect(ahead.lease.held).toBe(true);
    expect(behind.lease.held).toBe(true);
    ahead.lease.stop();
    await expect.poll(() => ids(lapsedNodes(behind.db)), WAIT).toEqual(['ahead']);
    expect(await ids(liveNodes(behind.db))).toEqual(['behind']);
  });

  it('tells a node that woke up after its lease lapsed that it lost it', async () => {
    const url = await database();
    // Its heartbeat timer runs only when the test moves this clock: a blocked event loop.
    const clock = new FakeClock(Date.now());
    const a = await node(url, 'node-a', clock);
    const b = await node(url, 'node-b');
    const lost: LeaseLoss[] = [];
    a.lease.on('lost', (why) => lost.push(why));
    await expect.poll(() => ids(lapsedNodes(b.db)), WAIT).toEqual(['node-a']);
    await clock.advance(TIMING.heartbeatMs);
    await expect.poll(() => lost, WAIT).toEqual(['lapsed']);
    expect(a.lease.held).toBe(false);
  });

  it('tells the older of two processes under one node id that it was taken over', async () => {
    const url = await database();
    const first = await node(url, 'node-a');
    const lost: LeaseLoss[] = [];
    first.lease.on('lost', (why) => lost.push(why));
    const second = await node(url, 'node-a');
    expect(second.lease.epoch).toBe(2);
    await expect.poll(() => lost, WAIT).toEqual(['taken-over']);
  });

  it('re-acquires a lost lease with a higher epoch', async () => {
    const url = await database();
    const a = await node(url, 'node-a');
    const b = await node(url, 'node-b');
    const first = a.lease.epoch!;
    a.lease.stop();
    await expect.poll(() => ids(lapsedNodes(b.db)), WAIT).toEqual(['node-a']);
    const grant = await a.lease.acquire();
    expect(grant.epoch).toBeGreaterThan(first);
    expect(await ids(liveNodes(b.db))).toEqual(['node-a', 'node-b']);
  });

  it('releases its lease on a clean stop, so its rooms can move at once', async () => {
    const url = await database();
    const a = await node(url, 'node-a');
    const b = await node(url, 'node-b');
    await a.rooms.own('room-1');
    await a.lease.release();
    expect(await ids(lapsedNodes(b.db))).toEqual(['node-a']);
    expect(await b.rooms.adoptOrphans()).toEqual(['room-1']);
  });
});

describe('room owners', () => {
  it('locates a room on its holder, with the url a booth must open', async () => {
    const url = await database();
    const a = await node(url, 'node-a');
    const b = await node(url, 'node-b');
    expect(await a.rooms.own('room-1')).toEqual({ owned: true });
    expect(await b.rooms.locate('room-1')).toEqual({ nodeId: 'node-a', url: 'https://node-a.test:8443', epoch: 1, live: true });
    expect(await b.rooms.own('room-1')).toEqual({ owned: false, holder: { nodeId: 'node-a', url: 'https://node-a.test:8443', epoch: 1, live: true } });
    expect(await b.rooms.locate('no-such-room')).toBeNull();
    expect(await a.rooms.release('room-1')).toBe(true);
    expect(await b.rooms.locate('room-1')).toBeNull();
  });

  it('moves a dead node\'s rooms to a survivor after its lease, same room ids', async () => {
    const url = await database();
    const a = await node(url, 'node-a');
    const b = await node(url, 'node-b');
    for (const r of ['room-1', 'room-2', 'room-3']) await a.rooms.own(r);
    await b.rooms.own('room-b');
    expect(await b.rooms.adoptOrphans()).toEqual([]);
    a.lease.stop();
    await expect.poll(async () => (await b.rooms.adoptOrphans()).sort(), WAIT).toEqual(['room-1', 'room-2', 'room-3']);
    expect((await a.rooms.locate('room-2'))?.nodeId).toBe('node-b');
    expect(await b.rooms.adoptOrphans()).toEqual([]);
    expect((await b.rooms.held()).sort()).toEqual(['room-1', 'room-2', 'room-3', 'room-b']);
  });

  it('gives each orphan to exactly one survivor when two adopt at the same moment', async () => {
    const url = await database();
    const b = await node(url, 'node-b');
    const c = await node(url, 'node-c');
    for (let round = 0; round < 4; round++) {
      const dead = await node(url, `dead-${round}`);
      const rooms = Array.from({ length: 60 }, (_, i) => `r${round}-${i}`);
      for (const r of rooms) await dead.rooms.own(r);
      dead.lease.stop();
      await expect.poll(() => lapsedNodes(b.db).then((n) => n.some((x) => x.nodeId === `dead-${round}`)), WAIT).toBe(true);
      const [byB, byC] = await Promise.all([b.rooms.adoptOrphans(), c.rooms.adoptOrphans()]);
      expect([...byB, ...byC].sort()).toEqual([...rooms].sort());
      expect(byB.filter((r) => byC.includes(r))).toEqual([]);
      for (const r of byC) expect((await b.rooms.locate(r))?.nodeId).toBe('node-c');
    }
  });

  it('takes over one room of a lapsed holder when asked to own it', async () => {
    const url = await database();
    const a = await node(url, 'node-a');
    const b = await node(url, 'node-b');
    await a.rooms.own('room-1');
    a.lease.stop();
    await expect.poll(() => ids(lapsedNodes(b.db)), WAIT).toEqual(['node-a']);
    expect(await b.rooms.own('room-1')).toEqual({ owned: true });
    expect((await b.rooms.locate('room-1'))?.nodeId).toBe('node-b');
  });
});

describe('fencing', () => {
  async function notesTable(db: pg.Pool): Promise<void> {
    await db.query('CREATE TABLE IF NOT EXISTS room_notes (room_id text NOT NULL, note text NOT NULL)');
  }
  async function notes(db: pg.Pool): Promise<string[]> {
    return (await db.query<{ note: string }>('SELECT note FROM room_notes ORDER BY note')).rows.map((r) => r.note);
  }
  const write = (room: string, note: string): [string, string[]] => ['INSERT INTO room_notes (room_id, note) VALUES ($1, $2)', [room, note]];

  it('lets the holder write about its room while its lease is live', async () => {
    const url = await database();
    const a = await node(url, 'node-a');
    await notesTable(a.db);
    await a.rooms.own('room-1');
    await a.rooms.write('room-1', ...write('room-1', 'by a'));
    await fenced(a.db, { nodeId: 'node-a', epoch: a.lease.epoch!, roomId: 'room-1' }, ...write('room-1', 'by a again'));
    expect(await notes(a.db)).toEqual(['by a', 'by a again']);
  });

  it('refuses a write from a node whose lease lapsed, before and after its room was adopted, and changes nothing', async () => {
    const url = await database();
    const a = await node(url, 'node-a');
    const b = await node(url, 'node-b');
    await notesTable(a.db);
    await a.rooms.own('room-1');
    const epoch = a.lease.epoch!;
    a.lease.stop();
    await expect.poll(() => ids(lapsedNodes(b.db)), WAIT).toEqual(['node-a']);

    const lapsed = await fenced(a.db, { nodeId: 'node-a', epoch, roomId: 'room-1' }, ...write('room-1', 'lapsed')).catch((e: CabineError) => e);
    expect(codeOf(lapsed)).toBe('FENCED');
    expect((lapsed as Error).message).toMatch(/room-1.*node-a.*epoch 1/);

    expect(await b.rooms.adoptOrphans()).toEqual(['room-1']);
    const adopted = await a.rooms.write('room-1', ...write('room-1', 'adopted')).catch((e: CabineError) => e);
    expect(codeOf(adopted)).toBe('FENCED');
    await expect(a.rooms.release('room-1')).rejects.toMatchObject({ code: 'FENCED' });
    await b.rooms.write('room-1', ...write('room-1', 'by b'));
    expect(await notes(b.db)).toEqual(['by b']);
    expect((await b.rooms.locate('room-1'))?.nodeId).toBe('node-b');
  });

  it('makes an adoption wait for a fenced write already under way, so the write lands before the room moves', async () => {
    const url = await database();
    const a = await node(url, 'node-a');
    const b = await node(url, 'node-b');
    await notesTable(a.db);
    await a.rooms.own('room-1');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let fenceCrossed = false;
    let adopted = false;
    const writing = withFence(a.db, { nodeId: 'node-a', epoch: a.lease.epoch!, roomId: 'room-1' }, async (client) => {
      await client.query(...write('room-1', 'in flight'));
      fenceCrossed = true;
      await held;
    });
    // The write passed its fence; now its lease ends and a survivor sweeps.
    await expect.poll(() => fenceCrossed, WAIT).toBe(true);
    await a.lease.release();
    const adopting = b.rooms.adoptOrphans().then((rooms) => {
      adopted = true;
      return rooms;
    });
    await expect.poll(() => blockedOnLocks(b.db), WAIT).toBe(1);
    expect(adopted).toBe(false);
    release();
    await writing;
    expect(await adopting).toEqual(['room-1']);
    expect(await notes(b.db)).toEqual(['in flight']);
    expect((await b.rooms.locate('room-1'))?.nodeId).toBe('node-b');
  });

  it('refuses the old epoch of a node that re-acquired, even though its node id is live again', async () => {
    const url = await database();
    const a = await node(url, 'node-a');
    await notesTable(a.db);
    await a.rooms.own('room-1');
    const old = a.lease.epoch!;
    a.lease.stop();
    await a.lease.acquire();
    await expect(fenced(a.db, { nodeId: 'node-a', epoch: old, roomId: 'room-1' }, ...write('room-1', 'old'))).rejects.toMatchObject({ code: 'FENCED' });
    expect(await notes(a.db)).toEqual([]);
  });

  it('rolls back a fenced write whose statement fails, and keeps the room', async () => {
    const url = await database();
    const a = await node(url, 'node-a');
    await notesTable(a.db);
    await a.rooms.own('room-1');
    await expect(a.rooms.write('room-1', 'INSERT INTO room_notes (room_id, note) VALUES ($1, NULL)', ['room-1'])).rejects.toMatchObject({ code: '23502' });
    expect(await notes(a.db)).toEqual([]);
    expect((await a.rooms.locate('room-1'))?.nodeId).toBe('node-a');
  });

  it('refuses to own or adopt while the lease is lost', async () => {
    const url = await database();
    const a = await node(url, 'node-a');
    await a.lease.release();
    await expect(a.rooms.own('room-1')).rejects.toMatchObject({ code: 'FENCED' });
    await expect(a.rooms.adoptOrphans()).rejects.toMatchObject({ code: 'FENCED' });
  });
});
