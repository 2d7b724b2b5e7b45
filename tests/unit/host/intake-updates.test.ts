/**
 * The counter's intake, as the hub hands it to the booth (`intake.update`,
 * src/shared/intake-protocol.ts): taken at the identity step and in the
 * waiting room, for the current session, from staff of this booth's pharmacy
 * only; the session event names who made it.
 */
import { describe, expect, it } from 'vitest';
import { assign, createActor } from 'xstate';
import { FakeHubLink } from '../../../src/host/fake-hub-link';
import { registerIntakeUpdates } from '../../../src/host/intake-updates';
import { sessionOf } from '../../../src/host/session';
import { Intake } from '../../../src/shared/intake';
import { INTAKE } from '../../../src/shared/intake-protocol';
import { createLogger } from '../../../src/node/logger';
import { sessionMachine } from '../../../src/session/machine';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const PHARMACY = { name: 'Pharmacie du Marché', city: 'Aurillac' };
const NOW = Date.parse('2026-12-01T10:00:00Z');
const intake = Intake.parse({
  identity: { birthName: 'Martin', firstNames: 'Jeanne', birthDate: '1941-03-07', sex: 'F' },
  reason: { code: 'fever' }, pathway: { pathway: 'gp-known' }, gp: null, reportToGp: false,
});
const marie = { staffId: 'staff-7', name: 'Marie', pharmacy: PHARMACY };

function setup() {
  const link = new FakeHubLink();
  const actor = createActor(sessionMachine.provide({
    actions: { startSession: assign({ sessionId: () => 'session-1' as string | null }), recordTransition: () => undefined, notifyWipe: () => undefined },
  }), { input: { language: 'fr' } });
  actor.start();
  registerIntakeUpdates({ link, session: sessionOf(actor), config: { pharmacy: PHARMACY }, clock: { now: () => NOW }, log: silent });
  const toIdentity = () => ['TOUCH', 'ACCEPT'].forEach((type) => actor.send({ type } as { type: 'TOUCH' | 'ACCEPT' }));
  return { link, actor, toIdentity };
}

