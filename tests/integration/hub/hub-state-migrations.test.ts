/**
 * The hub state's schema on both engines: rows written at every earlier
 * version are read after the migration to the latest; nodes starting at
 * once on a fresh PostgreSQL migrate it once; a database a newer release
 * migrated is refused; an unreachable server is a typed error naming it,
 * not a hang.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { QueueEntry } from '../../../src/hub/media/queue';
import { migratePgHubState, openPgHubState, PG_HUB_STATE_MIGRATIONS } from '../../../src/hub/state/pg-store';
import { pendingAad, tokenHash, type HubStateRepository, type StoredClaim, type StoredSession } from '../../../src/hub/state/repository';
import { HUB_STATE_MIGRATIONS, HubStateStore } from '../../../src/hub/state/store';
import { FileKeyProvider, type KeyProvider } from '../../../src/node/keys';
import { sealJson } from '../../../src/node/seal';
import { migrate } from '../../../src/node/sqlite';
import { startPgCluster, type PgCluster } from '../../helpers/pg-cluster';

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPgCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

const dirs: string[] = [];
const stores: HubStateRepository[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function keysIn(): KeyProvider {
  const d = mkdtempSync(join(tmpdir(), 'cabine-hub-state-'));
  dirs.push(d);
  return new FileKeyProvider(join(d, 'hub-state.key'));
}

const entry: QueueEntry = {
  boothId: 'b1', pharmacy: { name: 'Pharmacie du Marché', city: 'Aurillac' }, reason: 'Angine persistante', firstName: 'Amandine', age: 34,
  pathway: null, exceptionReason: null, sessionId: 'session-b1', language: 'fr', since: '2026-11-23T10:00:00.000Z',
};
const claim: StoredClaim = { roomId: 'room-b2-x', boothId: 'b2', specialistId: 'dr-martin', claimedAt: '2026-11-23T10:05:00.000Z', entry: { ...entry, boothId: 'b2' } };
const session: StoredSession = { specialistId: 'dr-martin', name: 'Dr Claire Martin', specialty: 'Médecine générale', expires: Date.now() + 3_600_000 };
const TOKEN = 'token-of-dr-martin';
const TOTP_ACCOUNT = 'specialist:dr-martin';
const TOTP_STEP = 59_000_000;
const PENDING_TOKEN = 'pending-of-dr-martin';
const PENDING = { accountId: 'dr-martin', expires: Date.now() + 300_000, wrong: 1 };
const STAFF_TOKEN = 'token-of-marie';
const STAFF_SESSION = { staffId: 'marie', expires: Date.now() + 3_600_000 };

/** What a hub of version k wrote: one row of each table, in that version's shape. The next migration adds its seeder here. */
const SQLITE_SEEDS: ((db: Database.Database, keys: KeyProvider) => void)[] = [
  (db, keys) => {
    db.prepare('INSERT INTO queue (booth_id, ord, body) VALUES (?, ?, ?)').run(entry.boothId, 1, sealJson(keys, `queue:${entry.boothId}`, entry));
    db.prepare('INSERT INTO claims (room_id, booth_id, specialist_id, claimed_at, body) VALUES (?, ?, ?, ?, ?)')
      .run(claim.roomId, claim.boothId, claim.specialistId, claim.claimedAt, sealJson(keys, `claims:${claim.roomId}`, claim.entry));
    db.prepare('INSERT INTO sessions (token_hash, specialist_id, name, specialty, expires) VALUES (?, ?, ?, ?, ?)')
      .run(tokenHash(TOKEN), session.specialistId, session.name, session.specialty, session.expires);
    db.prepare('INSERT INTO durations (ended_at, ms) VALUES (?, ?)').run('2026-11-23T10:20:00.000Z', 900_000);
  },
  (db, keys) => {
    SQLITE_SEEDS[0]!(db, keys);
    db.prepare('INSERT INTO totp_steps (account, step) VALUES (?, ?)').run(TOTP_ACCOUNT, TOTP_STEP);
  },
  (db, keys) => {
    SQLITE_SEEDS[1]!(db, keys);
    db.prepare('INSERT INTO pending_sign_ins (kind, token_hash, body, expires) VALUES (?, ?, ?, ?)')
      .run('totp', tokenHash(PENDING_TOKEN), sealJson(keys, pendingAad('totp', tokenHash(PENDING_TOKEN)), PENDING), PENDING.expires);
  },
  (db, keys) => {
    SQLITE_SEEDS[2]!(db, keys);
    db.prepare('INSERT INTO staff_sessions (token_hash, staff_id, expires) VALUES (?, ?, ?)').run(tokenHash(STAFF_TOKEN), STAFF_SESSION.staffId, STAFF_SESSION.expires);
  },
];

