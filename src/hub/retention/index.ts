/**
 * Retention on the hub (issue #21, part 6): the record keeps a session for
 * `config.retention.recordDays` after its last activity, then purges it —
 * every row of the session, on either engine, in one transaction per
 * session (../record/purge-plan.ts lists the tables) — on a timer
 * (`purgeEveryHours`, the first run shortly after the hub starts) and on the
 * operator's command (../admin/retention.ts).
 *
 * Journal first, then delete: each session's purge is appended to the access
 * journal (action `purge`, resource `record`, the session and booth ids,
 * nothing else) before its rows go, and a journal that cannot be written
 * stops the run (RETENTION_JOURNAL_UNAVAILABLE): nothing is removed that the
 * journal does not name. A run interrupted between the entry and the commit
 * (a crash) leaves the session whole; the next run purges it and journals it
 * again. Across PostgreSQL nodes one node purges at a time (an advisory lock,
 * RecordRepository.exclusivePurge); the others skip their turn.
 */
import type { Logger } from 'pino';
import { CabineError } from '../../shared/errors';
import { systemClock, type Clock } from '../../shared/clock';
import type { HubConfig } from '../directory';
import type { AccessJournal, JournalActor } from '../journal/types';
import type { ExpiredSession, PurgedRows, RecordRepository } from '../record/repository';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Sessions listed per round of a run (a run goes on until none is left). */
const BATCH = 200;

/** The journal refused the entry of a purge: the run stopped, that session and the rest kept. */
export class RetentionJournalUnavailable extends CabineError {
  constructor(readonly sessionId: string, cause: unknown) {
    super('RETENTION_JOURNAL_UNAVAILABLE', {
      fr: `Purge arrêtée avant la session ${sessionId} : le journal des accès ne peut pas être écrit, rien n’a été supprimé sans y être inscrit. Rétablissez le journal puis relancez la purge.`,
      en: `Purge stopped before session ${sessionId}: the access journal cannot be written, nothing was removed without its entry. Restore the journal, then run the purge again.`,
    }, { cause });
  }
}

export interface PurgedSession extends ExpiredSession {
  rows: PurgedRows;
}

export interface PurgeRun {
  /** The cut-off: sessions whose last activity is before it go. */
  before: string;
  purged: PurgedSession[];
  /** Listed as expired, kept: new rows arrived before their turn. */
  kept: ExpiredSession[];
  /** Another node was purging (PostgreSQL): this run did nothing. */
  busy: boolean;
  /** Why the run stopped early (the journal, the database); the sessions not reached are whole. */
  error: Error | null;
}

export interface RetentionOptions {
  record: RecordRepository;
  journal: AccessJournal;
  config: Pick<HubConfig, 'retention'>;
  log: Logger;
  clock?: Clock;
  /** Delay of the first timed run after start (1 minute: the hub is up, its first booths in). */
  firstRunAfterMs?: number;
  /** Whether a timed run has anything to look at (SQLite: the record's file exists; a hub without one creates none). */
  hasRecord?: () => boolean;
}

export class Retention {
  private readonly clock: Clock;
  private timer: unknown = null;
  private running: Promise<PurgeRun> | null = null;
  private stopped = false;

  constructor(private readonly o: RetentionOptions) {
    this.clock = o.clock ?? systemClock;
  }

  /** The cut-off now: `recordDays` before the clock. */
  cutoff(): string {
    return new Date(this.clock.now() - this.o.config.retention.recordDays * DAY_MS).toISOString();
  }

  /** What a purge now would remove (the dry run): the expired sessions, oldest first, at most `limit`. */
  expired(limit = 100_000): Promise<ExpiredSession[]> {
    return this.o.record.expiredSessions(this.cutoff(), limit);
  }

  /** Purges every expired session now, as `actor` (the hub itself, or an operator); one run at a time in this process. */
  purge(actor: JournalActor): Promise<PurgeRun> {
    this.running ??= this.run(actor).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(actor: JournalActor): Promise<PurgeRun> {
    const before = this.cutoff();
    const run: PurgeRun = { before, purged: [], kept: [], busy: false, error: null };
    const log = this.o.log;
    const done = await this.o.record.exclusivePurge(async () => {
      try {
        for (;;) {
          // Kept sessions are listed again (their new rows arrived after the cut-off? then not): skip what was seen.
          const seen = new Set(run.kept.map((k) => k.sessionId));
          const page = (await this.o.record.expiredSessions(before, BATCH + seen.size)).filter((s) => !seen.has(s.sessionId));
          if (page.length === 0) return;
          for (const s of page) {
            try {
              await this.o.journal.record({
                actor, action: 'purge', resource: 'record', resourceId: s.sessionId, sessionId: s.sessionId, boothId: s.boothId,
                outcome: 'allowed', reason: `retention ${this.o.config.retention.recordDays} days`,
              });
            } catch (error) {
              throw new RetentionJournalUnavailable(s.sessionId, error);
            }
            const rows = await this.o.record.purgeSession(s.sessionId, before);
            if (rows) {
              run.purged.push({ ...s, rows });
            } else {
              run.kept.push(s);
              // The entry above said it would go: say it did not (best effort; the session is whole and readable).
              await this.o.journal.record({
                actor, action: 'purge', resource: 'record', resourceId: s.sessionId, sessionId: s.sessionId, boothId: s.boothId,
                outcome: 'refused', reason: 'NEW_ACTIVITY',
              }).catch(() => undefined);
            }
          }
        }
      } catch (error) {
        run.error = error as Error;
      }
    });
    if (done === null) run.busy = true;
    if (run.busy) log.info('retention: another hub node is purging; skipped');
    else if (run.error) log.error({ err: run.error, purged: run.purged.length }, 'retention: purge stopped');
    else log.info({ purged: run.purged.length, kept: run.kept.length, before }, 'retention: purge done');
    return run;
  }

  /** Starts the timer: a first run after `firstRunAfterMs`, then every `purgeEveryHours`. */
  start(): void {
    const actor: JournalActor = { role: 'system', id: 'retention' };
    const schedule = (ms: number): void => {
      if (this.stopped) return;
      this.timer = this.clock.setTimeout(() => {
        if (this.o.hasRecord && !this.o.hasRecord()) {
          schedule(this.o.config.retention.purgeEveryHours * HOUR_MS);
          return;
        }
        void this.purge(actor).catch((error: unknown) => this.o.log.error({ err: error }, 'retention: purge failed'))
          .finally(() => schedule(this.o.config.retention.purgeEveryHours * HOUR_MS));
      }, ms);
    };
    schedule(this.o.firstRunAfterMs ?? 60_000);
  }

  /** Stops the timer and waits for a run under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}
