/**
 * The access journal's cost (issue #21): every access to patient data waits
 * for its entry, one durable SQLite transaction each (synchronous=FULL),
 * serialised in the hub. Three figures, each beside its baseline in this run:
 * - appends per second through the HMAC chain, against the same rows appended
 *   to the same store without the chain's MAC (the chain's own cost);
 * - a booth's outbox drained one reading per request (each request journaled
 *   as one write), against the same hub with an in-memory journal (the cost a
 *   journaled access adds end to end);
 * - `journal verify` over the whole chain, against reading the same entries
 *   without checking them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MemoryJournal } from '../src/hub/journal/fake';
import { ChainJournal } from '../src/hub/journal/journal';
import { SqliteJournalStore } from '../src/hub/journal/sqlite-store';
import type { JournalEvent } from '../src/hub/journal/types';
import { drainRate } from './store.bench';
import type { BenchResult } from './types';

const APPENDS = Number(process.env.BENCH_JOURNAL_APPENDS ?? 2000);
const DRAINED = Number(process.env.BENCH_JOURNAL_DRAINED ?? 300);

/** A console's read of a session's photo, as the hub journals it. */
function event(i: number): JournalEvent {
  return {
    actor: { role: 'specialist', id: 'dr-martin' }, action: 'read', resource: 'photo', resourceId: `photo-${i}`,
    sessionId: `session-${i % 50}`, boothId: 'demo-booth-1', outcome: 'allowed', from: '127.0.0.1',
  };
}

async function perSecond(n: number, work: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await work(i);
  return n / ((performance.now() - t0) / 1000);
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-bench-journal-'));
  try {
    const journal = new ChainJournal({ store: new SqliteJournalStore(join(dir, 'journal.db')), keyFile: join(dir, 'journal.key'), node: 'bench', headDir: join(dir, 'heads') });
    const chained = await perSecond(APPENDS, (i) => journal.record(event(i)));

    const plain = new SqliteJournalStore(join(dir, 'plain.db'));
    const unchained = await perSecond(APPENDS, (i) => plain.append((last) => ({
      ...event(i), seq: (last?.seq ?? 0) + 1, at: Date.now(), node: 'bench', keyId: 1, prev: '0'.repeat(64), mac: '0'.repeat(64),
    })));

    const t0 = performance.now();
    const verdict = await journal.verify();
    const verifyRate = APPENDS / ((performance.now() - t0) / 1000);
    if (!verdict.ok) throw new Error(`the bench's own chain does not verify: ${JSON.stringify(verdict)}`);
    const t1 = performance.now();
    for (let after = 0; ;) {
      const page = await plain.after(after, 500);
      if (page.length < 500) break;
      after = page.at(-1)!.seq;
    }
    const readRate = APPENDS / ((performance.now() - t1) / 1000);
    await journal.close();
    await plain.close();

    const drainJournaled = await drainRate(dir, 'journaled', DRAINED, 1);
    const drainMemory = await drainRate(dir, 'memory', DRAINED, 1, new MemoryJournal());
    return [
      { area: 'journal', name: 'entries appended through the HMAC chain, one durable transaction each', value: chained, unit: 'entries/s', baseline: { name: 'same rows, same store, no MAC', value: unchained }, note: `SQLite synchronous=FULL in ${tmpdir()}; appends are serialised per hub node: this is the ceiling of journaled accesses per second` },
      { area: 'journal', name: 'booth outbox drain, one reading per request, each journaled', value: drainJournaled, unit: 'readings/s', baseline: { name: 'same hub, in-memory journal', value: drainMemory }, note: 'record on SQLite; the difference is the journal entry each request waits for' },
      { area: 'journal', name: '`journal verify` over the chain', value: verifyRate, unit: 'entries/s', baseline: { name: 'reading the same entries unchecked', value: readRate }, note: `${APPENDS} entries, pages of 500` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
