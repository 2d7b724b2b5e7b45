/**
 * The access journal on the engine the run tests (CABINE_TEST_HUB_STORE):
 * a journal opened on a fresh hub data folder's config, and a raw handle on
 * its table for tests that tamper with it as someone with database access
 * would (an UPDATE or DELETE by hand).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { HubConfig } from '../../src/hub/directory';
import { openJournal, type ChainJournal, type OpenJournalOptions } from '../../src/hub/journal/journal';
import { freshDataDir, testHubConfig } from './hub';

export const ON_PG = process.env.CABINE_TEST_HUB_STORE === 'postgresql';

/** A test hub config on a fresh folder (and, on PostgreSQL, a fresh database). */
export async function journalConfig(dataDir: string = freshDataDir()): Promise<HubConfig> {
  return testHubConfig(dataDir);
}

export function openTestJournal(config: HubConfig, opts: OpenJournalOptions = {}): Promise<ChainJournal> {
  return openJournal(config, undefined, { exportOnSchedule: false, ...opts });
}

/** Runs SQL on the journal's table, outside the journal (no parameters: literals only); the rows a SELECT returns. */
export async function rawJournalSql(config: HubConfig, sql: string): Promise<Record<string, unknown>[]> {
  if (config.store.engine === 'postgresql') {
    const client = new pg.Client({ connectionString: config.store.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  }
  const db = new Database(join(config.dataDir, 'journal.db'));
  try {
    const stmt = db.prepare(sql);
    return stmt.reader ? (stmt.all() as Record<string, unknown>[]) : (stmt.run(), []);
  } finally {
    db.close();
  }
}
