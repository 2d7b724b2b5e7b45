/**
 * Real parts: socat ptys, serialport, the simulators speaking real frames,
 * the real drivers. simulator → pty → serialport driver → Reading.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Reading } from '../../../src/shared/domain';
import type { Driver } from '../../../devices/contracts';
import { BpCuffDriver } from '../../../devices/drivers/bp-cuff/driver';
import { BpCuffSimulator } from '../../../devices/drivers/bp-cuff/simulator';
import { ThermometerDriver } from '../../../devices/drivers/thermometer/driver';
import { ThermometerSimulator } from '../../../devices/drivers/thermometer/simulator';
import { PtySimulation } from '../../../devices/simulated';
import { FAST, record, until } from '../../unit/devices/drivers/helpers';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function run<D extends Driver>(sim: ThermometerSimulator | BpCuffSimulator, make: (path: string) => D) {
  const pty = new PtySimulation(sim);
  await pty.start();
  cleanup.push(() => pty.stop());
  const driver = make(pty.devicePath);
  cleanup.push(() => driver.stop());
  const events = record(driver);
  await driver.start();
  return { pty, driver, events };
}

describe('serial drivers over real socat ptys', () => {
  it('thermometer: hello and a fever reading travel through the pty', async () => {
    const { driver, events } = await run(new ThermometerSimulator({ scenario: 'fever', speed: 0.01 }), (path) => new ThermometerDriver({ id: 'thermometer-1', path, timing: FAST }));
    expect(driver.status()).toMatchObject({ state: 'ready', info: { serial: 'SIM-T-0001' } });
    await driver.measure();
    const r = await until(() => events.readings[0], 'reading');
    expect(r.values[0]).toMatchObject({ value: 39.4, unit: 'Cel' });
    expect(Reading.safeParse({ ...r, sessionId: null }).success).toBe(true);
  });

  it('BP cuff: intermediate cuff pressure readings, then the result', async () => {
    const sim = new BpCuffSimulator({ scenario: 'hypertension', speed: 0.01, stepMs: 100 });
    const { driver, events } = await run(sim, (path) => new BpCuffDriver({ id: 'bp-cuff-1', path, timing: { ...FAST, measureTimeoutMs: 10_000 } }));
    await driver.measure();
    const result = await until(() => events.readings.find((r) => r.kind === 'blood-pressure'), 'result');
    const gauge = events.readings.filter((r) => r.kind === 'cuff-pressure');
    expect(gauge.length).toBeGreaterThan(3);
    expect(gauge.every((g) => g.flags.includes('intermediate'))).toBe(true);
    expect(Math.max(...gauge.map((g) => g.values[0]!.value))).toBe(200);
    expect(result.values.slice(0, 2).map((v) => v.value)).toEqual([168, 102]);
  });

  it('BP cuff: a measurement that never ends is cancelled over the wire and reported as TIMEOUT', async () => {
    const sim = new BpCuffSimulator({ scenario: 'slow', speed: 0.01, stepMs: 100 });
    const { driver, events } = await run(sim, (path) => new BpCuffDriver({ id: 'bp-cuff-1', path, timing: FAST }));
    await driver.measure();
    await until(() => events.errors.find((e) => e.code === 'TIMEOUT'), 'TIMEOUT');
    await until(() => sim.commands.includes('cancel') || undefined, 'cancel received by the cuff');
    expect(sim.inflating).toBe(false);
  });

  it('unplug (socat killed) gives disconnected; the driver resumes when a new pair appears at the same path', async () => {
    const { pty, driver, events } = await run(new ThermometerSimulator({ speed: 0.01 }), (path) => new ThermometerDriver({ id: 'thermometer-1', path, timing: FAST }));
    const path = pty.devicePath;
    await pty.unplug();
    await until(() => driver.status().state === 'disconnected', 'disconnected');
    expect(driver.status().error?.code).toBe('DISCONNECTED');
    await pty.replug();
    expect(pty.devicePath).toBe(path);
    await until(() => driver.status().state === 'ready', 'ready again', 15_000);
    await driver.measure();
    await until(() => events.readings[0], 'reading after replug');
  });

  it('garbage bursts on the line never produce an invalid reading, and good frames still arrive', async () => {
    const sim = new ThermometerSimulator({ scenario: 'garbage-bursts', speed: 0.01 });
    const { driver, events } = await run(sim, (path) => new ThermometerDriver({ id: 'thermometer-1', path, timing: FAST }));
    for (let i = 0; i < 30; i += 1) sim.measureNow();
    await until(() => events.readings.length >= 25 || undefined, 'most readings');
    for (const r of events.readings) {
      expect(Reading.safeParse({ ...r, sessionId: null }).success).toBe(true);
      expect(r.values).toEqual([{ code: '8310-5', name: 'Body temperature', value: 36.8, unit: 'Cel' }]);
      expect(r.flags).toEqual([]);
    }
    expect(driver.status().state).toBe('ready');
  });
});
