import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileKeyProvider } from '../../src/node/keys';
import { BoothStore } from '../../src/host/store/store';
import { tempDir } from '../helpers/store';

const ROOT = resolve(import.meta.dirname, '../..');
const CHILD = resolve(import.meta.dirname, 'fixtures/store-writer.ts');
const { dir, cleanup } = tempDir('cabine-crash-');
afterAll(cleanup);

/** Runs the writer, kills it with SIGKILL `killAfterMs` after it is ready, returns the ids it reported as committed. */
function runAndKill(db: string, keyFile: string, killAfterMs: number): Promise<string[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, db, keyFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const ids: string[] = [];
    let buffered = '';
    let stderr = '';
    let ready = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'READY') {
          ready = true;
          setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        } else if (line) ids.push(line);
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (_code, signal) => {
      if (!ready || signal !== 'SIGKILL') reject(new Error(`writer ended without being killed (${signal}): ${stderr.slice(0, 2000)}`));
      else resolvePromise(ids);
    });
  });
}

describe('booth store under SIGKILL', () => {
  it('keeps every reading it reported as committed across 20 kills, and the file stays consistent', async () => {
    const db = join(dir, 'booth.db');
    const keyFile = join(dir, 'booth.key');
    const reported: string[] = [];
    for (let round = 0; round < 20; round++) {
      const ids = await runAndKill(db, keyFile, Math.floor(Math.random() * 120));
      reported.push(...ids);
      const store = BoothStore.open({ path: db, keys: new FileKeyProvider(keyFile), boothId: 'A' });
      try {
        expect(store.integrityCheck()).toBe('ok');
        const held = new Set(store.readingIds());
        const missing = reported.filter((id) => !held.has(id));
        expect(missing).toEqual([]);
        // Each reading and its outbox row were committed together.
        expect(store.outboxBatch(1_000_000).length).toBe(held.size);
        // Every row opens with the booth key (no torn ciphertext).
        for (const id of ids.slice(-5)) expect(store.getReading(id)?.id).toBe(id);
      } finally {
        store.close();
      }
    }
    expect(reported.length).toBeGreaterThan(20);
  }, 180_000);
});
