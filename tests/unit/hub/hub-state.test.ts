/**
 * The hub state store on real SQLite files: the queue (in order), the claims
 * and the login sessions survive closing and reopening the file; patient
 * fields are sealed at rest and login tokens are kept only as hashes; an
 * expired session is refused and deleted. Also the queue's ETA rule and the
 * console's reconnect backoff bounds.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { etaMinutes, type QueueEntry } from '../../../src/hub/media/queue';
import { HubStateStore, tokenHash } from '../../../src/hub/state/store';
import { FileKeyProvider } from '../../../src/node/keys';
import { backoffDelay } from '../../../src/shared/backoff';
import { databaseFiles, foundIn } from '../../helpers/at-rest';

const dirs: string[] = [];
const stores: HubStateStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cabine-hub-state-'));
  dirs.push(d);
  return d;
}

function open(d: string, now?: () => number): HubStateStore {
  const s = now ? new HubStateStore(join(d, 'hub-state.db'), new FileKeyProvider(join(d, 'hub-state.key')), undefined, { now }) : HubStateStore.inDir(d);
  stores.push(s);
  return s;
}

function entry(boothId: string, firstName: string | null = 'Amandine'): QueueEntry {
  return {
    boothId, pharmacy: { name: 'Pharmacie du Marché', city: 'Aurillac' }, reason: 'Angine persistante', firstName, age: 34,
    pathway: null, exceptionReason: null, sessionId: `session-${boothId}`, language: 'fr', since: '2026-11-23T10:00:00.000Z',
  };
}

describe('hub state store', () => {
  it('keeps the waiting queue in its order across a reopen, a booth keeping its place when its entry changes', () => {
    const d = dir();
    const s = open(d);
    s.putQueueEntry(entry('b1'));
    s.putQueueEntry(entry('b2'));
    s.putQueueEntry(entry('b3'));
    s.putQueueEntry({ ...entry('b1'), reason: 'Fièvre' });
    s.removeQueueEntry('b2');
    s.close();
    const again = open(d);
    expect(again.queue().map((e) => [e.boothId, e.reason])).toEqual([['b1', 'Fièvre'], ['b3', 'Angine persistante']]);
    again.putQueueEntry(entry('b4'));
    expect(again.queue().map((e) => e.boothId)).toEqual(['b1', 'b3', 'b4']);
  });

  it('keeps claims across a reopen and refuses a second claim of the same booth', () => {
    const d = dir();
    const s = open(d);
    s.putClaim({ roomId: 'room-b1-x', boothId: 'b1', specialistId: 'dr-martin', claimedAt: '2026-11-23T10:05:00.000Z', entry: entry('b1') });
    expect(() => s.putClaim({ roomId: 'room-b1-y', boothId: 'b1', specialistId: 'dr-durand', claimedAt: '2026-11-23T10:06:00.000Z', entry: null })).toThrow(/UNIQUE/);
    s.close();
    const claims = open(d).claims();
    expect(claims).toEqual([{ roomId: 'room-b1-x', boothId: 'b1', specialistId: 'dr-martin', claimedAt: '2026-11-23T10:05:00.000Z', entry: entry('b1') }]);
  });

  it('seals patient fields at rest and keeps login tokens only as hashes, with a 0600 key file', () => {
    const d = dir();
    const s = open(d);
    const token = 'tok-3f9c0aa6b5e14d5c9e4e7b0c2d1f8a90';
    s.putQueueEntry(entry('b1', 'Amandine'));
    s.putClaim({ roomId: 'room-b2-x', boothId: 'b2', specialistId: 'dr-martin', claimedAt: '2026-11-23T10:05:00.000Z', entry: entry('b2', 'Bérénice') });
    s.putSession(token, { specialistId: 'dr-martin', name: 'Dr Claire Martin', specialty: 'Médecine générale', expires: Date.now() + 60_000 });
    const files = databaseFiles(join(d, 'hub-state.db'));
    for (const secret of ['Amandine', 'Bérénice', 'Angine persistante', token]) expect(foundIn(files, secret), secret).toBe(false);
    expect(foundIn(files, tokenHash(token))).toBe(true);
    expect(statSync(join(d, 'hub-state.key')).mode & 0o777).toBe(0o600);
    expect(s.queue()[0]!.firstName).toBe('Amandine');
  });

  it('finds a session by its token after a reopen, refuses and deletes it once expired, and forgets it on logout', () => {
    const d = dir();
    let now = 1_000_000;
    const s = open(d, () => now);
    const session = { specialistId: 'dr-martin', name: 'Dr Claire Martin', specialty: 'Médecine générale', expires: now + 60_000 };
    s.putSession('token-a', session);
    s.putSession('token-b', session);
    s.close();
    const again = open(d, () => now);
    expect(again.session('token-a')).toEqual(session);
    expect(again.session('token-unknown')).toBeNull();
    again.removeSession('token-b');
    expect(again.session('token-b')).toBeNull();
    now += 60_001;
    expect(again.session('token-a')).toBeNull();
    now -= 60_001;
    expect(again.session('token-a')).toBeNull();
  });

  it('skips a row sealed under another key instead of failing the whole restore', () => {
    const d = dir();
    const s = open(d);
    s.putQueueEntry(entry('b1'));
    s.close();
    rmSync(join(d, 'hub-state.key'));
    const again = open(d);
    again.putQueueEntry(entry('b2'));
    expect(again.queue().map((e) => e.boothId)).toEqual(['b2']);
  });

  it('keeps the durations of the last 20 ended rooms, newest first', () => {
    const s = open(dir());
    for (let i = 1; i <= 25; i++) s.recordDuration(i * 1000);
    const d = s.recentDurations();
    expect(d).toHaveLength(20);
    expect(d[0]).toBe(25_000);
    expect(d.at(-1)).toBe(6000);
  });
});

describe('queue ETA', () => {
  it('is ceil(position × mean duration ÷ max(1, specialists online)) in minutes', () => {
    expect(etaMinutes(1, 12 * 60_000, 1)).toBe(12);
    expect(etaMinutes(3, 12 * 60_000, 2)).toBe(18);
    expect(etaMinutes(2, 10 * 60_000, 0)).toBe(20);
    expect(etaMinutes(1, 7.5 * 60_000, 2)).toBe(4);
  });
});

describe('console reconnect backoff', () => {
  it('waits a random delay up to 250 ms doubling per attempt, capped at 5 s', () => {
    const policy = { baseMs: 250, maxMs: 5000 };
    expect(backoffDelay(0, policy, () => 0.999)).toBeLessThan(250);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(500);
    expect(backoffDelay(10, policy, () => 1)).toBe(5000);
    expect(backoffDelay(50, policy, () => 0)).toBe(0);
  });
});
