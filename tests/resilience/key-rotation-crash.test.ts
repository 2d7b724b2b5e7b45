import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileKeyProvider } from '../../src/node/keys';
import { SealedKeyRotation } from '../../src/node/key-rotation';
import { SqliteSealedRows, sealedKeyId } from '../../src/node/reseal';
import { BoothStore } from '../../src/host/store/store';
import { BOOTH_SEALED_COLUMNS } from '../../src/host/store/sealed-columns';
import { tempDir, temperature } from '../helpers/store';

const ROOT = resolve(import.meta.dirname, '../..');
const CHILD = resolve(import.meta.dirname, 'fixtures/key-rotator.ts');
const { dir, cleanup } = tempDir('cabine-rotate-crash-');
afterAll(cleanup);

/** Runs the rotator and kills it with SIGKILL once `afterBatches` batches are committed; resolves to the rows it reported re-sealed. */
function rotateAndKill(db: string, keyFile: string, afterBatches: number): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, db, keyFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let stderr = '';
    let batches = 0;
    let rows = 0;
    let done = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'DONE') done = true;
        const m = /^BATCH (\d+)$/.exec(line);
        if (!m) continue;
        rows += Number(m[1]);
        if (++batches === afterBatches) child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (_code, signal) => {
      if (done || signal !== 'SIGKILL') reject(new Error(`rotator was not killed halfway (${signal}, done=${done}): ${stderr.slice(0, 2000)}`));
      else resolvePromise(rows);
    });
  });
}

function keyIdCounts(store: BoothStore): Map<number, number> {
  const out = new Map<number, number>();
  for (const { s } of store.db.prepare('SELECT sealed AS s FROM readings').all() as { s: Buffer }[]) out.set(sealedKeyId(s), (out.get(sealedKeyId(s)) ?? 0) + 1);
  return out;
}

describe('booth key rotation under SIGKILL', () => {
  it('killed after its first batches, leaves every row readable, then a restart finishes the rotation and retires the old key', async () => {
    const db = join(dir, 'booth.db');
    const keyFile = join(dir, 'booth.key');
    const readings = Array.from({ length: 1500 }, (_, i) => temperature(36 + (i % 30) / 10, `session-${i % 7}`));
    const before = BoothStore.open({ path: db, keys: new FileKeyProvider(keyFile), boothId: 'A' });
    before.saveReadings(readings);
    before.close();

    const reported = await rotateAndKill(db, keyFile, 3);
    expect(reported).toBeGreaterThanOrEqual(150);

    // Reopened as the booth would after the crash: the key file holds both keys, rows sit on either.
    const keys = new FileKeyProvider(keyFile);
    expect(keys.list().map((k) => [k.id, k.current])).toEqual([[1, false], [2, true]]);
    const store = BoothStore.open({ path: db, keys, boothId: 'A' });
    try {
      expect(store.integrityCheck()).toBe('ok');
      const counts = keyIdCounts(store);
      expect(counts.get(2)).toBeGreaterThanOrEqual(reported);
      expect(counts.get(1)).toBeGreaterThan(0);
      for (const r of readings) expect(store.getReading(r.id)).toEqual(r);

      // The next run resumes: finds the rows still on key 1, re-seals them, retires key 1.
      const rotation = new SealedKeyRotation({ name: 'booth.key', keys, db: new SqliteSealedRows(store.db), columns: BOOTH_SEALED_COLUMNS, batchSize: 200 });
      expect(rotation.pending()).toBe(true);
      const result = await rotation.run();
      expect(result.resealed).toBe(counts.get(1));
      expect(result.retired).toEqual([1]);
      expect(keyIdCounts(store)).toEqual(new Map([[2, readings.length]]));
      expect((JSON.parse(readFileSync(keyFile, 'utf8')) as { keys: { id: number }[] }).keys.map((k) => k.id)).toEqual([2]);
    } finally {
      store.close();
    }
    const fresh = BoothStore.open({ path: db, keys: new FileKeyProvider(keyFile), boothId: 'A' });
    try {
      for (const r of readings) expect(fresh.getReading(r.id)).toEqual(r);
    } finally {
      fresh.close();
    }
  });
});
