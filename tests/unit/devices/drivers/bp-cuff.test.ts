import { afterEach, describe, expect, it } from 'vitest';
import { Reading } from '../../../../src/shared/domain';
import { BpCuffDriver } from '../../../../devices/drivers/bp-cuff/driver';
import { BpCuffSimulator } from '../../../../devices/drivers/bp-cuff/simulator';
import { FakeSerialBus } from '../../../../devices/drivers/serial/fake';
import { FAST, record, until } from './helpers';

let driver: BpCuffDriver | undefined;
afterEach(async () => {
  await driver?.stop();
  driver = undefined;
});

function setup(scenario = 'normal') {
  const bus = new FakeSerialBus();
  const sim = new BpCuffSimulator({ scenario, speed: 0.01, stepMs: 100 });
  bus.plug('/dev/ttyACM0', sim);
  driver = new BpCuffDriver({ id: 'bp-cuff-1', path: '/dev/ttyACM0', opener: bus, timing: FAST });
  return { bus, sim, driver, events: record(driver) };
}

describe('blood-pressure cuff driver', () => {
  it('streams intermediate cuff pressure as a live gauge, then the result as a BP panel', async () => {
    const { driver, events } = setup();
    await driver.start();
    await driver.measure();
    expect(driver.status().state).toBe('measuring');
    const result = await until(() => events.readings.find((r) => r.kind === 'blood-pressure'), 'a result');
    const gauge = events.readings.filter((r) => r.kind === 'cuff-pressure');
    expect(gauge.length).toBeGreaterThan(3);
    for (const g of gauge) expect(g).toMatchObject({ code: '8478-0', flags: ['intermediate'], values: [{ unit: 'mm[Hg]' }] });
    expect(result.code).toBe('85354-9');
    expect(result.values.map((v) => [v.code, v.value, v.unit])).toEqual([
      ['8480-6', 122, 'mm[Hg]'],
      ['8462-4', 78, 'mm[Hg]'],
      ['8478-0', 93, 'mm[Hg]'],
      ['8867-4', 68, '/min'],
    ]);
    expect(result.flags).toEqual([]);
    expect(result.device).toMatchObject({ model: 'CabinePress B2 (sim)', serial: 'SIM-B-0042', firmware: '2.0.7' });
    expect(Reading.safeParse({ ...result, sessionId: 's' }).success).toBe(true);
    await until(() => driver.status().state === 'ready', 'ready');
  });

  it.each([
    ['irregular-pulse', 'irregular-pulse'],
    ['cuff-too-loose', 'cuff-too-loose'],
  ])('maps the %s status bit to the %s flag', async (scenario, flag) => {
    const { driver, events } = setup(scenario);
    await driver.start();
    await driver.measure();
    const result = await until(() => events.readings.find((r) => r.kind === 'blood-pressure'), 'a result');
    expect(result.flags).toEqual([flag]);
  });

  it('flags a systolic of 310 mmHg out-of-range and raises OUT_OF_RANGE', async () => {
    const { driver, events } = setup('out-of-range');
    await driver.start();
    await driver.measure();
    const result = await until(() => events.readings.find((r) => r.kind === 'blood-pressure'), 'a result');
    expect(result.flags).toContain('out-of-range');
    expect(events.errors.map((e) => e.code)).toContain('OUT_OF_RANGE');
  });

  it('cancels and deflates a measurement that never ends, and says TIMEOUT', async () => {
    const { sim, driver, events } = setup('slow');
    await driver.start();
    await driver.measure();
    const error = await until(() => events.errors.find((e) => e.code === 'TIMEOUT'), 'TIMEOUT');
    expect(sim.commands).toEqual(['start', 'cancel']);
    await until(() => !sim.inflating, 'deflated');
    expect(error.messageFor('fr')).toMatch(/le brassard se dégonfle/);
    expect(events.readings.some((r) => r.kind === 'blood-pressure')).toBe(false);
  });

  it('deflates at once on cancel()', async () => {
    const { sim, driver } = setup('slow');
    await driver.start();
    await driver.measure();
    await until(() => sim.inflating, 'inflating');
    await driver.cancel();
    await until(() => !sim.inflating, 'deflated');
    expect(sim.commands).toEqual(['start', 'cancel']);
    expect(driver.status().state).toBe('ready');
  });

  it('reports the cuff’s own error as DEVICE_REPORTED_ERROR telling to check the cuff', async () => {
    const { driver, events } = setup('device-error');
    await driver.start();
    await driver.measure();
    const error = await until(() => events.errors.find((e) => e.code === 'DEVICE_REPORTED_ERROR'), 'error');
    expect(error.userMessage.fr).toContain('brassard');
    expect(error.deviceId).toBe('bp-cuff-1');
  });

  it('refuses to measure while unplugged with DISCONNECTED', async () => {
    const { bus, driver } = setup();
    await driver.start();
    bus.unplug('/dev/ttyACM0');
    await until(() => driver.status().state === 'disconnected', 'disconnected');
    await expect(driver.measure()).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });
});
