/**
 * `npm run admin -- retention purge|backup`: exit codes and output, on the
 * hub's real stores (SQLite files in a data folder) with the in-memory
 * journal. A purge prints what goes and journals it with the operator; a
 * dry run removes nothing; a backup is a consistent, still sealed copy
 * without the keys, never over another, and not made when the journal
 * cannot record it; PostgreSQL gets the pg_dump command, no password.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { commands } from '../../../src/hub/admin/retention';
import type { AdminContext } from '../../../src/hub/admin/types';
import { HubConfig } from '../../../src/hub/directory';
import { MemoryJournal } from '../../../src/hub/journal/fake';
import { SqliteRecordRepository } from '../../../src/hub/record/sqlite-repository';
import { openHubStores, type HubStores } from '../../../src/hub/stores';
import { FileKeyProvider } from '../../../src/node/keys';
import { temperature, tempDir } from '../../helpers/store';
import { foundIn } from '../../helpers/at-rest';

const DAY = 86_400_000;
const log = pino({ level: 'silent' });
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A data folder whose record holds a session 400 days old and one of today (a temperature each). */
async function hubFolder(): Promise<{ dataDir: string; old: string; recent: string }> {
  const d = tempDir('cabine-admin-retention-');
  cleanups.push(d.cleanup);
  const dataDir = d.dir;
  const keys = new FileKeyProvider(join(dataDir, 'record.key'));
  const old = `old-${randomUUID()}`;
  const recent = `recent-${randomUUID()}`;
  let now = Date.now() - 400 * DAY;
  const repo = new SqliteRecordRepository(join(dataDir, 'record.db'), keys, { now: () => now });
  const item = (sessionId: string, value: number) => {
    const r = temperature(value, sessionId);
    return { id: r.id, boothId: 'demo-booth-1', sessionId, seq: 1, kind: 'reading' as const, data: r };
  };
  await repo.ingest('demo-booth-1', randomUUID(), [item(old, 38.7)]);
  now = Date.now();
  await repo.ingest('demo-booth-1', randomUUID(), [item(recent, 36.9)]);
  repo.close();
  return { dataDir, old, recent };
}

async function context(dataDir: string, over: Partial<HubConfig> = {}): Promise<{ ctx: AdminContext; lines: string[]; journal: MemoryJournal; stores: HubStores }> {
  const base = HubConfig.parse({ dataDir, retention: { recordDays: 365, purgeEveryHours: 24 } });
  const stores = await openHubStores(base, log);
  // The stores stay the SQLite folder's: a command that only prints (pg_dump) reads nothing but the config.
  const config = { ...base, ...over };
  cleanups.push(() => stores.close());
  const journal = new MemoryJournal();
  const lines: string[] = [];
  return { ctx: { config, stores, journal, log, operator: 'ops-anne', out: (l) => lines.push(l) }, lines, journal, stores };
}

describe('retention purge', () => {
  it('lists on a dry run what a purge removes, then purges it, journaled with the operator', async () => {
    const { dataDir, old, recent } = await hubFolder();
    const { ctx, lines, journal, stores } = await context(dataDir);
    expect(await commands.purge!.run(ctx, ['--dry-run'])).toBe(0);
    expect(lines.join('\n')).toContain(`would purge\tsession=${old}\tbooth=demo-booth-1`);
    expect(lines.join('\n')).not.toContain(recent);
    expect(lines.at(-1)).toMatch(/^1 session\(s\) past 365 days .* nothing removed \(dry run\)$/);
    expect(await stores.record.sessionItems(old)).toHaveLength(1);
    expect(journal.entries).toEqual([]);

    lines.length = 0;
    expect(await commands.purge!.run(ctx, [])).toBe(0);
    expect(lines[0]).toMatch(new RegExp(`^purged\\tsession=${old}\\tbooth=demo-booth-1\\t.*items=1`));
    expect(lines.at(-1)).toMatch(/^1 session\(s\) purged, past 365 days/);
    expect(await stores.record.sessionItems(old)).toEqual([]);
    expect(await stores.record.sessionItems(recent)).toHaveLength(1);
    expect(journal.entries.map((e) => [e.action, e.resource, e.sessionId, e.actor.role, e.actor.id])).toEqual([['purge', 'record', old, 'admin', 'ops-anne']]);
  });

  it('exits 1 and names the journal when it cannot record the purge, removing nothing', async () => {
    const { dataDir, old } = await hubFolder();
    const { ctx, lines, journal, stores } = await context(dataDir);
    journal.failing = new Error('journal unreachable');
    expect(await commands.purge!.run(ctx, [])).toBe(1);
    expect(lines.at(-1)).toMatch(/purge STOPPED after 0 session\(s\): .*access journal cannot be written/);
    expect(await stores.record.sessionItems(old)).toHaveLength(1);
  });

  it('refuses an unknown option with exit 2 and the usage', async () => {
    const { dataDir, old } = await hubFolder();
    const { ctx, lines, stores } = await context(dataDir);
    expect(await commands.purge!.run(ctx, ['--force'])).toBe(2);
    expect(lines.join('\n')).toContain('usage: retention purge [--dry-run]');
    expect(await stores.record.sessionItems(old)).toHaveLength(1);
  });
});

