/**
 * The pharmacy counter on a real hub: staff sign in with the console's
 * rules under their own cookie; a booth's alert (over its real link) rings
 * the counter pages of its own pharmacy only; "J'arrive" reaches the booth
 * naming who is coming; an acknowledgement from another pharmacy, or from a
 * page whose session ended, is refused (a page signed out is closed); a doctor's session does not
 * open the counter and a member of staff's does not open the console. The
 * counter's intake reaches a booth of the staff member's own pharmacy,
 * naming them; another pharmacy's booth, a signed-out account and a
 * malformed intake are each refused with their code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubLink } from '../../../src/host/hub-link';
import type { Hub } from '../../../src/hub/server';
import { createLogger } from '../../../src/node/logger';
import type { ContextCatchUp } from '../../../src/shared/consult-protocol';
import { COUNTER, COUNTER_API, COUNTER_WS_PATH, type AlertReport, type Board, type CounterAcknowledge, type RingNote } from '../../../src/shared/counter-protocol';
import { CabineError } from '../../../src/shared/errors';
import type { IntakeInput } from '../../../src/shared/intake';
import { INTAKE, type IntakeUpdate } from '../../../src/shared/intake-protocol';
import { SESSION_TTL_MS } from '../../../src/hub/auth';
import { CLOSE_SIGNED_OUT } from '../../../src/shared/hub-protocol';
import { BOOTH_SECRETS, SPECIALISTS, STAFF, startTestHub } from '../../helpers/hub';
import { ConsoleClient } from '../../resilience/support/clients';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
let hub: Hub;
const links: { boothId: string; link: HubLink }[] = [];
const pages: ConsoleClient[] = [];

/** The hub's clock runs this far ahead of the wall clock: a test moves it past a session's end. */
let ahead = 0;
beforeAll(async () => {
  // Open pages' sessions are asked again only on the hour: what refuses a page's act here is the check at the act itself.
  hub = await startTestHub({ consoleDir: '/nonexistent', limits: { clock: { now: () => Date.now() + ahead }, sessionCheckMs: 3_600_000 } });
});
afterAll(async () => {
  for (const p of pages) p.ws.terminate();
  for (const l of links) await l.link.stop();
  await hub?.close();
});

async function booth(boothId: keyof typeof BOOTH_SECRETS): Promise<{ link: HubLink; acks: CounterAcknowledge[] }> {
  // One link per booth: two would keep replacing each other.
  for (const old of links.filter((l) => l.boothId === boothId)) await old.link.stop();
  const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId, token: BOOTH_SECRETS[boothId], log: silent, minDelayMs: 50, maxDelayMs: 200 });
  links.push({ boothId, link });
  const acks: CounterAcknowledge[] = [];
  link.handle(COUNTER.acknowledge, (p) => {
    acks.push(p as CounterAcknowledge);
    return { accepted: true };
  });
  link.start();
  await expect.poll(() => link.status).toBe('online');
  return { link, acks };
}

