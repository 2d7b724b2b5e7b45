/**
 * The update record (pending version, previous installer, bad versions) in a
 * small JSON file, written atomically; a damaged file reads as empty rather
 * than stopping the booth.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RecordStore } from './update-controller';
import { EMPTY_RECORD, type UpdateRecord } from './update-policy';

export function fileRecordStore(path: string): RecordStore {
  return {
    load() {
      try {
        const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<UpdateRecord>;
        return {
          pendingVersion: typeof raw.pendingVersion === 'string' ? raw.pendingVersion : null,
          previousVersion: typeof raw.previousVersion === 'string' ? raw.previousVersion : null,
          previousInstallerPath: typeof raw.previousInstallerPath === 'string' ? raw.previousInstallerPath : null,
          badVersions: Array.isArray(raw.badVersions) ? raw.badVersions.filter((v): v is string => typeof v === 'string') : [],
        };
      } catch {
        return structuredClone(EMPTY_RECORD);
      }
    },
    save(record) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(`${path}.tmp`, JSON.stringify(record, null, 2));
      renameSync(`${path}.tmp`, path);
    },
  };
}
