/**
 * Assistant mode in the host: the PIN checked against kiosk-config's scrypt
 * hash, the lock-out after too many wrong tries (injected clock), the
 * assistant-only KioskApi calls, and the session trace.
 */
import { randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Driver } from '../../../devices/contracts';
import { FakeDermatoscope } from '../../../devices/drivers/dermatoscope/fake';
import { AssistantAuth } from '../../../src/host/assistant-auth';
import { Host } from '../../../src/host/host';
import type { SessionEvent } from '../../../src/shared/domain';
import { createLogger } from '../../../src/node/logger';
import { testConfig } from '../../helpers/config';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
/** A cheap scrypt cost for tests; the format is the real one. */
function pinHash(pin: string): string {
  const salt = randomBytes(16);
  return `scrypt$1024$8$1$${salt.toString('base64')}$${scryptSync(pin, salt, 32, { N: 1024, r: 8, p: 1 }).toString('base64')}`;
}
const PIN = '4821';
const identity = { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function startHost(now: { t: number }, drivers: Driver[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-assistant-'));
  const config = testConfig({
    assistant: { pinHash: pinHash(PIN), maxTries: 3, lockoutMinutes: 5 },
    store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 },
  });
  const host = new Host(config, silent, { clock: { now: () => now.t }, drivers });
  const events: SessionEvent[] = [];
  host.on('sessionEvent', (e) => events.push(e));
  host.start();
  cleanups.push(async () => {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { host, events };
}

describe('assistant PIN', () => {
  it('locks out after maxTries wrong PINs, refuses even the right PIN during the lock-out, and counts afresh afterwards', async () => {
    const now = { t: Date.parse('2026-11-23T10:00:00Z') };
    const auth = new AssistantAuth({ pinHash: pinHash(PIN), maxTries: 3, lockoutMinutes: 5, clock: { now: () => now.t } });
    expect(await auth.login('0000')).toEqual({ ok: false, triesLeft: 2, lockedUntil: null });
    expect(await auth.login('1111')).toEqual({ ok: false, triesLeft: 1, lockedUntil: null });
    expect(await auth.login('2222')).toEqual({ ok: false, triesLeft: 0, lockedUntil: '2026-11-23T10:05:00.000Z' });
    now.t += 4 * 60_000;
    expect(await auth.login(PIN)).toMatchObject({ ok: false, lockedUntil: '2026-11-23T10:05:00.000Z' });
    now.t += 60_000;
    expect(await auth.login('3333')).toEqual({ ok: false, triesLeft: 2, lockedUntil: null });
    expect(await auth.login(PIN)).toEqual({ ok: true, triesLeft: 3, lockedUntil: null });
  });

  it('a right PIN resets the count of wrong tries', async () => {
    const auth = new AssistantAuth({ pinHash: pinHash(PIN), maxTries: 3, lockoutMinutes: 5 });
    await auth.login('0000');
    await auth.login('0001');
    expect((await auth.login(PIN)).ok).toBe(true);
    expect(await auth.login('0002')).toMatchObject({ ok: false, triesLeft: 2 });
  });

  it('refuses a malformed hash rather than letting anyone in', async () => {
    const auth = new AssistantAuth({ pinHash: 'scrypt$broken', maxTries: 3, lockoutMinutes: 5 });
    expect((await auth.login(PIN)).ok).toBe(false);
  });
});

describe('assistant mode in the host', () => {
  it('enters assistant mode through assistantLogin and the lock-out of the host uses its clock', async () => {
    const now = { t: Date.parse('2026-11-23T10:00:00Z') };
    const { host } = startHost(now);
    for (let i = 0; i < 3; i++) await host.dispatch('assistantLogin', { pin: '9999' });
    expect(await host.dispatch('assistantLogin', { pin: PIN })).toMatchObject({ ok: false, lockedUntil: '2026-11-23T10:05:00.000Z' });
    expect(host.view().assistant).toBe(false);
    now.t += 5 * 60_000;
    expect(await host.dispatch('assistantLogin', { pin: PIN })).toMatchObject({ ok: true });
    expect(host.view().assistant).toBe(true);
    await host.dispatch('assistantLogout', {});
    expect(host.view().assistant).toBe(false);
  });

  it('refuses the assistant calls without the PIN, with a typed error, and takes them after it', async () => {
    const { host } = startHost({ t: Date.now() });
    await host.dispatch('sendEvent', { event: { type: 'TOUCH' } });
    await host.dispatch('sendEvent', { event: { type: 'CHOOSE_LANGUAGE', language: 'fr' } });
    await host.dispatch('sendEvent', { event: { type: 'ACCEPT' } });
    await expect(host.dispatch('assistantSetIdentity', { identity })).rejects.toMatchObject({ code: 'ASSISTANT_REQUIRED' });
    await expect(host.dispatch('assistantIncidents', {})).rejects.toMatchObject({ code: 'ASSISTANT_REQUIRED' });
    expect(host.view().state).toBe('identity.entry');
    await host.dispatch('assistantLogin', { pin: PIN });
    await expect(host.dispatch('assistantSetIdentity', { identity })).resolves.toEqual({ accepted: true });
    expect(host.view()).toMatchObject({ state: 'waitingRoom', context: { identity } });
    await expect(host.dispatch('assistantAction', { action: 'end-session' })).resolves.toEqual({ accepted: true });
    expect(host.view().state).toBe('privacyWipe');
    expect(host.view().context.identity).toBeFalsy();
  });

  it('refuses a host-only event sent by the renderer', async () => {
    const { host } = startHost({ t: Date.now() });
    await expect(host.dispatch('sendEvent', { event: { type: 'CLAIMED' } } as never)).rejects.toMatchObject({ code: 'API_INVALID_MESSAGE' });
  });

  it('emits a sessionEvent for each transition, stamped with the session id and no personal data', async () => {
    const { host, events } = startHost({ t: Date.parse('2026-11-23T10:00:00Z') });
    await host.dispatch('sendEvent', { event: { type: 'TOUCH' } });
    await host.dispatch('sendEvent', { event: { type: 'CHOOSE_LANGUAGE', language: 'en' } });
    await host.dispatch('assistantLogin', { pin: PIN });
    await host.dispatch('sendEvent', { event: { type: 'ACCEPT' } });
    await host.dispatch('assistantSetIdentity', { identity });
    const sessionId = host.view().sessionId;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(events.every((e) => e.sessionId === sessionId && e.type === 'transition' && e.at === '2026-11-23T10:00:00.000Z')).toBe(true);
    expect(events.map((e) => e.data)).toContainEqual({ from: 'flow.attract', to: 'flow.language', event: 'TOUCH' });
    expect(events.map((e) => e.data)).toContainEqual({ from: 'flow.identity.entry', to: 'flow.waitingRoom', event: 'SET_IDENTITY' });
    expect(JSON.stringify(events)).not.toContain('Martin');
  });
});

describe('dermatoscope photo in the session', () => {
  it('stores the still sent by the renderer, then shows the photo result', async () => {
    const dermatoscope = new FakeDermatoscope();
    const { host } = startHost({ t: Date.parse('2026-11-23T10:00:00Z') }, [dermatoscope]);
    for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }] as const) await host.dispatch('sendEvent', { event });
    await host.dispatch('assistantLogin', { pin: PIN });
    await host.dispatch('assistantSetIdentity', { identity });
    host.sendHostEvent({ type: 'CLAIMED' });
    host.sendHostEvent({ type: 'MEASUREMENT_REQUESTED', kind: 'dermatoscope-photo' });
    await host.dispatch('sendEvent', { event: { type: 'START_MEASURE' } });
    expect(dermatoscope.calls).toContain('measure');
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const transferId = randomUUID();
    await host.dispatch('binaryBegin', { transferId, contentType: 'image/png', totalBytes: png.length });
    await host.dispatch('binaryChunk', { transferId, index: 0 }, png);
    const { uploadId } = (await host.dispatch('binaryEnd', { transferId })) as { uploadId: string };
    const { photoId } = (await host.dispatch('capturePhoto', { width: 4, height: 4, polarisation: 'polarised', uploadId })) as { photoId: string };
    expect(photoId).toMatch(/^[0-9a-f-]{36}$/);
    expect(host.view()).toMatchObject({ state: 'consultation.result', context: { measurement: { kind: 'dermatoscope-photo' } } });
  });
});

describe('network of the call', () => {
  it('tells the session when a hub link that was up goes down and comes back, and shows it only in the queue and the call', async () => {
    const { host } = startHost({ t: Date.now() });
    host.hubLink.emit('status', 'offline');
    expect(host.view().context.network).toBe('online');
    for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }] as const) await host.dispatch('sendEvent', { event });
    host.hubLink.emit('status', 'online');
    host.hubLink.emit('status', 'connecting');
    expect(host.view()).toMatchObject({ state: 'identity.entry', context: { network: 'online' } });
    await host.dispatch('assistantLogin', { pin: PIN });
    await host.dispatch('assistantSetIdentity', { identity });
    expect(host.view()).toMatchObject({ state: 'waitingRoom', context: { network: 'reconnecting' } });
    host.hubLink.emit('status', 'online');
    expect(host.view().context.network).toBe('online');
  });
});
