/**
 * The booth's local alert in the host: raised through KioskApi (the patient's
 * "Pharmacien" button), by the network bound from kiosk-config, or by crash
 * recovery; each change stored as an incident of the session in the booth
 * store (and listed on the assistant panel); acknowledged and resolved by the
 * pharmacist in assistant mode, naming how.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Host } from '../../../src/host/host';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { BoothStore } from '../../../src/host/store/store';
import type { SessionEvent } from '../../../src/shared/domain';
import { testConfig } from '../../helpers/config';
import { silentLog, tempDir } from '../../helpers/store';

const PIN = '4821';
const identity = { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' };
function pinHash(pin: string): string {
  const salt = randomBytes(16);
  return `scrypt$1024$8$1$${salt.toString('base64')}$${scryptSync(pin, salt, 32, { N: 1024, r: 8, p: 1 }).toString('base64')}`;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function boothStore(): BoothStore {
  const { dir, cleanup } = tempDir('cabine-alert-');
  cleanups.push(cleanup);
  const store = BoothStore.open({ path: join(dir, 'booth.db'), keys: new FakeKeyProvider(), boothId: 'demo-booth-1' });
  cleanups.push(() => store.close());
  return store;
}

function startHost(overrides: Record<string, unknown> = {}, store = boothStore()) {
  const config = testConfig({ assistant: { pinHash: pinHash(PIN), maxTries: 3, lockoutMinutes: 5 }, ...overrides });
  const host = new Host(config, silentLog, { store, clock: { now: () => Date.parse('2026-11-23T10:00:00Z') } });
  host.start();
  cleanups.push(() => host.stop());
  return { host, store };
}

/** The incidents of the store, oldest first. */
function incidents(store: BoothStore): SessionEvent[] {
  return store.db.prepare<[], { id: string }>("SELECT id FROM session_events WHERE type = 'incident' ORDER BY at, id").all()
    .map((r) => store.getSessionEvent(r.id)!);
}

async function toIdentity(host: Host) {
  for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }] as const) await host.dispatch('sendEvent', { event });
}

