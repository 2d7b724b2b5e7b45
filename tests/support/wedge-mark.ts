/**
 * Runs in every test fork before its file (a vitest setup file): opens this
 * fork's inspector on a free loopback port and writes `<fork pid>` → its test
 * file and inspector address into the wedge folder, so the wedge guard in the
 * main process knows which process to examine and stop when a file never
 * ends, even one whose JavaScript never yields (see wedge-guard.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { open, url } from 'node:inspector';
import { join } from 'node:path';
import { expect } from 'vitest';

const dir = process.env['CABINE_WEDGE_DIR'];
const file = expect.getState().testPath;
if (dir && file) {
  if (!url()) open(0, '127.0.0.1', false);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `fork-${process.pid}`), JSON.stringify({ file, inspector: url() ?? null }));
}
