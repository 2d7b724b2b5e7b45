/**
 * The pharmacist's intake from the assistant panel to the doctor's console,
 * through a real Host and a real hub: checked against the clock, recorded as
 * a session event naming who made it, and seen by the doctor who takes the
 * call only (the list every console sees has no surname, no birth date).
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Host } from '../../../src/host/host';
import type { Hub } from '../../../src/hub/server';
import type { ContextCatchUp } from '../../../src/shared/consult-protocol';
import type { SessionEvent } from '../../../src/shared/domain';
import type { IntakeInput } from '../../../src/shared/intake';
import { INTAKE } from '../../../src/shared/intake-protocol';
import { testConfig } from '../../helpers/config';
import { BOOTH_SECRETS, SPECIALISTS, startTestHub, testHubConfig } from '../../helpers/hub';
import { silentLog, tempDir } from '../../helpers/store';
import { ConsoleClient } from '../../resilience/support/clients';

const PIN = '4821';
/** A cheap scrypt cost for tests; the format is the real one. */
function pinHash(pin: string): string {
  const salt = randomBytes(16);
  return `scrypt$1024$8$1$${salt.toString('base64')}$${scryptSync(pin, salt, 32, { N: 1024, r: 8, p: 1 }).toString('base64')}`;
}

const NOW = Date.parse('2026-12-01T10:00:00Z');
const intake: IntakeInput = {
  identity: { birthName: 'Martin', firstNames: 'Jeanne Louise', birthDate: '1941-03-07', sex: 'F', nir: '2 41 03 75 056 123 28' },
  reason: { code: 'skin', text: 'plaque au bras' },
  pathway: { pathway: 'gp-known' },
  gp: { name: 'Dr Paul Bernard', city: 'Tours', mssante: 'paul.bernard@medecin.mssante.fr' },
  reportToGp: true,
};

let hub: Hub;
let hubDir: { dir: string; cleanup: () => void };
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  hubDir = tempDir('cabine-intake-hub-');
  hub = await startTestHub({ consoleDir: '/nonexistent', config: await testHubConfig(hubDir.dir) });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await hub?.close();
  hubDir?.cleanup();
});

async function specialist(): Promise<ConsoleClient> {
  const client = await ConsoleClient.login(hub.url, SPECIALISTS[0].email, SPECIALISTS[0].password);
  const { ws } = client;
  cleanups.push(() => new Promise<void>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once('close', () => resolve());
    ws.close();
  }));
  return client;
}

/** The session's events as the hub's record holds them (the booth sealed them, its outbox synced them). */
async function recorded(sessionId: string | null, type: string): Promise<SessionEvent[]> {
  const items = await hub.record.repo.sessionItems(sessionId ?? '');
  return items.flatMap(({ item }) => (item.kind === 'sessionEvent' && item.data.type === type ? [item.data] : []));
}

async function booth(): Promise<{ host: Host }> {
  const dir = tempDir('cabine-intake-');
  const config = testConfig({
    boothId: 'demo-booth-1',
    hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS['demo-booth-1'] },
    store: { path: join(dir.dir, 'booth.db'), keyFile: join(dir.dir, 'booth.key'), retentionDays: 30 },
    assistant: { pinHash: pinHash(PIN), maxTries: 3, lockoutMinutes: 5 },
  });
  const host = new Host(config, silentLog, { clock: { now: () => NOW } });
  host.start();
  cleanups.push(async () => {
    await host.stop();
    dir.cleanup();
  });
  await expect.poll(() => host.hubLink.status).toBe('online');
  for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }] as const) {
    await host.dispatch('sendEvent', { event });
  }
  return { host };
}

