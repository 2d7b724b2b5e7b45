/**
 * The booth's side of the guided auscultation (src/host/consult.ts) with the
 * real session machine and the fake hub link: the hub's requests move the
 * patient's screen (answered once the session took them), and every change
 * of the listening goes back to the hub once, in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, createActor } from 'xstate';
import { BoothConsult } from '../../../src/host/consult';
import { FakeHubLink } from '../../../src/host/fake-hub-link';
import { sessionOf } from '../../../src/host/session';
import { PrescriptionPrinter } from '../../../src/host/prescription';
import { AUSCULTATION, type AuscultationProgress } from '../../../src/shared/consult-protocol';
import { createLogger } from '../../../src/node/logger';
import { sessionMachine, type SessionMachineEvent } from '../../../src/session/machine';
import { toSessionView } from '../../../src/session/view';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const identity = { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-ausc-'));
  dirs.push(dir);
  const link = new FakeHubLink();
  for (const m of ['consult.progress', 'consult.devices', 'room.leave', AUSCULTATION.progress]) link.answers.set(m, () => ({ ok: true }));
  const actor = createActor(sessionMachine.provide({
    actions: { startSession: assign({ sessionId: () => 'session-1' as string | null }), recordTransition: () => undefined, startMeasurement: () => undefined },
  }), { input: { language: 'fr' } });
  actor.start();
  const consult = new BoothConsult({
    link, session: sessionOf(actor), config: { boothId: 'demo-booth-1', pharmacy: { name: 'Pharmacie du Marché', city: 'Aurillac' } },
    printer: new PrescriptionPrinter({ kind: 'file', dir: join(dir, 'prints') }, silent), log: silent,
    recordSessionEvent: async () => undefined, deviceStatuses: () => [], clock: { now: () => Date.parse('2026-11-23T10:00:00Z') },
  });
  const send = (...es: SessionMachineEvent[]) => es.forEach((e) => actor.send(e));
  const progress = () => link.requests.filter((r) => r.method === AUSCULTATION.progress).map((r) => r.params as AuscultationProgress);
  const stages = () => progress().map((p) => `${p.stage}${p.point ? ` ${p.point}` : ''}${p.breath ? ` ${p.breath}` : ''}${p.error ? ` ${p.error.code}` : ''}`);
  const toCall = () => send({ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }, { type: 'ASSISTANT_LOGIN' },
    { type: 'SET_IDENTITY', identity }, { type: 'ASSISTANT_LOGOUT' }, { type: 'CLAIMED' });
  return { link, consult, send, progress, stages, toCall, view: () => toSessionView(actor.getSnapshot()) };
}

describe('auscultation at the booth', () => {
  it('shows the point the hub asks for, reports each change once, and stops', async () => {
    const h = setup();
    h.toCall();
    expect(await h.link.call(AUSCULTATION.requested, { action: 'listen', point: 'mitral' })).toEqual({ accepted: true });
    expect(h.view().state).toBe('consultation.auscultation');
    h.send({ type: 'STETHOSCOPE_STATUS', status: 'listening' });
    expect(await h.link.call(AUSCULTATION.requested, { action: 'breath', instruction: 'deep' })).toEqual({ accepted: true });
    expect(await h.link.call(AUSCULTATION.requested, { action: 'listen', point: 'aortic' })).toEqual({ accepted: true });
    expect(await h.link.call(AUSCULTATION.requested, { action: 'stop' })).toEqual({ accepted: true });
    expect(h.stages()).toEqual(['guidance mitral', 'listening mitral', 'listening mitral deep', 'listening aortic', 'stopped']);
    expect(h.progress().every((p) => AuscultationProgressShape(p))).toBe(true);
  });

  it('sends the stethoscope error with words for the doctor and the pharmacist', async () => {
    const h = setup();
    h.toCall();
    await h.link.call(AUSCULTATION.requested, { action: 'listen', point: 'lung-front-left' });
    h.send({ type: 'STETHOSCOPE_STATUS', status: 'error', code: 'MEDIA_DEVICE_NOT_CONFIGURED' });
    const last = h.progress().at(-1)!;
    expect(last).toMatchObject({ stage: 'error', point: 'lung-front-left', error: { code: 'MEDIA_DEVICE_NOT_CONFIGURED' } });
    expect(last.error?.message.fr).toContain('media.stethoscope');
  });

  it('answers not accepted when the patient is not in the call, or for a breath with no point', async () => {
    const h = setup();
    expect(await h.link.call(AUSCULTATION.requested, { action: 'listen', point: 'mitral' })).toEqual({ accepted: false });
    h.toCall();
    expect(await h.link.call(AUSCULTATION.requested, { action: 'breath', instruction: 'hold' })).toEqual({ accepted: false });
    // Stopping what already stopped is done, not refused.
    expect(await h.link.call(AUSCULTATION.requested, { action: 'stop' })).toEqual({ accepted: true });
    expect(h.progress()).toEqual([]);
  });

  it('refuses a point that does not exist, acting on nothing', async () => {
    const h = setup();
    h.toCall();
    await expect(h.link.call(AUSCULTATION.requested, { action: 'listen', point: 'spleen' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect(h.view().state).toBe('consultation.call');
  });

  it('tells the hub the listening stopped when the call ends under it', async () => {
    const h = setup();
    h.toCall();
    await h.link.call(AUSCULTATION.requested, { action: 'listen', point: 'mitral' });
    h.send({ type: 'CALL_ENDED' });
    expect(h.stages()).toEqual(['guidance mitral', 'stopped']);
  });
});

function AuscultationProgressShape(p: AuscultationProgress): boolean {
  return typeof p.at === 'string' && ['guidance', 'listening', 'stopped', 'error'].includes(p.stage);
}