async function signIn(who: (typeof STAFF)[number]): Promise<string> {
  const res = await fetch(`${hub.url}${COUNTER_API.login}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: who.email, password: who.password }) });
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie')!;
  expect(cookie).toMatch(/HttpOnly; SameSite=Strict; Path=\//);
  return cookie.split(';')[0]!;
}

async function counterPage(who: (typeof STAFF)[number]): Promise<ConsoleClient> {
  const page = await ConsoleClient.open(hub.url, { cookie: await signIn(who), origin: hub.url }, COUNTER_WS_PATH);
  pages.push(page);
  return page;
}

const raised = (alertId: string): AlertReport => ({ alertId, reason: 'help', state: 'raised', raisedAt: new Date().toISOString(), acknowledgedBy: null });

describe('the counter page on the hub', () => {
  it('rings the counter of the booth\'s pharmacy only, and carries "J\'arrive" to the booth with the first name', async () => {
    const marie = await counterPage(STAFF[0]);
    const paul = await counterPage(STAFF[1]);
    const b1 = await booth('demo-booth-1');
    await expect.poll(() => marie.of<Board>(COUNTER.boardNote).at(-1)?.booths.map((b) => [b.boothId, b.online])).toEqual([['demo-booth-1', true]]);
    expect(paul.of<Board>(COUNTER.boardNote).at(-1)?.booths.map((b) => b.boothId)).toEqual(['demo-booth-2']);

    await expect(b1.link.request(COUNTER.alert, raised('alert-1'))).resolves.toEqual({ counters: 1 });
    await expect.poll(() => marie.of<RingNote>(COUNTER.ringNote)).toEqual([{ boothId: 'demo-booth-1', alertId: 'alert-1', reason: 'help', ring: 1 }]);
    expect(JSON.stringify(paul.notes)).not.toContain('alert-1');

    // Another pharmacy's staff cannot acknowledge it.
    await expect(paul.call(COUNTER.acknowledgeAlert, { boothId: 'demo-booth-1', alertId: 'alert-1' })).rejects.toMatchObject({ code: 'NOT_YOUR_PHARMACY' });
    expect(b1.acks).toEqual([]);

    await expect(marie.call(COUNTER.acknowledgeAlert, { boothId: 'demo-booth-1', alertId: 'alert-1' })).resolves.toEqual({ accepted: true });
    expect(b1.acks).toEqual([{ alertId: 'alert-1', by: { via: 'counter', staffId: 'marie', name: 'Marie' } }]);
    await expect.poll(() => marie.of<Board>(COUNTER.boardNote).at(-1)?.booths[0]?.alert).toMatchObject({ state: 'acknowledged', acknowledgedBy: { name: 'Marie' } });
  });

  it('answers the booth that nobody heard it when no counter page of its pharmacy is open', async () => {
    const b2 = await booth('demo-booth-2');
    for (const p of pages.filter((x) => x.of<Board>(COUNTER.boardNote)[0]?.booths[0]?.boothId === 'demo-booth-2')) p.ws.terminate();
    await expect.poll(() => b2.link.request(COUNTER.alert, raised(`alert-b2-${Date.now()}`))).toEqual({ counters: 0 });
  });

  it('closes a page whose account signed out and refuses the act of one whose session ended since it opened: no acknowledgement reaches the booth', async () => {
    const cookie = await signIn(STAFF[0]);
    const page = await ConsoleClient.open(hub.url, { cookie, origin: hub.url }, COUNTER_WS_PATH);
    pages.push(page);
    const b1 = await booth('demo-booth-1');
    await b1.link.request(COUNTER.alert, raised('alert-2'));
    await fetch(`${hub.url}${COUNTER_API.logout}`, { method: 'POST', headers: { cookie } });
    await expect.poll(() => page.closedWith).toBe(CLOSE_SIGNED_OUT);
    await expect(page.call(COUNTER.acknowledgeAlert, { boothId: 'demo-booth-1', alertId: 'alert-2' })).rejects.toMatchObject({ code: 'CLOSED' });
    // Nor can a page open again with that cookie.
    await expect(ConsoleClient.open(hub.url, { cookie, origin: hub.url }, COUNTER_WS_PATH)).rejects.toMatchObject({ status: 401 });

    // A session that ended while its page stayed open (expired here, or signed out on another node before the next check).
    const open = await ConsoleClient.open(hub.url, { cookie: await signIn(STAFF[0]), origin: hub.url }, COUNTER_WS_PATH);
    pages.push(open);
    ahead = SESSION_TTL_MS + 60_000;
    try {
      await expect(open.call(COUNTER.acknowledgeAlert, { boothId: 'demo-booth-1', alertId: 'alert-2' })).rejects.toMatchObject({ code: 'NOT_LOGGED_IN' });
    } finally {
      ahead = 0;
    }
    expect(b1.acks).toEqual([]);
  });

  it('keeps the roles apart: a doctor\'s session does not open the counter, a staff session does not open the console', async () => {
    const doctor = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SPECIALISTS[0].email, password: SPECIALISTS[0].password }) });
    const doctorCookie = doctor.headers.get('set-cookie')!.split(';')[0]!;
    await expect(ConsoleClient.open(hub.url, { cookie: doctorCookie, origin: hub.url }, COUNTER_WS_PATH)).rejects.toMatchObject({ status: 401 });
    const staffCookie = await signIn(STAFF[0]);
    await expect(ConsoleClient.open(hub.url, { cookie: staffCookie, origin: hub.url })).rejects.toMatchObject({ status: 401 });
    // The same value under the other cookie's name is no session either.
    await expect(ConsoleClient.open(hub.url, { cookie: staffCookie.replace(/^[^=]+/, 'cabine_session'), origin: hub.url })).rejects.toMatchObject({ status: 401 });
    // A staff password does not sign in to the console, nor a doctor's to the counter.
    const cross = await fetch(`${hub.url}${COUNTER_API.login}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SPECIALISTS[0].email, password: SPECIALISTS[0].password }) });
    expect(cross.status).toBe(401);
  });

  it('shows the queue position and the doctor on the board, and carries "Urgence" during a call to the doctor of that call only', async () => {
    const b1 = await booth('demo-booth-1');
    await b1.link.request('queue.join', {});
    const martin = await ConsoleClient.login(hub.url, SPECIALISTS[0].email, SPECIALISTS[0].password);
    const durand = await ConsoleClient.login(hub.url, SPECIALISTS[1].email, SPECIALISTS[1].password);
    pages.push(martin, durand);
    const marie = await counterPage(STAFF[0]);
    b1.link.notify(COUNTER.activity, { kind: 'waiting', step: null });
    await expect.poll(() => marie.of<Board>(COUNTER.boardNote).at(-1)?.booths[0]).toMatchObject({ activity: { kind: 'waiting' }, position: 1, doctor: null });
    await martin.call('queue.claim', { boothId: 'demo-booth-1' });
    b1.link.notify(COUNTER.activity, { kind: 'call', step: null });
    await expect.poll(() => marie.of<Board>(COUNTER.boardNote).at(-1)?.booths[0]).toMatchObject({ activity: { kind: 'call' }, position: null, doctor: SPECIALISTS[0].name });
    await b1.link.request(COUNTER.alert, raised('help-in-call'));
    await b1.link.request(COUNTER.alert, { ...raised('emergency-in-call'), reason: 'emergency' });
    await expect.poll(() => martin.of(COUNTER.emergencyNote)).toEqual([
      { boothId: 'demo-booth-1', alertId: 'emergency-in-call', state: 'raised', acknowledgedBy: null },
    ]);
    expect(durand.of(COUNTER.emergencyNote)).toEqual([]);
  });

  it('carries the counter\'s intake to a booth of the staff member\'s pharmacy, naming them, and refuses another pharmacy\'s booth, a signed-out account and a malformed intake', async () => {
    const b1 = await booth('demo-booth-1');
    const updates: IntakeUpdate[] = [];
    b1.link.handle(INTAKE.update, (p) => {
      const update = p as IntakeUpdate;
      updates.push(update);
      if (update.sessionId === 'session-gone') return { accepted: false, reason: 'session' };
      if (update.sessionId === 'session-refused') throw new CabineError('INVALID_INTAKE', { fr: 'refusée', en: 'refused' });
      return { accepted: true };
    });
    const intake: IntakeInput = {
      identity: { birthName: 'Martin', firstNames: 'Jeanne Louise', birthDate: '1941-03-07', sex: 'F', nir: '2 41 03 75 056 123 28' },
      reason: { code: 'skin', text: 'plaque au bras' },
      pathway: { pathway: 'gp-known' },
      gp: { name: 'Dr Paul Bernard', city: 'Tours' },
      reportToGp: true,
    };
    const cookie = await signIn(STAFF[0]);
    const marie = await ConsoleClient.open(hub.url, { cookie, origin: hub.url }, COUNTER_WS_PATH);
    pages.push(marie);
    const paul = await counterPage(STAFF[1]);

    await expect(marie.call(COUNTER.setIntake, { boothId: 'demo-booth-1', sessionId: 'session-1', intake })).resolves.toEqual({ accepted: true });
    expect(updates).toEqual([{
      sessionId: 'session-1',
      intake: { ...intake, identity: { ...intake.identity, nir: '241037505612328' } },
      staff: { staffId: 'marie', name: 'Marie', pharmacy: { name: 'Pharmacie test 1', city: 'Aurillac' } },
    }]);
    // The booth's answer and its typed refusals come back as they are.
    await expect(marie.call(COUNTER.setIntake, { boothId: 'demo-booth-1', sessionId: 'session-gone', intake })).resolves.toEqual({ accepted: false, reason: 'session' });
    await expect(marie.call(COUNTER.setIntake, { boothId: 'demo-booth-1', sessionId: 'session-refused', intake })).rejects.toMatchObject({ code: 'INVALID_INTAKE' });
    updates.length = 0;

    // Another pharmacy's booth, an unknown one alike.
    await expect(paul.call(COUNTER.setIntake, { boothId: 'demo-booth-1', sessionId: 'session-1', intake })).rejects.toMatchObject({ code: 'NOT_YOUR_PHARMACY' });
    await expect(paul.call(COUNTER.setIntake, { boothId: 'no-such-booth', sessionId: 'session-1', intake })).rejects.toMatchObject({ code: 'NOT_YOUR_PHARMACY' });
    // A NIR whose key does not match, a birth date that does not exist, no intake at all: refused at the hub.
    const wrongKey = { ...intake, identity: { ...intake.identity, nir: '2 41 03 75 056 123 29' } };
    await expect(marie.call(COUNTER.setIntake, { boothId: 'demo-booth-1', sessionId: 'session-1', intake: wrongKey })).rejects.toMatchObject({ code: 'INVALID_INTAKE' });
    const noSuchDay = { ...intake, identity: { ...intake.identity, birthDate: '1941-02-30' } };
    await expect(marie.call(COUNTER.setIntake, { boothId: 'demo-booth-1', sessionId: 'session-1', intake: noSuchDay })).rejects.toMatchObject({ code: 'INVALID_INTAKE' });
    await expect(marie.call(COUNTER.setIntake, { boothId: 'demo-booth-1', sessionId: 'session-1', intake: 'Martin' })).rejects.toMatchObject({ code: 'INVALID_INTAKE' });
    // Signed out since the page opened: the page is closed, and nothing it sends reaches the booth.
    await fetch(`${hub.url}${COUNTER_API.logout}`, { method: 'POST', headers: { cookie } });
    await expect.poll(() => marie.closedWith).toBe(CLOSE_SIGNED_OUT);
    await expect(marie.call(COUNTER.setIntake, { boothId: 'demo-booth-1', sessionId: 'session-1', intake })).rejects.toMatchObject({ code: 'CLOSED' });
    expect(updates).toEqual([]);
  });

  it('tells the console of an emergency already open when it claims the booth and when it reloads, until the alert ends', async () => {
    const b2 = await booth('demo-booth-2');
    await b2.link.request('queue.join', {});
    const emergency: AlertReport = { ...raised('emergency-before-claim'), reason: 'emergency' };
    await b2.link.request(COUNTER.alert, emergency);
    const durand = await ConsoleClient.login(hub.url, SPECIALISTS[1].email, SPECIALISTS[1].password);
    pages.push(durand);
    await durand.call('queue.claim', { boothId: 'demo-booth-2' });
    const open = { boothId: 'demo-booth-2', alertId: 'emergency-before-claim', state: 'raised', acknowledgedBy: null };
    expect((await durand.call<ContextCatchUp>('consult.context')).emergency).toEqual(open);

    // The console reloads: a new connection of the same doctor, back in the room.
    durand.ws.terminate();
    const reloaded = await ConsoleClient.login(hub.url, SPECIALISTS[1].email, SPECIALISTS[1].password);
    pages.push(reloaded);
    const caughtUp = async (): Promise<ContextCatchUp['emergency'] | 'no room'> => reloaded.call<ContextCatchUp>('consult.context').then((c) => c.emergency, () => 'no room' as const);
    await expect.poll(caughtUp).toEqual(open);

    await b2.link.request(COUNTER.alert, { ...emergency, state: 'acknowledged', acknowledgedBy: { via: 'booth', name: 'Paul' } });
    await expect.poll(caughtUp).toMatchObject({ state: 'acknowledged', acknowledgedBy: { name: 'Paul' } });
    await b2.link.request(COUNTER.alert, { ...emergency, state: 'resolved' });
    await expect.poll(caughtUp).toBeNull();
  });

  it('refuses a counter connection from another origin', async () => {
    await expect(ConsoleClient.open(hub.url, { cookie: await signIn(STAFF[0]), origin: 'https://evil.example' }, COUNTER_WS_PATH)).rejects.toMatchObject({ status: 403 });
  });
});
