import { describe, expect, it } from 'vitest';
import { FakeBpCuff } from '../../../devices/drivers/bp-cuff/fake';
import { FakeThermometer } from '../../../devices/drivers/thermometer/fake';
import { Host } from '../../../src/host/host';
import type { KioskEvent } from '../../../src/shared/kiosk-api';
import { createLogger } from '../../../src/node/logger';
import { testConfig } from '../../helpers/config';
import { pharmacistMeasures, walkToCall } from '../../helpers/measure';

const silent = createLogger('test');

function hostWith(...drivers: (FakeThermometer | FakeBpCuff)[]) {
  const host = new Host(testConfig(), silent, { drivers });
  const events: KioskEvent[] = [];
  host.on('kioskEvent', (e) => events.push(e));
  return { host, events };
}

describe('host device wiring', () => {
  it('starts injected drivers and forwards their statuses and readings, stamped with the session id', async () => {
    const thermometer = new FakeThermometer();
    const { host, events } = hostWith(thermometer);
    host.start();
    await new Promise((r) => setImmediate(r));
    expect(thermometer.calls).toContain('start');
    // A reading belongs to a measurement someone asked for (nothing else is recorded): the pharmacist asks for a temperature.
    await walkToCall(host);
    await pharmacistMeasures(host, 'temperature');
    const sent = thermometer.emitTemperature(37.1);
    await new Promise((r) => setImmediate(r));
    const reading = events.find((e) => e.name === 'reading');
    expect(reading?.data).toMatchObject({ id: sent.id, sessionId: host.view().sessionId });
    expect(events.some((e) => e.name === 'deviceStatus' && e.data.state === 'ready')).toBe(true);
    host.stop();
  });

  it('routes requestMeasurement to the right driver', async () => {
    const thermometer = new FakeThermometer();
    const cuff = new FakeBpCuff();
    const { host } = hostWith(thermometer, cuff);
    host.start();
    await expect(host.dispatch('requestMeasurement', { kind: 'blood-pressure' })).resolves.toEqual({ accepted: true });
    expect(cuff.calls).toContain('measure');
    expect(thermometer.calls).not.toContain('measure');
    host.stop();
  });

  it('refuses a measurement no installed device can take, with a typed error', async () => {
    const { host } = hostWith(new FakeThermometer());
    host.start();
    await expect(host.dispatch('requestMeasurement', { kind: 'spo2' })).rejects.toMatchObject({ code: 'DEVICE_NOT_CONFIGURED' });
    host.stop();
  });
});
