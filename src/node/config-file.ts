/**
 * Reads a kiosk-config file from disk (DESIGN §7); the schema and its
 * validation stay in src/shared/config.ts, which any runtime may import.
 */
import { readFileSync } from 'node:fs';
import { parseKioskConfig, type KioskConfig } from '../shared/config';
import { codeOf, ConfigError } from '../shared/errors';

/** Reads, parses and validates a kiosk-config file. */
export function loadKioskConfig(file: string): KioskConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(file, [{ path: '', expected: `a readable file (${codeOf(cause) ?? 'unreadable'})` }], cause);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(file, [{ path: '', expected: `valid JSON (${(cause as Error).message})` }], cause);
  }
  return parseKioskConfig(raw, file);
}
