/**
 * Finding a patient without opening every row, on a real hub (real booth
 * links, the real record on the engine of the run: SQLite, or PostgreSQL
 * with CABINE_TEST_HUB_STORE=postgresql): the patient index's keyed hashes
 * of the NIR and of birth name + birth date, filled as the booths' items
 * arrive and backfilled for rows an older hub stored; the operator's
 * `patient accesses` (the journal's entries about the patient) and
 * `patient export` (one FHIR R4 Bundle, valid against the official schema,
 * of that patient only), each journaled. Bad arguments and a patient the
 * hub does not know are refused without anything let out.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditEvent, Binary, Bundle, FhirResource, Patient } from 'fhir/r4';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HubLink } from '../../../src/host/hub-link';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { commands, NOT_FOUND } from '../../../src/hub/admin/patient';
import type { AdminContext } from '../../../src/hub/admin/types';
import { pseudonym } from '../../../src/hub/consult/report';
import { MemoryJournal } from '../../../src/hub/journal/fake';
import type { AccessJournal } from '../../../src/hub/journal/types';
import { migratePgRecord, openPgRecord } from '../../../src/hub/record/pg-repository';
import type { RecordRepository } from '../../../src/hub/record/repository';
import { RECORD_MIGRATIONS, SqliteRecordRepository } from '../../../src/hub/record/sqlite-repository';
import type { Hub } from '../../../src/hub/server';
import type { HubStores } from '../../../src/hub/stores';
import { PatientHasher } from '../../../src/node/search-key';
import { seal } from '../../../src/node/seal';
import { systemClock } from '../../../src/shared/clock';
import { PSEUDONYM_SYSTEM } from '../../../src/shared/fhir';
import { nirKey } from '../../../src/shared/intake';
import type { RecordItem } from '../../../src/shared/record-protocol';
import { databaseFiles, foundIn } from '../../helpers/at-rest';
import { caseParts, ingest, sendCase } from '../../helpers/cases';
import { fhirR4Validator } from '../../helpers/fhir-schema';
import { BOOTH_SECRETS, freshDataDir, startTestHub, testHubConfig } from '../../helpers/hub';
import { silentLog, temperature } from '../../helpers/store';

const nir = (number13: string): string => `${number13}${String(nirKey(number13)).padStart(2, '0')}`;
const NIR_A = nir('2410375123456');
const NIR_B = nir('1410375654321');
const NIR_NOBODY = nir('2990199999999');

let hub: Hub;
const links: HubLink[] = [];
let validate: ReturnType<typeof fhirR4Validator>;
let seq = 0;

function event(boothId: string, sessionId: string, type: string, data: Record<string, unknown>): RecordItem {
  const id = randomUUID();
  return { id, boothId, sessionId, seq: ++seq, kind: 'sessionEvent', data: { id, sessionId, type, at: new Date().toISOString(), data } };
}

function intake(boothId: string, sessionId: string, identity: { birthName: string; firstNames: string; birthDate: string; sex: 'F' | 'M'; nir: string }): RecordItem {
  return event(boothId, sessionId, 'intake', {
    by: { via: 'booth' },
    intake: { identity, reason: { code: 'skin', text: 'plaque au bras' }, pathway: { pathway: 'gp-known' }, gp: null, reportToGp: false },
  });
}

function reading(boothId: string, sessionId: string, value: number): RecordItem {
  const r = temperature(value, sessionId);
  return { id: r.id, boothId, sessionId, seq: ++seq, kind: 'reading', data: r };
}

/** Patient A: a session with the intake (NIR) on booth 1, one with a name typed alone on booth 2, a forwarded case; patient B shares A's birth name, not A's birth date. */
const A1 = `sess-a1-${randomUUID().slice(0, 8)}`;
const A2 = `sess-a2-${randomUUID().slice(0, 8)}`;
const B1 = `sess-b1-${randomUUID().slice(0, 8)}`;
const caseA = caseParts('demo-booth-1');
if (caseA.manifest.kind === 'case') caseA.manifest.data.patient = { ...caseA.manifest.data.patient, birthName: 'le goff durand', firstNames: 'Hélène', birthDate: '1941-03-07' };

