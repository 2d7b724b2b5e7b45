/**
 * Runs in every test fork before its file (a vitest setup file): picks a free
 * loopback port for this fork's inspector (opened only if the wedge guard
 * sends SIGUSR1, which Node answers even when its JavaScript never yields) and
 * writes `<fork pid>` → its test file and that port into the wedge folder, so
 * the guard in the main process knows which process to examine and stop when
 * a file never ends (see wedge-guard.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const dir = process.env['CABINE_WEDGE_DIR'];
const file = expect.getState().testPath;
if (dir && file) {
  process.debugPort = await freePort();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `fork-${process.pid}`), JSON.stringify({ file, debugPort: process.debugPort }));
}
