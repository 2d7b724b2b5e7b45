/**
 * The at-rest scan of EVERY file (issue #21, "Done when"): a real
 * consultation through a real hub (real mediasoup worker, SQLite files) and a
 * real kiosk Host — the pharmacist's intake with identity, birth date and
 * NIR, a temperature taken on the doctor's request, a dermatoscope photo, a
 * stethoscope clip, the doctor's notes and a prescription, the report read
 * as PDF and FHIR — then a backup by the operator's command; then every file
 * under the hub's data folder, the booth's store folder and the backup, and
 * everything the hub and the host logged (their pino streams captured at
 * debug level), is searched for the patient's name, first names, birth
 * date, NIR, the reading, the notes, the prescription and the photo's and
 * clip's bytes, in every form they could take (UTF-8, UTF-16, IEEE-754).
 *
 * Deliberately in clear, and why (IN_CLEAR: which file may show which secret):
 * - the print spool (`<booth>/prints/ordonnance-*.pdf`): the prescription
 *   printed at the booth for the patient to take away is meant to be read; it
 *   names the patient by first name and the drugs, never the birth name,
 *   birth date or NIR (checked here on its text, inflated), and lives only
 *   for the session (the privacy wipe deletes it, tests/integration/host/consult);
 * - the report PDF and FHIR bundle the doctor downloads: served over HTTP,
 *   never written to a file by the hub (the test asserts no new file).
 * The key files are in the scanned folders: they hold keys, not data, and the
 * backup is asserted not to carry them.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FakeThermometer } from '../../devices/drivers/thermometer/fake';
import { Host } from '../../src/host/host';
import { commands as retention } from '../../src/hub/admin/retention';
import { HubConfig } from '../../src/hub/directory';
import { MemoryJournal } from '../../src/hub/journal/fake';
import type { Hub } from '../../src/hub/server';
import { createLogger } from '../../src/node/logger';
import type { Prescription } from '../../src/shared/consult-protocol';
import { nirKey } from '../../src/shared/intake';
import { encodeWav } from '../../src/shared/wav';
import { needles } from '../helpers/at-rest';
import { pdfText } from '../helpers/pdf-text';
import { testConfig } from '../helpers/config';
import { BOOTH_SECRETS, SPECIALISTS, startTestHub, testHubConfig } from '../helpers/hub';
import { tempDir } from '../helpers/store';
import { ConsoleClient } from '../resilience/support/clients';

const NIR13 = '2410375123456';
const NIR = `${NIR13}${String(nirKey(NIR13)).padStart(2, '0')}`;
const PATIENT = { birthName: 'Lefebvre-Duchâteau', firstNames: 'Marguerite Albertine', birthDate: '1941-03-09', sex: 'F' as const, nir: NIR };
const TEMPERATURE = 37.83;
const NOTES = 'Souffle systolique discret, surveillance Duchâteau';
const DRUG = 'Ximelagatrine-témoin 25 mg';
const PHOTO = Buffer.concat([Buffer.from('PNG-OF-LEFEBVRE-'), createHash('sha512').update('photo').digest(), Buffer.alloc(3000, 7)]);
const WAV = Buffer.from(encodeWav({ sampleRate: 8000, channels: [Float32Array.from({ length: 8000 }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 97 * i) / 8000))] }));

/** What may never be in clear, by name (the first name used is the first of the first names). */
const SECRETS: [string, string | number | Buffer][] = [
  ['birth name', PATIENT.birthName], ['first name', 'Marguerite'], ['second first name', 'Albertine'], ['birth date', PATIENT.birthDate],
  ['birth date (French)', '09/03/1941'], ['NIR', NIR], ['NIR (13 digits)', NIR13], ['temperature', TEMPERATURE], ['notes', NOTES], ['prescribed drug', DRUG],
  ['photo bytes', PHOTO.subarray(0, 64)], ['clip bytes', WAV.subarray(2000, 2064)],
];

/**
 * Files deliberately in clear (see the header), relative to the booth's
 * folder, and the only secrets they may show: the printed prescription names
 * the patient by first name and what is prescribed, nothing else of them.
 */
