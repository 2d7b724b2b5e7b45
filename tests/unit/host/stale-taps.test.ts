/**
 * A patient's tap applies to the screen it was made on. The kiosk tags its
 * step taps with the screen it showed (`screenOf`); the host, through the
 * KioskApi dispatcher the transports use, applies one only while the session
 * still shows that screen. A real Host and store, no hub.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Host } from '../../../src/host/host';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { createLogger } from '../../../src/node/logger';
import { screenOf } from '../../../src/shared/session-view';
import { testConfig } from '../../helpers/config';
import { walkToCall } from '../../helpers/measure';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function booth(): Host {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-taps-'));
  const config = testConfig({
    store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 },
    hub: { url: 'ws://127.0.0.1:9/booth', token: 'x'.repeat(20) },
  });
  const host = new Host(config, silent, { keys: new FakeKeyProvider() });
  host.start();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => host.stop());
  return host;
}

const tap = (host: Host, type: string, screen?: string) =>
  host.dispatch('sendEvent', { event: { type }, ...(screen === undefined ? {} : { screen }) }) as Promise<{ accepted: boolean }>;

const guidanceStep = (host: Host) => host.view().context.measurement?.step;

describe('a tap applies to the screen it was made on', () => {
  it('a « Suivant » made on the screen before does not move the guidance the doctor\'s next request has put up', async () => {
    const host = booth();
    await walkToCall(host);
    host.consult.measurementRequested({ requestId: '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b', kind: 'spo2' });
    expect(host.view().state).toBe('consultation.guidance');
    const onGuidance = screenOf(host.view());
    // Back to the call, then the doctor asks for the temperature as the patient taps « Suivant » on the spO2 guidance.
    await tap(host, 'BACK', onGuidance);
    expect(host.view().state).toBe('consultation.call');
    host.consult.measurementRequested({ requestId: '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7c', kind: 'temperature' });
    expect(await tap(host, 'NEXT', onGuidance)).toEqual({ accepted: false });
    expect({ state: host.view().state, kind: host.view().context.measurement?.kind, step: guidanceStep(host) })
      .toEqual({ state: 'consultation.guidance', kind: 'temperature', step: 0 });
  });

  it('a double tap on « Suivant » moves the guidance one step, and the next tap on the new step moves it again', async () => {
    const host = booth();
    await walkToCall(host);
    host.consult.measurementRequested({ requestId: '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b', kind: 'blood-pressure' });
    const first = screenOf(host.view());
    expect(await tap(host, 'NEXT', first)).toEqual({ accepted: true });
    expect(await tap(host, 'NEXT', first)).toEqual({ accepted: false });
    expect(guidanceStep(host)).toBe(1);
    expect(await tap(host, 'NEXT', screenOf(host.view()))).toEqual({ accepted: true });
    expect(guidanceStep(host)).toBe(2);
  });

  it('the alarms are never held back: « Urgence » made on a screen the session has left still opens the emergency guidance', async () => {
    const host = booth();
    await walkToCall(host);
    const onCall = screenOf(host.view());
    host.consult.measurementRequested({ requestId: '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b', kind: 'spo2' });
    expect(await tap(host, 'EMERGENCY', onCall)).toEqual({ accepted: true });
    expect(host.view().context.overlay).toBe('emergency');
  });

  it('a tap with no screen named (a tool, a test) applies as before', async () => {
    const host = booth();
    await walkToCall(host);
    host.consult.measurementRequested({ requestId: '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b', kind: 'spo2' });
    expect(await tap(host, 'NEXT')).toEqual({ accepted: true });
    expect(await tap(host, 'NEXT')).toEqual({ accepted: true });
    expect(guidanceStep(host)).toBe(2);
  });
});
