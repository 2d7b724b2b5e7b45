/**
 * The hub state's one contract, run on both engines: a SQLite file (the
 * embedded default) and a PostgreSQL database of a throw-away cluster (a
 * network of hub nodes). Several "nodes" are several stores opened on the
 * same file or database, each with its own connections.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { QueueEntry } from '../../../src/hub/media/queue';
import { openPgHubState } from '../../../src/hub/state/pg-store';
import { tokenHash, type HubStateRepository, type StoredClaim } from '../../../src/hub/state/repository';
import { HubStateStore } from '../../../src/hub/state/store';
import { FileKeyProvider, type KeyProvider } from '../../../src/node/keys';
import { databaseFiles, foundIn } from '../../helpers/at-rest';
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

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cabine-hub-state-'));
  dirs.push(d);
  return d;
}

interface OpenOptions {
  now?: () => number;
  /** Another key than the place's own (a node whose key is not the one that sealed). */
  keys?: KeyProvider;
  log?: Logger;
}

/** Where one hub's (or one network's) live state lives; every `open` is another node on it. */
interface Place {
  open(opts?: OpenOptions): Promise<HubStateRepository>;
  /** Whether a value is anywhere in what the engine holds, in clear. */
  holdsInClear(value: string): Promise<boolean>;
}

interface Engine {
  name: string;
  place(): Promise<Place>;
}

const sqlite: Engine = {
  name: 'SQLite',
  async place() {
    const d = tempDir();
    const file = join(d, 'hub-state.db');
    const keys = new FileKeyProvider(join(d, 'hub-state.key'));
    return {
      async open(opts = {}) {
        const s = new HubStateStore(file, opts.keys ?? keys, opts.log, opts.now ? { now: opts.now } : undefined);
        stores.push(s);
        return s;
      },
      async holdsInClear(value) {
        return foundIn(databaseFiles(file), value);
      },
    };
  },
};

/** Every value of every row of the hub state's tables, bytes as bytes, as the database hands them out. */
async function rawValues(url: string): Promise<(string | Buffer)[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ schema: string; name: string }>(
      "SELECT table_schema AS schema, table_name AS name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    );
    const out: (string | Buffer)[] = [];
    for (const t of tables.rows) {
      const rows = await client.query<Record<string, unknown>>(`SELECT * FROM ${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.name)}`);
      for (const row of rows.rows) for (const v of Object.values(row)) out.push(Buffer.isBuffer(v) ? v : String(v));
    }
    return out;
  } finally {
    await client.end();
  }
}

const postgres: Engine = {
  name: 'PostgreSQL',
  async place() {
    const url = await cluster.createDatabase();
    const keys = new FileKeyProvider(join(tempDir(), 'hub-state.key'));
    return {
      async open(opts = {}) {
        const s = await openPgHubState(url, opts.keys ?? keys, opts.log, opts.now ? { clock: { now: opts.now } } : {});
        stores.push(s);
        return s;
      },
      async holdsInClear(value) {
        const values = await rawValues(url);
        return values.some((v) => (typeof v === 'string' ? v.includes(value) : foundIn([v], value)));
      },
    };
  },
};

function entry(boothId: string, firstName: string | null = 'Amandine'): QueueEntry {
  return {
    boothId, pharmacy: { name: 'Pharmacie du Marché', city: 'Aurillac' }, reason: 'Angine persistante', firstName, age: 34,
    pathway: null, exceptionReason: null, sessionId: `session-${boothId}`, language: 'fr', since: '2026-11-23T10:00:00.000Z',
  };
}

function claim(boothId: string, specialistId: string, n = 0): StoredClaim {
  return { roomId: `room-${boothId}-${specialistId}-${n}`, boothId, specialistId, claimedAt: `2026-11-23T10:${String(n % 60).padStart(2, '0')}:00.000Z`, entry: entry(boothId) };
}