const IN_CLEAR: { file: RegExp; may: string[] }[] = [{ file: /^prints\/ordonnance-[^/]+\.pdf$/, may: ['first name', 'prescribed drug'] }];

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function leaks(files: Map<string, Buffer>): string[] {
  const out: string[] = [];
  for (const [name, value] of SECRETS) {
    const forms = Buffer.isBuffer(value) ? [value] : needles(value);
    for (const [file, bytes] of files) {
      const allowed = IN_CLEAR.find((c) => c.file.test(file.replace(/^booth:/, '').replace(/ \(text\)$/, '')) && file.startsWith('booth:'));
      if (allowed?.may.includes(name)) continue;
      if (forms.some((n) => bytes.includes(n))) out.push(`${name} in ${file}`);
    }
  }
  return out;
}

const hubDir = tempDir('cabine-at-rest-hub-');
const boothDir = tempDir('cabine-at-rest-booth-');
const backupDir = tempDir('cabine-at-rest-backup-');
const hubLog: string[] = [];
const hostLog: string[] = [];
const sink = (lines: string[]) => ({ write: (chunk: unknown) => { lines.push(String(chunk)); return true; } }) as unknown as NodeJS.WritableStream;
let hub: Hub;
let host: Host;
let doctor: ConsoleClient;
let config: HubConfig;

beforeAll(async () => {
  config = HubConfig.parse({ ...(await testHubConfig(hubDir.dir)), store: { engine: 'sqlite' }, dataDir: hubDir.dir });
  hub = await startTestHub({ consoleDir: '/nonexistent', config, log: createLogger('hub', sink(hubLog)) });
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => {
    if (!doctor || doctor.ws.readyState === WebSocket.CLOSED) return resolve();
    doctor.ws.once('close', () => resolve());
    doctor.ws.close();
  });
  await host?.stop();
  await hub?.close();
  for (const d of [hubDir, boothDir, backupDir]) d.cleanup();
});

