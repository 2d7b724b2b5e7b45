/**
 * Guided auscultation in the session statechart: the doctor's point, breath
 * instruction and stop move the consultation screen; the kiosk reports the
 * stethoscope's state; nothing of it outlives the listening.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { SessionUiEvent } from '../../../src/shared/session-view';
import { HOST_EVENT_TYPES, sessionMachine, type SessionMachineEvent } from '../../../src/session/machine';
import { toSessionView } from '../../../src/session/view';

const identity = { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' };

function inCall() {
  const actor = createActor(sessionMachine, { input: { language: 'fr' } });
  actor.start();
  const send = (...events: SessionMachineEvent[]) => events.forEach((e) => actor.send(e));
  send({ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }, { type: 'ASSISTANT_LOGIN' },
    { type: 'SET_IDENTITY', identity }, { type: 'ASSISTANT_LOGOUT' }, { type: 'CLAIMED' });
  const view = () => toSessionView(actor.getSnapshot());
  return { actor, send, view };
}

describe('guided auscultation', () => {
  it('shows the point the doctor chose, then the breath instruction, and goes back to the call on stop', () => {
    const h = inCall();
    h.send({ type: 'AUSCULTATE', point: 'mitral' });
    expect(h.view().state).toBe('consultation.auscultation');
    expect(h.view().context.auscultation).toEqual({ point: 'mitral', breath: null, status: 'guidance', error: null });
    h.send({ type: 'BREATH', instruction: 'hold' });
    expect(h.view().context.auscultation?.breath).toBe('hold');
    h.send({ type: 'STOP_AUSCULTATION' });
    expect(h.view().state).toBe('consultation.call');
    expect(h.view().context.auscultation).toBeUndefined();
  });

  it('moves to another point without losing the stethoscope that is already sent', () => {
    const h = inCall();
    h.send({ type: 'AUSCULTATE', point: 'aortic' }, { type: 'STETHOSCOPE_STATUS', status: 'listening' }, { type: 'BREATH', instruction: 'deep' });
    h.send({ type: 'AUSCULTATE', point: 'lung-back-left' });
    expect(h.view().context.auscultation).toEqual({ point: 'lung-back-left', breath: null, status: 'listening', error: null });
  });

  it('keeps the stethoscope error the kiosk reports, and clears it when the stethoscope is back', () => {
    const h = inCall();
    h.send({ type: 'AUSCULTATE', point: 'mitral' }, { type: 'STETHOSCOPE_STATUS', status: 'error', code: 'STETHOSCOPE_UNPLUGGED' });
    expect(h.view().context.auscultation).toMatchObject({ status: 'error', error: 'STETHOSCOPE_UNPLUGGED' });
    h.send({ type: 'STETHOSCOPE_STATUS', status: 'listening' });
    expect(h.view().context.auscultation).toMatchObject({ status: 'listening', error: null });
  });

  it('takes no breath instruction, stop or stethoscope state outside a listening', () => {
    const h = inCall();
    for (const e of [{ type: 'BREATH', instruction: 'deep' }, { type: 'STOP_AUSCULTATION' }, { type: 'STETHOSCOPE_STATUS', status: 'listening' }] as const) {
      expect(h.actor.getSnapshot().can(e)).toBe(false);
    }
  });

  it('is never started before the call, and ends with a measurement request or the call', () => {
    const waiting = createActor(sessionMachine, { input: { language: 'fr' } }).start();
    expect(waiting.getSnapshot().can({ type: 'AUSCULTATE', point: 'mitral' })).toBe(false);
    const h = inCall();
    h.send({ type: 'AUSCULTATE', point: 'mitral' }, { type: 'MEASUREMENT_REQUESTED', kind: 'temperature' });
    expect(h.view().state).toBe('consultation.guidance');
    expect(h.view().context.auscultation).toBeUndefined();
    h.send({ type: 'AUSCULTATE', point: 'tricuspid' }, { type: 'CALL_ENDED' });
    expect(h.view().context.auscultation).toBeUndefined();
  });

  it('lets the doctor, not the kiosk, choose the point; the kiosk only reports its stethoscope', () => {
    expect(HOST_EVENT_TYPES).toEqual(expect.arrayContaining(['AUSCULTATE', 'BREATH', 'STOP_AUSCULTATION']));
    expect(SessionUiEvent.safeParse({ type: 'AUSCULTATE', point: 'mitral' }).success).toBe(false);
    expect(SessionUiEvent.safeParse({ type: 'STETHOSCOPE_STATUS', status: 'error', code: 'MEDIA_DEVICE_NOT_FOUND' }).success).toBe(true);
  });
});
