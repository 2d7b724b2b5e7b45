import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseKioskConfig, type KioskConfig } from '../../src/shared/config';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DEFAULT_CONFIG_PATH = resolve(ROOT, 'kiosk-config/default.json');

/** The demo config as raw JSON, for tests that break it on purpose. */
export function rawDefaultConfig(): Record<string, unknown> {
  return JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
}

let scratch: string | null = null;
let stores = 0;
/**
 * A booth store of its own for each config: a host one test left in the
 * middle of a session would otherwise look like a crash to the next test's
 * host, which then opens on the incident screen (crash recovery).
 */
function scratchStore(): { path: string; keyFile: string; retentionDays: number } {
  if (!scratch) {
    const dir = mkdtempSync(join(tmpdir(), 'cabine-test-store-'));
    scratch = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  stores += 1;
  return { path: join(scratch, `booth-${stores}.db`), keyFile: join(scratch, `booth-${stores}.key`), retentionDays: 30 };
}

/** A valid config for tests, with no devices and a store of its own unless asked. */
export function testConfig(overrides: Partial<Record<string, unknown>> = {}): KioskConfig {
  return parseKioskConfig({ ...rawDefaultConfig(), devices: [], store: scratchStore(), ...overrides }, 'test-config');
}
