/**
 * The hub's data keys rotate (issue #21): `record.key` (the record),
 * `hub-state.key` (queue and claims), `journal.key` (the access journal's
 * HMAC chain) and `search.key` (keyed hashes of searched fields), all in
 * `keyDir ?? dataDir`.
 *
 * - record and state: a new key, then the rows re-sealed in the background
 *   (src/node/reseal.ts) on this process's own connections (SQLite: a second
 *   connection to the same WAL file; PostgreSQL: a small pool), then the old
 *   key retired once no row uses it and `graceMs` has passed (the other nodes
 *   re-read the shared key file within a second, and on any unknown key id);
 * - journal: a new current key only; entries keep their key id, the chain is
 *   never re-MACed;
 * - search: a new key, then the index re-hashed through SearchIndexRehash
 *   (../record/search-rehash.ts over the record's patient index), then the
 *   old key retired once no row uses it and `graceMs` has passed; without an
 *   index, only the new key (the index keeps hashing under every key held).
 *
 * Across PostgreSQL nodes one node works at a time: a session advisory lock
 * around each key's work (`pg_try_advisory_lock`), the others skip it. Each
 * step is journaled: action `key-rotation`, resource `key`, resourceId
 * `<file>#<key id>`, actor `system` (the schedule) or `admin` (the command).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { FileKeyProvider, type KeyProvider } from '../../node/keys';
import { AddOnlyKeyRotation, DAY_MS, RotationSchedule, SealedKeyRotation, type KeyRotation, type KeyStatus, type RotationStep } from '../../node/key-rotation';
import { SqliteSealedRows, type SealedRowsDb } from '../../node/reseal';
import { openDatabase } from '../../node/sqlite';
import { systemClock, type Clock } from '../../shared/clock';
import type { HubConfig } from '../directory';
import type { AccessJournal, JournalActor } from '../journal/types';
import { RECORD_MIGRATIONS } from '../record/sqlite-repository';
import { HUB_STATE_MIGRATIONS } from '../state/store';
import { PgSealedRows } from './pg-sealed-rows';
import { RECORD_SEALED_COLUMNS, STATE_SEALED_COLUMNS } from './sealed-columns';

export const HUB_KEYS = ['record', 'state', 'journal', 'search'] as const;
export type HubKeyName = (typeof HUB_KEYS)[number];

export const HUB_KEY_FILES: Record<HubKeyName, string> = {
  record: 'record.key',
  state: 'hub-state.key',
  journal: 'journal.key',
  search: 'search.key',
};

/** One advisory lock per key file (constant shared by every release): "CabK" + the key's index. */
const ROTATION_LOCK_CLASS = 0x4361624b;

/**
 * What the search index (h21search) exposes so that `search.key` can
 * rotate: its keyed hashes carry the key id they were made with, and it can
 * compute them again under the current key.
 */
export interface SearchIndexRehash {
  /** Re-hashes, in small batches, every entry made under another key than `keys.current()`; resolves to the entries rewritten. */
  rehash(keys: KeyProvider, signal?: AbortSignal): Promise<number>;
  /** Entries per key id (a key with none left can be retired). */
  keyIdCounts(): Promise<Map<number, number>>;
}

export interface HubKeyRotationOptions {
  config: Pick<HubConfig, 'store' | 'dataDir' | 'keyDir' | 'keys'>;
  journal: AccessJournal;
  /** `system` for the schedule, `admin` (the operator) for the command. */
  actor: JournalActor;
  log: Logger;
  clock?: Clock;
  /** How long an old record/state/search key stays once unused (10 minutes by default; the other nodes must have re-read the file). */
  graceMs?: number;
  batchSize?: number;
  /** Pause between batches (yields to the event loop by default). */
  pause?: () => Promise<void>;
  searchIndex?: SearchIndexRehash;
}

/** Search key: a new key, the index re-hashed, the old key retired when no entry uses it and the grace has passed. */
class IndexedKeyRotation implements KeyRotation {
  constructor(
    readonly name: string,
    private readonly keys: FileKeyProvider,
    private readonly index: SearchIndexRehash,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly graceMs: number,
    private readonly onStep: (step: RotationStep) => Promise<void>,
  ) {}