describe('personal data at rest, in every hub and booth file and every log line', () => {
  it('finds no identity, NIR, reading, note, prescription, photo or clip in clear after a whole consultation, its report and a backup', async () => {
    const thermometer = new FakeThermometer();
    host = new Host(testConfig({
      boothId: 'demo-booth-1',
      hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS['demo-booth-1'] },
      store: { path: join(boothDir.dir, 'booth.db'), keyFile: join(boothDir.dir, 'booth.key'), retentionDays: 30 },
      printer: { kind: 'file', dir: join(boothDir.dir, 'prints') },
    }), createLogger('host', sink(hostLog)), { drivers: [thermometer] });
    host.start();
    await expect.poll(() => host.hubLink.status).toBe('online');
    const login = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SPECIALISTS[0].email, password: SPECIALISTS[0].password }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    doctor = await ConsoleClient.open(hub.url, { cookie, origin: hub.url });

    // The pharmacist's intake, the patient to the waiting room, the doctor's claim.
    for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }] as const) await host.dispatch('sendEvent', { event });
    host.sendHostEvent({ type: 'ASSISTANT_LOGIN' });
    host.sendHostEvent({ type: 'SET_INTAKE', intake: { identity: PATIENT, reason: { code: 'fever' }, pathway: { pathway: 'exception', exceptionReason: 'no-gp' }, gp: null, reportToGp: false }, by: { via: 'booth' } });
    expect(host.view().state).toBe('waitingRoom');
    const sessionId = host.view().sessionId!;
    await expect.poll(() => doctor.of<{ booths: { boothId: string }[] }>('queue.updated').at(-1)?.booths.some((b) => b.boothId === 'demo-booth-1')).toBe(true);
    await doctor.call('queue.claim', { boothId: 'demo-booth-1' });
    await expect.poll(() => host.view().state).toBe('consultation.call');

    // A temperature on the doctor's request, a photo, a clip, notes, a prescription.
    await doctor.call('consult.requestMeasurement', { kind: 'temperature' });
    await expect.poll(() => host.view().state).toBe('consultation.guidance');
    await host.dispatch('sendEvent', { event: { type: 'START_MEASURE' } });
    await expect.poll(() => thermometer.calls).toContain('measure');
    thermometer.emitTemperature(TEMPERATURE);
    await expect.poll(() => host.view().state).toBe('consultation.result');
    const photoId = randomUUID();
    await host.recordPhoto({ id: photoId, sessionId, mime: 'image/png', width: 1920, height: 1080, takenAt: new Date().toISOString(), polarisation: 'polarised', bodySite: 'avant-bras gauche', bytes: PHOTO });
    const clipId = randomUUID();
    await host.recordClip({ id: clipId, sessionId, point: 'mitral', mime: 'audio/wav', sampleRate: 8000, bitsPerSample: 16, channels: 1, durationMs: 1000, recordedAt: new Date().toISOString(), bytes: WAV });
    await doctor.call('consult.saveNotes', { text: NOTES });
    const { prescription } = await doctor.call<{ prescription: Prescription }>('consult.prescribe', { items: [{ name: DRUG, dosage: '1 comprimé le soir', duration: '10 jours' }], instructions: 'Revoir le médecin traitant.' });
    await expect.poll(() => host.view().context.prescription).toMatchObject({ received: true, number: prescription.number });
    await expect.poll(async () => (await hub.record.repo.sessionItems(sessionId)).map((s) => s.item.kind).filter((k) => k !== 'sessionEvent').sort(), { timeout: 15_000 })
      .toEqual(['clip', 'photo', 'reading']);

    // The doctor reads the photo, the clip and the report (PDF and FHIR): served, never written to a file.
    const filesBefore = walk(hubDir.dir).sort();
    for (const path of [`/api/photos/${photoId}`, `/api/clips/${clipId}`, `/api/sessions/${sessionId}/report.pdf`, `/api/sessions/${sessionId}/report.fhir.json`]) {
      const res = await fetch(`${hub.url}${path}`, { headers: { cookie } });
      expect(res.status, path).toBe(200);
      await res.arrayBuffer();
    }
    expect(walk(hubDir.dir).sort()).toEqual(filesBefore);

    // The operator's backup (sealed, without the keys).
    const lines: string[] = [];
    const log = createLogger('admin', sink(hubLog));
    expect(await retention.backup!.run({ config, stores: { engine: 'sqlite', record: hub.record.repo, state: () => { throw new Error('unused'); }, close: async () => undefined }, journal: new MemoryJournal(), log, operator: 'ops', out: (l) => lines.push(l) }, ['--out', join(backupDir.dir, 'nightly')])).toBe(0);
    expect(walk(backupDir.dir).some((f) => f.endsWith('.key'))).toBe(false);

    // The control: the scan sees a value written in clear in a file of these folders.
    const files = new Map<string, Buffer>();
    const scan = (): void => {
      files.clear();
      for (const [label, dir] of [['hub', hubDir.dir], ['booth', boothDir.dir], ['backup', backupDir.dir]] as const) {
        for (const f of walk(dir)) {
          const rel = relative(dir, f);
          const bytes = readFileSync(f);
          files.set(`${label}:${rel}`, bytes);
          // A PDF's text is deflated: scanned as the text a reader shows too.
          if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') files.set(`${label}:${rel} (text)`, Buffer.from(pdfText(bytes), 'utf8'));
        }
      }
      files.set('hub log', Buffer.from(hubLog.join('')));
      files.set('host log', Buffer.from(hostLog.join('')));
    };
    scan();
    expect([...files.keys()]).toEqual(expect.arrayContaining(['hub:record.db', 'hub:hub-state.db', 'booth:booth.db', 'backup:nightly/record.db', 'hub log', 'host log']));
    // The print spool is scanned too (as text): it holds the prescription, and only what IN_CLEAR allows.
    expect([...files.keys()].some((f) => /^booth:prints\/ordonnance-.*\.pdf \(text\)$/.test(f))).toBe(true);
    expect(hubLog.length).toBeGreaterThan(3);
    expect(hostLog.length).toBeGreaterThan(3);
    expect(leaks(new Map([['control', Buffer.from(`x${PATIENT.birthName}x${NIR}`)]]))).toEqual(['birth name in control', 'NIR in control', 'NIR (13 digits) in control']);
    expect(leaks(files)).toEqual([]);

    // Again once everything is closed (the WAL checkpointed into the main files).
    doctor.ws.close();
    await host.stop();
    await hub.close();
    scan();
    expect(leaks(files)).toEqual([]);
  }, 120_000);
});