describe('the counter’s intake at the booth', () => {
  it('takes it at the identity step for the current session, naming the staff member, and moves the patient to the waiting room', async () => {
    const { link, actor, toIdentity } = setup();
    actor.send({ type: 'TOUCH' });
    actor.send({ type: 'CHOOSE_LANGUAGE', language: 'fr' });
    toIdentity();
    await expect(link.call(INTAKE.update, { sessionId: 'session-1', intake, staff: marie })).resolves.toEqual({ accepted: true });
    expect(actor.getSnapshot().context).toMatchObject({ intake, intakeBy: { via: 'counter', staffId: 'staff-7', name: 'Marie' } });
    expect(actor.getSnapshot().value).toMatchObject({ flow: 'waitingRoom' });
  });

  it('refuses staff of another pharmacy with a typed error, and leaves the intake alone', async () => {
    const { link, actor } = setup();
    actor.send({ type: 'TOUCH' });
    actor.send({ type: 'CHOOSE_LANGUAGE', language: 'fr' });
    actor.send({ type: 'ACCEPT' });
    const other = { ...marie, pharmacy: { name: 'Pharmacie de la Gare', city: 'Aurillac' } };
    await expect(link.call(INTAKE.update, { sessionId: 'session-1', intake, staff: other })).rejects.toMatchObject({ code: 'OTHER_PHARMACY' });
    expect(actor.getSnapshot().context.intake).toBeNull();
  });

  it('refuses an intake for another session, or while the patient is elsewhere than the identity step and the waiting room', async () => {
    const { link, actor } = setup();
    await expect(link.call(INTAKE.update, { sessionId: 'session-1', intake, staff: marie })).resolves.toEqual({ accepted: false, reason: 'step' });
    actor.send({ type: 'TOUCH' });
    actor.send({ type: 'CHOOSE_LANGUAGE', language: 'fr' });
    actor.send({ type: 'ACCEPT' });
    await expect(link.call(INTAKE.update, { sessionId: 'session-0', intake, staff: marie })).resolves.toEqual({ accepted: false, reason: 'session' });
    expect(actor.getSnapshot().context.intake).toBeNull();
  });

  it('refuses a malformed intake or a birth date after today, in words, without the values', async () => {
    const { link, actor } = setup();
    actor.send({ type: 'TOUCH' });
    actor.send({ type: 'CHOOSE_LANGUAGE', language: 'fr' });
    actor.send({ type: 'ACCEPT' });
    const future = { ...intake, identity: { ...intake.identity, birthDate: '2026-12-02' } };
    const refusal = link.call(INTAKE.update, { sessionId: 'session-1', intake: future, staff: marie });
    await expect(refusal).rejects.toMatchObject({ code: 'INVALID_INTAKE', userMessage: { fr: expect.stringContaining('futur') } });
    await expect(refusal).rejects.not.toMatchObject({ message: expect.stringContaining('Martin') });
    await expect(link.call(INTAKE.update, { sessionId: 'session-1', intake: { identity: {} }, staff: marie })).rejects.toMatchObject({ code: 'INVALID_INTAKE' });
  });

  describe('"Examen différé" from the counter', () => {
    const deferred = {
      request: {
        specialty: 'dermatology', question: 'Lésion suspecte ?', contactPhone: '+33 6 12 34 56 78', consent: true,
        checklist: [{ id: 'i1', kind: 'dermatoscope-photo', bodySite: 'dos' }],
      },
      consentAt: '2026-12-01T09:58:00.000Z',
    };
    const atIdentity = () => {
      const h = setup();
      h.actor.send({ type: 'TOUCH' });
      h.actor.send({ type: 'CHOOSE_LANGUAGE', language: 'fr' });
      h.actor.send({ type: 'ACCEPT' });
      return h;
    };

    it('starts the exam instead of the queue, with the staff member as the case’s compiler and the phone number normalised', async () => {
      const { link, actor } = atIdentity();
      await expect(link.call(INTAKE.update, { sessionId: 'session-1', intake, staff: marie, deferred })).resolves.toEqual({ accepted: true });
      expect(actor.getSnapshot().value).toMatchObject({ flow: { exam: 'checklist' } });
      expect(actor.getSnapshot().context.exam).toMatchObject({
        compiledBy: { staffId: 'staff-7', name: 'Marie', pharmacy: PHARMACY },
        consentAt: '2026-12-01T09:58:00.000Z',
        request: { specialty: 'dermatology', contactPhone: '0612345678' },
      });
    });

    it('refuses a case from an account with no name (the case must say who compiled it), and leaves the patient where they were', async () => {
      const { link, actor } = atIdentity();
      const { name: _name, ...unnamed } = marie;
      const refusal = link.call(INTAKE.update, { sessionId: 'session-1', intake, staff: unnamed, deferred });
      await expect(refusal).rejects.toMatchObject({ code: 'CASE_WITHOUT_STAFF', userMessage: { fr: expect.stringContaining('prénom') } });
      expect(actor.getSnapshot().value).toMatchObject({ flow: { identity: 'entry' } });
      expect(actor.getSnapshot().context).toMatchObject({ intake: null, exam: null });
    });

    it('refuses a case without the patient’s consent or with a phone number that is not French, naming the field, never its value', async () => {
      const { link, actor } = atIdentity();
      const noConsent = { ...deferred, request: { ...deferred.request, consent: false } };
      await expect(link.call(INTAKE.update, { sessionId: 'session-1', intake, staff: marie, deferred: noConsent })).rejects.toMatchObject({ code: 'INVALID_INTAKE' });
      const badPhone = { ...deferred, request: { ...deferred.request, contactPhone: '12 34' } };
      const refusal = link.call(INTAKE.update, { sessionId: 'session-1', intake, staff: marie, deferred: badPhone });
      await expect(refusal).rejects.toMatchObject({ code: 'INVALID_INTAKE', userMessage: { fr: expect.stringContaining('contactPhone') } });
      await expect(refusal).rejects.not.toMatchObject({ message: expect.stringContaining('12 34') });
      expect(actor.getSnapshot().context.exam).toBeNull();
    });
  });
});
