/**
 * The hub state store's place in a hub's data folder (its contract, on
 * SQLite and PostgreSQL, is tests/integration/hub/hub-state-store.test.ts),
 * the queue's ETA rule and the console's reconnect backoff bounds.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { etaMinutes, type QueueEntry } from '../../../src/hub/media/queue';
import { HubStateStore } from '../../../src/hub/state/store';
import { backoffDelay } from '../../../src/shared/backoff';

const dirs: string[] = [];
const stores: HubStateStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cabine-hub-state-'));
  dirs.push(d);
  return d;
}

function entry(boothId: string, firstName: string | null = 'Amandine'): QueueEntry {
  return {
    boothId, pharmacy: { name: 'Pharmacie du Marché', city: 'Aurillac' }, reason: 'Angine persistante', firstName, age: 34,
    pathway: null, exceptionReason: null, sessionId: `session-${boothId}`, language: 'fr', since: '2026-11-23T10:00:00.000Z',
  };
}

describe('hub state store in a data folder', () => {
  it('opens hub-state.db in the data folder with its key file beside it, mode 0600', async () => {
    const d = dir();
    const s = HubStateStore.inDir(d);
    stores.push(s);
    await s.putQueueEntry(entry('b1'));
    expect(statSync(join(d, 'hub-state.key')).mode & 0o777).toBe(0o600);
    expect((await s.queue()).map((e) => e.boothId)).toEqual(['b1']);
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
