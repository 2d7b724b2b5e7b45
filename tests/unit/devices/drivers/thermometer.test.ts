import { afterEach, describe, expect, it } from 'vitest';
import { Reading } from '../../../../src/shared/domain';
import { ThermometerDriver } from '../../../../devices/drivers/thermometer/driver';
import { ThermometerSimulator } from '../../../../devices/drivers/thermometer/simulator';
import { FakeSerialBus } from '../../../../devices/drivers/serial/fake';
import { CommandOp, FrameType, SerialFrameDecoder, decodeMessage, encodeMessage } from '../../../../devices/protocols/serial-frame';
import { FAST, record, until } from './helpers';

let driver: ThermometerDriver | undefined;
afterEach(async () => {
  await driver?.stop();
  driver = undefined;
});

function setup(scenario = 'normal', options: { path?: string; usb?: boolean } = {}) {
  const bus = new FakeSerialBus();
  const sim = new ThermometerSimulator({ scenario, speed: 0.01 });
  bus.plug('/dev/ttyUSB0', sim, options.usb ? { vendorId: '1209', productId: '0010' } : undefined);
  driver = new ThermometerDriver({
    id: 'thermometer-1',
    ...(options.usb ? { vendorId: 0x1209, productId: 0x0010 } : { path: options.path ?? '/dev/ttyUSB0' }),
    opener: bus,
    lister: bus.list,
    timing: FAST,
  });
  return { bus, sim, driver, events: record(driver) };
}

