import { afterEach, describe, expect, it } from 'vitest';
import { DermatoscopeDriver, type CaptureRequest } from '../../../../devices/drivers/dermatoscope/driver';
import { DermatoscopeSimulator, SIMULATED_DERMATOSCOPE } from '../../../../devices/drivers/dermatoscope/simulator';
import { FakeHidBus } from '../../../../devices/drivers/hid/fake';
import { hex } from '../protocols/helpers';
import { FAST, record, until } from './helpers';

let driver: DermatoscopeDriver | undefined;
afterEach(async () => {
  await driver?.stop();
  driver = undefined;
});

describe('dermatoscope button driver (fake HID)', () => {
  it('asks for one capture per press, with the lighting mode, from captured reports', async () => {
    const bus = new FakeHidBus();
    bus.plug(SIMULATED_DERMATOSCOPE);
    driver = new DermatoscopeDriver({ id: 'dermatoscope-1', vendorId: 0x1209, productId: 0x0002, backend: bus, timing: FAST });
    const captures: CaptureRequest[] = [];
    driver.onCapture((c) => captures.push(c));
    await driver.start();
    const path = SIMULATED_DERMATOSCOPE.path;
    for (const report of ['02 01 01', '02 01 01', '02 00 01', '02 01 02', '02 00 02']) bus.send(path, hex(report));
    await until(() => captures.length === 2 || undefined, 'two captures');
    expect(captures.map((c) => c.polarisation)).toEqual(['polarised', 'uv']);
    expect(driver.status().info).toMatchObject({ model: 'CabineDerm D1 (sim)', firmware: '2.10' });
  });

  it('does not invent a press after an unplug while the button was held', async () => {
    const bus = new FakeHidBus();
    const sim = new DermatoscopeSimulator(bus);
    driver = new DermatoscopeDriver({ id: 'd', ...SIMULATED_DERMATOSCOPE, backend: bus, timing: FAST });
    const events = record(driver);
    const captures: CaptureRequest[] = [];
    driver.onCapture((c) => captures.push(c));
    bus.plug(SIMULATED_DERMATOSCOPE);
    await driver.start();
    bus.send(sim.path, hex('02 01 00'));
    bus.unplug(sim.path);
    await until(() => events.states.includes('disconnected') || undefined, 'disconnected');
    bus.plug(SIMULATED_DERMATOSCOPE);
    await until(() => driver!.status().state === 'ready', 'ready');
    sim.press();
    await until(() => captures.length === 2 || undefined, 'second capture');
    expect(captures).toHaveLength(2);
  });
});
