import { join } from 'node:path';
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { FileKeyProvider } from '../../../src/node/keys';
import { BoothStore } from '../../../src/host/store/store';
import { binaryForms, databaseFiles, foundIn } from '../../helpers/at-rest';
import { BOOTH_SECRET, hubWithRecord, sessionEvent, silentLog, tempDir, temperature } from '../../helpers/store';
import { HubLink } from '../../../src/host/hub-link';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const doubleBytes = binaryForms;
const filesOf = databaseFiles;
const found = foundIn;

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
    // A forwarded case: the patient's video and the manifest (phone number, question, who compiled).
    store.saveVideo({ id: uuidv7(), sessionId: 'session-1', mime: 'video/webm', durationMs: 9000, width: 640, height: 480, recordedAt: new Date().toISOString(), bytes: Buffer.from(`VIDEO OF ${NAME}`) });
    store.saveCase({
      caseId: uuidv7(), sessionId: 'session-1', specialty: 'dermatology', question: 'Lésion suspecte au mollet ?', note: 'apparue en mai', contactPhone: '0698765432',
      patient: { birthName: 'Lefebvre-Duchâteau', firstNames: 'Marguerite', birthDate: '1941-03-09', sex: 'F', reason: { code: 'skin' }, pathway: { pathway: 'gp-known' }, consentAt: null, gp: null, reportToGp: false },
      caseConsentAt: new Date().toISOString(), compiledBy: { staffId: 'staff-7', name: 'Claudette', pharmacy: { name: 'Pharmacie du Port', city: 'Le Palais' } },
      pickupCode: 'K7MQP4', checklist: [{ id: 'i1', kind: 'video' }], entries: [{ checklistId: 'i1', kind: 'video', itemId: null, skipped: 'refus' }], completedAt: new Date().toISOString(),
    });
    // The control: the same kinds of value written deliberately in clear, so the scan is proven able to see them.
    const CONTROL_NAME = 'Témoin Enclair';
    const CONTROL_VALUE = 41.37;
    store.db.exec('CREATE TABLE control (name TEXT, value REAL)');
    store.db.prepare('INSERT INTO control VALUES (?, ?)').run(CONTROL_NAME, CONTROL_VALUE);

    const files = filesOf(path);
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(found(files, CONTROL_NAME)).toBe(true);
    expect(doubleBytes(CONTROL_VALUE).slice(0, 1).some((n) => files.some((f) => f.includes(n)))).toBe(true);

    for (const secret of [NAME, 'Marguerite', 'Lefebvre', '1941-03-09', 'douleur thoracique', 'genou droit', 'PHOTO OF', 'VIDEO OF', '0698765432', 'Lésion suspecte', 'apparue en mai', 'Claudette', 'K7MQP4']) {
      expect(found(files, secret), secret).toBe(false);
    }
    expect(found(files, VALUE), 'reading value').toBe(false);

    // Same after a checkpoint moves the WAL into the main file.
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const after = filesOf(path);
    expect(found(after, NAME) || found(after, VALUE)).toBe(false);
    expect(found(after, CONTROL_NAME)).toBe(true);
  });
});

describe("the hub's record at rest", () => {
  it('holds neither a reading value nor a photo in clear in record.db and its WAL, but finds a clear control', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { hub } = await hubWithRecord(join(dir, 'hub'));
    const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: 'A', token: BOOTH_SECRET, log: silentLog });
    link.start();
    await new Promise<void>((r) => link.on('status', (s) => s === 'online' && r()));
    const booth = BoothStore.open({ path: join(dir, 'booth.db'), keys: new FileKeyProvider(join(dir, 'booth.key')), boothId: 'A' });
    const VALUE = 39.47;
    const PHOTO = 'PIXELS-OF-A-MOLE';
    booth.saveReading({ ...temperature(VALUE), meta: { site: 'axillaire' } });
    const meta = booth.savePhoto({ id: uuidv7(), sessionId: 'session-1', mime: 'image/png', width: 2, height: 2, takenAt: new Date().toISOString(), polarisation: 'none', bytes: Buffer.from(PHOTO) });
    await link.request('record.photoChunk', { photoId: meta.id, index: 0, count: 1, sha256: meta.sha256, data: booth.readPhotoChunk(meta.id, 0).toString('base64') });
    await link.request('record.ingest', { batchId: uuidv7(), items: booth.outboxBatch(10).map((e) => booth.recordItem(e)) });
    await link.stop();
    booth.close();
    const path = join(dir, 'hub', 'record.db');
    const control = new Database(path);
    control.exec('CREATE TABLE control (v REAL, s TEXT)');
    control.prepare('INSERT INTO control VALUES (?, ?)').run(41.37, 'CONTROL-IN-CLEAR');
    control.close();
    const files = databaseFiles(path);
    expect(foundIn(files, 41.37) && foundIn(files, 'CONTROL-IN-CLEAR')).toBe(true);
    expect(foundIn(files, VALUE)).toBe(false);
    expect(foundIn(files, PHOTO)).toBe(false);
    expect(foundIn(files, 'axillaire')).toBe(false);
    await hub.close();
  });
});
