/**
 * Where e2e tests put their screenshots. A test run must leave the work tree
 * clean, so they go to the ignored test-results/screens/ by default;
 * `npm run screens` (scripts/screens.mjs) points CABINE_SCREENS_DIR at the
 * README's pictures to refresh them on purpose.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from './config';

const SCREENS_DIR = resolve(ROOT, process.env.CABINE_SCREENS_DIR ?? 'test-results/screens');

/** The path for screenshot `file` (e.g. `kiosk-attract.png`), its folder created. */
export function screenPath(file: string): string {
  mkdirSync(SCREENS_DIR, { recursive: true });
  return join(SCREENS_DIR, file);
}
