/**
 * A forwarded case compiled at a real Host with a real store file while the
 * hub is unreachable: every part (reading, otoscope still, stethoscope clip,
 * video) is sealed in the booth store and the `case` manifest is stored
 * last; nothing of the patient is in clear in the file. Then a real hub comes
 * up on the address the booth was given: the Host's outbox drains to it in
 * order (each blob's bytes before its item, the manifest last) and the case
 * reaches `waiting` in the hub's record with every part, the video's bytes
 * the ones the kiosk recorded.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeThermometer } from '../../../devices/drivers/thermometer/fake';
import { Host } from '../../../src/host/host';
import type { Hub } from '../../../src/hub/server';
import { CLIP_SAMPLE_RATE } from '../../../src/shared/auscultation';
import { CaseRequest, PickupCode, type CaseManifest } from '../../../src/shared/case-record';
import { Intake } from '../../../src/shared/intake';
import type { KioskEvent } from '../../../src/shared/kiosk-api';
import { encodeWav } from '../../../src/shared/wav';
import { databaseFiles, foundIn } from '../../helpers/at-rest';
import { testConfig } from '../../helpers/config';
import { BOOTH_SECRETS, freePort, startTestHub } from '../../helpers/hub';
import { silentLog, tempDir } from '../../helpers/store';
import { uploadThroughHost as upload } from '../../helpers/kiosk';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const NAME = 'Marguerite';
const SURNAME = 'Lefebvre-Duchâteau';
const PHONE = '06 98 76 54 32';
const QUESTION = 'Cette plaque squameuse est-elle inquiétante ?';
const intake = Intake.parse({
  identity: { birthName: SURNAME, firstNames: `${NAME} Anne`, birthDate: '1941-03-09', sex: 'F' },
  reason: { code: 'skin', text: 'plaque au coude' }, pathway: { pathway: 'exception', exceptionReason: 'no-gp' }, gp: null, reportToGp: false,
});
const deferred = {
  request: CaseRequest.parse({
    specialty: 'general', question: QUESTION, note: 'depuis trois semaines', contactPhone: PHONE, consent: true,
    checklist: [
      { id: 'i1', kind: 'temperature' },
      { id: 'i2', kind: 'otoscope-photo', ear: 'right' },
      { id: 'i3', kind: 'auscultation', point: 'mitral' },
      { id: 'i4', kind: 'video' },
      { id: 'i5', kind: 'spo2' },
    ],
  }),
  consentAt: new Date().toISOString(),
  compiledBy: { staffId: 'staff-7', name: 'Claire', pharmacy: { name: 'Pharmacie du Port', city: 'Le Palais' } },
};


const ui = (host: Host, event: Record<string, unknown>) => host.dispatch('sendEvent', { event });

/** A booth whose hub is down: nobody listens yet on the loopback port its config names (`hubPort`, where the hub will come up). */
async function offlineBooth() {
  const dir = tempDir('cabine-booth-exam-');
  const paths = { db: join(dir.dir, 'booth.db'), key: join(dir.dir, 'booth.key'), prints: join(dir.dir, 'prints') };
  const hubPort = await freePort();
  const config = testConfig({
    boothId: 'demo-booth-1',
    hub: { url: `ws://127.0.0.1:${hubPort}/booth`, token: BOOTH_SECRETS['demo-booth-1'] },
    store: { path: paths.db, keyFile: paths.key, retentionDays: 30 },
    printer: { kind: 'file', dir: paths.prints },
  });
  const thermometer = new FakeThermometer();
  const host = new Host(config, silentLog, { drivers: [thermometer] });
  const events: KioskEvent[] = [];
  host.on('kioskEvent', (e) => events.push(e));
  host.start();
  cleanups.push(async () => {
    await host.stop();
    dir.cleanup();
  });
  return { host, thermometer, events, paths, hubPort };
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('a case compiled at the booth with the hub down', () => {
  it('holds every part and the manifest last, sealed, then drains to a real hub once it comes up, and the case waits there whole', async () => {
    const { host, thermometer, events, paths, hubPort } = await offlineBooth();
    expect(host.hubLink.status).not.toBe('online');
    for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }]) await ui(host, event);
    expect(host.sendHostEvent({ type: 'SET_INTAKE', intake, by: { via: 'counter', staffId: 'staff-7', name: 'Claire' }, deferred })).toBe(true);
    expect(host.view().state).toBe('exam.checklist');
    const sessionId = host.view().sessionId!;

    // 1. The temperature, from the thermometer, as in a call.
    await ui(host, { type: 'EXAM_CHOOSE', itemId: 'i1' });
    await ui(host, { type: 'START_MEASURE' });
    await expect.poll(() => thermometer.calls).toContain('measure');
    thermometer.emitTemperature(38.2);
    await expect.poll(() => host.view().state).toBe('exam.result');
    expect(host.view().context.measurement?.result?.[0]).toMatchObject({ value: 38.2, unit: 'Cel' });
    await ui(host, { type: 'NEXT' });

    // 2. The otoscope still of the item's ear.
    await ui(host, { type: 'EXAM_CHOOSE', itemId: 'i2' });
    await ui(host, { type: 'START_MEASURE' });
    const still = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from(`EAR-OF-${NAME}`)]);
    await host.dispatch('capturePhoto', { width: 1920, height: 1080, polarisation: 'none', modality: 'otoscope', uploadId: await upload(host, 'image/jpeg', still) });
    expect(host.view().state).toBe('exam.result');
    await ui(host, { type: 'NEXT' });

    // 3. The stethoscope clip, started at the booth (no hub request), through the kiosk's clip path.
    await ui(host, { type: 'EXAM_CHOOSE', itemId: 'i3' });
    expect(host.view().state).toBe('exam.auscultation.guidance');
    await ui(host, { type: 'NEXT' });
    const command = events.find((e) => e.name === 'clipCommand')?.data as { requestId: string; point: string; seconds: number };
    expect(command).toMatchObject({ point: 'mitral', seconds: 15 });
    expect(await host.dispatch('clipState', { state: 'recording', requestId: command.requestId })).toEqual({ ok: true });
    const samples = new Float32Array(CLIP_SAMPLE_RATE * command.seconds).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 120 * i) / CLIP_SAMPLE_RATE));
    const wav = Buffer.from(encodeWav({ sampleRate: CLIP_SAMPLE_RATE, channels: [samples] }));
    await host.dispatch('saveClip', { requestId: command.requestId, uploadId: await upload(host, 'audio/wav', wav) });
    expect(host.view().state).toBe('exam.checklist');

    // 4. The video, kept after the replay (1.2 MB: several chunks).
    await ui(host, { type: 'EXAM_CHOOSE', itemId: 'i4' });
    const video = Buffer.alloc(1_200_000, 7);
    Buffer.from(`VIDEO-OF-${NAME}`).copy(video, 1000);
    const { videoId } = (await host.dispatch('saveExamVideo', { uploadId: await upload(host, 'video/webm', video), durationMs: 12_000, width: 640, height: 480 })) as { videoId: string };
    expect(host.view().state).toBe('exam.checklist');

    // 5. No oximeter today: skipped, with the reason.
    await ui(host, { type: 'EXAM_SKIP', itemId: 'i5', reason: 'Appareil indisponible' });
    expect(host.view().context.exam?.canSend).toBe(true);
    await ui(host, { type: 'EXAM_SEND' });
    await expect.poll(() => host.view().state).toBe('exam.pickup');
    const code = host.view().context.exam!.pickupCode!;
    expect(PickupCode.safeParse(code).success).toBe(true);
    // The ticket went to the booth's print path (here a file, as with no printer).
    await expect.poll(() => existsSync(paths.prints) && readdirSync(paths.prints)).toEqual([`ordonnance-RETRAIT-${code}.pdf`]);

    // The store: every part, then the manifest, last of the case's items (the session's own events go on after it); nothing sent.
    const store = host.store!;
    const outbox = store.outboxBatch(500);
    const last = outbox.filter((e) => e.kind !== 'sessionEvent').at(-1)!;
    expect(last.kind).toBe('case');
    const manifest = store.getCase(last.itemId)!;
    expect(manifest).toMatchObject({
      sessionId, specialty: 'general', question: QUESTION, contactPhone: '0698765432', pickupCode: code,
      compiledBy: { staffId: 'staff-7', name: 'Claire' }, caseConsentAt: deferred.consentAt,
      patient: { birthName: SURNAME, firstNames: `${NAME} Anne` },
    });
    expect(manifest.entries.map((e) => [e.checklistId, e.itemId === null ? e.skipped : 'taken'])).toEqual([
      ['i1', 'taken'], ['i2', 'taken'], ['i3', 'taken'], ['i4', 'taken'], ['i5', 'Appareil indisponible'],
    ]);
    const position = new Map(outbox.map((e, i) => [e.itemId, i]));
    const taken = manifest.entries.flatMap((e) => (e.itemId ? [e.itemId] : []));
    expect(taken).toContain(videoId);
    for (const id of taken) expect(position.get(id), id).toBeLessThan(position.get(last.itemId)!);
    expect(Object.fromEntries(manifest.entries.map((e) => [e.checklistId, e.itemId && outbox[position.get(e.itemId)!]!.kind]))).toEqual({
      i1: 'reading', i2: 'photo', i3: 'clip', i4: 'video', i5: null,
    });

    // Sealed at rest: no name, phone number, question, pixel or frame in clear in the file or its WAL.
    const files = databaseFiles(paths.db);
    for (const secret of [NAME, SURNAME, '0698765432', PHONE, QUESTION, 'plaque au coude', `EAR-OF-${NAME}`, `VIDEO-OF-${NAME}`, 'Claire']) {
      expect(foundIn(files, secret), secret).toBe(false);
    }

    // Finish: the wipe takes the ticket file and the draft.
    await ui(host, { type: 'FINISH' });
    expect(host.view().state).toBe('privacyWipe');
    expect(host.session.context().exam).toBeNull();
    expect(readdirSync(paths.prints)).toEqual([]);

    // The hub comes up where the booth looks for it: the running Host's link reconnects and its outbox drains.
    const hub: Hub = await startTestHub({ port: hubPort, consoleDir: '/nonexistent' });
    cleanups.push(() => hub.close());
    await expect.poll(() => host.hubLink.status).toBe('online');
    await expect.poll(async () => (await hub.record.repo.caseRow(manifest.caseId))?.state, { timeout: 20_000 }).toBe('waiting');
    await expect.poll(() => store.pendingCount()).toBe(0);

    // In the record's arrival order: the parts, then the manifest (the hub stores no item before its bytes are whole: checked below).
    const arrived = (await hub.record.repo.sessionItems(sessionId)).map((s) => s.item);
    expect(arrived.filter((i) => i.kind !== 'sessionEvent').map((i) => i.kind)).toEqual(['reading', 'photo', 'clip', 'video', 'case']);
    const row = await hub.record.repo.caseRow(manifest.caseId);
    expect(row).toMatchObject({ boothId: 'demo-booth-1', pharmacyId: 'pharmacie-test-1', specialty: 'general', pickupCode: code, answer: null });
    // Every part the manifest names is in the hub's record as the booth's, each blob's bytes whole; the video's the kiosk recorded.
    const held = await hub.record.repo.item(last.itemId);
    expect(held?.item).toMatchObject({ kind: 'case', data: { caseId: manifest.caseId, pickupCode: code, entries: manifest.entries } });
    for (const id of taken) {
      const stored = await hub.record.repo.item(id);
      expect(stored?.boothId, id).toBe('demo-booth-1');
      const item = stored!.item;
      if (item.kind === 'photo' || item.kind === 'clip' || item.kind === 'video') {
        const bytes = await hub.record.repo.photoBytes(id);
        expect(bytes && sha256(bytes), `${item.kind} ${id}`).toBe(item.data.sha256);
      }
    }
    const videoBytes = await hub.record.repo.photoBytes(videoId);
    expect(videoBytes?.length).toBe(video.length);
    expect(sha256(videoBytes!)).toBe(sha256(video));
    const stillId = manifest.entries[1]!.itemId!;
    expect((await hub.record.repo.item(stillId))?.item).toMatchObject({ kind: 'photo', data: { modality: 'otoscope', ear: 'right' } });
    expect((await hub.record.repo.photoBytes(stillId))?.equals(still)).toBe(true);
    const _typed: CaseManifest = manifest;
    void _typed;
  }, 60_000);
});
