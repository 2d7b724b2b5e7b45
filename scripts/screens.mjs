#!/usr/bin/env node
/**
 * Refreshes the README's screenshots (docs/screens) on purpose: runs the e2e
 * tests that take them with their screenshots pointed there. A plain test run
 * writes them to the ignored test-results/screens/ instead, so `npm test`
 * leaves the work tree clean. `npm run screens` builds first (the tests load
 * the built kiosk and console pages).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const files = ['attract', 'call', 'session', 'consultation', 'alerts', 'people-screens', 'console-emergency'].map((name) => `tests/e2e/${name}.test.ts`);
const result = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CABINE_SCREENS_DIR: 'docs/screens' },
});
process.exit(result.status ?? 1);
