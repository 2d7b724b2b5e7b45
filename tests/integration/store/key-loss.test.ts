/**
 * A booth whose key file is lost or replaced says so (issue #21) instead of
 * creating a fresh key over a store it can no longer read: real SQLite file,
 * real key file, the database compared byte for byte.
 */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { archiveLostStore, openCheckedStore } from '../../../src/host/store/key-check';
import { migrate } from '../../../src/host/store/migrations';
import { runStoreCli } from '../../../src/host/store-cli';
import { sealJson } from '../../../src/node/seal';
import { KeyLostError } from '../../../src/node/store-errors';
import { sessionEvent, tempDir, temperature } from '../../helpers/store';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-30T08:00:00.000Z');

/** A booth that worked for a while: 3 readings, a session event and a photo written; the hub acknowledged 1 reading. */
function boothWithData(): { dir: string; path: string; keyFile: string } {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const path = join(dir, 'booth.db');
  const keyFile = join(dir, 'booth.key');
  const now = { t: T0 };
  const { store } = openCheckedStore({ path, keyFile, boothId: 'A', clock: { now: () => now.t } });
  const acked = temperature(36.6);
  store.saveReading(acked);
  now.t = T0 + DAY;
  store.saveReading(temperature(37.2));
  store.saveReading(temperature(38.1));
  store.saveSessionEvent(sessionEvent('transition'));
  now.t = T0 + 2 * DAY;
  store.savePhoto({ id: uuidv7(), sessionId: 'session-1', mime: 'image/png', width: 2, height: 2, takenAt: new Date(now.t).toISOString(), polarisation: 'none', bytes: Buffer.from('PIXELS') });
  store.markAcked([acked.id]);
  store.close();
  return { dir, path, keyFile };
}

function thrown(fn: () => unknown): KeyLostError {
  try {
    fn();
  } catch (error) {
    if (error instanceof KeyLostError) return error;
    throw error;
  }
  throw new Error('expected KEY_LOST, the store opened');
}

