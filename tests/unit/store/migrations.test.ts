import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_VERSION, MIGRATIONS, migrate } from '../../../src/host/store/migrations';
import { BoothStore } from '../../../src/host/store/store';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { join } from 'node:path';
import { tempDir, temperature } from '../../helpers/store';

const dirs: (() => void)[] = [];
afterEach(() => dirs.splice(0).forEach((c) => c()));

function tables(db: Database.Database): string[] {
  return db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all().map((r) => r.name);
}

describe('booth store migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('migrates an empty file to the latest version with every table and a clean integrity check', () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    const db = new Database(join(dir, 'b.db'));
    expect(migrate(db)).toBe(LATEST_VERSION);
    expect(tables(db)).toEqual(expect.arrayContaining(['outbox', 'photo_chunks', 'photos', 'readings', 'session_events', 'sessions', 'sync_state', 'clips', 'clip_chunks', 'videos', 'video_chunks', 'cases', 'key_checks']));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  for (let from = 1; from < LATEST_VERSION; from++) {
    it(`migrates a file at version ${from} holding data up to version ${LATEST_VERSION} and keeps the data`, () => {
      const { dir, cleanup } = tempDir();
      dirs.push(cleanup);
      const path = join(dir, 'b.db');
      const old = new Database(path);
      expect(migrate(old, from)).toBe(from);
      old.prepare("INSERT INTO outbox (item_id, kind, session_id, created_at) VALUES ('x', 'reading', 's', 1)").run();
      old.close();
      const store = BoothStore.open({ path, keys: new FakeKeyProvider(), boothId: 'A' });
      expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
      expect(store.integrityCheck()).toBe('ok');
      expect(store.outboxBatch(10).map((e) => e.itemId)).toEqual(['x']);
      const r = temperature(36.6);
      store.saveReading(r);
      expect(store.getReading(r.id)).toEqual(r);
      store.close();
    });
  }

  it('leaves a file at the latest version untouched when opened again', () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    const path = join(dir, 'b.db');
    const keys = new FakeKeyProvider();
    const a = BoothStore.open({ path, keys, boothId: 'A' });
    const r = temperature(37.1);
    a.saveReading(r);
    a.close();
    const b = BoothStore.open({ path, keys, boothId: 'A' });
    expect(b.getReading(r.id)).toEqual(r);
    expect(b.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(b.db.pragma('synchronous', { simple: true })).toBe(2);
    b.close();
  });
});
