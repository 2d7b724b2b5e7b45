/**
 * The dermatoscope's HID capture button (devices/drivers/dermatoscope) at the
 * host: in the dermatoscope guidance it means "I am ready" (the kiosk takes
 * the still on entering `measuring`); on the result it takes the photo again;
 * anywhere else it does nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDermatoscope } from '../../../devices/drivers/dermatoscope/fake';
import { Host } from '../../../src/host/host';
import { createLogger } from '../../../src/node/logger';
import { testConfig } from '../../helpers/config';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const identity = { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' };
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function startHost() {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-button-'));
  const config = testConfig({ store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 } });
  const derm = new FakeDermatoscope();
  const host = new Host(config, silent, { drivers: [derm] });
  host.start();
  cleanups.push(async () => {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { host, derm };
}

async function toCall(host: Host) {
  for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }] as const) await host.dispatch('sendEvent', { event });
  host.sendHostEvent({ type: 'ASSISTANT_LOGIN' });
  host.sendHostEvent({ type: 'SET_IDENTITY', identity });
  host.sendHostEvent({ type: 'CLAIMED' });
}

describe('dermatoscope capture button', () => {
  it('starts the photo from the guidance and retakes it from the result', async () => {
    const { host, derm } = startHost();
    await toCall(host);
    host.sendHostEvent({ type: 'MEASUREMENT_REQUESTED', kind: 'dermatoscope-photo', requestId: '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b', bodySite: 'dos' });
    expect(host.view().state).toBe('consultation.guidance');
    derm.press();
    expect(host.view().state).toBe('consultation.measuring');
    host.sendHostEvent({ type: 'PHOTO_CAPTURED', photoId: 'p1' });
    expect(host.view().state).toBe('consultation.result');
    derm.press();
    expect(host.view().state).toBe('consultation.measuring');
  });

  it('does nothing outside a dermatoscope measurement', async () => {
    const { host, derm } = startHost();
    await toCall(host);
    derm.press();
    expect(host.view().state).toBe('consultation.call');
    host.sendHostEvent({ type: 'MEASUREMENT_REQUESTED', kind: 'temperature' });
    derm.press();
    expect(host.view().state).toBe('consultation.guidance');
  });
});