describe('a booth store whose key file is lost', () => {
  it('refuses with KEY_LOST and counts the unacknowledged items by kind, without creating a key or touching the database', () => {
    const { dir, path, keyFile } = boothWithData();
    rmSync(keyFile);
    const before = readFileSync(path);

    const error = thrown(() => openCheckedStore({ path, keyFile, boothId: 'A' }));

    expect(error.code).toBe('KEY_LOST');
    expect(error.userMessage.fr).toMatch(/hors service/);
    expect(error.report).toEqual({
      reason: 'key-file-missing',
      keyIds: [1],
      unacknowledged: { total: 4, byKind: { photo: 1, reading: 2, sessionEvent: 1 }, from: new Date(T0 + DAY).toISOString(), to: new Date(T0 + 2 * DAY).toISOString() },
      acknowledged: 1,
    });
    // Counts and times only: nothing of the data itself.
    expect(JSON.stringify(error.report)).not.toMatch(/37\.2|38\.1|PIXELS|session-1/);
    expect(existsSync(keyFile)).toBe(false);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['booth.db']);
  });

  it('refuses with KEY_LOST when the key file was replaced by another key under the same id', () => {
    const { path, keyFile } = boothWithData();
    rmSync(keyFile);
    // Another booth's key file, or one a fresh install made: same id 1, another key.
    openCheckedStore({ path: join(tempDir().dir, 'other.db'), keyFile, boothId: 'B' }).store.close();
    const replaced = readFileSync(keyFile);
    const before = readFileSync(path);

    const error = thrown(() => openCheckedStore({ path, keyFile, boothId: 'A' }));

    expect(error.report.reason).toBe('key-mismatch');
    expect(error.report.keyIds).toEqual([1]);
    expect(error.report.unacknowledged.total).toBe(4);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readFileSync(keyFile).equals(replaced)).toBe(true);
  });

  it('refuses with KEY_LOST when rows are sealed under a key id the file does not hold', () => {
    const { path, keyFile } = boothWithData();
    const keys = new FakeKeyProvider();
    keys.rotate();
    keys.rotate();
    // A row sealed under key 3, which this file never held (an older key file restored over a rotated one).
    const db = new Database(path);
    const r = temperature(36.9);
    db.prepare('INSERT INTO readings (id, session_id, kind, taken_at, sealed) VALUES (?, ?, ?, ?, ?)').run(r.id, r.sessionId, r.kind, r.takenAt, sealJson(keys, `readings:${r.id}`, r));
    db.prepare('INSERT INTO outbox (item_id, kind, session_id, created_at) VALUES (?, ?, ?, ?)').run(r.id, 'reading', r.sessionId, T0 + 3 * DAY);
    db.close();

    const error = thrown(() => openCheckedStore({ path, keyFile, boothId: 'A' }));

    expect(error.report.reason).toBe('unknown-key-id');
    expect(error.report.keyIds).toEqual([3]);
    expect(error.report.unacknowledged.byKind.reading).toBe(3);
  });

  it('tells a store sealed before key checks existed: its own key opens it and is checked from then on, another key is KEY_LOST', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, 'booth.db');
    const keyFile = join(dir, 'booth.key');
    // Version 5 (no key_checks), one sealed reading under the key of `keyFile`.
    const { keys } = openCheckedStore({ path: join(dir, 'scratch.db'), keyFile, boothId: 'A' });
    const old = new Database(path);
    migrate(old, 5);
    const r = temperature(36.4);
    old.prepare('INSERT INTO readings (id, session_id, kind, taken_at, sealed) VALUES (?, ?, ?, ?, ?)').run(r.id, r.sessionId, r.kind, r.takenAt, sealJson(keys, `readings:${r.id}`, r));
    old.prepare('INSERT INTO outbox (item_id, kind, session_id, created_at) VALUES (?, ?, ?, ?)').run(r.id, 'reading', r.sessionId, T0);
    old.close();

    const other = join(dir, 'other.key');
    openCheckedStore({ path: join(dir, 'scratch-2.db'), keyFile: other, boothId: 'B' }).store.close();
    expect(thrown(() => openCheckedStore({ path, keyFile: other, boothId: 'A' })).report.reason).toBe('key-mismatch');

    const { store } = openCheckedStore({ path, keyFile, boothId: 'A' });
    expect(store.getReading(r.id)).toEqual(r);
    expect(store.db.prepare('SELECT key_id FROM key_checks').all()).toEqual([{ key_id: 1 }]);
    store.close();
    rmSync(keyFile);
    expect(thrown(() => openCheckedStore({ path, keyFile, boothId: 'A' })).report.reason).toBe('key-file-missing');
  });

  it('a fresh install creates its key file and opens, and opens again with it', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, 'booth.db');
    const keyFile = join(dir, 'booth.key');
    expect(existsSync(keyFile)).toBe(false);
    const first = openCheckedStore({ path, keyFile, boothId: 'A' }).store;
    const r = temperature(36.8);
    first.saveReading(r);
    first.close();
    expect(existsSync(keyFile)).toBe(true);
    const again = openCheckedStore({ path, keyFile, boothId: 'A' }).store;
    expect(again.getReading(r.id)).toEqual(r);
    again.close();
  });

  it('the archive command moves the unreadable store and the wrong key aside with its report; the next start is a fresh store', () => {
    const { dir, path, keyFile } = boothWithData();
    const db = readFileSync(path);
    rmSync(keyFile);

    const { archiveDir, report } = archiveLostStore({ path, keyFile, now: T0 + 3 * DAY });

    expect(report.unacknowledged.total).toBe(4);
    expect(archiveDir).toBe(join(dir, 'booth.db.lost-2026-12-03T08-00-00-000Z'));
    expect(readFileSync(join(archiveDir, 'booth.db')).equals(db)).toBe(true);
    expect(JSON.parse(readFileSync(join(archiveDir, 'lost-report.json'), 'utf8'))).toEqual(report);
    expect(existsSync(path)).toBe(false);
    const { store } = openCheckedStore({ path, keyFile, boothId: 'A' });
    expect(store.pendingCount()).toBe(0);
    expect(existsSync(keyFile)).toBe(true);
    store.close();
  });

  it('the archive command refuses a store its key file opens, and moves nothing', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, 'booth.db');
    const keyFile = join(dir, 'booth.key');
    const { store } = openCheckedStore({ path, keyFile, boothId: 'A' });
    store.saveReading(temperature(36.5));
    store.close();
    const before = readdirSync(dir).sort();
    expect(() => archiveLostStore({ path, keyFile })).toThrow(expect.objectContaining({ code: 'STORE_FAILED' }));
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('the operator command says KEY_LOST with the report (exit 3), then archives (exit 0)', () => {
    const { dir, path, keyFile } = boothWithData();
    rmSync(keyFile);
    const config = join(dir, 'kiosk.json');
    const base = JSON.parse(readFileSync(join(import.meta.dirname, '../../../kiosk-config/default.json'), 'utf8')) as { store: Record<string, unknown> };
    writeFileSync(config, JSON.stringify({ ...base, store: { ...base.store, path, keyFile } }));
    const lines: string[] = [];
    expect(runStoreCli(['check', '--config', config], (l) => lines.push(l))).toBe(3);
    expect(lines.join('\n')).toMatch(/KEY_LOST: key-file-missing/);
    expect(lines.join('\n')).toMatch(/2 mesure\(s\)/);
    expect(runStoreCli(['archive-lost', '--config', config], (l) => lines.push(l))).toBe(0);
    expect(existsSync(path)).toBe(false);
    expect(runStoreCli(['check', '--config', config], (l) => lines.push(l))).toBe(0);
  });
});
