/**
 * The booth's side of the counter: each change of the alert goes to the hub;
 * the kiosk learns whether any counter page heard it (none, or the hub
 * unreachable: the booth rings here only, and says so); a counter's
 * acknowledgement reaches the session naming who is coming, a stale one is
 * refused; a ring again from the hub chimes again at the booth.
 */
import { assign, createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { activityOf, CounterRelay } from '../../../src/host/counter-relay';
import { FakeHubLink } from '../../../src/host/fake-hub-link';
import { sessionOf } from '../../../src/host/session';
import { createLogger } from '../../../src/node/logger';
import { sessionMachine } from '../../../src/session/machine';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);

function setup(counters: number | Error = 1) {
  const link = new FakeHubLink();
  link.answers.set('counter.alert', () => {
    if (counters instanceof Error) throw counters;
    return { counters };
  });
  let n = 0;
  const actor = createActor(sessionMachine.provide({ actions: { startSession: assign({ sessionId: () => `s-${++n}` as string | null }) } }), { input: { language: 'fr' } });
  let relay: CounterRelay | null = null;
  const session = sessionOf(actor, () => ({ alertReach: (id) => relay!.reach(id) }));
  let changes = 0;
  relay = new CounterRelay({ link, session, log: silent, changed: () => { changes += 1; } });
  actor.start();
  for (const e of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }] as const) session.send(e);
  const alert = () => session.view().context.alert;
  const reports = () => link.requests.filter((r) => r.method === 'counter.alert').map((r) => r.params as { state: string; reason: string });
  return { link, session, alert, reports, changes: () => changes };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('the booth\'s alert and the counter', () => {
  it('reports a raised alert once and says a counter heard it', async () => {
    const { session, alert, reports } = setup(1);
    session.send({ type: 'CALL_PHARMACIST' });
    session.send({ type: 'CALL_PHARMACIST' });
    await flush();
    expect(reports()).toEqual([expect.objectContaining({ state: 'raised', reason: 'help' })]);
    expect(alert()).toMatchObject({ state: 'raised', reach: 'counter', ring: 1 });
  });

  it('says the booth rings alone when no counter page is open', async () => {
    const { session, alert } = setup(0);
    session.send({ type: 'CALL_PHARMACIST' });
    await flush();
    expect(alert()).toMatchObject({ reach: 'booth' });
  });

  it('says the booth rings alone when the hub cannot be reached, and tells the hub once it is back', async () => {
    const { link, session, alert, reports } = setup(1);
    link.setStatus('offline');
    session.send({ type: 'CALL_PHARMACIST' });
    await flush();
    expect(alert()).toMatchObject({ reach: 'booth' });
    expect(reports()).toEqual([]);
    link.setStatus('online');
    await flush();
    expect(reports()).toHaveLength(1);
    expect(alert()).toMatchObject({ reach: 'counter' });
  });

  it('says the booth rings alone when the hub refuses the report', async () => {
    const { session, alert } = setup(new Error('boom'));
    session.send({ type: 'CALL_PHARMACIST' });
    await flush();
    expect(alert()).toMatchObject({ reach: 'booth' });
  });

  it('takes a counter\'s acknowledgement naming who is coming, and refuses one for another alert', async () => {
    const { link, session, alert, reports } = setup(1);
    session.send({ type: 'CALL_PHARMACIST' });
    const id = alert()!.id;
    await expect(link.call('counter.acknowledge', { alertId: 'stale', by: { via: 'counter', staffId: 'marie', name: 'Marie' } })).resolves.toEqual({ accepted: false });
    await expect(link.call('counter.acknowledge', { alertId: id, by: { via: 'counter', staffId: 'marie', name: 'Marie' } })).resolves.toEqual({ accepted: true });
    expect(alert()).toMatchObject({ state: 'acknowledged', acknowledgedBy: { via: 'counter', name: 'Marie' } });
    await flush();
    expect(reports().map((r) => r.state)).toEqual(['raised', 'acknowledged']);
  });

  it('chimes again when the hub says nobody answered', async () => {
    const { link, session, alert, changes } = setup(1);
    session.send({ type: 'CALL_PHARMACIST' });
    await flush();
    const before = changes();
    await link.call('counter.ringAgain', { alertId: alert()!.id, ring: 2 });
    expect(alert()).toMatchObject({ ring: 2 });
    expect(changes()).toBe(before + 1);
  });

  it('stops saying the booth rings alone once the hub says a counter page now hears the alert, and says it again when the last one closes', async () => {
    // Raised before any counter page was open (a booth restarting onto its incident screen);
    // then the pharmacist opens the counter page, which shows the standing alert.
    const { link, session, alert, changes } = setup(0);
    session.send({ type: 'CALL_PHARMACIST' });
    await flush();
    expect(alert()).toMatchObject({ reach: 'booth' });
    const before = changes();
    await link.call('counter.heard', { alertId: alert()!.id, counters: 1 });
    expect(alert()).toMatchObject({ reach: 'counter', ring: 1 });
    expect(changes()).toBe(before + 1);
    await link.call('counter.heard', { alertId: alert()!.id, counters: 0 });
    expect(alert()).toMatchObject({ reach: 'booth' });
    // Another alert's news (one that already ended) changes nothing.
    await link.call('counter.heard', { alertId: 'an-old-alert', counters: 1 });
    expect(alert()).toMatchObject({ reach: 'booth' });
  });

  it('tells the hub the alert ended with the session', async () => {
    const { session, reports } = setup(1);
    session.send({ type: 'CALL_PHARMACIST' });
    session.send({ type: 'CANCEL' });
    session.send({ type: 'CANCEL_CONFIRM' });
    await flush();
    expect(reports().map((r) => r.state)).toEqual(['raised', 'resolved']);
  });

  it('tells the board which session is on the screen, so that a counter\'s intake is for this patient and no later one', async () => {
    const { link, session } = setup(1);
    await flush();
    const activities = () => link.requests.filter((r) => r.method === 'counter.activity').map((r) => r.params);
    expect(activities().at(-1)).toEqual({ kind: 'steps', step: expect.any(Number), sessionId: session.view().sessionId, alertId: null });
    expect(session.view().sessionId).toMatch(/^s-\d+$/);
  });

  it('names the alert standing on the screen with each activity, so that a hub holding another one drops it', async () => {
    const { link, session } = setup(1);
    const sent = (method: string) => link.requests.filter((r) => r.method === method).map((r) => r.params as { alertId?: string | null });
    session.send({ type: 'CALL_PHARMACIST' });
    await flush();
    const [raised] = sent('counter.alert');
    expect(raised?.alertId).toEqual(expect.any(String));
    expect(sent('counter.activity').at(-1)?.alertId).toBe(raised?.alertId);
  });
});