  private readonly addOnly = (): AddOnlyKeyRotation => new AddOnlyKeyRotation(this.name, this.keys, this.onStep, this.clock);

  due(periodDays: number): boolean {
    return this.addOnly().due(periodDays);
  }

  pending(): boolean {
    return this.keys.list().some((k) => !k.current);
  }

  async rotate(signal?: AbortSignal): Promise<void> {
    await this.addOnly().rotate();
    await this.run(signal);
  }

  async run(signal?: AbortSignal): Promise<void> {
    const rows = await this.index.rehash(this.keys, signal);
    const keyId = this.keys.current().id;
    if (rows > 0) await this.onStep({ kind: 'resealed', keyId, rows });
    if (signal?.aborted) return;
    const counts = await this.index.keyIdCounts();
    const keys = this.keys.list();
    for (const k of keys) {
      if (k.current || (counts.get(k.id) ?? 0) > 0) continue;
      // As for the record: a node that read the file before the rotation may index under the old key for a second
      // more; retired at once, such a row would be found by no lookup. Past the grace, the next run re-hashes it first.
      const successor = keys.find((n) => n.id > k.id);
      if (successor && this.graceMs > 0 && this.clock.now() - successor.createdAt < this.graceMs) continue;
      this.keys.retire(k.id);
      await this.onStep({ kind: 'retired', keyId: k.id });
    }
  }

  async status(): Promise<KeyStatus> {
    const counts = await this.index.keyIdCounts();
    const now = this.clock.now();
    const keys = this.keys.list().map((k) => ({ ...k, ageDays: Math.floor((now - k.createdAt) / DAY_MS), rows: counts.get(k.id) ?? 0 }));
    const current = keys.find((k) => k.current)?.id;
    let left = 0;
    for (const [id, n] of counts) if (id !== current) left += n;
    return { name: this.name, keys, rowsOnOldKeys: left };
  }
}

/**
 * The hub's key rotations on this process's own connections; close() when
 * done. Key files that do not exist yet are left alone (never created here).
 */
export class HubKeyRotations {
  private constructor(
    private readonly rotations: Map<HubKeyName, KeyRotation>,
    private readonly pool: pg.Pool | null,
    private readonly sqlite: Database.Database[],
    private readonly log: Logger,
  ) {}

  static open(opts: HubKeyRotationOptions): HubKeyRotations {
    const { config } = opts;
    const keyDir = config.keyDir ?? config.dataDir;
    const clock = opts.clock ?? systemClock;
    const log = opts.log.child({ module: 'hub.keys' });
    const onStepOf = (name: HubKeyName) => async (step: RotationStep): Promise<void> => {
      const file = HUB_KEY_FILES[name];
      log.info({ key: file, step: step.kind, keyId: step.keyId, rows: 'rows' in step ? step.rows : undefined }, 'key rotation');
      await opts.journal.record({
        actor: opts.actor,
        action: 'key-rotation',
        resource: 'key',
        resourceId: `${file}#${step.keyId}`,
        outcome: step.kind === 'unreadable' ? 'refused' : 'allowed',
        reason: step.kind === 'unreadable' ? `UNREADABLE_ROWS ${step.rows} (${step.codes.join(', ')})`
          : step.kind === 'resealed' ? `resealed ${step.rows} rows` : step.kind,
      });
    };
    const keyFile = (name: HubKeyName): FileKeyProvider | null => {
      const file = join(keyDir, HUB_KEY_FILES[name]);
      return existsSync(file) ? new FileKeyProvider(file) : null;
    };
    const rotations = new Map<HubKeyName, KeyRotation>();
    const sqlite: Database.Database[] = [];
    let pool: pg.Pool | null = null;
    const dbOf = (name: 'record' | 'state'): SealedRowsDb | null => {
      if (config.store.engine === 'postgresql') {
        if (!pool) {
          pool = new pg.Pool({ connectionString: config.store.url, max: 3 });
          pool.on('error', (error) => log.warn({ code: (error as { code?: string }).code }, 'key rotation: an idle database connection was lost'));
        }
        return new PgSealedRows(pool, name === 'record' ? 'record' : 'hub_state');
      }
      const path = join(config.dataDir, name === 'record' ? 'record.db' : 'hub-state.db');
      if (!existsSync(path)) return null;
      const db = openDatabase(path, name === 'record' ? RECORD_MIGRATIONS : HUB_STATE_MIGRATIONS, { synchronous: name === 'record' ? 'FULL' : 'NORMAL' });
      sqlite.push(db);
      return new SqliteSealedRows(db);
    };
    for (const name of ['record', 'state'] as const) {
      const keys = keyFile(name);
      const db = keys && dbOf(name);
      if (!keys || !db) continue;
      rotations.set(name, new SealedKeyRotation({
        name: HUB_KEY_FILES[name], keys, db, columns: name === 'record' ? RECORD_SEALED_COLUMNS : STATE_SEALED_COLUMNS,
        graceMs: opts.graceMs ?? 10 * 60_000, clock, onStep: onStepOf(name),
        ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
        ...(opts.pause ? { pause: opts.pause } : {}),
      }));
    }
    const journalKeys = keyFile('journal');
    if (journalKeys) rotations.set('journal', new AddOnlyKeyRotation(HUB_KEY_FILES.journal, journalKeys, onStepOf('journal'), clock));
    const searchKeys = keyFile('search');
    if (searchKeys) {
      rotations.set('search', opts.searchIndex
        ? new IndexedKeyRotation(HUB_KEY_FILES.search, searchKeys, opts.searchIndex, clock, opts.graceMs ?? 10 * 60_000, onStepOf('search'))
        : new AddOnlyKeyRotation(HUB_KEY_FILES.search, searchKeys, onStepOf('search'), clock));
    }
    return new HubKeyRotations(rotations, pool, sqlite, log);
  }

