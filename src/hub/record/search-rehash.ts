/**
 * The patient index as the search key's rotation sees it (../keys/rotation.ts
 * `SearchIndexRehash`): after `search.key` gained a key, the index rows are
 * re-hashed under it in batches (each reopens its sealed item), and the rows
 * per key id tell which old key no row uses any more.
 *
 * The record hashes with its own key provider on the same search.key file;
 * `rehashPatientIndex` re-reads that file first, so the rows go under the key
 * the rotation just made current (../../node/search-key.ts `refresh`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HubConfig } from '../directory';
import type { SearchIndexRehash } from '../keys/rotation';
import type { RecordRepository } from './repository';

export interface PatientIndexRehashOptions {
  /** Index rows re-hashed per transaction (500 by default). */
  batchSize?: number;
  /**
   * Whether the record exists (SQLite: record.db; PostgreSQL: always): a hub
   * that never received a record has no index, and the rotation must not
   * create the file by looking.
   */
  hasRecord?: () => boolean;
  /** Between batches (yields to the event loop by default). */
  pause?: () => Promise<void>;
}

/** Whether the record exists: SQLite's record.db is created on first use; PostgreSQL's tables always are. */
export function recordHeld(config: Pick<HubConfig, 'store' | 'dataDir'>): boolean {
  return config.store.engine !== 'sqlite' || existsSync(join(config.dataDir, 'record.db'));
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function patientIndexRehash(record: RecordRepository, opts: PatientIndexRehashOptions = {}): SearchIndexRehash {
  const batch = opts.batchSize ?? 500;
  const pause = opts.pause ?? yieldToLoop;
  const held = opts.hasRecord ?? (() => true);
  return {
    async rehash(_keys, signal) {
      if (!held()) return 0;
      let total = 0;
      // Until a batch finds nothing left under an older key; stopped between batches (the next run resumes).
      while (!signal?.aborted) {
        const n = await record.rehashPatientIndex(batch);
        if (n === 0) break;
        total += n;
        await pause();
      }
      return total;
    },
    keyIdCounts: () => (held() ? record.patientIndexKeyIds() : Promise.resolve(new Map<number, number>())),
  };
}
