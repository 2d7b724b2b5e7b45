/**
 * A device that refuses every measurement at once (busy, unplugged) and a
 * "Réessayer" answered the instant the recovery screen shows: each failure
 * must reach the session as a task of its own, so the booth's timers, sockets
 * and devices keep running between tries. Delivered as a microtask, the
 * refusal and the retry fed each other forever and the host froze at 100 %
 * CPU (seen in CI: the sync-network test's fork spun for an hour).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../../devices/contracts';
import { FakeThermometer } from '../../../devices/drivers/thermometer/fake';
import { Host } from '../../../src/host/host';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { createLogger } from '../../../src/node/logger';
import type { KioskEvent } from '../../../src/shared/kiosk-api';
import { testConfig } from '../../helpers/config';
import { pharmacistMeasures, walkToCall } from '../../helpers/measure';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A thermometer that refuses every measurement at once, as one unplugged mid-session does. */
class RefusingThermometer extends FakeThermometer {
  override async measure(): Promise<void> {
    this.calls.push('measure');
    throw new DeviceError('DISCONNECTED', this.id, { fr: 'Le thermomètre ne répond plus.', en: 'The thermometer does not answer.' });
  }
}

describe('a measurement the device refuses at once', () => {
  it('lets the booth\'s timers run between a refusal and the retry pressed the instant the recovery screen shows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cabine-refusing-'));
    const thermometer = new RefusingThermometer();
    const config = testConfig({
      store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 },
      hub: { url: 'ws://127.0.0.1:9/booth', token: 'x'.repeat(20) },
    });
    const host = new Host(config, silent, { drivers: [thermometer], keys: new FakeKeyProvider() });
    host.start();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => host.stop());
    await walkToCall(host);

    // Bounded, so that the old behaviour shows as a failure rather than a test that never ends.
    const MAX_RETRIES = 500;
    let retries = 0;
    host.on('kioskEvent', (e: KioskEvent) => {
      if (e.name === 'snapshot' && e.data.state === 'consultation.recovery' && retries < MAX_RETRIES) {
        retries += 1;
        void host.dispatch('sendEvent', { event: { type: 'RETRY' } });
      }
    });
    let retriesWhenATimerRan: number | undefined;
    setTimeout(() => (retriesWhenATimerRan = retries), 0);
    await pharmacistMeasures(host, 'temperature');
    await new Promise((r) => setTimeout(r, 20));

    expect(retriesWhenATimerRan).toBeDefined();
    expect(retriesWhenATimerRan!).toBeLessThan(MAX_RETRIES);
    expect(thermometer.calls.filter((c) => c === 'measure').length).toBeGreaterThan(1);
  });
});