async function link(boothId: keyof typeof BOOTH_SECRETS): Promise<HubLink> {
  const l = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId, token: BOOTH_SECRETS[boothId], log: silentLog, minDelayMs: 50, maxDelayMs: 200 });
  links.push(l);
  l.start();
  await vi.waitFor(() => expect(l.status).toBe('online'), { timeout: 10_000 });
  return l;
}

beforeAll(async () => {
  validate = fhirR4Validator();
  hub = await startTestHub({ consoleDir: '/nonexistent', media: false });
  const one = await link('demo-booth-1');
  const two = await link('demo-booth-2');
  await ingest(one, [intake('demo-booth-1', A1, { birthName: 'Le Goff-Dürand', firstNames: 'Hélène Marie', birthDate: '1941-03-07', sex: 'F', nir: NIR_A }), reading('demo-booth-1', A1, 37.9)]);
  await ingest(two, [event('demo-booth-2', A2, 'identity', { firstName: 'Hélène', lastName: 'LE GOFF DURAND', birthDate: '1941-03-07' }), reading('demo-booth-2', A2, 38.2)]);
  await sendCase(one, caseA);
  await ingest(one, [intake('demo-booth-1', B1, { birthName: 'Le Goff-Durand', firstNames: 'Paul', birthDate: '1941-03-08', sex: 'M', nir: NIR_B }), reading('demo-booth-1', B1, 36.6)]);
});
afterAll(async () => {
  for (const l of links) await l.stop();
  await hub?.close();
});

/** The hub's journal (the Hub spreads its ports; its interface does not name the journal yet). */
const journal = (): AccessJournal => (hub as Hub & { journal: AccessJournal }).journal;

const sessionIds = (found: { sessions: { sessionId: string }[] }): string[] => found.sessions.map((s) => s.sessionId).sort();

