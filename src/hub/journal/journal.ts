/**
 * The access journal (./types.ts): an HMAC chain over entries kept in the
 * hub's store, its key outside the database, its head exported out of the
 * database's reach.
 *
 * - Storage: SQLite `<dataDir>/journal.db` (./sqlite-store.ts) or a
 *   `journal` table in the hub's PostgreSQL database (./pg-store.ts).
 * - Chain (./chain.ts): entry MAC = HMAC-SHA256(journal key, canonical form
 *   of all its fields including seq, at, node, keyId and prev, the previous
 *   entry's MAC). The key file is `<keyDir ?? dataDir>/journal.key`
 *   (FileKeyProvider): each entry names its key id, so after a rotation new
 *   entries use the new key and verify opens old ones by id.
 * - One writer at a time: on PostgreSQL every node appends under
 *   `pg_advisory_xact_lock` in the append transaction (read the last entry,
 *   compute, insert), so a network of nodes writes one gapless chain; on
 *   SQLite, one hub process, the append is BEGIN IMMEDIATE. Within this
 *   process, record() calls are chained: they are written in the order they
 *   were called, and a failed one does not hold up the next. record()
 *   resolves once the entry is committed (durable), and rejects with
 *   JOURNAL_UNAVAILABLE when it could not be written.
 * - Head export (./heads.ts): every `journal.exportHeadEveryMinutes`, on
 *   demand, and at a clean close, the head `{seq, mac, at, node}` is appended
 *   to `<journal.headDir ?? dataDir/journal-heads>/heads-<node>.jsonl` and
 *   flushed. verify() walks the chain (gaps, links, MACs: the first broken
 *   entry is named) and then holds it against the furthest head any node
 *   exported: the last entries deleted (`behind-head`) or the chain rewritten
 *   with another key (`head-mismatch`) are found there.
 * Entries hold ids only: the event's fields are ids, codes and an address,
 * never a name, a NIR or a value.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { FileKeyProvider, type KeyProvider } from '../../node/keys';
import { systemClock, type Clock } from '../../shared/clock';
import type { HubConfig } from '../directory';
import { ChainWalk, GENESIS, headOf, macOf } from './chain';
import { JournalUnavailableError } from './errors';
import { appendHead, lastExportedHead } from './heads';
import { PgJournalStore, type PgJournalOptions } from './pg-store';
import { SqliteJournalStore } from './sqlite-store';
import type { JournalStore } from './store';
import type { AccessJournal, JournalEntry, JournalEvent, JournalHead, JournalQuery, VerifyResult } from './types';

/** How many entries verify() reads at a time. */
const WALK_BATCH = 1000;

export interface ChainJournalOptions {
  store: JournalStore;
  /** The journal key file (`journal.key`): read again when verify meets a key id it does not hold. */
  keyFile: string;
  /** The keys (the key file's provider when absent). */
  keys?: KeyProvider;
  /** This hub node's name, written in each entry and naming its head file. */
  node: string;
  headDir: string;
  /** Exports the head on this period; none when absent (the admin command's journal). */
  exportHeadEveryMs?: number;
  clock?: Pick<Clock, 'now'>;
  log?: Logger;
}

export class ChainJournal implements AccessJournal {
  private keys: KeyProvider;
  private readonly clock: Pick<Clock, 'now'>;
  /** The tail of this process's appends: each record() starts when the one before it has settled. */
  private tail: Promise<unknown> = Promise.resolve();
  private readonly timer: NodeJS.Timeout | null;
  private closed = false;

  constructor(private readonly opts: ChainJournalOptions) {
    this.keys = opts.keys ?? new FileKeyProvider(opts.keyFile);
    this.clock = opts.clock ?? systemClock;
    this.timer = opts.exportHeadEveryMs
      ? setInterval(() => {
        this.exportHead().catch((error: unknown) => opts.log?.error({ err: error }, 'journal: the head could not be exported; the next export tries again'));
      }, opts.exportHeadEveryMs)
      : null;
    this.timer?.unref();
  }

