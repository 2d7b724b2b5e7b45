/**
 * The hub's two stores, by the config's engine (DESIGN §10): the record and
 * the live state (queue, claims, logins, durations).
 *
 * - SQLite (the default): `record.db` and `hub-state.db` in `dataDir`, each
 *   opened on first use, so a hub that never receives a record or never
 *   starts media creates no file.
 * - PostgreSQL (a network of hub nodes): both in one database, connected and
 *   migrated before the hub listens, so a node whose database cannot be
 *   reached never half-starts: the error names the server and the hub exits.
 *
 * Keys come from `keyDir` (the same folder on every node: a row one node
 * sealed is opened by another), `dataDir` when absent: record.key,
 * hub-state.key, and search.key for the patient index's keyed hashes.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { FileKeyProvider } from '../node/keys';
import { PatientHasher } from '../node/search-key';
import { systemClock, type Clock } from '../shared/clock';
import type { HubConfig } from './directory';
import { lazyRepository } from './record/index';
import { openPgRecord } from './record/pg-repository';
import type { RecordRepository } from './record/repository';
import { SqliteRecordRepository } from './record/sqlite-repository';
import { openPgHubState } from './state/pg-store';
import type { HubStateRepository } from './state/repository';
import { HubStateStore } from './state/store';

export interface HubStores {
  readonly engine: HubConfig['store']['engine'];
  readonly record: RecordRepository;
  /** The live state: opened now (PostgreSQL) or at the first call (SQLite). */
  state(): HubStateRepository;
  /** Closes what was opened; the record last (rooms write to both until they close). */
  close(): Promise<void>;
}

/** `clock`: the hub's (its throttles' and sign-ins'); the live state expires sessions and pending sign-ins by it. */
export async function openHubStores(config: Pick<HubConfig, 'store' | 'dataDir' | 'keyDir'>, log: Logger, clock: Pick<Clock, 'now'> = systemClock): Promise<HubStores> {
  const keyDir = config.keyDir ?? config.dataDir;
  const recordKeys = (): FileKeyProvider => new FileKeyProvider(join(keyDir, 'record.key'));
  const stateKeys = (): FileKeyProvider => new FileKeyProvider(join(keyDir, 'hub-state.key'));
  // The patient index's keyed hashes (NIR, birth name + date) under a key of their own, never the data key.
  const search = (): PatientHasher => new PatientHasher(new FileKeyProvider(join(keyDir, 'search.key')));
  const stateLog = log.child({ module: 'hub.state' });
  if (config.store.engine === 'postgresql') {
    const { url } = config.store;
    const record = await openPgRecord(url, recordKeys(), systemClock, { search: search() });
    let state: HubStateRepository;
    try {
      state = await openPgHubState(url, stateKeys(), stateLog, { clock });
    } catch (error) {
      await record.close();
      throw error;
    }
    return {
      engine: 'postgresql',
      record,
      state: () => state,
      close: async () => {
        await state.close();
        await record.close();
      },
    };
  }
  const record = lazyRepository(() => new SqliteRecordRepository(join(config.dataDir, 'record.db'), recordKeys(), systemClock, search()));
  let state: HubStateStore | null = null;
  return {
    engine: 'sqlite',
    record,
    state: () => (state ??= new HubStateStore(join(config.dataDir, 'hub-state.db'), stateKeys(), stateLog, clock)),
    close: async () => {
      await state?.close();
      await record.close();
    },
  };
}
