/**
 * The forwarded case at the booth ("examen différé") in the session machine
 * alone: started only from the counter with a named member of staff, each
 * checklist item guided as in a call, skipped with a reason, sent (the
 * manifest stored by the host, then the pick-up code), or abandoned with
 * nothing sent.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assign, createActor } from 'xstate';
import { CaseRequest, type CaseRequestInput } from '../../../src/shared/case-record';
import type { Quantity } from '../../../src/shared/domain';
import { Intake } from '../../../src/shared/intake';
import { SessionUiEvent } from '../../../src/shared/session-view';
import { sessionMachine, type CaseStart, type SessionContext, type SessionMachineEvent, type TransitionRecord } from '../../../src/session/machine';
import { toSessionView } from '../../../src/session/view';

const intake = Intake.parse({
  identity: { birthName: 'Martin', firstNames: 'Jeanne Louise', birthDate: '1941-03-07', sex: 'F' },
  reason: { code: 'fever' }, pathway: { pathway: 'exception', exceptionReason: 'no-gp' }, gp: null, reportToGp: false,
});
const requestInput: CaseRequestInput = {
  specialty: 'general',
  question: 'Fièvre depuis trois jours, souffle ?',
  contactPhone: '06 12 34 56 78',
  consent: true,
  checklist: [
    { id: 'i1', kind: 'temperature' },
    { id: 'i2', kind: 'dermatoscope-photo', bodySite: 'avant-bras gauche' },
    { id: 'i3', kind: 'otoscope-photo', ear: 'left' },
    { id: 'i4', kind: 'auscultation', point: 'mitral' },
    { id: 'i5', kind: 'video' },
    { id: 'i6', kind: 'spo2' },
  ],
};
const deferred: CaseStart = {
  request: CaseRequest.parse(requestInput),
  consentAt: '2026-12-02T10:00:00.000Z',
  compiledBy: { staffId: 'staff-7', name: 'Claire', pharmacy: { name: 'Pharmacie du Port', city: 'Le Palais' } },
};
const counter = { via: 'counter' as const, staffId: 'staff-7', name: 'Claire' };
const temperature: Quantity[] = [{ code: '8310-5', name: 'temperature', value: 38.4, unit: 'Cel' }];
const spo2: Quantity[] = [{ code: '59408-5', name: 'spo2', value: 96, unit: '%' }];
const measuringDevices = { temperature: 'thermometer-1', spo2: 'oximeter-1', 'dermatoscope-photo': 'dermatoscope-1' };

function start() {
  const records: TransitionRecord[] = [];
  const measured: string[] = [];
  const clips: string[] = [];
  const stored: SessionContext[] = [];
  const machine = sessionMachine.provide({
    actions: {
      startSession: assign({ sessionId: () => 's-1' as string | null }),
      recordTransition: (_: unknown, params: TransitionRecord) => void records.push(params),
      startMeasurement: (_: unknown, params: { kind: string }) => void measured.push(params.kind),
      startExamClip: (_: unknown, params: { point: string }) => void clips.push(params.point),
      storeCase: ({ context }: { context: SessionContext }) => void stored.push(context),
    },
  });
  const actor = createActor(machine, { input: { language: 'fr', measuringDevices } }).start();
  const send = (...events: SessionMachineEvent[]) => events.forEach((e) => actor.send(e));
  const flow = () => toSessionView(actor.getSnapshot()).state;
  const exam = () => toSessionView(actor.getSnapshot()).context.exam;
  return { actor, send, flow, exam, records, measured, clips, stored };
}
type Harness = ReturnType<typeof start>;

function toIdentity(h: Harness) {
  h.send({ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' });
}
function toExam(h: Harness) {
  toIdentity(h);
  h.send({ type: 'SET_INTAKE', intake, by: counter, deferred });
}
function stateOf(h: Harness, id: string) {
  return h.exam()?.items.find((i) => i.item.id === id);
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('exam: how it starts', () => {
  it('goes from the identity step to the checklist when the counter asks for a case, every item to do, and records the transition', () => {
    const h = start();
    toExam(h);
    expect(h.flow()).toBe('exam.checklist');
    expect(h.exam()).toMatchObject({ specialty: 'general', current: null, canSend: false, pickupCode: null, answerHours: 24 });
    expect(h.exam()!.items.map((i) => i.state)).toEqual(['todo', 'todo', 'todo', 'todo', 'todo', 'todo']);
    expect(h.records).toContainEqual({ from: 'flow.identity.entry', to: 'flow.exam', event: 'SET_INTAKE' });
  });

  it('shows the patient the checklist only: never the question, the note, the phone number or who compiled', () => {
    const h = start();
    toExam(h);
    const shown = JSON.stringify(toSessionView(h.actor.getSnapshot()));
    for (const secret of ['Fièvre depuis', '0612345678', '06 12', 'Claire', 'staff-7']) expect(shown, secret).not.toContain(secret);
    expect(h.records.map((r) => r.event)).not.toContain(undefined);
  });

  it('records each skip as a session event like every transition', () => {
    const h = start();
    toExam(h);
    h.send({ type: 'EXAM_SKIP', itemId: 'i5', reason: 'Le patient ne souhaite pas' });
    expect(h.records).toContainEqual({ from: 'flow.exam.checklist', to: null, event: 'EXAM_SKIP' });
  });

  it('leaves the waiting room for the exam when the counter turns the wait into a case', () => {
    const h = start();
    toIdentity(h);
    h.send({ type: 'SET_INTAKE', intake, by: counter });
    expect(h.flow()).toBe('waitingRoom');
    h.send({ type: 'SET_INTAKE', intake, by: counter, deferred });
    expect(h.flow()).toBe('exam.checklist');
  });

  it('refuses a case from the assistant PIN: the shared PIN cannot say who compiled it', () => {
    const h = start();
    toIdentity(h);
    h.send({ type: 'ASSISTANT_LOGIN' });
    expect(h.actor.getSnapshot().can({ type: 'SET_INTAKE', intake, by: { via: 'booth' }, deferred })).toBe(false);
    h.send({ type: 'SET_INTAKE', intake, by: { via: 'booth' }, deferred });
    expect(h.flow()).toBe('identity.entry');
    expect(h.actor.getSnapshot().context.exam).toBeNull();
  });

  it('never starts a case from the attract screen or during a call', () => {
    const h = start();
    expect(h.actor.getSnapshot().can({ type: 'SET_INTAKE', intake, by: counter, deferred })).toBe(false);
    toIdentity(h);
    h.send({ type: 'ASSISTANT_LOGIN' }, { type: 'SET_INTAKE', intake, by: { via: 'booth' } }, { type: 'CLAIMED' });
    expect(h.flow()).toBe('consultation.call');
    expect(h.actor.getSnapshot().can({ type: 'SET_INTAKE', intake, by: counter, deferred })).toBe(false);
  });

  it('does not need the hub: a lost network neither stops the exam nor calls the pharmacist', () => {
    const h = start();
    toExam(h);
    h.send({ type: 'NETWORK_LOST' });
    vi.advanceTimersByTime(120_000);
    expect(h.actor.getSnapshot().context.alert).toBeNull();
    expect(toSessionView(h.actor.getSnapshot()).context.network).toBe('online');
  });
});

describe('exam: each item guided as in a call', () => {
  it('takes a temperature: guidance, measuring on the thermometer, the value, then the item done with its reading id', () => {
    const h = start();
    toExam(h);
    h.send({ type: 'EXAM_CHOOSE', itemId: 'i1' });
    expect(h.flow()).toBe('exam.guidance');
    expect(toSessionView(h.actor.getSnapshot()).context.measurement).toMatchObject({ kind: 'temperature', deviceId: 'thermometer-1', step: 0 });
    expect(h.exam()!.current).toBe('i1');
    h.send({ type: 'START_MEASURE' });
    expect(h.flow()).toBe('exam.measuring');
    expect(h.measured).toEqual(['temperature']);
    // Another device's reading is never this item's value.
    h.send({ type: 'READING', kind: 'temperature', deviceId: 'other', values: temperature, intermediate: false, readingId: 'r-other' });
    expect(h.flow()).toBe('exam.measuring');
    h.send({ type: 'READING', kind: 'temperature', deviceId: 'thermometer-1', values: temperature, intermediate: false, readingId: 'r-1' });
    expect(h.flow()).toBe('exam.result');
    expect(toSessionView(h.actor.getSnapshot()).context.measurement?.result).toEqual(temperature);
    h.send({ type: 'NEXT' });
    expect(h.flow()).toBe('exam.checklist');
    expect(stateOf(h, 'i1')).toMatchObject({ state: 'done' });
    expect(h.actor.getSnapshot().context.exam!.items.i1).toEqual({ state: 'done', itemId: 'r-1' });
  });

  it('recovers from a misplaced oximeter as in a call, then keeps the value', () => {
    const h = start();
    toExam(h);
    h.send({ type: 'EXAM_CHOOSE', itemId: 'i6' }, { type: 'START_MEASURE' }, { type: 'MEASUREMENT_ERROR', code: 'finger-out', deviceId: 'oximeter-1' });
    expect(h.flow()).toBe('exam.recovery');
    h.send({ type: 'RETRY' }, { type: 'READING', kind: 'spo2', deviceId: 'oximeter-1', values: spo2, intermediate: false, readingId: 'r-2' }, { type: 'NEXT' });
    expect(h.actor.getSnapshot().context.exam!.items.i6).toEqual({ state: 'done', itemId: 'r-2' });
  });

  it('takes a dermatoscope still at the item’s body site and an otoscope still of the item’s ear', () => {
    const h = start();
    toExam(h);
    h.send({ type: 'EXAM_CHOOSE', itemId: 'i2' });
    expect(toSessionView(h.actor.getSnapshot()).context.measurement).toMatchObject({ kind: 'dermatoscope-photo', bodySite: 'avant-bras gauche' });
    h.send({ type: 'START_MEASURE' }, { type: 'PHOTO_CAPTURED', photoId: 'p-1' }, { type: 'NEXT' });
    h.send({ type: 'EXAM_CHOOSE', itemId: 'i3' });
    expect(toSessionView(h.actor.getSnapshot()).context.measurement).toMatchObject({ kind: 'otoscope-photo', ear: 'left' });
    h.send({ type: 'START_MEASURE' }, { type: 'PHOTO_CAPTURED', photoId: 'p-2' }, { type: 'NEXT' });
    expect(h.actor.getSnapshot().context.exam!.items).toMatchObject({ i2: { state: 'done', itemId: 'p-1' }, i3: { state: 'done', itemId: 'p-2' } });
  });

  it('shows where to listen, records the booth’s clip there with no hub request, and marks the point done once stored', () => {
    const h = start();
    toExam(h);
    h.send({ type: 'EXAM_CHOOSE', itemId: 'i4' });
    expect(h.flow()).toBe('exam.auscultation.guidance');
    expect(toSessionView(h.actor.getSnapshot()).context.auscultation).toMatchObject({ point: 'mitral' });
    expect(h.clips).toEqual([]);
    h.send({ type: 'NEXT' });
    expect(h.flow()).toBe('exam.auscultation.recording');
    expect(h.clips).toEqual(['mitral']);
    h.send({ type: 'CLIP_FAILED', code: 'NO_STETHOSCOPE' });
    expect(h.flow()).toBe('exam.auscultation.failed');
    expect(h.exam()!.clipError).toBe('NO_STETHOSCOPE');
    h.send({ type: 'RETRY' });
    expect(h.clips).toEqual(['mitral', 'mitral']);
    h.send({ type: 'CLIP_SAVED', clipId: 'c-1' });
    expect(h.flow()).toBe('exam.checklist');
    expect(h.actor.getSnapshot().context.exam!.items.i4).toEqual({ state: 'done', itemId: 'c-1' });
    expect(h.actor.getSnapshot().context.auscultation).toBeNull();
  });

  it('keeps the video once the host stored it, and leaves it to do when the patient goes back', () => {
    const h = start();
    toExam(h);
    h.send({ type: 'EXAM_CHOOSE', itemId: 'i5' });
    expect(h.flow()).toBe('exam.video');
    h.send({ type: 'BACK' });
    expect(stateOf(h, 'i5')?.state).toBe('todo');
    h.send({ type: 'EXAM_CHOOSE', itemId: 'i5' }, { type: 'VIDEO_SAVED', videoId: 'v-1' });
    expect(h.actor.getSnapshot().context.exam!.items.i5).toEqual({ state: 'done', itemId: 'v-1' });
  });

  it('leaves an item to do when the patient goes back from its guidance without measuring', () => {
    const h = start();
    toExam(h);
    h.send({ type: 'EXAM_CHOOSE', itemId: 'i1' }, { type: 'BACK' });
    expect(h.flow()).toBe('exam.checklist');
    expect(stateOf(h, 'i1')?.state).toBe('todo');
    expect(h.actor.getSnapshot().context.measurement).toBeNull();
  });

  it('refuses an item id that is not on this case’s checklist', () => {
    const h = start();
    toExam(h);
    h.send({ type: 'EXAM_CHOOSE', itemId: 'i99' }, { type: 'EXAM_SKIP', itemId: 'i99', reason: 'x' });
    expect(h.flow()).toBe('exam.checklist');
    expect(Object.keys(h.actor.getSnapshot().context.exam!.items)).toEqual(['i1', 'i2', 'i3', 'i4', 'i5', 'i6']);
    expect(h.exam()!.items.every((i) => i.state === 'todo')).toBe(true);
  });
});

describe('exam: skip and send', () => {
  it('sends only once every item is done or skipped, stores the manifest, then shows the pick-up code', () => {
    const h = start();
    toExam(h);
    h.send({ type: 'EXAM_SEND' });
    expect(h.flow()).toBe('exam.checklist');
    for (const id of ['i2', 'i3', 'i4', 'i5', 'i6']) h.send({ type: 'EXAM_SKIP', itemId: id, reason: 'Appareil indisponible' });
    expect(h.exam()!.canSend).toBe(false);
    expect(stateOf(h, 'i2')).toEqual({ item: requestInput.checklist[1], state: 'skipped', skipped: 'Appareil indisponible' });
    h.send({ type: 'EXAM_CHOOSE', itemId: 'i1' }, { type: 'START_MEASURE' },
      { type: 'READING', kind: 'temperature', deviceId: 'thermometer-1', values: temperature, intermediate: false, readingId: 'r-1' }, { type: 'NEXT' });
    expect(h.exam()!.canSend).toBe(true);
    h.send({ type: 'EXAM_SEND' });
    expect(h.flow()).toBe('exam.sending');
    expect(h.stored).toHaveLength(1);
    expect(h.stored[0]!.exam).toMatchObject({ caseId: 'case-1', pickupCode: 'ABCDEF', items: { i1: { state: 'done', itemId: 'r-1' }, i2: { state: 'skipped' } } });
    // No cancel while the manifest is being written: it would wipe a case already in the outbox.
    expect(h.actor.getSnapshot().can({ type: 'CANCEL' })).toBe(false);
    h.send({ type: 'CASE_STORED' });
    expect(h.flow()).toBe('exam.pickup');
    expect(h.exam()!.pickupCode).toBe('ABCDEF');
    h.send({ type: 'FINISH' });
    expect(h.flow()).toBe('privacyWipe');
    expect(h.actor.getSnapshot().context.exam).toBeNull();
  });

  it('goes back to the list with every item kept when the manifest could not be stored, and sends again under a new stamp', () => {
    const h = start();
    toExam(h);
    for (const id of ['i1', 'i2', 'i3', 'i4', 'i5', 'i6']) h.send({ type: 'EXAM_SKIP', itemId: id, reason: 'Appareil indisponible' });
    h.send({ type: 'EXAM_SEND' }, { type: 'CASE_FAILED', code: 'DISK_FULL' });
    expect(h.flow()).toBe('exam.checklist');
    expect(h.actor.getSnapshot().context.exam).toMatchObject({ caseId: null, pickupCode: null });
    expect(h.exam()!.items.every((i) => i.state === 'skipped')).toBe(true);
    h.send({ type: 'EXAM_SEND' });
    expect(h.stored).toHaveLength(2);
  });

  it('takes a skip from the pharmacist with a reason, never an empty one', () => {
    expect(SessionUiEvent.safeParse({ type: 'EXAM_SKIP', itemId: 'i1', reason: '  ' }).success).toBe(false);
    expect(SessionUiEvent.safeParse({ type: 'EXAM_SKIP', itemId: 'i1', reason: 'Le patient ne souhaite pas' }).success).toBe(true);
  });
});

describe('exam: abandoned halfway', () => {
  const halfway = (h: Harness) => {
    toExam(h);
    h.send({ type: 'EXAM_CHOOSE', itemId: 'i1' }, { type: 'START_MEASURE' },
      { type: 'READING', kind: 'temperature', deviceId: 'thermometer-1', values: temperature, intermediate: false, readingId: 'r-1' }, { type: 'NEXT' });
  };

  it('stores no manifest and wipes the draft when the patient cancels', () => {
    const h = start();
    halfway(h);
    h.send({ type: 'CANCEL' }, { type: 'CANCEL_CONFIRM' });
    expect(h.flow()).toBe('privacyWipe');
    expect(h.stored).toEqual([]);
    expect(h.actor.getSnapshot().context.exam).toBeNull();
    expect(toSessionView(h.actor.getSnapshot()).context.exam).toBeUndefined();
  });

  it('stores no manifest and wipes the draft after the inactivity prompt', () => {
    const h = start();
    halfway(h);
    vi.advanceTimersByTime(60_000 + 30_000 + 1);
    expect(h.flow()).toBe('privacyWipe');
    expect(h.stored).toEqual([]);
    expect(h.actor.getSnapshot().context.exam).toBeNull();
  });

  it('stores no manifest when the pharmacist ends the session ("Terminer la séance")', () => {
    const h = start();
    halfway(h);
    h.send({ type: 'ASSISTANT_LOGIN' }, { type: 'ASSISTANT_END' });
    expect(h.flow()).toBe('privacyWipe');
    expect(h.stored).toEqual([]);
    expect(h.actor.getSnapshot().context.exam).toBeNull();
  });

  it('never prompts for inactivity while the stethoscope records', () => {
    const h = start();
    toExam(h);
    h.send({ type: 'EXAM_CHOOSE', itemId: 'i4' }, { type: 'NEXT' });
    vi.advanceTimersByTime(200_000);
    expect(h.flow()).toBe('exam.auscultation.recording');
  });
});
