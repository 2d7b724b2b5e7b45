import { afterEach, describe, expect, it } from 'vitest';
import { Reading } from '../../../../src/shared/domain';
import { OximeterDriver } from '../../../../devices/drivers/oximeter/driver';
import { FakeHidBus } from '../../../../devices/drivers/hid/fake';
import { SIMULATED_OXIMETER } from '../../../../devices/drivers/oximeter/simulator';
import { hex } from '../protocols/helpers';
import { FAST, record, until } from './helpers';

// Captured reports (DESIGN §3 layout): SpO2 97 %, pulse 72, PI 4.2, 3 pleth samples.
const GOOD = hex('01 00 61 48 00 2A 00 03 80 90 A0');
const FINGER_OUT = hex('01 01 7F FF FF 00 00 00');
const SPO2_45 = hex('01 00 2D 48 00 2A 00 00');
const SENSOR_FAULT = hex('01 08 7F FF FF 00 00 00');

let driver: OximeterDriver | undefined;
afterEach(async () => {
  await driver?.stop();
  driver = undefined;
});

function setup() {
  const bus = new FakeHidBus();
  bus.plug(SIMULATED_OXIMETER);
  driver = new OximeterDriver({ id: 'oximeter-1', vendorId: 0x1209, productId: 0x0001, backend: bus, timing: FAST });
  return { bus, driver, events: record(driver), path: SIMULATED_OXIMETER.path };
}

describe('oximeter driver (fake HID)', () => {
  it('takes its identity from enumeration and maps a captured report to SpO2 and heart rate', async () => {
    const { bus, driver, events, path } = setup();
    await driver.start();
    expect(driver.status().info).toMatchObject({ model: 'CabineOx O3 (sim)', serial: 'SIM-O-0007', firmware: '1.03' });
    bus.send(path, GOOD);
    const r = await until(() => events.readings[0], 'reading');
    expect(r.values).toEqual([
      { code: '59408-5', name: 'Oxygen saturation', value: 97, unit: '%' },
      { code: '8867-4', name: 'Heart rate', value: 72, unit: '/min' },
    ]);
    expect(r).toMatchObject({ kind: 'spo2', code: '59408-5', flags: [], meta: { perfusionIndex: 4.2 } });
    expect(Reading.safeParse({ ...r, sessionId: null }).success).toBe(true);
  });

  it('never turns an unknown SpO2 (finger out) into a number', async () => {
    const { bus, driver, events, path } = setup();
    await driver.start();
    bus.send(path, FINGER_OUT);
    bus.send(path, GOOD);
    await until(() => events.readings[0], 'reading');
    expect(events.readings).toHaveLength(1);
    expect(events.readings[0]?.values[0]?.value).toBe(97);
  });

  it('flags SpO2 45 % out-of-range', async () => {
    const { bus, driver, events, path } = setup();
    await driver.start();
    bus.send(path, SPO2_45);
    const r = await until(() => events.readings[0], 'reading');
    expect(r.flags).toEqual(['out-of-range']);
    expect(events.errors.map((e) => e.code)).toContain('OUT_OF_RANGE');
  });

  it('reports a sensor fault as DEVICE_REPORTED_ERROR and a malformed report as BAD_FRAME', async () => {
    const { bus, driver, events, path } = setup();
    await driver.start();
    bus.send(path, hex('01 F0 61'));
    bus.send(path, SENSOR_FAULT);
    await until(() => events.errors.length >= 2 || undefined, 'two errors');
    expect(events.errors.map((e) => e.code)).toEqual(['BAD_FRAME', 'DEVICE_REPORTED_ERROR']);
    expect(events.readings).toEqual([]);
  });

  it('treats a read error as an unplug, then finds the replugged device by polling devices()', async () => {
    const { bus, driver, events, path } = setup();
    await driver.start();
    bus.unplug(path);
    await until(() => driver.status().state === 'disconnected', 'disconnected');
    expect(driver.status().error?.message.fr).toBe('L’oxymètre a été débranché : rebranchez le câble USB.');
    const pollsBefore = bus.polls;
    await until(() => bus.polls > pollsBefore + 1 || undefined, 'polling');
    expect(driver.status().state).not.toBe('ready');
    bus.plug(SIMULATED_OXIMETER);
    await until(() => driver.status().state === 'ready', 'ready after replug');
    bus.send(path, GOOD);
    await until(() => events.readings[0], 'reading after replug');
  });

  it('reports PORT_NOT_FOUND while the oximeter is absent from devices()', async () => {
    const bus = new FakeHidBus();
    driver = new OximeterDriver({ id: 'o', vendorId: 0x1209, productId: 0x0001, backend: bus, timing: FAST });
    await driver.start();
    expect(driver.status()).toMatchObject({ state: 'disconnected', error: { code: 'PORT_NOT_FOUND' } });
  });

  it('says the USB driver is missing, not the cable, when HID enumeration itself fails', async () => {
    const broken = { devices: () => { throw new TypeError('The "path" argument must be of type string or an instance of URL. Received undefined'); }, open: () => { throw new Error('unreachable'); } };
    driver = new OximeterDriver({ id: 'o', vendorId: 0x1209, productId: 0x0001, backend: broken, timing: FAST });
    await driver.start();
    const status = driver.status();
    expect(status).toMatchObject({ state: 'error', error: { code: 'DRIVER_UNAVAILABLE' } });
    expect(status.error?.message.fr).toMatch(/support technique/);
    expect(status.error?.message.fr).not.toMatch(/câble/);
  });
});
