/**
 * The booth's local alert in the session statechart ("raise an alert to the
 * pharmacy"): raised by the patient's "Pharmacien" button, by a call whose hub
 * does not come back within the bound, or by a consultation a crash
 * interrupted; coalesced while raised; acknowledged by someone named, or by
 * the pharmacist unlocking the booth; cleared with the session. Fake timers drive the machine's own delays.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assign, createActor } from 'xstate';
import { NETWORK_ALERT_AFTER_MS, sessionMachine, type AlertRecord, type SessionMachineEvent, type TransitionRecord } from '../../../src/session/machine';
import { toSessionView } from '../../../src/session/view';

const identity = { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' };

function start() {
  const records: TransitionRecord[] = [];
  const alerts: AlertRecord[] = [];
  let nextId = 1;
  const machine = sessionMachine.provide({
    actions: {
      startSession: assign({ sessionId: () => `s-${nextId++}` as string | null }),
      recordTransition: (_: unknown, params: TransitionRecord) => void records.push(params),
      recordAlert: (_: unknown, params: AlertRecord) => void alerts.push(params),
    },
  });
  const actor = createActor(machine, { input: { language: 'fr' } });
  actor.start();
  const send = (...events: SessionMachineEvent[]) => events.forEach((e) => actor.send(e));
  const view = () => toSessionView(actor.getSnapshot());
  return { actor, send, view, records, alerts, flow: () => view().state, alert: () => view().context.alert as Record<string, unknown> | null };
}
type Harness = ReturnType<typeof start>;

function toIdentity(h: Harness) {
  h.send({ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' });
}
function toWaitingRoom(h: Harness) {
  toIdentity(h);
  h.send({ type: 'ASSISTANT_LOGIN' }, { type: 'SET_IDENTITY', identity }, { type: 'ASSISTANT_LOGOUT' });
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

describe('the patient calls the pharmacist', () => {
  it('raises a help alert, records it once, and says "raised" — never acknowledged — until someone acknowledges, without the inactivity wipe', () => {
    const h = start();
    toIdentity(h);
    expect(h.alert()).toBeNull();
    h.send({ type: 'CALL_PHARMACIST' });
    expect(h.alert()).toMatchObject({ reason: 'help', state: 'raised', acknowledgedBy: null });
    expect(h.alerts).toEqual([expect.objectContaining({ change: 'raised', reason: 'help' })]);
    vi.advanceTimersByTime(10 * 60_000);
    expect(h.alert()).toMatchObject({ state: 'raised' });
  });

  it('coalesces repeated presses into the one alert already raised', () => {
    const h = start();
    toIdentity(h);
    h.send({ type: 'CALL_PHARMACIST' });
    const id = h.alert()!.id;
    h.send({ type: 'CALL_PHARMACIST' }, { type: 'CALL_PHARMACIST', reason: 'device-fault' });
    expect(h.alert()).toMatchObject({ id, reason: 'help' });
    expect(h.alerts.filter((a) => a.change === 'raised')).toHaveLength(1);
  });

  it('is acknowledged by someone named, then resolved; an acknowledgement for another alert is refused', () => {
    const h = start();
    toIdentity(h);
    h.send({ type: 'CALL_PHARMACIST' });
    const id = h.alert()!.id as string;
    expect(h.actor.getSnapshot().can({ type: 'ALERT_ACKNOWLEDGED', alertId: 'another-alert', by: { via: 'counter', name: 'Marie' } })).toBe(false);
    h.send({ type: 'ALERT_ACKNOWLEDGED', alertId: id, by: { via: 'counter', name: 'Marie', staffId: 'staff-7' } });
    expect(h.alert()).toMatchObject({ id, state: 'acknowledged', acknowledgedBy: { via: 'counter', name: 'Marie', staffId: 'staff-7' } });
    expect(h.alerts.map((a) => a.change)).toEqual(['raised', 'acknowledged']);
    expect(h.alerts[1]).toMatchObject({ alertId: id, by: { via: 'counter', name: 'Marie' } });
    h.send({ type: 'ALERT_RESOLVED', alertId: id, by: { via: 'booth' } });
    expect(h.alert()).toBeNull();
    expect(h.alerts.map((a) => a.change)).toEqual(['raised', 'acknowledged', 'resolved']);
  });

  it('is acknowledged at the booth when the pharmacist unlocks it with the PIN: the booth stops calling; ending the alert stays theirs', () => {
    const h = start();
    toIdentity(h);
    h.send({ type: 'CALL_PHARMACIST' });
    const id = h.alert()!.id as string;
    h.send({ type: 'ASSISTANT_LOGIN' });
    expect(h.view().assistant).toBe(true);
    expect(h.alert()).toMatchObject({ id, state: 'acknowledged', acknowledgedBy: { via: 'booth' } });
    expect(h.alerts).toEqual([
      { change: 'raised', alertId: id, reason: 'help', by: null },
      { change: 'acknowledged', alertId: id, reason: 'help', by: { via: 'booth' } },
    ]);
    // Leaving and unlocking again acknowledges nothing more; a new call from the patient is a new alert.
    h.send({ type: 'ASSISTANT_LOGOUT' }, { type: 'ASSISTANT_LOGIN' });
    expect(h.alerts).toHaveLength(2);
    h.send({ type: 'ALERT_RESOLVED', alertId: id, by: { via: 'booth' } });
    expect(h.alert()).toBeNull();
    // Unlocking with no alert raised raises and acknowledges nothing.
    h.send({ type: 'ASSISTANT_LOGOUT' }, { type: 'ASSISTANT_LOGIN' });
    expect(h.alert()).toBeNull();
    expect(h.alerts.map((a) => a.change)).toEqual(['raised', 'acknowledged', 'resolved']);
  });

  it('cannot be acknowledged when nothing was raised, and is not raised outside a session', () => {
    const h = start();
    expect(h.actor.getSnapshot().can({ type: 'CALL_PHARMACIST' })).toBe(false);
    toIdentity(h);
    expect(h.actor.getSnapshot().can({ type: 'ALERT_ACKNOWLEDGED', by: { via: 'booth' } })).toBe(false);
  });

  it('leaves with the privacy wipe: the next patient starts with no alert', () => {
    const h = start();
    toIdentity(h);
    h.send({ type: 'CALL_PHARMACIST' }, { type: 'CANCEL' }, { type: 'CANCEL_CONFIRM' });
    expect(h.flow()).toBe('privacyWipe');
    expect(h.alert()).toBeNull();
    expect(h.actor.getSnapshot().value).toMatchObject({ alert: 'none' });
  });

  it('records the alert transitions like every other (traceability)', () => {
    const h = start();
    toIdentity(h);
    h.send({ type: 'CALL_PHARMACIST' });
    expect(h.records).toContainEqual({ from: 'alert.none', to: 'alert.raised', event: 'CALL_PHARMACIST' });
  });
});

describe('a call whose hub does not come back', () => {
  it('says it is reconnecting, then after the bound calls the pharmacist once and says the line is not coming back', () => {
    const h = start();
    toConsultation(h);
    h.send({ type: 'NETWORK_LOST' });
    vi.advanceTimersByTime(NETWORK_ALERT_AFTER_MS - 1);
    expect(h.view().context).toMatchObject({ network: 'reconnecting', alert: null });
    vi.advanceTimersByTime(1);
    expect(h.view()).toMatchObject({ state: 'consultation.call', context: { network: 'unreachable', alert: { reason: 'call-not-recovering', state: 'raised' } } });
    expect(h.alerts).toEqual([expect.objectContaining({ change: 'raised', reason: 'call-not-recovering' })]);
    vi.advanceTimersByTime(10 * 60_000);
    expect(h.alerts).toHaveLength(1);
  });

  it('raises nothing when the hub returns within the bound', () => {
    const h = start();
    toConsultation(h);
    h.send({ type: 'NETWORK_LOST' });
    vi.advanceTimersByTime(NETWORK_ALERT_AFTER_MS - 1_000);
    h.send({ type: 'NETWORK_RESTORED' });
    vi.advanceTimersByTime(10 * 60_000);
    expect(h.view().context).toMatchObject({ network: 'online', alert: null });
    expect(h.alerts).toEqual([]);
  });

  it('keeps the raised alert when the hub returns later, and does not raise it again at the next loss', () => {
    const h = start();
    toConsultation(h);
    h.send({ type: 'NETWORK_LOST' });
    vi.advanceTimersByTime(NETWORK_ALERT_AFTER_MS);
    h.send({ type: 'NETWORK_RESTORED' });
    expect(h.view().context).toMatchObject({ network: 'online', alert: { state: 'raised' } });
    h.send({ type: 'NETWORK_LOST' });
    vi.advanceTimersByTime(NETWORK_ALERT_AFTER_MS);
    expect(h.view().context).toMatchObject({ network: 'unreachable', alert: { state: 'raised' } });
    expect(h.alerts.filter((a) => a.change === 'raised')).toHaveLength(1);
  });

  it('uses the delay the host provides (kiosk-config)', () => {
    const h = start();
    const machine = sessionMachine.provide({ delays: { networkAlert: 5_000 } });
    const actor = createActor(machine, { input: { language: 'fr' } }).start();
    for (const e of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }, { type: 'ASSISTANT_LOGIN' },
      { type: 'SET_IDENTITY', identity }, { type: 'NETWORK_LOST' }] as SessionMachineEvent[]) actor.send(e);
    vi.advanceTimersByTime(5_000);
    expect(toSessionView(actor.getSnapshot()).context).toMatchObject({ network: 'unreachable', alert: { reason: 'call-not-recovering' } });
    expect(h.alert()).toBeNull();
  });

  it('counts only while the patient needs the hub (waiting room, call), from the moment they do', () => {
    const h = start();
    toIdentity(h);
    h.send({ type: 'ASSISTANT_LOGIN' }, { type: 'NETWORK_LOST' });
    vi.advanceTimersByTime(5 * NETWORK_ALERT_AFTER_MS);
    expect(h.alert()).toBeNull();
    h.send({ type: 'SET_IDENTITY', identity }, { type: 'ASSISTANT_LOGOUT' });
    expect(h.view()).toMatchObject({ state: 'waitingRoom', context: { network: 'reconnecting', alert: null } });
    vi.advanceTimersByTime(NETWORK_ALERT_AFTER_MS);
    expect(h.view().context).toMatchObject({ network: 'unreachable', alert: { reason: 'call-not-recovering' } });
  });

  it('never says the pharmacist is coming until the alert is acknowledged', () => {
    const h = start();
    toConsultation(h);
    h.send({ type: 'NETWORK_LOST' });
    vi.advanceTimersByTime(NETWORK_ALERT_AFTER_MS);
    expect(h.alert()).toMatchObject({ state: 'raised', acknowledgedBy: null });
    h.send({ type: 'ASSISTANT_LOGIN' }, { type: 'ALERT_ACKNOWLEDGED', by: { via: 'booth' } });
    expect(h.alert()).toMatchObject({ state: 'acknowledged', acknowledgedBy: { via: 'booth' } });
  });
});

describe('a consultation interrupted by a crash', () => {
  it('shows the incident screen for the interrupted session and calls the pharmacist (technical incident)', () => {
    const h = start();
    h.send({ type: 'SESSION_INTERRUPTED', sessionId: 'crashed-session' });
    expect(h.view()).toMatchObject({ state: 'interrupted', sessionId: 'crashed-session', context: { alert: { reason: 'technical-incident', state: 'raised' } } });
    expect(h.records).toContainEqual({ from: 'flow.attract', to: 'flow.interrupted', event: 'SESSION_INTERRUPTED' });
    expect(h.actor.getSnapshot().can({ type: 'CANCEL' })).toBe(false);
    vi.advanceTimersByTime(30 * 60_000);
    expect(h.flow()).toBe('interrupted');
  });

  it('ends once the pharmacist has acknowledged and resolved the alert, through the privacy wipe', () => {
    const h = start();
    h.send({ type: 'SESSION_INTERRUPTED', sessionId: 'crashed-session' });
    h.send({ type: 'ALERT_ACKNOWLEDGED', by: { via: 'booth' } });
    expect(h.flow()).toBe('interrupted');
    h.send({ type: 'ALERT_RESOLVED', by: { via: 'booth' } });
    expect(h.flow()).toBe('privacyWipe');
    vi.advanceTimersByTime(5_000);
    expect(h.view()).toMatchObject({ state: 'attract', sessionId: null, context: { alert: null } });
  });

  it('is ended by the pharmacist ("Terminer la séance"), never restarted into a new patient\'s session under its id', () => {
    const h = start();
    h.send({ type: 'SESSION_INTERRUPTED', sessionId: 'crashed-session' }, { type: 'ASSISTANT_LOGIN' });
    expect(h.actor.getSnapshot().can({ type: 'ASSISTANT_RESTART' })).toBe(false);
    h.send({ type: 'ASSISTANT_END' });
    expect(h.view()).toMatchObject({ state: 'privacyWipe', context: { alert: null } });
  });

  it('is only shown from the attract screen (never over a live session)', () => {
    const h = start();
    toIdentity(h);
    expect(h.actor.getSnapshot().can({ type: 'SESSION_INTERRUPTED', sessionId: 'x' })).toBe(false);
  });
});

describe('"Urgence" calls the pharmacy too', () => {
  it('raises an emergency alert with the emergency guidance, and a help alert already raised becomes the emergency', () => {
    const h = start();
    toIdentity(h);
    h.send({ type: 'EMERGENCY' });
    expect(h.view().context.overlay).toBe('emergency');
    expect(h.alert()).toMatchObject({ reason: 'emergency', state: 'raised' });
    // Closing the guidance leaves the alert standing: only someone coming ends it.
    h.send({ type: 'EMERGENCY_CLOSE' });
    expect(h.alert()).toMatchObject({ reason: 'emergency', state: 'raised' });

    const g = start();
    toConsultation(g);
    g.send({ type: 'CALL_PHARMACIST' });
    g.send({ type: 'EMERGENCY' });
    expect(g.alert()).toMatchObject({ reason: 'emergency', state: 'raised' });
    expect(g.alerts.map((a) => [a.change, a.reason])).toEqual([['raised', 'help'], ['raised', 'emergency']]);
    // Pressed again: the same emergency, recorded once.
    g.send({ type: 'EMERGENCY_CLOSE' }, { type: 'EMERGENCY' });
    expect(g.alerts).toHaveLength(2);
  });
});
