/**
 * `npm run admin -- retention <command>`: the record's retention and backups.
 *
 * - `purge [--dry-run]`: removes every session whose last activity is older
 *   than `retention.recordDays` (../retention), each journaled first with the
 *   operator as actor; `--dry-run` prints what would go and removes nothing.
 *   Exit 0 done, 1 stopped (journal out of reach, database error, another
 *   node purging), 2 bad arguments.
 * - `backup --out <dir>`: SQLite: a consistent copy of each of the hub's
 *   databases (`*.db` in dataDir: record, live state, journal) through
 *   SQLite's online backup, rows still sealed. The key files are NOT copied
 *   beside them: a backup that carries its keys is readable by whoever gets
 *   it; keys are backed up separately (another medium, another custodian)
 *   and a backup is restored with them. PostgreSQL: prints the pg_dump
 *   command (the rows stay sealed in the dump just the same).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import Database from 'better-sqlite3';
import { pgAddress } from '../pg-address';
import { Retention } from '../retention/index';
import type { AdminCommands, AdminContext } from './types';

const PURGE_USAGE = 'retention purge [--dry-run]';
const BACKUP_USAGE = 'retention backup --out <folder>';

function parse(ctx: AdminContext, args: string[], usage: string, options: NonNullable<ParseArgsConfig['options']>): Record<string, unknown> | null {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    ctx.out(`${(error as Error).message}\nusage: ${usage}`);
    return null;
  }
}

/** The hub's SQLite databases in dataDir, by name. */
function sqliteFiles(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  return readdirSync(dataDir).filter((f) => f.endsWith('.db')).sort();
}

function keyFiles(keyDir: string): string[] {
  if (!existsSync(keyDir)) return [];
  return readdirSync(keyDir).filter((f) => f.endsWith('.key')).sort();
}

export const commands: AdminCommands = {
  purge: {
    summary: 'purges the sessions past the retention period (each journaled first); --dry-run lists them',
    usage: PURGE_USAGE,
    async run(ctx, args) {
      const values = parse(ctx, args, PURGE_USAGE, { 'dry-run': { type: 'boolean' } });
      if (!values) return 2;
      const retention = new Retention({ record: ctx.stores.record, journal: ctx.journal, config: ctx.config, log: ctx.log });
      const days = ctx.config.retention.recordDays;
      if (values['dry-run']) {
        const expired = await retention.expired();
        for (const s of expired) ctx.out(`would purge\tsession=${s.sessionId}\tbooth=${s.boothId}\tlast activity ${s.lastActivity}`);
        ctx.out(`${expired.length} session(s) past ${days} days (last activity before ${retention.cutoff()}); nothing removed (dry run)`);
        return 0;
      }
      const run = await retention.purge({ role: 'admin', id: ctx.operator });
      for (const s of run.purged) {
        const rows = Object.entries(s.rows).filter(([, n]) => n > 0).map(([t, n]) => `${t}=${n}`).join(' ');
        ctx.out(`purged\tsession=${s.sessionId}\tbooth=${s.boothId}\tlast activity ${s.lastActivity}\t${rows}`);
      }
      for (const s of run.kept) ctx.out(`kept\tsession=${s.sessionId}\tbooth=${s.boothId}\tnew activity since the list was made`);
      if (run.busy) {
        ctx.out('another hub node is purging now: nothing done here; run again later');
        return 1;
      }
      if (run.error) {
        ctx.out(`purge STOPPED after ${run.purged.length} session(s): ${run.error.message}`);
        return 1;
      }
      ctx.out(`${run.purged.length} session(s) purged, past ${days} days (last activity before ${run.before})`);
      return 0;
    },
  },
  backup: {
    summary: 'copies the hub\'s SQLite databases, still sealed, without their keys (PostgreSQL: prints the pg_dump command)',
    usage: BACKUP_USAGE,
    async run(ctx, args) {
      const values = parse(ctx, args, BACKUP_USAGE, { out: { type: 'string' } });
      if (!values) return 2;
      const out = values.out;
      if (typeof out !== 'string' || out === '') {
        ctx.out(`--out is required: the folder the backup is written to\nusage: ${BACKUP_USAGE}`);
        return 2;
      }
      const keyDir = resolve(ctx.config.keyDir ?? ctx.config.dataDir);
      const keysNote = `The keys are NOT in the backup (a backup carrying its keys is readable by whoever gets it): back up ${keyDir}/${keyFiles(keyDir).join(', ') || '*.key'} separately, on another medium; a restore needs both.`;
      if (ctx.config.store.engine === 'postgresql') {
        const file = join(resolve(out), `cabine-${new Date().toISOString().replace(/[:.]/g, '-')}.dump`);
        ctx.out('The record, the live state and the journal live in PostgreSQL: back them up with the server\'s own tool, for example');
        ctx.out(`  pg_dump --format=custom --file='${file}' --dbname='postgresql://<user>@${pgAddress(ctx.config.store.url)}/<database>'`);
        ctx.out('(the password from ~/.pgpass or PGPASSWORD, never on the command line). The rows stay sealed in the dump (AES-256-GCM, the same bytes as in the tables).');
        ctx.out(keysNote);
        return 0;
      }
      const dataDir = resolve(ctx.config.dataDir);
      const dest = resolve(out);
      if (dest === dataDir || dest === keyDir) {
        ctx.out(`--out ${dest} is the hub's own data or key folder: choose another folder (another disk)`);
        return 2;
      }
      const files = sqliteFiles(dataDir);
      if (files.length === 0) {
        ctx.out(`no database in ${dataDir}: nothing to back up`);
        return 0;
      }
      const taken = files.filter((f) => existsSync(join(dest, f)));
      if (taken.length > 0) {
        ctx.out(`${dest} already holds ${taken.join(', ')}: choose an empty folder (a backup never overwrites another)`);
        return 2;
      }
      try {
        await ctx.journal.record({ actor: { role: 'admin', id: ctx.operator }, action: 'export', resource: 'record.backup', outcome: 'allowed', reason: files.join(' ') });
      } catch (error) {
        ctx.out(`backup NOT made: the access journal cannot be written (${(error as Error).message}); restore it, then run again`);
        return 1;
      }
      mkdirSync(dest, { recursive: true, mode: 0o700 });
      for (const f of files) {
        // The online backup API: a consistent copy of a database in use (WAL included), page by page.
        const db = new Database(join(dataDir, f), { readonly: true, fileMustExist: true });
        try {
          await db.backup(join(dest, f));
        } finally {
          db.close();
        }
        chmodSync(join(dest, f), 0o600);
        ctx.out(`backed up\t${f}\t→ ${join(dest, f)}`);
      }
      ctx.out('The rows stay sealed in the copies, as in the hub\'s files.');
      ctx.out(keysNote);
      return 0;
    },
  },
};