function capture(): { log: Logger; lines: () => { code?: string; row?: string; msg: string }[] } {
  const out: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void out.push(line) });
  return { log, lines: () => out.map((l) => JSON.parse(l) as { code?: string; row?: string; msg: string }) };
}

describe.each([sqlite, postgres])('hub state on $name', (engine) => {
  it('keeps the waiting queue in its order across a reopen, a booth keeping its place when its entry changes', async () => {
    const place = await engine.place();
    const s = await place.open();
    await s.putQueueEntry(entry('b1'));
    await s.putQueueEntry(entry('b2'));
    await s.putQueueEntry(entry('b3'));
    await s.putQueueEntry({ ...entry('b1'), reason: 'Fièvre' });
    await s.removeQueueEntry('b2');
    await s.close();
    const again = await place.open();
    expect((await again.queue()).map((e) => [e.boothId, e.reason])).toEqual([['b1', 'Fièvre'], ['b3', 'Angine persistante']]);
    await again.putQueueEntry(entry('b4'));
    expect((await again.queue()).map((e) => e.boothId)).toEqual(['b1', 'b3', 'b4']);
  });

  it('keeps claims across a reopen, oldest first, and refuses a second claim of the same booth', async () => {
    const place = await engine.place();
    const s = await place.open();
    await s.putClaim({ roomId: 'room-b2-x', boothId: 'b2', specialistId: 'dr-durand', claimedAt: '2026-11-23T10:07:00.000Z', entry: null });
    await s.putClaim({ roomId: 'room-b1-x', boothId: 'b1', specialistId: 'dr-martin', claimedAt: '2026-11-23T10:05:00.000Z', entry: entry('b1') });
    await expect(s.putClaim({ roomId: 'room-b1-y', boothId: 'b1', specialistId: 'dr-durand', claimedAt: '2026-11-23T10:06:00.000Z', entry: null })).rejects.toThrow();
    await s.removeClaim('room-b2-x');
    await s.putClaim({ roomId: 'room-b3-x', boothId: 'b3', specialistId: 'dr-durand', claimedAt: '2026-11-23T10:08:00.000Z', entry: null });
    await s.close();
    expect(await (await place.open()).claims()).toEqual([
      { roomId: 'room-b1-x', boothId: 'b1', specialistId: 'dr-martin', claimedAt: '2026-11-23T10:05:00.000Z', entry: entry('b1') },
      { roomId: 'room-b3-x', boothId: 'b3', specialistId: 'dr-durand', claimedAt: '2026-11-23T10:08:00.000Z', entry: null },
    ]);
  });

  it('claims a waiting booth in one step: its queue entry goes and the claim is kept', async () => {
    const s = await (await engine.place()).open();
    await s.putQueueEntry(entry('b1'));
    await s.putQueueEntry(entry('b2'));
    expect(await s.claimWaiting(claim('b1', 'dr-martin'))).toBe(true);
    expect((await s.queue()).map((e) => e.boothId)).toEqual(['b2']);
    expect(await s.claims()).toEqual([claim('b1', 'dr-martin')]);
  });

  it('refuses to claim a booth that is not waiting, or is waiting but already claimed, and changes nothing', async () => {
    const s = await (await engine.place()).open();
    expect(await s.claimWaiting(claim('b1', 'dr-martin'))).toBe(false);
    expect(await s.claims()).toEqual([]);
    await s.putClaim(claim('b2', 'dr-martin'));
    await s.putQueueEntry(entry('b2'));
    expect(await s.claimWaiting(claim('b2', 'dr-durand', 1))).toBe(false);
    expect((await s.queue()).map((e) => e.boothId)).toEqual(['b2']);
    expect((await s.claims()).map((c) => c.specialistId)).toEqual(['dr-martin']);
  });

  it('gives each of 10 waiting booths to exactly one of 50 claims made at once from three nodes', async () => {
    const place = await engine.place();
    const nodes = [await place.open(), await place.open(), await place.open()];
    for (let b = 0; b < 10; b++) await nodes[0]!.putQueueEntry(entry(`b${b}`));
    const attempts = Array.from({ length: 50 }, (_, i) => ({ node: nodes[i % 3]!, claim: claim(`b${i % 10}`, `dr-${i}`, i) }));
    const won = await Promise.all(attempts.map((a) => a.node.claimWaiting(a.claim)));
    const winners = attempts.filter((_, i) => won[i]).map((a) => a.claim);
    expect(winners).toHaveLength(10);
    expect(new Set(winners.map((c) => c.boothId)).size).toBe(10);
    expect(await nodes[1]!.queue()).toEqual([]);
    const claims = await nodes[2]!.claims();
    expect(claims.map((c) => c.roomId).sort()).toEqual(winners.map((c) => c.roomId).sort());
  });

  it('applies writes in the order they were called when nobody waits for them, and a read sees them all', async () => {
    const s = await (await engine.place()).open();
    const fired: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      fired.push(s.putQueueEntry({ ...entry('b1'), reason: `r${i}` }));
      fired.push(s.removeQueueEntry('b1'));
      fired.push(s.putQueueEntry(entry(`c${i % 4}`)));
    }
    fired.push(s.putQueueEntry({ ...entry('b1'), reason: 'last' }));
    fired.push(s.putClaim(claim('b9', 'dr-martin')));
    fired.push(s.removeClaim(claim('b9', 'dr-martin').roomId));
    fired.push(s.putClaim(claim('b8', 'dr-martin')));
    for (let i = 1; i <= 25; i++) fired.push(s.recordDuration(i * 1000));
    // Read without waiting for the writes: it sees every one of them.
    const queue = await s.queue();
    expect(queue.map((e) => [e.boothId, e.reason])).toEqual([
      ['c0', 'Angine persistante'], ['c1', 'Angine persistante'], ['c2', 'Angine persistante'], ['c3', 'Angine persistante'], ['b1', 'last'],
    ]);
    expect((await s.claims()).map((c) => c.boothId)).toEqual(['b8']);
    expect((await s.recentDurations())[0]).toBe(25_000);
    await Promise.all(fired);
  });

  it('keeps going after a refused write: the writes after it still apply', async () => {
    const s = await (await engine.place()).open();
    const first = s.putClaim(claim('b1', 'dr-martin'));
    const refusedClaim = s.putClaim(claim('b1', 'dr-martin'));
    const after = s.putQueueEntry(entry('b2'));
    await first;
    await expect(refusedClaim).rejects.toThrow();
    await after;
    expect((await s.queue()).map((e) => e.boothId)).toEqual(['b2']);
  });

  it('finds a session by its token after a reopen, refuses and deletes it once expired, and forgets it on logout', async () => {
    const place = await engine.place();
    let now = 1_000_000;
    const s = await place.open({ now: () => now });
    const session = { specialistId: 'dr-martin', name: 'Dr Claire Martin', specialty: 'Médecine générale', expires: now + 60_000 };
    await s.putSession('token-a', session);
    await s.putSession('token-b', session);
    await s.close();
    const again = await place.open({ now: () => now });
    expect(await again.session('token-a')).toEqual(session);
    expect(await again.session('token-unknown')).toBeNull();
    await again.removeSession('token-b');
    expect(await again.session('token-b')).toBeNull();
    now += 60_001;
    expect(await again.session('token-a')).toBeNull();
    now -= 60_001;
    expect(await again.session('token-a')).toBeNull();
  });

  it('finds a staff session by its token from another node, expires it, and forgets it on sign-out for every node', async () => {
    let now = 5_000_000;
    const place = await engine.place();
    const a = await place.open({ now: () => now });
    const b = await place.open({ now: () => now });
    await a.putStaffSession('staff-tok-1', { staffId: 'marie', expires: now + 60_000 });
    await a.putStaffSession('staff-tok-2', { staffId: 'paul', expires: now + 60_000 });
    expect(await b.staffSession('staff-tok-1')).toEqual({ staffId: 'marie', expires: now + 60_000 });
    await b.removeStaffSession('staff-tok-1');
    expect(await a.staffSession('staff-tok-1')).toBeNull();
    now += 60_001;
    expect(await a.staffSession('staff-tok-2')).toBeNull();
    expect(await place.holdsInClear('staff-tok-2')).toBe(false);
  });

  it('purges expired sessions, doctors\' and staff\'s, and says how many', async () => {
    let now = 1_000_000;
    const s = await (await engine.place()).open({ now: () => now });
    const session = { specialistId: 'dr-martin', name: 'Dr Claire Martin', specialty: 'Médecine générale', expires: now + 1000 };
    await s.putSession('old-1', session);
    await s.putSession('old-2', session);
    await s.putSession('fresh', { ...session, expires: now + 10_000 });
    await s.putStaffSession('old-staff', { staffId: 'marie', expires: now + 1000 });
    now += 5000;
    expect(await s.purgeExpiredSessions()).toBe(3);
    expect(await s.session('fresh')).toEqual({ ...session, expires: 1_010_000 });
    expect(await s.purgeExpiredSessions()).toBe(0);
  });

  it('seals patient fields at rest and keeps login tokens only as hashes', async () => {
    const place = await engine.place();
    const s = await place.open();
    const token = 'tok-3f9c0aa6b5e14d5c9e4e7b0c2d1f8a90';
    await s.putQueueEntry(entry('b1', 'Amandine'));
    await s.putClaim({ roomId: 'room-b2-x', boothId: 'b2', specialistId: 'dr-martin', claimedAt: '2026-11-23T10:05:00.000Z', entry: entry('b2', 'Bérénice') });
    await s.putQueueEntry(entry('b3', 'Célestin'));
    expect(await s.claimWaiting({ roomId: 'room-b3-x', boothId: 'b3', specialistId: 'dr-durand', claimedAt: '2026-11-23T10:06:00.000Z', entry: entry('b3', 'Célestin') })).toBe(true);
    await s.putSession(token, { specialistId: 'dr-martin', name: 'Dr Claire Martin', specialty: 'Médecine générale', expires: Date.now() + 60_000 });
    for (const secret of ['Amandine', 'Bérénice', 'Célestin', 'Angine persistante', token]) expect(await place.holdsInClear(secret), secret).toBe(false);
    expect(await place.holdsInClear(tokenHash(token))).toBe(true);
    expect((await s.queue())[0]!.firstName).toBe('Amandine');
    expect((await s.claims()).map((c) => c.entry?.firstName)).toEqual(['Bérénice', 'Célestin']);
  });

  it('skips queue and claim rows sealed under another key, logging their code, instead of failing the whole read', async () => {
    const place = await engine.place();
    const s = await place.open();
    await s.putQueueEntry(entry('b1'));
    await s.putClaim(claim('b2', 'dr-martin'));
    await s.close();
    const { log, lines } = capture();
    const again = await place.open({ keys: new FileKeyProvider(join(tempDir(), 'other.key')), log });
    await again.putQueueEntry(entry('b3'));
    await again.putClaim(claim('b4', 'dr-durand'));
    expect((await again.queue()).map((e) => e.boothId)).toEqual(['b3']);
    expect((await again.claims()).map((c) => c.boothId)).toEqual(['b4']);
    expect(lines().map((l) => [l.code, l.row])).toEqual([['DECRYPT_FAILED', 'queue'], ['DECRYPT_FAILED', 'claims']]);
  });

  it('accepts each TOTP step of an account once, refuses the same or an earlier step, and keeps accounts apart', async () => {
    const place = await engine.place();
    const s = await place.open();
    expect(await s.useTotpStep('specialist:dr-martin', 100)).toBe(true);
    expect(await s.useTotpStep('specialist:dr-martin', 100)).toBe(false);
    expect(await s.useTotpStep('specialist:dr-martin', 99)).toBe(false);
    expect(await s.useTotpStep('staff:marie', 100)).toBe(true);
    expect(await s.useTotpStep('specialist:dr-martin', 101)).toBe(true);
    // Another node (or the same after a restart) sees the steps used.
    const other = await place.open();
    expect(await other.useTotpStep('specialist:dr-martin', 101)).toBe(false);
    expect(await other.useTotpStep('staff:marie', 100)).toBe(false);
  });

  it('gives one TOTP step to exactly one of 30 uses at once from three nodes', async () => {
    const place = await engine.place();
    const nodes = [await place.open(), await place.open(), await place.open()];
    const won = await Promise.all(Array.from({ length: 30 }, (_, i) => nodes[i % 3]!.useTotpStep('staff:marie', 57_000_000)));
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  it('hands a sign-in half done out once, to another node as well, and never past its expiry', async () => {
    let now = 1_000_000;
    const place = await engine.place();
    const a = await place.open({ now: () => now });
    const b = await place.open({ now: () => now });
    await a.putPendingSignIn('totp', 'tok-1', { accountId: 'marie', expires: now + 60_000, wrong: 0 }, now + 60_000);
    await a.putPendingSignIn('oidc', 'tok-1', { role: 'specialist' }, now + 60_000);
    await a.putPendingSignIn('totp', 'tok-2', { accountId: 'paul', expires: now + 60_000, wrong: 0 }, now + 60_000);
    // Kinds apart; taken once, by whichever node.
    expect(await b.takePendingSignIn('totp', 'tok-1')).toEqual({ accountId: 'marie', expires: now + 60_000, wrong: 0 });
    expect(await a.takePendingSignIn('totp', 'tok-1')).toBeNull();
    expect(await a.takePendingSignIn('oidc', 'tok-1')).toEqual({ role: 'specialist' });
    now += 60_001;
    expect(await b.takePendingSignIn('totp', 'tok-2')).toBeNull();
    expect(await b.takePendingSignIn('totp', 'made-up')).toBeNull();
  });

  it('gives one sign-in half done to exactly one of 30 takes at once from three nodes', async () => {
    const place = await engine.place();
    const nodes = [await place.open(), await place.open(), await place.open()];
    await nodes[0]!.putPendingSignIn('oidc', 'state-1', { verifier: 'v' }, Date.now() + 60_000);
    const got = await Promise.all(Array.from({ length: 30 }, (_, i) => nodes[i % 3]!.takePendingSignIn('oidc', 'state-1')));
    expect(got.filter((g) => g !== null)).toEqual([{ verifier: 'v' }]);
  });

  it('keeps a sign-in half done sealed, under the hash of its token only', async () => {
    const place = await engine.place();
    const s = await place.open();
    const token = 'state-8d1e4c2a9b7f40e6a3c5d0f1e2b3a4c5';
    await s.putPendingSignIn('oidc', token, { verifier: 'pkce-verifier-5b0e1f9a7c3d', nonce: 'nonce-2f7a9c1e' }, Date.now() + 60_000);
    for (const secret of [token, 'pkce-verifier-5b0e1f9a7c3d', 'nonce-2f7a9c1e']) expect(await place.holdsInClear(secret), secret).toBe(false);
    expect(await place.holdsInClear(tokenHash(token))).toBe(true);
  });

  it('keeps the durations of the last 20 ended rooms, newest first', async () => {
    const s = await (await engine.place()).open();
    for (let i = 1; i <= 25; i++) await s.recordDuration(i * 1000);
    const d = await s.recentDurations();
    expect(d).toHaveLength(20);
    expect(d[0]).toBe(25_000);
    expect(d.at(-1)).toBe(6000);
  });
});