  /** The key files present, in HUB_KEYS order. */
  names(): HubKeyName[] {
    return HUB_KEYS.filter((n) => this.rotations.has(n));
  }

  get(name: HubKeyName): KeyRotation | undefined {
    return this.rotations.get(name);
  }

  all(): KeyRotation[] {
    return this.names().map((n) => this.rotations.get(n)!);
  }

  /**
   * Runs `work` for one key file while no other node does: a session
   * advisory lock on PostgreSQL (another node holding it: not run); on
   * SQLite the hub is one node, the work runs.
   */
  async exclusive<T>(name: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (!this.pool) return { ran: true, value: await work() };
    const client = await this.pool.connect();
    const lock = [ROTATION_LOCK_CLASS, Object.values(HUB_KEY_FILES).indexOf(name)];
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', lock);
      if (!rows[0]?.ok) {
        this.log.info({ key: name }, 'key rotation: another hub node is rotating this key');
        return { ran: false };
      }
      try {
        return { ran: true, value: await work() };
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', lock).catch(() => undefined);
      }
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    for (const db of this.sqlite) if (db.open) db.close();
    await (this.pool as pg.Pool | null)?.end();
  }
}

export interface HubKeySchedule {
  /** One check now (tests, and what the timer runs). */
  check(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The hub's schedule: at start and once a day, each key file whose current
 * key is older than `config.keys.rotateEveryDays` rotates, and a rotation
 * left halfway (a node killed mid-way) is finished. The key files and stores
 * are looked at again on each check (a record file created since).
 */
export function startHubKeyRotation(opts: HubKeyRotationOptions & { checkEveryMs?: number }): HubKeySchedule {
  let open: HubKeyRotations | null = null;
  const log = opts.log.child({ module: 'hub.keys' });
  const schedule = new RotationSchedule({
    periodDays: opts.config.keys.rotateEveryDays,
    ...(opts.checkEveryMs ? { checkEveryMs: opts.checkEveryMs } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    rotations: () => {
      open = HubKeyRotations.open(opts);
      return open.all();
    },
    afterCheck: async () => {
      const done = open;
      open = null;
      await done?.close();
    },
    exclusive: (work, name) => open!.exclusive(name, work),
    onError: (error, name) => log.error({ key: name, code: (error as { code?: string }).code, err: error }, 'key rotation failed; the next check resumes it'),
  });
  schedule.start();
  return {
    check: async () => {
      await schedule.check();
    },
    stop: async () => {
      await schedule.stop();
      await open?.close();
    },
  };
}