const PG_SEEDS: ((db: pg.ClientBase, keys: KeyProvider) => Promise<void>)[] = [
  async (db, keys) => {
    await db.query('INSERT INTO hub_state.queue (booth_id, body) VALUES ($1, $2)', [entry.boothId, sealJson(keys, `queue:${entry.boothId}`, entry)]);
    await db.query('INSERT INTO hub_state.claims (room_id, booth_id, specialist_id, claimed_at, body) VALUES ($1, $2, $3, $4, $5)',
      [claim.roomId, claim.boothId, claim.specialistId, claim.claimedAt, sealJson(keys, `claims:${claim.roomId}`, claim.entry)]);
    await db.query('INSERT INTO hub_state.sessions (token_hash, specialist_id, name, specialty, expires) VALUES ($1, $2, $3, $4, $5)',
      [tokenHash(TOKEN), session.specialistId, session.name, session.specialty, session.expires]);
    await db.query('INSERT INTO hub_state.durations (ended_at, ms) VALUES ($1, $2)', ['2026-11-23T10:20:00.000Z', 900_000]);
  },
  async (db, keys) => {
    await PG_SEEDS[0]!(db, keys);
    await db.query('INSERT INTO hub_state.totp_steps (account, step) VALUES ($1, $2)', [TOTP_ACCOUNT, TOTP_STEP]);
  },
  async (db, keys) => {
    await PG_SEEDS[1]!(db, keys);
    await db.query('INSERT INTO hub_state.pending_sign_ins (kind, token_hash, body, expires) VALUES ($1, $2, $3, $4)',
      ['totp', tokenHash(PENDING_TOKEN), sealJson(keys, pendingAad('totp', tokenHash(PENDING_TOKEN)), PENDING), PENDING.expires]);
  },
  async (db, keys) => {
    await PG_SEEDS[2]!(db, keys);
    await db.query('INSERT INTO hub_state.staff_sessions (token_hash, staff_id, expires) VALUES ($1, $2, $3)', [tokenHash(STAFF_TOKEN), STAFF_SESSION.staffId, STAFF_SESSION.expires]);
  },
];

async function expectSeededRows(s: HubStateRepository, version: number): Promise<void> {
  if (version === 0) {
    expect(await s.queue()).toEqual([]);
    return;
  }
  expect(await s.queue()).toEqual([entry]);
  expect(await s.claims()).toEqual([claim]);
  expect(await s.session(TOKEN)).toEqual(session);
  expect(await s.recentDurations()).toEqual([900_000]);
  // The step used before the migration is still used after it: its code cannot be replayed.
  expect(await s.useTotpStep(TOTP_ACCOUNT, TOTP_STEP)).toBe(version < 2);
  expect(await s.useTotpStep(TOTP_ACCOUNT, TOTP_STEP + 1)).toBe(true);
  // A sign-in half done before the migration completes after it.
  expect(await s.takePendingSignIn('totp', PENDING_TOKEN)).toEqual(version < 3 ? null : PENDING);
  expect(await s.staffSession(STAFF_TOKEN)).toEqual(version < 4 ? null : STAFF_SESSION);
}

