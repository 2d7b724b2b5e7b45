/**
 * The session statechart on its own (STYLE rule 4): provided with fakes,
 * driven with fake timers, every state reached by paths generated from the
 * machine itself.
 */
import { getShortestPaths } from '@xstate/graph';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assign, createActor, type AnyStateNode, type SnapshotFrom } from 'xstate';
import type { Quantity } from '../../../src/shared/domain';
import { CaseRequest } from '../../../src/shared/case-record';
import { Intake } from '../../../src/shared/intake';
import { SessionUiEvent } from '../../../src/shared/session-view';
import { HOST_EVENT_TYPES, sessionMachine, type SessionMachineEvent, type TransitionRecord } from '../../../src/session/machine';
import { toSessionView } from '../../../src/session/view';

const identity = { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' };
const intake = Intake.parse({
  identity: { birthName: 'Martin', firstNames: 'Jeanne Louise', birthDate: '1941-03-07', sex: 'F' },
  reason: { code: 'fever' }, pathway: { pathway: 'exception', exceptionReason: 'no-gp' }, gp: null, reportToGp: false,
});
const atBooth = { via: 'booth' as const };
const bp: Quantity[] = [
  { code: '8480-6', name: 'systolic', value: 128, unit: 'mm[Hg]' },
  { code: '8462-4', name: 'diastolic', value: 81, unit: 'mm[Hg]' },
];
const cuff: Quantity[] = [{ code: '8478-0', name: 'cuff', value: 92, unit: 'mm[Hg]' }];
/** The booth's instruments (the host gives them as input): only the measuring one's readings count. */
const measuringDevices = { temperature: 'thermometer-1', 'blood-pressure': 'bp-cuff-1', 'cuff-pressure': 'bp-cuff-1', spo2: 'oximeter-1' };
const input = { language: 'fr' as const, measuringDevices };

function start() {
  const records: TransitionRecord[] = [];
  const measured: string[] = [];
  let wipes = 0;
  let nextId = 1;
  const machine = sessionMachine.provide({
    actions: {
      // A deterministic session id: the real one (host) is a UUIDv7.
      startSession: assign({ sessionId: () => `s-${nextId++}` as string | null }),
      recordTransition: (_: unknown, params: TransitionRecord) => void records.push(params),
      startMeasurement: (_: unknown, params: { kind: string }) => void measured.push(params.kind),
      notifyWipe: () => void (wipes += 1),
    },
  });
  const actor = createActor(machine, { input });
  actor.start();
  const send = (...events: SessionMachineEvent[]) => events.forEach((e) => actor.send(e));
  const flow = () => toSessionView(actor.getSnapshot()).state;
  return { actor, send, flow, records, measured, wipes: () => wipes, view: () => toSessionView(actor.getSnapshot()) };
}

type Harness = ReturnType<typeof start>;

function toWaitingRoom(h: Harness) {
  h.send({ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }, { type: 'ASSISTANT_LOGIN' },
    { type: 'SET_IDENTITY', identity });
}
function toConsultation(h: Harness) {
  toWaitingRoom(h);
  h.send({ type: 'CLAIMED' });
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('session machine: the journey', () => {
  it('runs attract → language → consent → identity → waiting room → consultation → wrap-up → wipe → attract', () => {
    const h = start();
    expect(h.flow()).toBe('attract');
    h.send({ type: 'TOUCH' });
    expect(h.flow()).toBe('language');
    expect(h.view().sessionId).toBe('s-1');
    h.send({ type: 'CHOOSE_LANGUAGE', language: 'en' });
    expect(h.view()).toMatchObject({ state: 'consent', language: 'en', step: 2 });
    h.send({ type: 'ACCEPT' });
    expect(h.flow()).toBe('identity.entry');
    expect(h.view()).toMatchObject({ state: 'identity.entry', step: 3 });
    h.send({ type: 'ASSISTANT_LOGIN' }, { type: 'SET_INTAKE', intake, by: atBooth });
    expect(h.view()).toMatchObject({ state: 'waitingRoom', step: 4, context: { pathway: 'exception', exceptionReason: 'no-gp', reason: { code: 'fever' } } });
    h.send({ type: 'QUEUE_UPDATE', position: 3, etaMinutes: 12 });
    expect(h.view().context.queue).toEqual({ position: 3, etaMinutes: 12 });
    h.send({ type: 'CLAIMED' });
    expect(h.view()).toMatchObject({ state: 'consultation.call', step: 5 });
    h.send({ type: 'PRESCRIPTION_RECEIVED', note: 'ordonnance' }, { type: 'CALL_ENDED' });
    expect(h.flow()).toBe('wrapUp.summary');
    h.send({ type: 'NEXT' });
    expect(h.view()).toMatchObject({ state: 'wrapUp.prescription', context: { prescription: { received: true } } });
    h.send({ type: 'NEXT' }, { type: 'ACCEPT' });
    expect(h.view()).toMatchObject({ state: 'wrapUp.goodbye', context: { reportToGp: true } });
    h.send({ type: 'FINISH' });
    expect(h.flow()).toBe('privacyWipe');
    expect(h.actor.getSnapshot().context).toMatchObject({ identity: null, pathway: null, results: [], prescription: { received: false } });
    vi.advanceTimersByTime(5_000);
    expect(h.view()).toMatchObject({ state: 'attract', sessionId: null, language: 'fr', assistant: false });
  });

  it('guides a blood-pressure measurement step by step, shows the rising cuff pressure, then the values with their units', () => {
    const h = start();
    toConsultation(h);
    h.send({ type: 'MEASUREMENT_REQUESTED', kind: 'blood-pressure' });
    expect(h.view()).toMatchObject({ state: 'consultation.guidance', context: { measurement: { kind: 'blood-pressure', step: 0, stepCount: 4 } } });
    h.send({ type: 'NEXT' }, { type: 'NEXT' }, { type: 'BACK' });
    expect(h.view().context.measurement).toMatchObject({ step: 1 });
    h.send({ type: 'NEXT' }, { type: 'NEXT' }, { type: 'NEXT' });
    expect(h.flow()).toBe('consultation.measuring');
    expect(h.measured).toEqual(['blood-pressure']);
    h.send({ type: 'READING', kind: 'cuff-pressure', deviceId: 'bp-cuff-1', values: cuff, intermediate: true });
    expect(h.view().context.measurement).toMatchObject({ live: 92, result: null });
    h.send({ type: 'READING', kind: 'blood-pressure', deviceId: 'bp-cuff-1', values: bp, intermediate: false });
    expect(h.view()).toMatchObject({ state: 'consultation.result', context: { measurement: { result: bp, live: null } } });
    h.send({ type: 'NEXT' });
    expect(h.flow()).toBe('consultation.call');
    h.send({ type: 'CALL_ENDED' });
    expect(h.view().context.results).toEqual([{ kind: 'blood-pressure', values: bp }]);
  });

  it('shows a recovery screen for a badly placed cuff and measures again on "retry"', () => {
    const h = start();
    toConsultation(h);
    h.send({ type: 'MEASUREMENT_REQUESTED', kind: 'blood-pressure' }, { type: 'START_MEASURE' });
    h.send({ type: 'MEASUREMENT_ERROR', code: 'cuff-too-loose' });
    expect(h.view()).toMatchObject({ state: 'consultation.recovery', context: { measurement: { error: 'cuff-too-loose' } } });
    h.send({ type: 'RETRY' });
    expect(h.flow()).toBe('consultation.measuring');
    expect(h.view().context.measurement).toMatchObject({ error: null });
    expect(h.measured).toEqual(['blood-pressure', 'blood-pressure']);
  });

  it('takes a dermatoscope photo: guidance, then the stored still shows as the result and counts in the summary', () => {
    const h = start();
    toConsultation(h);
    h.send({ type: 'MEASUREMENT_REQUESTED', kind: 'dermatoscope-photo' }, { type: 'START_MEASURE' });
    expect(h.measured).toEqual(['dermatoscope-photo']);
    h.send({ type: 'PHOTO_CAPTURED', photoId: 'p-1' });
    expect(h.view()).toMatchObject({ state: 'consultation.result', context: { measurement: { kind: 'dermatoscope-photo', result: [] } } });
    h.send({ type: 'NEXT' }, { type: 'CALL_ENDED' });
    expect(h.view().context.photos).toBe(1);
  });

  it('ignores a photo when no photo was asked for', () => {
    const h = start();
    toConsultation(h);
    h.send({ type: 'MEASUREMENT_REQUESTED', kind: 'temperature' }, { type: 'START_MEASURE' });
    expect(h.actor.getSnapshot().can({ type: 'PHOTO_CAPTURED', photoId: 'p-1' })).toBe(false);
  });

  it('names the doctor who claimed the booth during the call, and forgets them with the patient', () => {
    const h = start();
    toWaitingRoom(h);
    expect(h.view().context.doctor ?? null).toBeNull();
    h.send({ type: 'CLAIMED', doctor: { name: 'Dr Claire Martin', specialty: 'Médecin généraliste' } });
    expect(h.view()).toMatchObject({ state: 'consultation.call', context: { doctor: { name: 'Dr Claire Martin', specialty: 'Médecin généraliste' } } });
    h.send({ type: 'MEASUREMENT_REQUESTED', kind: 'temperature' });
    expect(h.view().context.doctor).toMatchObject({ name: 'Dr Claire Martin' });
    h.send({ type: 'CALL_ENDED', endedBy: 'doctor' }, { type: 'NEXT' }, { type: 'NEXT' }, { type: 'ACCEPT' }, { type: 'FINISH' });
    expect(h.actor.getSnapshot().context.doctor).toBeNull();
    vi.advanceTimersByTime(5_000);
    toWaitingRoom(h);
    h.send({ type: 'CLAIMED' });
    expect(h.view().context.doctor ?? null).toBeNull();
  });

  it("shows the doctor's photo with their name during the call, and leaves none behind the session", () => {
    const h = start();
    toWaitingRoom(h);
    const photo = 'data:image/png;base64,iVBORw0KGgo=';
    h.send({ type: 'CLAIMED', doctor: { name: 'Dr Claire Martin', specialty: 'Médecin généraliste', photo } });
    expect(h.view().context.doctor).toEqual({ name: 'Dr Claire Martin', specialty: 'Médecin généraliste', photo });
    h.send({ type: 'CALL_ENDED', endedBy: 'doctor' });
    // The wrap-up no longer carries it to the kiosk; the wipe forgets it with the rest.
    expect(JSON.stringify(h.view())).not.toContain(photo);
    h.send({ type: 'NEXT' }, { type: 'NEXT' }, { type: 'ACCEPT' }, { type: 'FINISH' });
    expect(JSON.stringify(h.actor.getSnapshot().context)).not.toContain(photo);
  });

  it('tells the wrap-up who ended the call: the doctor, or the connection', () => {
    for (const endedBy of ['doctor', 'connection'] as const) {
      const h = start();
      toConsultation(h);
      h.send({ type: 'CALL_ENDED', endedBy });
      expect(h.view()).toMatchObject({ state: 'wrapUp.summary', context: { callEndedBy: endedBy } });
    }
    const h = start();
    toConsultation(h);
    h.send({ type: 'CALL_ENDED' });
    expect(h.view().context.callEndedBy ?? null).toBeNull();
  });

  it('goes back one step from every step that has one, and the back from the first guidance step returns to the call', () => {
    const h = start();
    h.send({ type: 'TOUCH' }, { type: 'BACK' });
    expect(h.flow()).toBe('privacyWipe');
    const g = start();
    toConsultation(g);
    g.send({ type: 'MEASUREMENT_REQUESTED', kind: 'spo2' }, { type: 'BACK' });
    expect(g.flow()).toBe('consultation.call');
    expect(g.view().context.canBack).toBe(false);
    g.send({ type: 'CALL_ENDED' }, { type: 'NEXT' }, { type: 'BACK' });
    expect(g.flow()).toBe('wrapUp.summary');
  });
});

describe('session machine: cross-cutting', () => {
  it('prompts after the configured inactivity, then wipes the patient data after the second delay', () => {
    const h = start();
    // The patient alone at the identity step, waiting for the pharmacist who has not come.
    h.send({ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'en' }, { type: 'ACCEPT' }, { type: 'ASSISTANT_LOGIN' }, { type: 'ASSISTANT_LOGOUT' });
    vi.advanceTimersByTime(59_999);
    expect(h.view().context.overlay).toBeNull();
    vi.advanceTimersByTime(1);
    expect(h.view().context.overlay).toBe('inactivityPrompt');
    vi.advanceTimersByTime(30_000);
    expect(h.flow()).toBe('privacyWipe');
    expect(h.actor.getSnapshot().context).toMatchObject({ identity: null, intake: null });
    expect(h.wipes()).toBe(1);
  });

  it('restarts the inactivity timer on every touch and dismisses the prompt on "still here"', () => {
    const h = start();
    h.send({ type: 'TOUCH' });
    vi.advanceTimersByTime(50_000);
    h.send({ type: 'TOGGLE_MUTE' });
    h.send({ type: 'CHOOSE_LANGUAGE', language: 'fr' });
    vi.advanceTimersByTime(50_000);
    expect(h.view().context.overlay).toBeNull();
    vi.advanceTimersByTime(10_000);
    expect(h.view().context.overlay).toBe('inactivityPrompt');
    h.send({ type: 'STILL_HERE' });
    expect(h.view()).toMatchObject({ state: 'consent', context: { overlay: null } });
    vi.advanceTimersByTime(59_000);
    expect(h.flow()).toBe('consent');
  });

  it('mutes and unmutes the voice on any screen, and the next patient hears it again', () => {
    const h = start();
    h.send({ type: 'TOUCH' }, { type: 'TOGGLE_MUTE' });
    expect(h.view().context.muted).toBe(true);
    h.send({ type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'TOGGLE_MUTE' });
    expect(h.view().context.muted).toBe(false);
    h.send({ type: 'TOGGLE_MUTE' }, { type: 'DECLINE' });
    expect(h.flow()).toBe('privacyWipe');
    expect(h.view().context.muted).toBe(false);
  });

  it('does not prompt while the pharmacist is at the booth, and starts counting again when they leave', () => {
    const h = start();
    h.send({ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }, { type: 'ASSISTANT_LOGIN' });
    vi.advanceTimersByTime(10 * 60_000);
    expect(h.view()).toMatchObject({ state: 'identity.entry', context: { overlay: null } });
    h.send({ type: 'ASSISTANT_LOGOUT' });
    vi.advanceTimersByTime(60_000);
    expect(h.view().context.overlay).toBe('inactivityPrompt');
  });

  it('never prompts nor wipes in the waiting room or during the call', () => {
    const h = start();
    toWaitingRoom(h);
    h.send({ type: 'ASSISTANT_LOGOUT' });
    vi.advanceTimersByTime(30 * 60_000);
    expect(h.view()).toMatchObject({ state: 'waitingRoom', context: { overlay: null } });
    h.send({ type: 'CLAIMED' });
    vi.advanceTimersByTime(30 * 60_000);
    expect(h.view()).toMatchObject({ state: 'consultation.call', context: { overlay: null } });
    h.send({ type: 'CALL_ENDED' });
    vi.advanceTimersByTime(90_000);
    expect(h.flow()).toBe('privacyWipe');
  });

  it('asks for confirmation before cancelling: "no" keeps the step and its data, "yes" wipes', () => {
    const h = start();
    h.send({ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }, { type: 'ASSISTANT_LOGIN' }, { type: 'SET_IDENTITY', identity });
    h.send({ type: 'CANCEL' });
    expect(h.view()).toMatchObject({ state: 'waitingRoom', context: { overlay: 'cancelConfirm' } });
    h.send({ type: 'CANCEL_ABORT' });
    expect(h.view()).toMatchObject({ state: 'waitingRoom', context: { overlay: null, identity } });
    h.send({ type: 'CANCEL' }, { type: 'CANCEL_CONFIRM' });
    expect(h.flow()).toBe('privacyWipe');
    expect(h.actor.getSnapshot().context.identity).toBeNull();
  });

  it('cannot cancel on the attract screen, but the emergency guidance opens anywhere and closes back', () => {
    const h = start();
    expect(h.actor.getSnapshot().can({ type: 'CANCEL' })).toBe(false);
    h.send({ type: 'EMERGENCY' });
    expect(h.view()).toMatchObject({ state: 'attract', context: { overlay: 'emergency' } });
    h.send({ type: 'EMERGENCY_CLOSE' });
    expect(h.view().context.overlay).toBeNull();
    toConsultation(h);
    h.send({ type: 'EMERGENCY' });
    expect(h.view()).toMatchObject({ state: 'consultation.call', context: { overlay: 'emergency' } });
  });

  it('shows a device fault until the device recovers, or until the assistant skips the device', () => {
    const h = start();
    toConsultation(h);
    h.send({ type: 'MEASUREMENT_REQUESTED', kind: 'temperature' });
    h.send({ type: 'DEVICE_FAULT', deviceId: 'thermometer-1', kind: 'thermometer', code: 'DISCONNECTED' });
    expect(h.view().context.deviceFault).toEqual({ deviceId: 'thermometer-1', kind: 'thermometer', code: 'DISCONNECTED' });
    h.send({ type: 'DEVICE_RECOVERED', deviceId: 'thermometer-1' });
    expect(h.view().context.deviceFault).toBeNull();
    h.send({ type: 'DEVICE_FAULT', deviceId: 'thermometer-1', kind: 'thermometer', code: 'DISCONNECTED' }, { type: 'ASSISTANT_SKIP_DEVICE' });
    expect(h.view()).toMatchObject({ state: 'consultation.call', context: { deviceFault: null } });
  });

  it('keeps the call while the network is lost and says it is reconnecting', () => {
    const h = start();
    toConsultation(h);
    h.send({ type: 'NETWORK_LOST' });
    expect(h.view()).toMatchObject({ state: 'consultation.call', context: { network: 'reconnecting' } });
    h.send({ type: 'NETWORK_RESTORED' });
    expect(h.view()).toMatchObject({ state: 'consultation.call', context: { network: 'online' } });
  });

  it('takes the identity and assistant commands only in assistant mode, and leaves assistant mode with the wipe', () => {
    const h = start();
    h.send({ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' });
    expect(h.actor.getSnapshot().can({ type: 'SET_IDENTITY', identity })).toBe(false);
    h.send({ type: 'ASSISTANT_LOGIN' });
    expect(h.view().assistant).toBe(true);
    h.send({ type: 'SET_IDENTITY', identity }, { type: 'CLAIMED' });
    h.send({ type: 'ASSISTANT_START_MEASUREMENT', kind: 'spo2' });
    expect(h.view().context.measurement).toMatchObject({ kind: 'spo2', step: 0 });
    h.send({ type: 'ASSISTANT_RESTART' });
    expect(h.view()).toMatchObject({ state: 'language', context: { identity: null } });
    h.send({ type: 'ASSISTANT_END' });
    expect(h.flow()).toBe('privacyWipe');
    expect(h.view().assistant).toBe(false);
  });

  it('shows the identity only on the identity step and to the assistant', () => {
    const h = start();
    toWaitingRoom(h);
    expect(h.view().context.identity).toEqual(identity);
    h.send({ type: 'ASSISTANT_LOGOUT' });
    expect(h.view().context).not.toHaveProperty('identity');
    expect(JSON.stringify(h.view())).not.toContain('Martin');
  });

  it('records every transition with its source, target and event, never the event data', () => {
    const h = start();
    toWaitingRoom(h);
    expect(h.records).toContainEqual({ from: 'flow.attract', to: 'flow.language', event: 'TOUCH' });
    expect(h.records).toContainEqual({ from: 'flow.identity.entry', to: 'flow.waitingRoom', event: 'SET_IDENTITY' });
    expect(JSON.stringify(h.records)).not.toContain('Martin');
  });

  it('refuses every host event from the renderer (SessionUiEvent)', () => {
    for (const type of HOST_EVENT_TYPES) expect(SessionUiEvent.safeParse({ type }).success, type).toBe(false);
    expect(SessionUiEvent.safeParse({ type: 'SET_IDENTITY', identity }).success).toBe(false);
    expect(SessionUiEvent.safeParse({ type: 'CLAIMED' }).success).toBe(false);
  });
});

describe('session machine: opening hours', () => {
  /** The host provides the guard from the booth's opening hours and its injected clock; here a switch. */
  function startWithHours() {
    const hours = { open: false };
    const actor = createActor(sessionMachine.provide({ guards: { withinOpeningHours: () => hours.open } }), { input });
    actor.start();
    return { hours, actor, flow: () => toSessionView(actor.getSnapshot()).state };
  }

  it('outside opening hours, a touch or a language choice does not start a session', () => {
    const h = startWithHours();
    expect(h.actor.getSnapshot().can({ type: 'TOUCH' })).toBe(false);
    h.actor.send({ type: 'TOUCH' });
    h.actor.send({ type: 'CHOOSE_LANGUAGE', language: 'en' });
    expect(h.flow()).toBe('attract');
    expect(h.actor.getSnapshot().context.sessionId).toBeNull();
    h.hours.open = true;
    h.actor.send({ type: 'TOUCH' });
    expect(h.flow()).toBe('language');
  });

  it('never cuts a session under way when closing time passes', () => {
    const h = startWithHours();
    h.hours.open = true;
    h.actor.send({ type: 'TOUCH' });
    h.actor.send({ type: 'CHOOSE_LANGUAGE', language: 'fr' });
    h.hours.open = false;
    for (const e of [{ type: 'ACCEPT' }, { type: 'ASSISTANT_LOGIN' }, { type: 'SET_IDENTITY', identity }, { type: 'CLAIMED' }, { type: 'CALL_ENDED' }] as SessionMachineEvent[]) h.actor.send(e);
    expect(h.flow()).toBe('wrapUp.summary');
  });
});

describe('session machine: the intake', () => {
  const toIdentity = (h: Harness) => h.send({ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' });

  it('takes the pharmacist’s intake at the identity step and goes straight to the waiting room: the patient is asked no pathway', () => {
    const h = start();
    toIdentity(h);
    h.send({ type: 'ASSISTANT_LOGIN' }, { type: 'SET_INTAKE', intake, by: atBooth });
    expect(h.flow()).toBe('waitingRoom');
    expect(h.actor.getSnapshot().context).toMatchObject({
      intake, intakeBy: atBooth, identity: { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' },
      pathway: 'exception', exceptionReason: 'no-gp',
    });
    expect(h.view().context.intake).toEqual(intake);
    expect(h.records).toContainEqual({ from: 'flow.identity.entry', to: 'flow.waitingRoom', event: 'SET_INTAKE' });
  });

  it('takes a corrected intake in the waiting room, the latest one winning', () => {
    const h = start();
    toIdentity(h);
    h.send({ type: 'ASSISTANT_LOGIN' }, { type: 'SET_INTAKE', intake, by: atBooth });
    const corrected = { ...intake, reason: { code: 'skin' as const, text: 'plaque' }, pathway: { pathway: 'gp-known' as const } };
    h.send({ type: 'SET_INTAKE', intake: corrected, by: atBooth });
    expect(h.flow()).toBe('waitingRoom');
    expect(h.actor.getSnapshot().context).toMatchObject({ intake: corrected, pathway: 'gp-known', exceptionReason: null });
  });

  it('refuses the intake outside the identity step and the waiting room', () => {
    const h = start();
    h.send({ type: 'ASSISTANT_LOGIN' }, { type: 'TOUCH' });
    expect(h.actor.getSnapshot().can({ type: 'SET_INTAKE', intake, by: atBooth })).toBe(false);
    h.send({ type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }, { type: 'SET_INTAKE', intake, by: atBooth }, { type: 'CLAIMED' });
    expect(h.flow()).toBe('consultation.call');
    expect(h.actor.getSnapshot().can({ type: 'SET_INTAKE', intake, by: atBooth })).toBe(false);
  });

  it('takes the booth’s intake only in assistant mode; the counter’s (the host checked the staff) without it', () => {
    const h = start();
    toIdentity(h);
    expect(h.actor.getSnapshot().can({ type: 'SET_INTAKE', intake, by: atBooth })).toBe(false);
    h.send({ type: 'SET_INTAKE', intake, by: { via: 'counter', staffId: 'staff-1', name: 'Marie' } });
    expect(h.actor.getSnapshot().context.intakeBy).toEqual({ via: 'counter', staffId: 'staff-1', name: 'Marie' });
  });

  it('no longer knows the patient’s pathway question', () => {
    expect(SessionUiEvent.safeParse({ type: 'CHOOSE_PATHWAY', pathway: 'gp-known' }).success).toBe(false);
    expect(SessionUiEvent.safeParse({ type: 'CHOOSE_EXCEPTION', reason: 'no-gp' }).success).toBe(false);
  });

  it('forgets the intake with the wipe', () => {
    const h = start();
    toIdentity(h);
    h.send({ type: 'ASSISTANT_LOGIN' }, { type: 'SET_INTAKE', intake, by: atBooth }, { type: 'CANCEL' }, { type: 'CANCEL_CONFIRM' });
    expect(h.actor.getSnapshot().context).toMatchObject({ intake: null, intakeBy: null, identity: null, pathway: null });
  });
});

// ---- Generated paths --------------------------------------------------------

const sampleEvents: SessionMachineEvent[] = [
  { type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'en' }, { type: 'NEXT' }, { type: 'BACK' }, { type: 'ACCEPT' },
  { type: 'DECLINE' }, { type: 'CANCEL' }, { type: 'CANCEL_CONFIRM' }, { type: 'CANCEL_ABORT' }, { type: 'STILL_HERE' },
  { type: 'EMERGENCY' }, { type: 'EMERGENCY_CLOSE' }, { type: 'FINISH' },
  { type: 'SET_INTAKE', intake, by: atBooth }, { type: 'SET_INTAKE', intake, by: { via: 'counter', staffId: 'staff-1' } }, { type: 'START_MEASURE' },
  { type: 'RETRY' }, { type: 'TOGGLE_MUTE' }, { type: 'AUSCULTATE', point: 'mitral' },
  { type: 'SET_IDENTITY', identity }, { type: 'QUEUE_UPDATE', position: 1, etaMinutes: 5 }, { type: 'CLAIMED' },
  { type: 'MEASUREMENT_REQUESTED', kind: 'blood-pressure' }, { type: 'READING', kind: 'blood-pressure', deviceId: 'bp-cuff-1', values: bp, intermediate: false },
  { type: 'READING', kind: 'cuff-pressure', deviceId: 'bp-cuff-1', values: cuff, intermediate: true }, { type: 'MEASUREMENT_ERROR', code: 'cuff-too-loose' },
  { type: 'CALL_ENDED' }, { type: 'PRESCRIPTION_RECEIVED' }, { type: 'PHOTO_CAPTURED', photoId: 'p-1' }, { type: 'DEVICE_FAULT', deviceId: 'bp-cuff-1', kind: 'bp-cuff', code: 'DISCONNECTED' },
  { type: 'DEVICE_RECOVERED', deviceId: 'bp-cuff-1' }, { type: 'NETWORK_LOST' }, { type: 'NETWORK_RESTORED' }, { type: 'ASSISTANT_LOGIN' },
  { type: 'ASSISTANT_LOGOUT' }, { type: 'ASSISTANT_START_MEASUREMENT', kind: 'spo2' }, { type: 'ASSISTANT_SKIP_DEVICE' },
  { type: 'ASSISTANT_RESTART' }, { type: 'ASSISTANT_END' },
  // Timed transitions: their xstate.after events, sent by hand (@xstate/graph does not run timers).
  { type: 'xstate.after.inactivityPrompt.session.inactivity.watching' } as unknown as SessionMachineEvent,
  { type: 'xstate.after.inactivityWipe.session.inactivity.prompting' } as unknown as SessionMachineEvent,
  { type: 'xstate.after.wipeScreen.session.flow.privacyWipe' } as unknown as SessionMachineEvent,
];

/**
 * The alert and the network bound in a second, smaller run: beside every
 * event of the journey they would multiply the state space past what a
 * test can walk. The journey's way to the call, and everything that raises,
 * acknowledges, resolves or clears an alert.
 */
const alertEvents: SessionMachineEvent[] = [
  { type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }, { type: 'ASSISTANT_LOGIN' }, { type: 'ASSISTANT_LOGOUT' },
  { type: 'SET_IDENTITY', identity }, { type: 'CLAIMED' }, { type: 'CALL_ENDED' },
  { type: 'CANCEL' }, { type: 'CANCEL_CONFIRM' }, { type: 'ASSISTANT_RESTART' }, { type: 'ASSISTANT_END' },
  { type: 'NETWORK_LOST' }, { type: 'NETWORK_RESTORED' }, { type: 'SESSION_INTERRUPTED', sessionId: 's-crashed' },
  { type: 'CALL_PHARMACIST' }, { type: 'ALERT_ACKNOWLEDGED', by: { via: 'booth' } }, { type: 'ALERT_RESOLVED', by: { via: 'booth' } },
  { type: 'xstate.after.wipeScreen.session.flow.privacyWipe' } as unknown as SessionMachineEvent,
  { type: 'xstate.after.networkAlert.session.network.reconnecting.counting' } as unknown as SessionMachineEvent,
];

/** The forwarded case's exam, in a third run of its own: the way there from the counter, and every event of its screens. */
const examStart = {
  request: CaseRequest.parse({
    specialty: 'general', question: 'Souffle ?', contactPhone: '0612345678', consent: true,
    checklist: [{ id: 'i1', kind: 'blood-pressure' }, { id: 'i2', kind: 'auscultation', point: 'mitral' }, { id: 'i3', kind: 'video' }],
  }),
  consentAt: '2026-12-02T10:00:00.000Z',
  compiledBy: { staffId: 'staff-1', name: 'Claire', pharmacy: { name: 'Pharmacie', city: 'Ville' } },
};
const examEvents: SessionMachineEvent[] = [
  { type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' },
  { type: 'SET_INTAKE', intake, by: { via: 'counter', staffId: 'staff-1' }, deferred: examStart },
  { type: 'EXAM_CHOOSE', itemId: 'i1' }, { type: 'EXAM_CHOOSE', itemId: 'i2' }, { type: 'EXAM_CHOOSE', itemId: 'i3' },
  { type: 'EXAM_SKIP', itemId: 'i2', reason: 'Appareil indisponible' }, { type: 'EXAM_SKIP', itemId: 'i3', reason: 'Le patient ne souhaite pas' },
  { type: 'NEXT' }, { type: 'START_MEASURE' }, { type: 'BACK' }, { type: 'RETRY' },
  { type: 'READING', kind: 'blood-pressure', deviceId: 'bp-cuff-1', values: bp, intermediate: false, readingId: 'r-1' },
  { type: 'MEASUREMENT_ERROR', code: 'cuff-too-loose' }, { type: 'CLIP_SAVED', clipId: 'c-1' }, { type: 'CLIP_FAILED', code: 'NO_STETHOSCOPE' },
  { type: 'VIDEO_SAVED', videoId: 'v-1' }, { type: 'EXAM_SEND' }, { type: 'CASE_STORED' }, { type: 'CASE_FAILED', code: 'DISK_FULL' }, { type: 'FINISH' },
];

function allStateIds(node: AnyStateNode): string[] {
  return [node.id, ...Object.values(node.states).flatMap((child) => allStateIds(child as AnyStateNode))];
}
function activeIds(snapshot: SnapshotFrom<typeof sessionMachine>): string[] {
  return (snapshot as unknown as { _nodes: AnyStateNode[] })._nodes.map((n) => n.id);
}

describe('session machine: generated paths', () => {
  // The screen and the cross-cutting regions, plus the guidance step (it decides when measuring starts).
  const serializeState = (s: SnapshotFrom<typeof sessionMachine>) => JSON.stringify([s.value, s.context.measurement?.step ?? null, s.context.pathway, !!s.context.identity]);
  const paths = [
    ...getShortestPaths(sessionMachine, { events: sampleEvents, input, serializeState }),
    ...getShortestPaths(sessionMachine, { events: alertEvents, input, serializeState }),
    ...getShortestPaths(sessionMachine, { events: examEvents, input, serializeState: (s) => JSON.stringify([s.value, s.context.measurement?.step ?? null, s.context.exam?.items ?? null]) }),
  ];

  it('reaches every state of the machine', () => {
    const reached = new Set(paths.flatMap((p) => [...p.steps.flatMap((s) => activeIds(s.state)), ...activeIds(p.state)]));
    const all = allStateIds(sessionMachine.root).filter((id) => !sessionMachine.getStateNodeById(id).type.includes('history'));
    expect([...reached].sort()).toEqual([...new Set(all)].sort());
  });

  it('replays each generated path on a live actor and ends in the same state', () => {
    expect(paths.length).toBeGreaterThan(50);
    for (const path of paths) {
      const actor = createActor(sessionMachine, { input }).start();
      for (const step of path.steps) actor.send(step.event);
      expect(actor.getSnapshot().value, path.steps.map((s) => s.event.type).join(' → ')).toEqual(path.state.value);
      actor.stop();
    }
  }, 240_000); // a bound for two cores shared with other suites, not a timing
});