describe('the board\'s reading of the kiosk screen', () => {
  it('tells a deferred exam under way from the steps and the call, so the counter does not offer an intake for it', () => {
    expect(activityOf('exam.checklist', 5)).toEqual({ kind: 'exam', step: null });
    expect(activityOf('exam.item.measuring', 5)).toEqual({ kind: 'exam', step: null });
    expect(activityOf('identity.entry', 3)).toEqual({ kind: 'steps', step: 3 });
    expect(activityOf('consultation.call', 5)).toEqual({ kind: 'call', step: null });
  });
});

describe('the out-of-service alert (key lost, issue #21)', () => {
  const lost = { reason: 'key-file-missing' as const, keyIds: [1], unacknowledged: { total: 2, byKind: { reading: 2 }, from: '2026-12-01T08:00:00.000Z', to: '2026-12-01T09:00:00.000Z' }, acknowledged: 0 };

  it('rings at the counter with the loss report, again after a reconnect, and takes "J\'arrive" for it', async () => {
    const link = new FakeHubLink();
    link.answers.set('counter.alert', () => ({ counters: 1 }));
    const session = sessionOf(createActor(sessionMachine, { input: { language: 'fr' } }).start());
    const relay = new CounterRelay({ link, session, log: silent, changed: () => undefined });
    const sent = (method: string) => link.requests.filter((r) => r.method === method).map((r) => r.params as Record<string, unknown>);

    relay.outOfService({ alertId: 'oos-1', raisedAt: '2026-12-02T10:00:00.000Z', lost });
    await flush();
    expect(sent('counter.alert')).toEqual([expect.objectContaining({ alertId: 'oos-1', reason: 'out-of-service', state: 'raised', lost })]);
    // The screen's note names it as the standing alert: the hub keeps it rather than dropping it.
    expect(sent('counter.activity').at(-1)).toMatchObject({ alertId: 'oos-1' });

    link.setStatus('offline');
    link.setStatus('online');
    await flush();
    expect(sent('counter.alert')).toHaveLength(2);

    await expect(link.call('counter.acknowledge', { alertId: 'oos-1', by: { via: 'counter', staffId: 'marie', name: 'Marie' } })).resolves.toEqual({ accepted: true });
    await flush();
    expect(sent('counter.alert').at(-1)).toMatchObject({ alertId: 'oos-1', state: 'acknowledged', acknowledgedBy: { name: 'Marie' }, lost });
  });
});
