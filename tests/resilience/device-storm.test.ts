/**
 * A cable pulled and pushed back again and again, on a line full of noise:
 * the real thermometer driver on a real socat pty whose pair is killed and
 * recreated every 200–400 ms, 25 times, while the simulator sprinkles random
 * bytes (stray sync bytes, fake headers) before every frame. Each measurement
 * carries its own temperature, so every reading can be traced back to the
 * frame that was really sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Reading } from '../../src/shared/domain';
import { ThermometerDriver } from '../../devices/drivers/thermometer/driver';
import { ThermometerSimulator } from '../../devices/drivers/thermometer/simulator';
import { PtySimulation } from '../../devices/simulated';
import { dateTimeFromDate } from '../../devices/protocols/date-time';
import { TEMPERATURE_MEASUREMENT_UUID, encodeTemperatureMeasurement } from '../../devices/protocols/health-thermometer';
import { FRAME_SYNC, encodeMessage } from '../../devices/protocols/serial-frame';
import { FAST, record } from '../unit/devices/drivers/helpers';
import { until } from './support/clients';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** Mulberry32: a seeded PRNG, so the noise is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sends a new temperature (tenths of a degree, 35.0…39.9) with every measurement, and remembers what it sent. */
class TracedThermometer extends ThermometerSimulator {
  private next = 350;
  private current = 368;
  /** Temperatures put on the wire, in order (only while plugged). */
  readonly sentValues: number[] = [];
  plugged = false;
  private raw: ((bytes: Uint8Array) => void) | undefined;
  override temperature(): number {
    return this.current / 10;
  }
  override measureNow(): void {
    this.current = this.next;
    this.next = this.next >= 399 ? 350 : this.next + 1;
    if (this.plugged) this.sentValues.push(this.current / 10);
    super.measureNow();
  }
  override attach(send: (bytes: Uint8Array) => void): void {
    this.plugged = true;
    this.raw = send;
    super.attach(send);
  }
  override detach(): void {
    this.plugged = false;
    this.raw = undefined;
    super.detach();
  }
  /**
   * Near misses on the line: a measurement frame of 41.5 °C (never sent as a
   * real frame) with a corrupted CRC, random bytes, and a frame cut short
   * just before the next real one.
   */
  noise(random: () => number): void {
    if (!this.raw) return;
    const frame = NEAR_MISS;
    const badCrc = Uint8Array.from(frame);
    badCrc[badCrc.length - 1]! ^= 0x5a;
    this.raw(badCrc);
    this.raw(Uint8Array.from({ length: 8 + Math.floor(random() * 40) }, () => Math.floor(random() * 256)));
    this.raw(frame.slice(0, frame.length - 1 - Math.floor(random() * 6)));
  }
}

/**
 * The near miss, always the same bytes. A frame cut short by k bytes is
 * completed by the first k bytes of what follows it, and what follows here
 * always begins with the sync byte 0xA5. A near miss whose CRC ended in 0xA5
 * (1 frame in 256: its timestamp was `new Date()`) therefore decoded whenever
 * its cut was one byte: CI once read that 41.5 °C. A cut frame completed by
 * the right byte is a whole frame; no CRC can tell, so the test picks bytes
 * none of whose cuts can be completed, and checks that it did.
 */
const NEAR_MISS = encodeMessage({
  kind: 'measurement',
  characteristic: TEMPERATURE_MEASUREMENT_UUID,
  data: encodeTemperatureMeasurement({ unit: 'Cel', temperature: { mantissa: 415, exponent: -1 }, timestamp: dateTimeFromDate(new Date(2026, 0, 15, 10, 30, 0), 'local'), site: 'tympanum' }),
}, 200);

const pause = (random: () => number) => new Promise((r) => setTimeout(r, 200 + Math.floor(random() * 200)));

describe('device unplug storm with garbage on the line', () => {
  it('reconnects after each of 25 unplugs, never emits a reading that was not sent or is invalid, and reads the last frame after the storm', async () => {
    // No cut of the near miss can be completed into a frame (above).
    expect([...NEAR_MISS.slice(-6)]).not.toContain(FRAME_SYNC);
    const random = seeded(0xcab1e);
    const sim = new TracedThermometer({ scenario: 'garbage-bursts', speed: 0.01, random });
    const pty = new PtySimulation(sim);
    await pty.start();
    cleanup.push(() => pty.stop());
    const driver = new ThermometerDriver({ id: 'thermometer-1', path: pty.devicePath, timing: FAST });
    cleanup.push(() => driver.stop());
    const events = record(driver);
    await driver.start();

    const CYCLES = 25;
    let reconnections = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await until(() => driver.status().state === 'ready', `driver ready after replug ${cycle}`, 10_000);
      if (cycle > 0) reconnections += 1;
      for (let i = 0; i < 2; i++) {
        sim.noise(random);
        sim.measureNow();
      }
      await pause(random);
      await pty.unplug();
      await pause(random);
      await pty.replug();
    }
    await until(() => driver.status().state === 'ready', 'driver ready after the storm', 10_000);
    reconnections += 1;

    // After the storm, one more measurement: the driver reads it.
    sim.measureNow();
    const last = sim.sentValues.at(-1)!;
    await until(() => events.readings.some((r) => r.values[0]!.value === last && r === events.readings.at(-1)), 'the last frame read after the storm', 10_000);

    expect(reconnections).toBe(CYCLES);
    expect(events.states.filter((s) => s === 'disconnected').length).toBeGreaterThanOrEqual(CYCLES);
    // Every reading is a valid Reading, and each one was a frame really sent (no more readings of a value than frames of it).
    expect(events.readings.length).toBeGreaterThan(CYCLES);
    const sentCount = new Map<number, number>();
    for (const v of sim.sentValues) sentCount.set(v, (sentCount.get(v) ?? 0) + 1);
    const readCount = new Map<number, number>();
    for (const r of events.readings) {
      expect(Reading.safeParse({ ...r, sessionId: null }).success).toBe(true);
      expect(r.flags).toEqual([]);
      expect(r.values).toHaveLength(1);
      const v = r.values[0]!.value;
      readCount.set(v, (readCount.get(v) ?? 0) + 1);
    }
    for (const [v, n] of readCount) expect({ value: v, read: n, sentAtMost: n <= (sentCount.get(v) ?? 0) }).toEqual({ value: v, read: n, sentAtMost: true });
    expect(driver.status().state).toBe('ready');
  }, 120_000);
});
