import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FileKeyProvider } from '../../../src/node/keys';
import { SealedKeyRotation, type RotationStep } from '../../../src/node/key-rotation';
import { SqliteSealedRows, sealedKeyId } from '../../../src/node/reseal';
import { BoothStore } from '../../../src/host/store/store';
import { BOOTH_SEALED_COLUMNS } from '../../../src/host/store/sealed-columns';
import { PHOTO_CHUNK_BYTES } from '../../../src/shared/record-protocol';
import { tempDir, temperature } from '../../helpers/store';

const dirs: (() => void)[] = [];
afterEach(() => dirs.splice(0).forEach((c) => c()));

function fixture() {
  const { dir, cleanup } = tempDir('cabine-rotate-');
  dirs.push(cleanup);
  const keyFile = join(dir, 'booth.key');
  const keys = new FileKeyProvider(keyFile);
  const store = BoothStore.open({ path: join(dir, 'booth.db'), keys, boothId: 'A' });
  dirs.push(() => store.close());
  return { dir, keyFile, keys, store };
}

function fill(store: BoothStore, n: number) {
  const readings = Array.from({ length: n }, (_, i) => temperature(36 + (i % 20) / 10, `session-${i % 3}`));
  store.saveReadings(readings);
  store.saveSession({ id: 'session-0', startedAt: new Date().toISOString(), identity: { name: 'DUPONT Marie', birthDate: '1950-02-03' }, notes: 'douleur' });
  const bytes = Buffer.alloc(PHOTO_CHUNK_BYTES * 2 + 10, 7);
  store.savePhoto({ id: 'photo-1', sessionId: 'session-0', mime: 'image/jpeg', width: 1920, height: 1080, takenAt: new Date().toISOString(), polarisation: 'none', bodySite: 'avant-bras', bytes });
  return { readings, bytes };
}

/** Key id of every sealed value in the store, from the file itself. */
function keyIdsOnDisk(store: BoothStore): Set<number> {
  const ids = new Set<number>();
  for (const col of BOOTH_SEALED_COLUMNS) {
    for (const r of store.db.prepare(`SELECT ${col.column} AS s FROM ${col.table} WHERE ${col.column} IS NOT NULL`).all() as { s: Buffer }[]) ids.add(sealedKeyId(r.s));
  }
  return ids;
}

describe('booth key rotation on a real store', () => {
  it('re-seals every sealed row with the new key in batches, then retires the old key from the file', async () => {
    const { keyFile, keys, store } = fixture();
    const { readings, bytes } = fill(store, 250);
    const steps: RotationStep[] = [];
    const rotation = new SealedKeyRotation({
      name: 'booth.key', keys, db: new SqliteSealedRows(store.db), columns: BOOTH_SEALED_COLUMNS, batchSize: 40,
      pause: () => new Promise((r) => setImmediate(r)), onStep: (s) => void steps.push(s),
    });
    expect(keyIdsOnDisk(store)).toEqual(new Set([1]));
    const result = await rotation.rotate();
    expect(keyIdsOnDisk(store)).toEqual(new Set([2]));
    expect(result.retired).toEqual([1]);
    expect(result.resealed).toBe(250 + 1 + 1 + 3);
    expect(steps.map((s) => s.kind)).toEqual(['added', 'resealed', 'retired']);
    // The old key left the file; everything opens with what is left.
    const onDisk = JSON.parse(readFileSync(keyFile, 'utf8')) as { current: number; keys: { id: number; created: number }[] };
    expect(onDisk.current).toBe(2);
    expect(onDisk.keys.map((k) => k.id)).toEqual([2]);
    expect(typeof onDisk.keys[0]!.created).toBe('number');
    const reopened = new FileKeyProvider(keyFile);
    const again = BoothStore.open({ path: join(keyFile, '..', 'booth.db'), keys: reopened, boothId: 'A' });
    try {
      for (const r of readings) expect(again.getReading(r.id)).toEqual(r);
      expect(again.getSession('session-0')?.identity?.name).toBe('DUPONT Marie');
      expect(again.readPhoto('photo-1').equals(bytes)).toBe(true);
    } finally {
      again.close();
    }
  });

  it('leaves a row it cannot open as it is, reports it, and keeps the key that row names', async () => {
    const { keys, store } = fixture();
    const { readings } = fill(store, 30);
    // A value altered on disk (one byte of its ciphertext flipped): it cannot be opened.
    const victim = readings[5]!;
    const row = store.db.prepare('SELECT sealed FROM readings WHERE id = ?').get(victim.id) as { sealed: Buffer };
    const altered = Buffer.from(row.sealed);
    altered[altered.length - 1]! ^= 0xff;
    store.db.prepare('UPDATE readings SET sealed = ? WHERE id = ?').run(altered, victim.id);
    const steps: RotationStep[] = [];
    const rotation = new SealedKeyRotation({ name: 'booth.key', keys, db: new SqliteSealedRows(store.db), columns: BOOTH_SEALED_COLUMNS, batchSize: 7, onStep: (s) => void steps.push(s) });
    const result = await rotation.rotate();
    expect(result.unreadable).toEqual([{ table: 'readings', column: 'sealed', count: 1, codes: ['DECRYPT_FAILED'] }]);
    expect(result.retired).toEqual([]);
    expect(steps.find((s) => s.kind === 'unreadable')).toMatchObject({ rows: 1 });
    expect(keys.list().map((k) => k.id)).toEqual([1, 2]);
    const status = await rotation.status();
    expect(status.rowsOnOldKeys).toBe(1);
    for (const r of readings) if (r.id !== victim.id) expect(store.getReading(r.id)).toEqual(r);
  });

  it('keeps a row the booth rewrote during the batch (the newer value wins)', async () => {
    const { keys, store } = fixture();
    fill(store, 5);
    const rows = new SqliteSealedRows(store.db);
    const col = BOOTH_SEALED_COLUMNS.find((c) => c.table === 'sessions')!;
    const [old] = await rows.oldRows(col, 99, null, 10);
    // The session is saved again (new notes) after the re-sealer read it.
    store.saveSession({ id: 'session-0', startedAt: new Date().toISOString(), identity: { name: 'DUPONT Marie' }, notes: 'plus récent' });
    const written = await rows.replace(col, [{ key: old!.key, old: old!.sealed, next: old!.sealed }]);
    expect(written).toBe(0);
    expect(store.getSession('session-0')?.notes).toBe('plus récent');
    expect(keys.current().id).toBe(1);
  });

  it('another process holding the key file opens rows sealed under a key it has never read (reload on miss)', () => {
    const { keyFile, keys, store } = fixture();
    const other = new FileKeyProvider(keyFile);
    expect(other.current().id).toBe(1);
    keys.rotate();
    const r = temperature(37.2);
    store.saveReading(r);
    const sealed = (store.db.prepare('SELECT sealed FROM readings WHERE id = ?').get(r.id) as { sealed: Buffer }).sealed;
    expect(sealedKeyId(sealed)).toBe(2);
    expect(other.byId(2)?.key.equals(keys.byId(2)!.key)).toBe(true);
    // And it seals new data under the new key too once it has seen the file.
    expect(other.current().id).toBe(2);
  });

  it('refuses to retire the current key', () => {
    const { keys } = fixture();
    expect(() => keys.retire(1)).toThrow(/current key/);
  });
});