describe('intake by the pharmacist', () => {
  it('needs the PIN, refuses a birth date after today in words the pharmacist can act on, and moves nothing', async () => {
    const { host } = await booth();
    await expect(host.dispatch('assistantIntake', { intake })).rejects.toMatchObject({ code: 'ASSISTANT_REQUIRED' });
    await host.dispatch('assistantLogin', { pin: PIN });
    const future = { ...intake, identity: { ...intake.identity, birthDate: '2026-12-02' } };
    await expect(host.dispatch('assistantIntake', { intake: future })).rejects.toMatchObject({
      code: 'INVALID_INTAKE', userMessage: { fr: expect.stringContaining('dans le futur'), en: expect.stringContaining('in the future') },
    });
    // The panel checks the NIR's key as it is typed (same schema); the API refuses it at the door all the same.
    const wrongKey = { ...intake, identity: { ...intake.identity, nir: '241037505612329' } };
    await expect(host.dispatch('assistantIntake', { intake: wrongKey })).rejects.toMatchObject({ code: 'API_INVALID_MESSAGE' });
    expect(host.view().state).toBe('identity.entry');
  });

  it('records the intake naming who made it, sends the patient to the waiting room, and gives the doctor who claims the booth the banner, reason, pathway, consent time and GP', async () => {
    const { host } = await booth();
    const doctor = await specialist();
    await host.dispatch('assistantLogin', { pin: PIN });
    await expect(host.dispatch('assistantIntake', { intake })).resolves.toEqual({ accepted: true });
    expect(host.view()).toMatchObject({ state: 'waitingRoom', context: { intake: { identity: { nir: '241037505612328' } } } });
    const sessionId = host.view().sessionId;
    await expect.poll(async () => (await recorded(sessionId, 'intake'))[0]?.data, { timeout: 10_000 })
      .toMatchObject({ by: { via: 'booth' }, intake: { reason: { code: 'skin' } } });

    // The list every console sees: first name, age, reason; no surname, no birth date, no NIR.
    await expect.poll(() => doctor.of<{ booths: { boothId: string; reason: string | null }[] }>('queue.updated').at(-1)?.booths.find((b) => b.boothId === 'demo-booth-1')?.reason)
      .toBe('Problème de peau : plaque au bras');
    expect(JSON.stringify(doctor.notes)).not.toMatch(/Martin|1941|241037/);

    // A correction while the patient waits: the doctor gets the latest.
    await host.dispatch('assistantIntake', { intake: { ...intake, reason: { code: 'fever' } } });
    await expect.poll(() => doctor.of<{ booths: { boothId: string; reason: string | null }[] }>('queue.updated').at(-1)?.booths.find((b) => b.boothId === 'demo-booth-1')?.reason)
      .toBe('Fièvre');
    await expect.poll(async () => (await recorded(sessionId, 'intake')).length, { timeout: 10_000 }).toBe(2);

    await doctor.call('queue.claim', { boothId: 'demo-booth-1' });
    const context = await doctor.call<ContextCatchUp>('consult.context');
    expect(context.patient.intake).toEqual({
      birthName: 'Martin', firstNames: 'Jeanne Louise', birthDate: '1941-03-07', sex: 'F',
      reason: { code: 'fever' }, pathway: { pathway: 'gp-known' }, consentAt: new Date(NOW).toISOString(),
      gp: { name: 'Dr Paul Bernard', city: 'Tours', mssante: 'paul.bernard@medecin.mssante.fr' }, reportToGp: true,
    });
    expect(JSON.stringify(context)).not.toContain('241037');
    // Past the waiting room, the intake is no longer taken.
    await expect.poll(() => host.view().state).toBe('consultation.call');
    await expect(host.dispatch('assistantIntake', { intake })).resolves.toEqual({ accepted: false });
  });

  it('takes the counter’s update through the hub for staff of the booth’s pharmacy, naming them, and refuses another pharmacy’s with its code', async () => {
    const { host } = await booth();
    const sessionId = host.view().sessionId!;
    const peer = hub.booths.peer('demo-booth-1')!;
    const staff = { staffId: 'staff-7', name: 'Marie', pharmacy: host.config.pharmacy };
    await expect(peer.request(INTAKE.update, { sessionId, intake, staff }, 5_000)).resolves.toEqual({ accepted: true });
    expect(host.view().state).toBe('waitingRoom');
    await expect.poll(async () => (await recorded(sessionId, 'intake'))[0]?.data, { timeout: 10_000 })
      .toMatchObject({ by: { via: 'counter', staffId: 'staff-7', name: 'Marie' } });
    const other = { ...staff, pharmacy: { name: 'Pharmacie de la Gare', city: 'Ailleurs' } };
    await expect(peer.request(INTAKE.update, { sessionId, intake, staff: other }, 5_000)).rejects.toMatchObject({ code: 'OTHER_PHARMACY' });
  });
});