describe('thermometer driver', () => {
  it('says hello, then carries the model, serial and firmware on every reading', async () => {
    const { driver, events } = setup();
    await driver.start();
    expect(driver.status().state).toBe('ready');
    expect(driver.status().info).toMatchObject({ model: 'CabineTherm T1 (sim)', serial: 'SIM-T-0001', firmware: '1.4.2' });
    await driver.measure();
    const reading = await until(() => events.readings[0], 'a reading');
    expect(reading.device).toEqual({ id: 'thermometer-1', kind: 'thermometer', model: 'CabineTherm T1 (sim)', serial: 'SIM-T-0001', firmware: '1.4.2' });
  });

  it('maps a 0x2A1C measurement to a body temperature reading with UCUM unit, LOINC code and UUIDv7 id', async () => {
    const { driver, events } = setup('fever');
    await driver.start();
    await driver.measure();
    const reading = await until(() => events.readings[0], 'a reading');
    expect(Reading.safeParse({ ...reading, sessionId: null }).success).toBe(true);
    expect(reading.id[14]).toBe('7');
    expect(reading).toMatchObject({ kind: 'temperature', code: '8310-5', flags: [], meta: { site: 'tympanum' } });
    expect(reading.values).toEqual([{ code: '8310-5', name: 'Body temperature', value: 39.4, unit: 'Cel' }]);
  });

  it('answers a frame whose CRC ends in A5 once the line goes quiet (the decoder holds such a frame until it knows no frame starts there)', async () => {
    const sim = new ThermometerSimulator({ speed: 0.01 });
    const sent: Uint8Array[] = [];
    sim.attach((bytes) => sent.push(bytes));
    sent.length = 0;
    let probe: Uint8Array | undefined;
    for (let seq = 0; !probe && seq < 256; seq++) {
      for (let ackSeq = 0; !probe && ackSeq < 256; ackSeq++) {
        const frame = encodeMessage({ kind: 'ack', ackSeq }, seq);
        if (frame.at(-1) === 0xa5) probe = frame;
      }
    }
    sim.receive(probe!);
    const frames = (bytes: Uint8Array) => {
      const decoder = new SerialFrameDecoder();
      return [...decoder.push(bytes), ...decoder.flush()];
    };
    const hello = await until(() => sent.find((b) => frames(b).some((r) => r.ok && decodeMessage(r.value).ok && r.value.type === FrameType.Hello)), 'hello in answer to the probe');
    expect(hello).toBeDefined();
    sim.detach();
  });

  it('sends "send last" (10 03) when asked to measure', async () => {
    const { bus, driver } = setup();
    await driver.start();
    await driver.measure();
    const decoder = new SerialFrameDecoder();
    const frames = [...bus.written.get('/dev/ttyUSB0')!.flatMap((c) => decoder.push(c)), ...decoder.flush()].flatMap((r) => (r.ok ? [r.value] : []));
    const commands = frames.filter((f) => f.type === FrameType.Command).map((f) => f.payload[0]);
    expect(commands).toEqual([CommandOp['send-last']]);
  });

  it('flags 28.1 °C out-of-range and raises OUT_OF_RANGE, so it is never shown as valid', async () => {
    const { driver, events } = setup('out-of-range');
    await driver.start();
    await driver.measure();
    const reading = await until(() => events.readings[0], 'a reading');
    expect(reading.flags).toContain('out-of-range');
    expect(events.errors.map((e) => e.code)).toContain('OUT_OF_RANGE');
  });

  it('reports a device error frame as DEVICE_REPORTED_ERROR with a French message, and no reading', async () => {
    const { driver, events } = setup('device-error');
    await driver.start();
    await driver.measure();
    const error = await until(() => events.errors.find((e) => e.code === 'DEVICE_REPORTED_ERROR'), 'an error');
    expect(error.messageFor('fr')).toMatch(/^Le thermomètre signale une erreur/);
    expect(events.readings).toEqual([]);
    expect(driver.status().state).toBe('error');
  });

  it('says PORT_NOT_FOUND in words the pharmacist can act on when nothing is plugged, and connects once it is', async () => {
    const { bus, sim, driver, events } = setup('normal', { path: '/dev/ttyUSB9' });
    await driver.start();
    expect(driver.status().state).toBe('disconnected');
    expect(driver.status().error?.code).toBe('PORT_NOT_FOUND');
    expect(driver.status().error?.message.fr).toBe("Le thermomètre n'est pas branché : vérifiez le câble USB.");
    bus.plug('/dev/ttyUSB9', sim);
    await until(() => driver.status().state === 'ready', 'ready');
    expect(events.states).toContain('connecting');
  });

  it('finds its port by USB vendor and product id through the injected lister', async () => {
    const { driver } = setup('normal', { usb: true });
    await driver.start();
    expect(driver.status().state).toBe('ready');
  });

  it('reports PORT_BUSY when another program holds the port', async () => {
    const bus = new FakeSerialBus();
    bus.plug('/dev/ttyUSB0', new ThermometerSimulator(), { vendorId: '1209', productId: '0010', busy: true });
    driver = new ThermometerDriver({ id: 't', path: '/dev/ttyUSB0', opener: bus, timing: FAST });
    await driver.start();
    expect(driver.status()).toMatchObject({ state: 'error', error: { code: 'PORT_BUSY' } });
  });

  it('goes disconnected on unplug and back to ready on replug without a restart', async () => {
    const { bus, sim, driver, events } = setup();
    await driver.start();
    bus.unplug('/dev/ttyUSB0');
    await until(() => driver.status().state === 'disconnected', 'disconnected');
    expect(driver.status().error?.code).toBe('DISCONNECTED');
    bus.plug('/dev/ttyUSB0', sim);
    await until(() => driver.status().state === 'ready', 'ready again');
    await driver.measure();
    await until(() => events.readings[0], 'a reading after replug');
  });

  it('keeps every good reading through garbage bursts and never emits an invalid one', async () => {
    const { sim, driver, events } = setup('garbage-bursts');
    await driver.start();
    for (let i = 0; i < 20; i += 1) sim.measureNow();
    await until(() => events.readings.length === 20 || undefined, '20 readings');
    for (const r of events.readings) {
      expect(Reading.safeParse({ ...r, sessionId: null }).success).toBe(true);
      expect(r.values[0]?.value).toBe(36.8);
    }
  });

  it('times out with TIMEOUT when "send last" gets no answer', async () => {
    const bus = new FakeSerialBus();
    const sim = new ThermometerSimulator({ speed: 0.01 });
    sim.measureNow = () => undefined; // a thermometer that ignores the request
    bus.plug('/dev/ttyUSB0', sim);
    driver = new ThermometerDriver({ id: 't', path: '/dev/ttyUSB0', opener: bus, timing: FAST });
    const events = record(driver);
    await driver.start();
    await driver.measure();
    await until(() => events.errors.find((e) => e.code === 'TIMEOUT'), 'TIMEOUT');
    expect(events.readings).toEqual([]);
  });
});