describe('retention backup', () => {
  it('copies every database of the hub, still sealed and readable with the keys kept apart, and journals it', async () => {
    const { dataDir, old, recent } = await hubFolder();
    const { ctx, lines, journal, stores } = await context(dataDir);
    stores.state(); // the live state's file exists too
    const target = tempDir('cabine-backup-');
    cleanups.push(target.cleanup);
    const out = join(target.dir, 'nightly');
    expect(await commands.backup!.run(ctx, ['--out', out])).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['hub-state.db', 'record.db']);
    expect(readdirSync(out).some((f) => f.endsWith('.key'))).toBe(false);
    expect(lines.join('\n')).toMatch(/keys are NOT in the backup .*record\.key/);
    expect(journal.entries.map((e) => [e.action, e.resource, e.actor.id])).toEqual([['export', 'record.backup', 'ops-anne']]);
    // Sealed: the readings are not in clear in the copy; with the data folder's key, the copy reads.
    const copy = readFileSync(join(out, 'record.db'));
    expect(foundIn([copy], old)).toBe(true); // ids stay in clear (lookups)
    expect(foundIn([copy], 38.7)).toBe(false);
    const restored = new SqliteRecordRepository(join(out, 'record.db'), new FileKeyProvider(join(dataDir, 'record.key')));
    try {
      expect((await restored.sessionItems(recent))[0]?.item.kind).toBe('reading');
      expect(await restored.sessionItems(old)).toHaveLength(1);
    } finally {
      restored.close();
    }
  });

  it('never writes over another backup (exit 2) nor without the journal (exit 1), and wants --out (exit 2)', async () => {
    const { dataDir } = await hubFolder();
    const { ctx, lines, journal } = await context(dataDir);
    expect(await commands.backup!.run(ctx, [])).toBe(2);
    expect(lines.join('\n')).toContain('--out is required');
    const target = tempDir('cabine-backup-');
    cleanups.push(target.cleanup);
    const out = join(target.dir, 'b');
    journal.failing = new Error('journal unreachable');
    expect(await commands.backup!.run(ctx, ['--out', out])).toBe(1);
    expect(existsSync(out)).toBe(false);
    journal.failing = null;
    expect(await commands.backup!.run(ctx, ['--out', out])).toBe(0);
    const before = readFileSync(join(out, 'record.db'));
    lines.length = 0;
    expect(await commands.backup!.run(ctx, ['--out', out])).toBe(2);
    expect(lines.join('\n')).toMatch(/already holds record\.db: choose an empty folder/);
    expect(readFileSync(join(out, 'record.db'))).toEqual(before);
    lines.length = 0;
    expect(await commands.backup!.run(ctx, ['--out', dataDir])).toBe(2);
  });

  it('prints the pg_dump command for PostgreSQL, without the password', async () => {
    const { dataDir } = await hubFolder();
    const { ctx, lines } = await context(dataDir, { store: { engine: 'postgresql', url: 'postgresql://cabine:s3cret-pw@db.internal:5433/cabine' } });
    expect(await commands.backup!.run(ctx, ['--out', '/srv/backups'])).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/pg_dump --format=custom --file='\/srv\/backups\/cabine-.*\.dump' --dbname='postgresql:\/\/<user>@db\.internal:5433\/<database>'/);
    expect(text).toContain('rows stay sealed');
    expect(text).not.toContain('s3cret-pw');
  });
});