  record(event: JournalEvent): Promise<void> {
    if (this.closed) return Promise.reject(new JournalUnavailableError({ detail: 'the journal is closed (the hub is stopping)' }));
    const key = this.keys.current();
    const write = this.tail.then(() => this.opts.store.append((last) => {
      const base = {
        ...pick(event),
        seq: (last?.seq ?? 0) + 1,
        at: this.clock.now(),
        node: this.opts.node,
        keyId: key.id,
        prev: last?.mac ?? GENESIS,
      };
      return { ...base, mac: macOf(key.key, base) };
    }));
    this.tail = write.catch(() => undefined);
    return write.then(() => undefined);
  }

  list(query: JournalQuery): Promise<JournalEntry[]> {
    return this.opts.store.list(query);
  }

  async head(): Promise<JournalHead | null> {
    const last = await this.opts.store.last();
    return last ? headOf(last) : null;
  }

  async exportHead(): Promise<JournalHead | null> {
    // After the appends already called: the head exported covers them.
    await this.tail;
    const head = await this.head();
    if (!head) return null;
    // Written under this node's name (its own file), whichever node wrote the entry.
    const exported = { ...head, node: this.opts.node };
    appendHead(this.opts.headDir, exported);
    return exported;
  }

  async verify(): Promise<VerifyResult> {
    const walk = new ChainWalk(this.keys, () => (this.keys = new FileKeyProvider(this.opts.keyFile)));
    let after = 0;
    for (;;) {
      const batch = await this.opts.store.after(after, WALK_BATCH);
      const broken = walk.feed(batch);
      if (broken) return broken;
      if (batch.length < WALK_BATCH) break;
      after = batch.at(-1)!.seq;
    }
    const exported = lastExportedHead(this.opts.headDir);
    const mac = exported ? await this.opts.store.macAt(exported.seq) : undefined;
    return walk.finish(exported, () => mac);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.tail;
    // A clean stop leaves the head out of the database's reach.
    if (this.opts.exportHeadEveryMs) {
      await this.exportHead().catch((error: unknown) => this.opts.log?.warn({ err: error }, 'journal: the head could not be exported at close'));
    }
    await this.opts.store.close();
  }
}

/** The event's own fields, nothing else a caller's object may carry. */
function pick(e: JournalEvent): JournalEvent {
  const out: JournalEvent = { actor: e.actor.id === undefined ? { role: e.actor.role } : { role: e.actor.role, id: e.actor.id }, action: e.action, resource: e.resource, outcome: e.outcome };
  if (e.resourceId !== undefined) out.resourceId = e.resourceId;
  if (e.sessionId !== undefined) out.sessionId = e.sessionId;
  if (e.boothId !== undefined) out.boothId = e.boothId;
  if (e.caseId !== undefined) out.caseId = e.caseId;
  if (e.reason !== undefined) out.reason = e.reason;
  if (e.from !== undefined) out.from = e.from;
  return out;
}

export interface OpenJournalOptions {
  /** This node's name in its entries and head file: `config.node.id`, else the host's name. */
  node?: string;
  /** false: no periodic export (an admin command); the config's period otherwise. */
  exportOnSchedule?: boolean;
  clock?: Pick<Clock, 'now'>;
  pg?: PgJournalOptions;
}

/** Where the heads go: `journal.headDir`, else `<dataDir>/journal-heads`. */
export function headDirOf(config: Pick<HubConfig, 'journal' | 'dataDir'>): string {
  return config.journal.headDir ?? join(config.dataDir, 'journal-heads');
}

/**
 * Opens the hub's journal by the config's engine. JOURNAL_UNAVAILABLE when
 * its database cannot be opened, KEY_UNAVAILABLE when its key file cannot be
 * read or created: the hub does not start without its journal.
 */
export async function openJournal(config: Pick<HubConfig, 'store' | 'dataDir' | 'keyDir' | 'journal' | 'node'>, log?: Logger, opts: OpenJournalOptions = {}): Promise<ChainJournal> {
  const keyFile = join(config.keyDir ?? config.dataDir, 'journal.key');
  const keys = new FileKeyProvider(keyFile);
  const store = config.store.engine === 'postgresql'
    ? await PgJournalStore.open(config.store.url, opts.pg)
    : new SqliteJournalStore(join(config.dataDir, 'journal.db'));
  return new ChainJournal({
    store,
    keyFile,
    keys,
    node: opts.node ?? config.node?.id ?? hostname(),
    headDir: headDirOf(config),
    exportHeadEveryMs: opts.exportOnSchedule === false ? undefined : config.journal.exportHeadEveryMinutes * 60_000,
    clock: opts.clock,
    log,
  });
}
