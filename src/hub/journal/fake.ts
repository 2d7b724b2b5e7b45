/**
 * An in-memory journal for unit tests of the features that report to it
 * (beside the real chain in ./journal.ts): it keeps the events in order and
 * can be told to fail, so a test proves a read is refused when its entry
 * cannot be written.
 */
import type { AccessJournal, JournalEntry, JournalEvent, JournalHead, JournalQuery, VerifyResult } from './types';

export class MemoryJournal implements AccessJournal {
  readonly entries: JournalEntry[] = [];
  /** Set to make record() reject (a journal out of reach). */
  failing: Error | null = null;

  async record(event: JournalEvent): Promise<void> {
    if (this.failing) throw this.failing;
    const seq = this.entries.length + 1;
    this.entries.push({ ...event, seq, at: Date.now(), node: 'memory', keyId: 0, prev: '', mac: '' });
  }

  async list(q: JournalQuery): Promise<JournalEntry[]> {
    return this.entries.filter((e) =>
      (!q.sessionIds || (e.sessionId !== undefined && q.sessionIds.includes(e.sessionId)))
      && (!q.caseIds || (e.caseId !== undefined && q.caseIds.includes(e.caseId)))
      && (!q.actorId || e.actor.id === q.actorId)).slice(0, q.limit ?? Infinity);
  }

  async head(): Promise<JournalHead | null> {
    const last = this.entries.at(-1);
    return last ? { seq: last.seq, mac: last.mac, at: last.at, node: last.node } : null;
  }

  async exportHead(): Promise<JournalHead | null> {
    return this.head();
  }

  async verify(): Promise<VerifyResult> {
    return { ok: true, entries: this.entries.length, head: await this.head() };
  }

  async close(): Promise<void> {}
}