describe('hub state migrations on SQLite', () => {
  it('has a seeder for every version', () => {
    expect(SQLITE_SEEDS).toHaveLength(HUB_STATE_MIGRATIONS.length);
  });

  for (let k = 0; k <= HUB_STATE_MIGRATIONS.length; k++) {
    it(`reads the rows written at version ${k} after migrating to the latest`, async () => {
      const keys = keysIn();
      const file = join(dirs.at(-1)!, 'hub-state.db');
      const db = new Database(file);
      expect(migrate(db, HUB_STATE_MIGRATIONS, k)).toBe(k);
      if (k > 0) SQLITE_SEEDS[k - 1]!(db, keys);
      db.close();
      const s = new HubStateStore(file, keys);
      stores.push(s);
      await expectSeededRows(s, k);
    });
  }
});

describe('hub state migrations on PostgreSQL', () => {
  it('has a seeder for every version', () => {
    expect(PG_SEEDS).toHaveLength(PG_HUB_STATE_MIGRATIONS.length);
  });

  for (let k = 0; k <= PG_HUB_STATE_MIGRATIONS.length; k++) {
    it(`reads the rows written at version ${k} after migrating to the latest`, async () => {
      const keys = keysIn();
      const url = await cluster.createDatabase();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        expect(await migratePgHubState(client, k)).toBe(k);
        if (k > 0) await PG_SEEDS[k - 1]!(client, keys);
      } finally {
        await client.end();
      }
      const s = await openPgHubState(url, keys);
      stores.push(s);
      await expectSeededRows(s, k);
    });
  }

  it('is migrated once when several nodes start at once on a fresh database', async () => {
    const url = await cluster.createDatabase();
    const keys = keysIn();
    const nodes = await Promise.all(Array.from({ length: 5 }, () => openPgHubState(url, keys)));
    stores.push(...nodes);
    await nodes[0]!.putQueueEntry(entry);
    expect(await nodes[4]!.queue()).toEqual([entry]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const r = await client.query<{ version: number }>('SELECT version FROM hub_state.migrations ORDER BY version');
      expect(r.rows.map((row) => row.version)).toEqual(PG_HUB_STATE_MIGRATIONS.map((_, i) => i + 1));
    } finally {
      await client.end();
    }
  });

  it('refuses a database migrated by a newer release (STATE_TOO_NEW)', async () => {
    const url = await cluster.createDatabase();
    const keys = keysIn();
    stores.push(await openPgHubState(url, keys));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('INSERT INTO hub_state.migrations (version) VALUES ($1)', [PG_HUB_STATE_MIGRATIONS.length + 1]);
    } finally {
      await client.end();
    }
    await expect(openPgHubState(url, keys)).rejects.toMatchObject({ code: 'STATE_TOO_NEW' });
  });
});

describe('hub state on an unreachable PostgreSQL', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  /** A port that was free a moment ago and that nobody listens on. */
  async function closedPort(): Promise<number> {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as { port: number };
    await new Promise((r) => srv.close(r));
    return port;
  }

  it('refuses to open with STATE_UNAVAILABLE naming the host and port when nothing listens there', async () => {
    const port = await closedPort();
    const error = await openPgHubState(`postgresql://cabine@127.0.0.1:${port}/cabine`, keysIn()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STATE_UNAVAILABLE' });
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it('gives up with STATE_UNAVAILABLE, not a hang, when the server accepts and never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    silent.on('close', () => sockets.forEach((s) => s.destroy()));
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as { port: number };
    const error = await openPgHubState(`postgresql://cabine@127.0.0.1:${port}/cabine`, keysIn(), undefined, { connectTimeoutMs: 300 }).catch((e: unknown) => e);
    sockets.forEach((s) => s.destroy());
    expect(error).toMatchObject({ code: 'STATE_UNAVAILABLE' });
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  });
});
