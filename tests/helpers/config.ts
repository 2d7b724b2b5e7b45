import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseKioskConfig, type KioskConfig } from '../../src/shared/config';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DEFAULT_CONFIG_PATH = resolve(ROOT, 'kiosk-config/default.json');

/** The demo config as raw JSON, for tests that break it on purpose. */
export function rawDefaultConfig(): Record<string, unknown> {
  return JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
}

/** A valid config for tests, with no devices unless asked. */
export function testConfig(overrides: Partial<Record<string, unknown>> = {}): KioskConfig {
  return parseKioskConfig({ ...rawDefaultConfig(), devices: [], ...overrides }, 'test-config');
}