describe('the patient calls the pharmacist', () => {
  it('raises the alert, stores it as an incident of the session and lists it for the pharmacist', async () => {
    const { host, store } = startHost();
    const seen: unknown[] = [];
    host.on('kioskEvent', (e) => { if (e.name === 'incident') seen.push(e.data); });
    await toIdentity(host);
    await expect(host.dispatch('sendEvent', { event: { type: 'CALL_PHARMACIST' } })).resolves.toEqual({ accepted: true });
    const alert = host.view().context.alert as { id: string };
    expect(alert).toMatchObject({ reason: 'help', state: 'raised', raisedAt: '2026-11-23T10:00:00.000Z', acknowledgedBy: null, chime: { volume: 1 } });
    expect(alert.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    await vi.waitFor(() => expect(incidents(store)).toHaveLength(1));
    expect(incidents(store)[0]).toMatchObject({ sessionId: host.view().sessionId, data: { code: 'ALERT_RAISED', alertId: alert.id, reason: 'help' } });
    expect(seen).toEqual([expect.objectContaining({ code: 'ALERT_RAISED' })]);
    await host.dispatch('assistantLogin', { pin: PIN });
    const listed = await host.dispatch('assistantIncidents', {}) as { incidents: { code: string }[] };
    // Newest first: the pharmacist's own arrival, then why they were called.
    expect(listed.incidents).toMatchObject([
      { code: 'ALERT_ACKNOWLEDGED', message: { fr: expect.stringContaining('Alerte prise en charge à la cabine') } },
      { code: 'ALERT_RAISED', message: { fr: expect.stringContaining('Le patient demande le pharmacien') } },
    ]);
  });

  it('is acknowledged by the pharmacist\'s PIN at the booth and resolved only in assistant mode, each step stored with who did it', async () => {
    const { host, store } = startHost();
    await toIdentity(host);
    await host.dispatch('sendEvent', { event: { type: 'CALL_PHARMACIST' } });
    await expect(host.dispatch('assistantAlert', { action: 'acknowledge' })).rejects.toMatchObject({ code: 'ASSISTANT_REQUIRED' });
    await expect(host.dispatch('assistantAlert', { action: 'resolve' })).rejects.toMatchObject({ code: 'ASSISTANT_REQUIRED' });
    expect(host.view().context.alert).toMatchObject({ state: 'raised' });
    // A wrong PIN is nobody at the booth.
    await host.dispatch('assistantLogin', { pin: '0000' });
    expect(host.view().context.alert).toMatchObject({ state: 'raised' });
    await host.dispatch('assistantLogin', { pin: PIN });
    expect(host.view().context.alert).toMatchObject({ state: 'acknowledged', acknowledgedBy: { via: 'booth' } });
    await expect(host.dispatch('assistantAlert', { action: 'resolve' })).resolves.toEqual({ accepted: true });
    expect(host.view().context.alert).toBeNull();
    await vi.waitFor(() => expect(incidents(store).map((e) => e.data?.code)).toEqual(['ALERT_RAISED', 'ALERT_ACKNOWLEDGED', 'ALERT_RESOLVED']));
    expect(incidents(store)[1]!.data).toMatchObject({ by: { via: 'booth' } });
    await expect(host.dispatch('assistantAlert', { action: 'acknowledge' })).resolves.toEqual({ accepted: false });
  });

  it('sends the chime settings of kiosk-config with the alert, none when the chime is off', async () => {
    const quiet = startHost({ alert: { chime: { volume: 0.4 } } }).host;
    await toIdentity(quiet);
    await quiet.dispatch('sendEvent', { event: { type: 'CALL_PHARMACIST' } });
    expect(quiet.view().context.alert).toMatchObject({ chime: { volume: 0.4 } });
    const off = startHost({ alert: { chime: { enabled: false } } }).host;
    await toIdentity(off);
    await off.dispatch('sendEvent', { event: { type: 'CALL_PHARMACIST' } });
    expect(off.view().context.alert).toMatchObject({ state: 'raised', chime: null });
  });
});

describe('a call whose hub does not come back', () => {
  it('calls the pharmacist after kiosk-config reconnectAlertSeconds and stores the incident', async () => {
    const { host, store } = startHost({ alert: { reconnectAlertSeconds: 0.05 } });
    await toIdentity(host);
    await host.dispatch('assistantLogin', { pin: PIN });
    await host.dispatch('assistantSetIdentity', { identity });
    host.sendHostEvent({ type: 'CLAIMED' });
    host.sendHostEvent({ type: 'NETWORK_LOST' });
    expect(host.view().context).toMatchObject({ network: 'reconnecting', alert: null });
    await vi.waitFor(() => expect(host.view().context).toMatchObject({ network: 'unreachable', alert: { reason: 'call-not-recovering', state: 'raised' } }));
    await vi.waitFor(() => expect(incidents(store).map((e) => e.data?.reason)).toEqual(['call-not-recovering']));
  });
});

describe('after a crash', () => {
  it('shows the interrupted session\'s incident screen at start-up and calls the pharmacist', async () => {
    const store = boothStore();
    // A crash a minute ago: the patient may still be there (an older one gets no screen, crash-recovery.test.ts).
    const t = Date.now() - 60_000;
    for (const [i, [from, to]] of [['flow.attract', 'flow.language'], ['flow.waitingRoom', 'flow.consultation']].entries()) {
      store.saveSessionEvent({ id: uuidv7(), sessionId: 'crashed-session', type: 'transition', at: new Date(t + i * 1000).toISOString(), data: { from, to, event: 'X' } });
    }
    const { host } = startHost({}, store);
    expect(host.view()).toMatchObject({ state: 'interrupted', sessionId: 'crashed-session', context: { alert: { reason: 'technical-incident', state: 'raised' } } });
    await vi.waitFor(() => expect(incidents(store).map((e) => [e.sessionId, e.data?.code])).toEqual([
      ['crashed-session', 'SESSION_INTERRUPTED'], ['crashed-session', 'ALERT_RAISED'],
    ]));
  });

  it('starts at attract when the last session ended normally', () => {
    const { host } = startHost();
    expect(host.view()).toMatchObject({ state: 'attract', context: { alert: null } });
  });
});
