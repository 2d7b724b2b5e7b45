/**
 * The host's side of the exam on its own: the kiosk's binary call takes a
 * video up to MAX_VIDEO_BYTES and nothing else that large; the video is
 * refused in words outside its screen or over its limits, with nothing
 * stored; the pick-up code is drawn from its alphabet; a manifest is never
 * built from a checklist with an item still to do.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { caseManifest, drawPickupCode } from '../../../src/host/exam';
import { Host } from '../../../src/host/host';
import { createLogger } from '../../../src/node/logger';
import { MAX_PHOTO_BYTES } from '../../../src/shared/binary-transfer';
import { CaseRequest, MAX_VIDEO_BYTES, PICKUP_ALPHABET, PickupCode } from '../../../src/shared/case-record';
import { Intake } from '../../../src/shared/intake';
import { testConfig } from '../../helpers/config';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const intake = Intake.parse({
  identity: { birthName: 'Martin', firstNames: 'Jeanne', birthDate: '1941-03-07', sex: 'F' },
  reason: { code: 'skin' }, pathway: { pathway: 'gp-known' }, gp: null, reportToGp: false,
});
const deferred = {
  request: CaseRequest.parse({ specialty: 'dermatology', question: 'Suspect ?', contactPhone: '0612345678', consent: true, checklist: [{ id: 'i1', kind: 'video' }, { id: 'i2', kind: 'spo2' }] }),
  consentAt: '2026-12-02T10:00:00.000Z',
  compiledBy: { staffId: 'staff-7', name: 'Claire', pharmacy: { name: 'Pharmacie du Port', city: 'Le Palais' } },
};

function startHost() {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-exam-host-'));
  const config = testConfig({ store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 }, printer: { kind: 'file', dir: join(dir, 'prints') } });
  const host = new Host(config, silent, { drivers: [] });
  host.start();
  cleanups.push(async () => {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return host;
}

async function toExam(host: Host): Promise<void> {
  for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }] as const) await host.dispatch('sendEvent', { event });
  host.sendHostEvent({ type: 'SET_INTAKE', intake, by: { via: 'counter', staffId: 'staff-7', name: 'Claire' }, deferred });
}

async function upload(host: Host, contentType: string, bytes: Buffer): Promise<string> {
  const transferId = randomUUID();
  await host.dispatch('binaryBegin', { transferId, contentType, totalBytes: bytes.length });
  await host.dispatch('binaryChunk', { transferId, index: 0 }, bytes);
  return ((await host.dispatch('binaryEnd', { transferId })) as { uploadId: string }).uploadId;
}

describe('the exam video at the host', () => {
  it('lets a video up to MAX_VIDEO_BYTES begin, refuses one byte more, and keeps the still and clip cap for everything else', async () => {
    const host = startHost();
    await expect(host.dispatch('binaryBegin', { transferId: randomUUID(), contentType: 'video/webm', totalBytes: MAX_VIDEO_BYTES + 1 })).rejects.toMatchObject({ code: 'BINARY_TOO_LARGE' });
    await expect(host.dispatch('binaryBegin', { transferId: randomUUID(), contentType: 'image/jpeg', totalBytes: MAX_PHOTO_BYTES + 1 })).rejects.toMatchObject({ code: 'BINARY_TOO_LARGE' });
    await expect(host.dispatch('binaryBegin', { transferId: randomUUID(), contentType: 'video/webm', totalBytes: MAX_VIDEO_BYTES })).resolves.toMatchObject({ chunkBytes: expect.any(Number) });
  });

  it('refuses a video outside its screen, over its length, or of another type, in words, and stores nothing', async () => {
    const host = startHost();
    await toExam(host);
    // On the checklist, not on the video's screen.
    await expect(host.dispatch('saveExamVideo', { uploadId: await upload(host, 'video/webm', Buffer.from('webm')), durationMs: 5000, width: 640, height: 480 }))
      .rejects.toMatchObject({ code: 'NOT_IN_EXAM' });
    await host.dispatch('sendEvent', { event: { type: 'EXAM_CHOOSE', itemId: 'i1' } });
    expect(host.view().state).toBe('exam.video');
    await expect(host.dispatch('saveExamVideo', { uploadId: await upload(host, 'video/webm', Buffer.from('webm')), durationMs: 62_000, width: 640, height: 480 }))
      .rejects.toMatchObject({ code: 'API_INVALID_MESSAGE' });
    await expect(host.dispatch('saveExamVideo', { uploadId: await upload(host, 'image/jpeg', Buffer.from([0xff, 0xd8])), durationMs: 5000, width: 640, height: 480 }))
      .rejects.toMatchObject({ code: 'BINARY_REFUSED_TYPE' });
    expect(host.store!.outboxBatch(500).filter((e) => e.kind === 'video')).toEqual([]);
    expect(host.view().state).toBe('exam.video');
    const { videoId } = (await host.dispatch('saveExamVideo', { uploadId: await upload(host, 'video/webm', Buffer.from('webm-bytes')), durationMs: 5000, width: 640, height: 480 })) as { videoId: string };
    expect(host.view().state).toBe('exam.checklist');
    expect(host.store!.getVideoMeta(videoId)).toMatchObject({ mime: 'video/webm', durationMs: 5000, byteLength: 10 });
  });
});

describe('the case at the host', () => {
  it('draws pick-up codes from the alphabet without look-alikes, each character from the CSPRNG', () => {
    for (let i = 0; i < 200; i++) expect(PickupCode.safeParse(drawPickupCode()).success).toBe(true);
    const draws: number[] = [];
    expect(drawPickupCode((max) => {
      draws.push(max);
      return max - 1;
    })).toBe(PICKUP_ALPHABET.at(-1)!.repeat(6));
    expect(draws).toEqual(Array(6).fill(PICKUP_ALPHABET.length));
  });

  it('never builds a manifest while an item is still to do', async () => {
    const host = startHost();
    await toExam(host);
    const context = host.session.context();
    expect(() => caseManifest({ ...context, exam: { ...context.exam!, caseId: randomUUID(), pickupCode: 'ABCDEF' } }, new Date().toISOString()))
      .toThrow(expect.objectContaining({ code: 'CASE_INCOMPLETE' }));
  });
});
