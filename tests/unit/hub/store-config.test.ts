/** Where the hub keeps its record and live state: SQLite by default, PostgreSQL shared by several nodes with one key folder. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HubConfig, loadHubConfig } from '../../../src/hub/directory';
import { ConfigError } from '../../../src/shared/errors';

function written(config: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'hub-store-config-')), 'hub.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

function refusal(config: unknown): string {
  try {
    loadHubConfig(written(config));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('the hub store in the config', () => {
  it('keeps the record and the live state in SQLite under the data folder when nothing is said', () => {
    const c = HubConfig.parse({});
    expect(c.store).toEqual({ engine: 'sqlite' });
    expect(c.keyDir).toBeUndefined();
  });

  it('takes PostgreSQL with a connection URL and a key folder every node shares', () => {
    const c = HubConfig.parse({ store: { engine: 'postgresql', url: 'postgresql://cabine@db.internal:5432/cabine?sslmode=verify-full' }, keyDir: '/run/secrets/cabine-keys' });
    expect(c.store).toEqual({ engine: 'postgresql', url: 'postgresql://cabine@db.internal:5432/cabine?sslmode=verify-full' });
    expect(c.keyDir).toBe('/run/secrets/cabine-keys');
  });

  it('refuses PostgreSQL without a shared key folder, saying why a node needs one', () => {
    const message = refusal({ store: { engine: 'postgresql', url: 'postgresql://cabine@db.internal/cabine' } });
    expect(message).toContain('keyDir');
    expect(message).toMatch(/every hub node/);
  });

  it('refuses a PostgreSQL URL that is not one, and an engine it does not know', () => {
    expect(refusal({ store: { engine: 'postgresql', url: 'mysql://db/cabine' }, keyDir: '/k' })).toContain('store.url');
    expect(refusal({ store: { engine: 'mongodb' } })).toContain('store');
  });
});
