/**
 * The hub record's consultation tables (migration 2): a record file written
 * by the previous version opens, keeps its items and gains notes, claims and
 * prescriptions, all sealed at rest; a duplicate prescription number is
 * refused rather than overwritten.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { seal } from '../../../src/node/seal';
import { RECORD_MIGRATIONS, RECORD_VERSION, SqliteRecordRepository } from '../../../src/hub/record/sqlite-repository';
import type { Prescription } from '../../../src/shared/consult-protocol';
import type { RecordItem } from '../../../src/shared/record-protocol';
import { tempDir, temperature } from '../../helpers/store';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function dbPath(): string {
  const d = tempDir('cabine-record-');
  cleanups.push(d.cleanup);
  return join(d.dir, 'record.db');
}

const rx: Prescription = {
  number: 'CAB-2026-7K3F9Q2M-X', issuedAt: '2026-03-02T09:15:00.000Z', sessionId: 'session-1', boothId: 'A',
  prescriber: { id: 'dr-martin', name: 'Dr Claire Martin', specialty: 'Médecine générale' }, patient: { firstName: 'Jeanne', age: 81 },
  items: [{ name: 'Amoxicilline 1 g', dosage: '1 comprimé matin et soir' }], instructions: '', qr: 'CABRX1|…',
};

describe('hub record migrations', () => {
  for (let from = 1; from < RECORD_VERSION; from++) {
    it(`opens a file at version ${from}, keeps its items and gains the consultation tables`, async () => {
      const path = dbPath();
      const keys = new FakeKeyProvider();
      const old = new Database(path);
      RECORD_MIGRATIONS.slice(0, from).forEach((sql) => old.exec(sql));
      old.pragma(`user_version = ${from}`);
      const r = temperature(37.9, 'session-1');
      const item: RecordItem = { id: r.id, boothId: 'A', sessionId: 'session-1', seq: 1, kind: 'reading', data: r };
      old.prepare('INSERT INTO items (id, booth_id, session_id, kind, seq, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(item.id, 'A', 'session-1', 'reading', 1, '2026-03-02T09:00:00.000Z', seal(keys, `items:${item.id}`, Buffer.from(JSON.stringify(item))));
      old.close();

      const repo = new SqliteRecordRepository(path, keys);
      expect((await repo.sessionItems('session-1')).map((s) => s.item)).toEqual([item]);
      expect(await repo.item(item.id)).toMatchObject({ boothId: 'A', item });
      await repo.saveNotes('session-1', 'A', { text: 'Angine probable', authorId: 'dr-martin', at: '2026-03-02T09:20:00.000Z' });
      await repo.saveClaim({ roomId: 'room-1', specialistId: 'dr-martin', boothId: 'A', sessionId: 'session-1', claimedAt: '2026-03-02T09:10:00.000Z', patient: { firstName: 'Jeanne', age: 81, reason: null, pathway: null, exceptionReason: null } });
      await repo.savePrescription(rx);
      repo.close();

      const db = new Database(path, { readonly: true });
      expect(db.pragma('user_version', { simple: true })).toBe(RECORD_VERSION);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
      const again = new SqliteRecordRepository(path, keys);
      expect(await again.notes('session-1')).toEqual({ text: 'Angine probable', authorId: 'dr-martin', at: '2026-03-02T09:20:00.000Z' });
      expect((await again.claimsOf('dr-martin', 'session-1')).map((c) => c.patient.firstName)).toEqual(['Jeanne']);
      expect(await again.claimsOf('dr-durand', 'session-1')).toEqual([]);
      expect(await again.pendingPrescriptions('A')).toEqual([rx]);
      again.close();
    });
  }

  it('seals notes, claims and prescriptions at rest', async () => {
    const path = dbPath();
    const repo = new SqliteRecordRepository(path, new FakeKeyProvider());
    await repo.saveNotes('session-1', 'A', { text: 'Eczéma de contact probable', authorId: 'dr-martin', at: new Date().toISOString() });
    await repo.saveClaim({ roomId: 'room-1', specialistId: 'dr-martin', boothId: 'A', sessionId: 'session-1', claimedAt: new Date().toISOString(), patient: { firstName: 'Jeanne', age: 81, reason: 'Plaque rouge', pathway: null, exceptionReason: null } });
    await repo.savePrescription(rx);
    repo.close();
    const raw = Buffer.concat([path, `${path}-wal`].map((p) => { try { return readFileSync(p); } catch { return Buffer.alloc(0); } }));
    // Ids stay in clear for lookups: proof that the search reads the data.
    expect(raw.includes(Buffer.from('dr-martin'))).toBe(true);
    for (const clear of ['Eczéma de contact', 'Jeanne', 'Plaque rouge', 'Amoxicilline']) expect(raw.includes(Buffer.from(clear, 'utf8'))).toBe(false);
  });

  it('refuses a second prescription under the same number and marks delivery once', async () => {
    const repo = new SqliteRecordRepository(':memory:', new FakeKeyProvider());
    await repo.savePrescription(rx);
    await expect(repo.savePrescription({ ...rx, items: [{ name: 'Autre', dosage: 'x' }] })).rejects.toMatchObject({ code: 'DUPLICATE_NUMBER' });
    expect(await repo.markPrescriptionDelivered(rx.number, '2026-03-02T09:30:00.000Z', true)).toBe(true);
    expect(await repo.markPrescriptionDelivered(rx.number, '2026-03-02T09:31:00.000Z', false)).toBe(false);
    expect(await repo.sessionPrescriptions('session-1')).toEqual([{ prescription: rx, deliveredAt: '2026-03-02T09:30:00.000Z', printed: true }]);
    expect(await repo.pendingPrescriptions('A')).toEqual([]);
    repo.close();
  });
});