describe('the patient index', () => {
  it('finds a patient\'s session by NIR, typed with spaces, and no other patient\'s', async () => {
    const spaced = `${NIR_A.slice(0, 1)} ${NIR_A.slice(1, 3)} ${NIR_A.slice(3, 5)} ${NIR_A.slice(5)}`;
    expect(await hub.record.repo.sessionsOfPatient({ nir: spaced })).toEqual({ sessions: [{ sessionId: A1, boothId: 'demo-booth-1' }], caseIds: [] });
    expect(sessionIds(await hub.record.repo.sessionsOfPatient({ nir: NIR_B }))).toEqual([B1]);
  });

  it('finds every session and case of a birth name and date, accents, case, spaces and hyphens folded; not under another date', async () => {
    const found = await hub.record.repo.sessionsOfPatient({ birthName: 'LÉ GOFF-durand', birthDate: '1941-03-07' });
    expect(sessionIds(found)).toEqual([A1, A2, caseA.sessionId].sort());
    expect(found.caseIds).toEqual([caseA.caseId]);
    expect(sessionIds(await hub.record.repo.sessionsOfPatient({ birthName: 'Le Goff Durand', birthDate: '1941-03-08' }))).toEqual([B1]);
    expect(await hub.record.repo.sessionsOfPatient({ birthName: 'Le Goff Durand', birthDate: '1941-03-09' })).toEqual({ sessions: [], caseIds: [] });
  });

  it('holds no NIR and no name in clear, only keyed hashes under a 0600 search key of its own', async () => {
    const keyDir = hub.config.keyDir ?? hub.config.dataDir;
    expect(statSync(join(keyDir, 'search.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(keyDir, 'search.key'), 'utf8')).not.toBe(readFileSync(join(keyDir, 'record.key'), 'utf8'));
    const values = [NIR_A, NIR_B, 'LEGOFFDURAND', 'Le Goff', 'LE GOFF', 'Dürand', 'Durand'];
    if (hub.config.store.engine === 'sqlite') {
      const files = databaseFiles(join(hub.config.dataDir, 'record.db'));
      expect(files.length).toBeGreaterThan(0);
      for (const v of values) expect(foundIn(files, v), v).toBe(false);
      const db = new Database(join(hub.config.dataDir, 'record.db'), { readonly: true });
      try {
        const rows = db.prepare('SELECT * FROM patient_index').all() as { nir_hash: string | null; name_hash: string | null; key_id: number }[];
        expect(rows.length).toBe(4);
        for (const r of rows) expect(r.name_hash).toMatch(/^[0-9a-f]{64}$/);
      } finally {
        db.close();
      }
    } else {
      const client = new pg.Client({ connectionString: hub.config.store.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ nir_hash: string | null; name_hash: string | null; key_id: number }>('SELECT * FROM record.patient_index');
        expect(rows.length).toBe(4);
        const text = JSON.stringify(rows);
        for (const v of values) expect(text.toUpperCase(), v).not.toContain(v.toUpperCase());
        for (const r of rows) expect(r.name_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(rows.filter((r) => r.nir_hash !== null).map((r) => r.key_id)).toEqual([1, 1]);
      } finally {
        await client.end();
      }
    }
  });
});

describe('the operator\'s patient commands', () => {
  function context(to: AccessJournal = journal()): AdminContext & { lines: string[] } {
    const lines: string[] = [];
    const stores: HubStores = {
      engine: hub.config.store.engine,
      record: hub.record.repo,
      state: () => { throw new Error('the patient commands use the record only'); },
      close: async () => undefined,
    };
    return { config: hub.config, stores, journal: to, log: silentLog, operator: 'operateur-test', out: (l) => lines.push(l), lines };
  }

  it('lists the journal\'s entries about the patient\'s sessions and cases, not another patient\'s, and journals the look', async () => {
    // A doctor reading A's report and B's, and a doctor reviewing A's case, as the hub journals those reads.
    await journal().record({ actor: { role: 'specialist', id: 'dr-martin' }, action: 'read', resource: 'report', resourceId: A1, sessionId: A1, boothId: 'demo-booth-1', outcome: 'allowed' });
    await journal().record({ actor: { role: 'specialist', id: 'dr-other' }, action: 'read', resource: 'report', resourceId: B1, sessionId: B1, boothId: 'demo-booth-1', outcome: 'allowed' });
    await journal().record({ actor: { role: 'specialist', id: 'dr-bernard' }, action: 'read', resource: 'case', resourceId: caseA.caseId, caseId: caseA.caseId, outcome: 'allowed' });
    const ctx = context();
    const before = (await journal().list({})).length;
    expect(await commands.accesses!.run(ctx, ['--name', 'Le Goff Durand', '--birth-date', '1941-03-07'])).toBe(0);
    const rows = ctx.lines.slice(2).map((l) => l.split('\t'));
    expect(rows).toContainEqual([expect.any(String), 'dr-martin', 'specialist', 'read', `report ${A1}`, 'allowed']);
    expect(rows).toContainEqual([expect.any(String), 'dr-bernard', 'specialist', 'read', `case ${caseA.caseId}`, 'allowed']);
    expect(ctx.lines.join('\n')).not.toContain('dr-other');
    expect(ctx.lines.join('\n')).not.toContain(B1);
    const mine = (await journal().list({})).slice(before);
    expect(mine.map((e) => [e.actor, e.action, e.resource, e.sessionId ?? e.caseId])).toEqual(expect.arrayContaining([
      [{ role: 'admin', id: 'operateur-test' }, 'read', 'patient.accesses', A1],
      [{ role: 'admin', id: 'operateur-test' }, 'read', 'patient.accesses', A2],
      [{ role: 'admin', id: 'operateur-test' }, 'read', 'patient.accesses', caseA.sessionId],
    ]));
  });

  it('exports everything held about the patient as one valid FHIR R4 Bundle in a 0600 file, that patient only, and journals it', async () => {
    const out = join(freshDataDir(), 'export-a.json');
    const ctx = context();
    const before = (await journal().list({})).length;
    expect(await commands.export!.run(ctx, ['--nir', NIR_A, '--out', out])).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const byNir = JSON.parse(readFileSync(out, 'utf8')) as Bundle;
    expect(validate(byNir), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);

    expect(await commands.export!.run(ctx, ['--name', 'le goff durand', '--birth-date', '1941-03-07', '--out', out])).toBe(0);
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as Bundle;
    expect(validate(bundle), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(bundle.type).toBe('collection');
    const resources = (bundle.entry ?? []).map((e) => e.resource as FhirResource);
    const nested = resources.filter((r): r is Bundle => r.resourceType === 'Bundle');
    expect(nested).toHaveLength(4); // three sessions' reports and the case
    const patient = resources.find((r): r is Patient => r.resourceType === 'Patient')!;
    expect(patient.identifier).toEqual(expect.arrayContaining([
      { use: 'official', system: 'urn:oid:1.2.250.1.213.1.4.8', value: NIR_A },
      { system: PSEUDONYM_SYSTEM, value: pseudonym(A1) },
      { system: PSEUDONYM_SYSTEM, value: pseudonym(A2) },
      { system: PSEUDONYM_SYSTEM, value: pseudonym(caseA.sessionId) },
    ]));
    expect(patient).toMatchObject({ birthDate: '1941-03-07', gender: 'female' });
    const text = JSON.stringify(bundle);
    expect(text).not.toContain(pseudonym(B1));
    expect(text).not.toContain(NIR_B);
    const video = resources.find((r): r is Binary => r.resourceType === 'Binary')!;
    expect(Buffer.from(video.data!, 'base64').equals(caseA.videoBytes)).toBe(true);
    const audits = resources.filter((r): r is AuditEvent => r.resourceType === 'AuditEvent');
    expect(audits.some((a) => a.agent[0]?.who?.identifier?.value === 'dr-martin' && a.action === 'R')).toBe(true);
    expect(audits.some((a) => a.agent[0]?.who?.identifier?.value === 'dr-other')).toBe(false);
    const mine = (await journal().list({})).slice(before);
    expect(mine.filter((e) => e.resource === 'patient.export' && e.action === 'export').map((e) => e.sessionId).filter(Boolean).sort())
      .toEqual([A1, A1, A2, caseA.sessionId].sort());
  });

  it('refuses bad arguments with exit 2 and a message to act on, journaling nothing, writing nothing, echoing no NIR', async () => {
    const out = join(freshDataDir(), 'never.json');
    const wrongKey = `${NIR_A.slice(0, 13)}${String((nirKey(NIR_A.slice(0, 13)) + 1) % 97).padStart(2, '0')}`;
    const cases = [
      [], ['--nir'], ['--nir', wrongKey], ['--nir', '12345'], ['--name', 'Le Goff'], ['--birth-date', '1941-03-07'],
      ['--name', 'Le Goff', '--birth-date', '1941-02-30'], ['--nir', NIR_A, '--name', 'Le Goff', '--birth-date', '1941-03-07'], ['--bogus', '1'], ['--nir', NIR_A, '--nir', NIR_A],
    ];
    const before = (await journal().list({})).length;
    for (const args of cases) {
      const ctx = context();
      expect(await commands.export!.run(ctx, [...args, '--out', out]), args.join(' ')).toBe(2);
      expect(ctx.lines[0]).toMatch(/^arguments invalides : /);
      expect(ctx.lines.join('\n')).not.toContain(wrongKey);
      expect(await commands.accesses!.run(context(), args)).toBe(2);
    }
    expect(await commands.accesses!.run(context(), ['--nir', NIR_A, '--out', out])).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect((await journal().list({})).length).toBe(before);
  });

  it('says only « aucun dossier » (exit 1) for a patient the hub does not know, and journals the search without a patient id', async () => {
    const out = join(freshDataDir(), 'nobody.json');
    for (const [name, args] of [['accesses', ['--nir', NIR_NOBODY]], ['export', ['--nir', NIR_NOBODY, '--out', out]]] as const) {
      const ctx = context();
      expect(await commands[name]!.run(ctx, [...args])).toBe(1);
      expect(ctx.lines).toEqual([NOT_FOUND]);
      const last = (await journal().list({})).at(-1)!;
      expect(last).toMatchObject({ actor: { role: 'admin', id: 'operateur-test' }, outcome: 'refused', reason: 'NOT_FOUND' });
      expect(last.sessionId).toBeUndefined();
    }
    expect(existsSync(out)).toBe(false);
  });

  it('exports nothing when the journal cannot be written', async () => {
    const failing = new MemoryJournal();
    failing.failing = new Error('journal out of reach');
    const out = join(freshDataDir(), 'unjournaled.json');
    const ctx = context(failing);
    expect(await commands.export!.run(ctx, ['--nir', NIR_A, '--out', out])).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(ctx.lines.join('\n')).not.toContain(NIR_A);
    expect(await commands.accesses!.run(context(failing), ['--nir', NIR_A])).toBe(1);
  });
});

describe('the patient index of a record an older hub filled (migration 5)', () => {
  it('indexes the rows already held once, when the record is first opened with its search key, and re-hashes them after a rotation', async () => {
    const config = await testHubConfig(freshDataDir());
    const keys = new FakeKeyProvider();
    const searchKeys = new FakeKeyProvider();
    const search = new PatientHasher(searchKeys);
    const old = intake('demo-booth-1', 'sess-old', { birthName: 'Lefèvre', firstNames: 'Anne', birthDate: '1950-01-02', sex: 'F', nir: NIR_B });
    const sealed = seal(keys, `items:${old.id}`, Buffer.from(JSON.stringify(old)));
    let open: (withSearch: boolean) => Promise<RecordRepository>;
    if (config.store.engine === 'sqlite') {
      const path = join(config.dataDir, 'record.db');
      const db = new Database(path);
      RECORD_MIGRATIONS.slice(0, 4).forEach((sql) => db.exec(sql));
      db.pragma('user_version = 4');
      db.prepare('INSERT INTO items (id, booth_id, session_id, kind, seq, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(old.id, 'demo-booth-1', 'sess-old', 'sessionEvent', old.seq, '2026-03-02T09:00:00.000Z', sealed);
      db.close();
      open = async (withSearch) => new SqliteRecordRepository(path, keys, systemClock, withSearch ? search : null);
    } else {
      const url = config.store.url;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        expect(await migratePgRecord(client, 4)).toBe(4);
        await client.query('INSERT INTO items (id, booth_id, session_id, kind, seq, received_at, body) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [old.id, 'demo-booth-1', 'sess-old', 'sessionEvent', old.seq, '2026-03-02T09:00:00.000Z', sealed]);
      } finally {
        await client.end();
      }
      open = (withSearch) => openPgRecord(url, keys, systemClock, { search: withSearch ? search : null });
    }
    // Opened first without the key (a tool, an older start): migrated, nothing indexed, lookups refused, the backfill still due.
    const blind = await open(false);
    await expect(blind.sessionsOfPatient({ nir: NIR_B })).rejects.toMatchObject({ code: 'SEARCH_UNAVAILABLE' });
    await blind.close();
    const repo = await open(true);
    try {
      expect(await repo.sessionsOfPatient({ nir: NIR_B })).toEqual({ sessions: [{ sessionId: 'sess-old', boothId: 'demo-booth-1' }], caseIds: [] });
      expect(sessionIds(await repo.sessionsOfPatient({ birthName: 'LEFEVRE', birthDate: '1950-01-02' }))).toEqual(['sess-old']);
      // The search key rotates: the row is re-hashed under the new key, after which the old key can go.
      searchKeys.rotate();
      expect(await repo.rehashPatientIndex(10)).toBe(1);
      expect(await repo.rehashPatientIndex(10)).toBe(0);
      searchKeys.forget(1);
      expect(sessionIds(await repo.sessionsOfPatient({ nir: NIR_B }))).toEqual(['sess-old']);
      expect(sessionIds(await repo.sessionsOfPatient({ birthName: 'Lefèvre', birthDate: '1950-01-02' }))).toEqual(['sess-old']);
    } finally {
      await repo.close();
    }
  });
});
