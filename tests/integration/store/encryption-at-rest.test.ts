import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { FileKeyProvider } from '../../../src/host/store/keys';
import { BoothStore } from '../../../src/host/store/store';
import { sessionEvent, tempDir, temperature } from '../../helpers/store';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function doubleBytes(v: number): Buffer[] {
  const be = Buffer.alloc(8);
  be.writeDoubleBE(v);
  const le = Buffer.alloc(8);
  le.writeDoubleLE(v);
  const fbe = Buffer.alloc(4);
  fbe.writeFloatBE(v);
  const fle = Buffer.alloc(4);
  fle.writeFloatLE(v);
  return [be, le, fbe, fle];
}

/** Every way a value could sit in the database files: UTF-8, UTF-16, IEEE-754 double and float, both byte orders. */
function needles(value: string | number): Buffer[] {
  if (typeof value === 'string') return [Buffer.from(value, 'utf8'), Buffer.from(value, 'utf16le')];
  return [Buffer.from(String(value)), ...doubleBytes(value)];
}

function filesOf(db: string): Buffer[] {
  return [db, `${db}-wal`, `${db}-shm`].filter((f) => existsSync(f)).map((f) => readFileSync(f));
}

function found(files: Buffer[], value: string | number): boolean {
  return needles(value).some((n) => files.some((f) => f.includes(n)));
}

describe('personal data at rest', () => {
  it("finds neither the patient's name nor a reading's value in the .db, -wal and -shm files, but finds an unencrypted control", () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, 'booth.db');
    const store = BoothStore.open({ path, keys: new FileKeyProvider(join(dir, 'booth.key')), boothId: 'A' });
    cleanups.push(() => store.close());
    const NAME = 'Marguerite Lefebvre-Duchâteau';
    const VALUE = 38.73;
    store.saveSession({ id: 'session-1', startedAt: new Date().toISOString(), identity: { name: NAME, birthDate: '1941-03-09' }, notes: 'douleur thoracique' });
    store.saveReading(temperature(VALUE));
    store.saveSessionEvent({ ...sessionEvent('note'), data: { note: NAME } });
    store.savePhoto({ id: uuidv7(), sessionId: 'session-1', mime: 'image/png', width: 4, height: 4, takenAt: new Date().toISOString(), polarisation: 'none', bodySite: 'genou droit', bytes: Buffer.from(`PHOTO OF ${NAME}`) });
    // The control: the same kinds of value written deliberately in clear, so the scan is proven able to see them.
    const CONTROL_NAME = 'Témoin Enclair';
    const CONTROL_VALUE = 41.37;
    store.db.exec('CREATE TABLE control (name TEXT, value REAL)');
    store.db.prepare('INSERT INTO control VALUES (?, ?)').run(CONTROL_NAME, CONTROL_VALUE);

    const files = filesOf(path);
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(found(files, CONTROL_NAME)).toBe(true);
    expect(doubleBytes(CONTROL_VALUE).slice(0, 1).some((n) => files.some((f) => f.includes(n)))).toBe(true);

    for (const secret of [NAME, 'Marguerite', 'Lefebvre', '1941-03-09', 'douleur thoracique', 'genou droit', 'PHOTO OF']) expect(found(files, secret), secret).toBe(false);
    expect(found(files, VALUE), 'reading value').toBe(false);

    // Same after a checkpoint moves the WAL into the main file.
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const after = filesOf(path);
    expect(found(after, NAME) || found(after, VALUE)).toBe(false);
    expect(found(after, CONTROL_NAME)).toBe(true);
  });
});
