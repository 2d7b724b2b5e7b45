/**
 * Devices: decode throughput and bytes-to-Reading latency (DESIGN §9).
 * - decode: BP frames through the frame decoder, message and 0x2A35 codecs,
 *   beside plain CRC-16 over the same bytes (the floor of any framed decode).
 * - latency: a frame written on one end of a real socat pty until the
 *   thermometer driver emits its Reading, beside the raw pty round trip
 *   (write on one end, bytes seen on the other) measured in the same run.
 */
import { SerialPort } from 'serialport';
import { encodeBloodPressureMeasurement, decodeBloodPressureMeasurement, BLOOD_PRESSURE_MEASUREMENT_UUID } from '../devices/protocols/blood-pressure';
import { encodeTemperatureMeasurement, TEMPERATURE_MEASUREMENT_UUID } from '../devices/protocols/health-thermometer';
import { SerialFrameDecoder, crc16CcittFalse, decodeMessage, encodeMessage } from '../devices/protocols/serial-frame';
import { ThermometerDriver } from '../devices/drivers/thermometer/driver';
import { createPair, removeDir } from '../devices/virtual-serial';
import { percentile, type BenchResult } from './types';


function decodeThroughput(): BenchResult {
  const n = 50_000;
  const frames: Uint8Array[] = [];
  for (let i = 0; i < n; i += 1) {
    const data = encodeBloodPressureMeasurement({ unit: 'mm[Hg]', systolic: 110 + (i % 40), diastolic: 70, meanArterialPressure: 85, pulseRate: 70 });
    frames.push(encodeMessage({ kind: 'measurement', characteristic: BLOOD_PRESSURE_MEASUREMENT_UUID, data }, i & 0xff));
  }
  const stream = new Uint8Array(frames.reduce((s, f) => s + f.length, 0));
  let at = 0;
  for (const f of frames) {
    stream.set(f, at);
    at += f.length;
  }
  const chunk = 4096;
  const run = (): number => {
    const decoder = new SerialFrameDecoder();
    let ok = 0;
    const t0 = process.hrtime.bigint();
    const count = (results: ReturnType<SerialFrameDecoder['push']>): void => {
      for (const r of results) {
        if (!r.ok) continue;
        const m = decodeMessage(r.value);
        if (m.ok && m.value.kind === 'measurement' && decodeBloodPressureMeasurement(m.value.data).ok) ok += 1;
      }
    };
    for (let i = 0; i < stream.length; i += chunk) count(decoder.push(stream.subarray(i, i + chunk)));
    // The end of the stream: a last frame ending in A5 is released by the flush, as after an idle gap.
    count(decoder.flush());
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (ok !== n) throw new Error(`decoded ${ok} of ${n}`);
    return n / s;
  };
  const crc = (): number => {
    const t0 = process.hrtime.bigint();
    let x = 0;
    for (const f of frames) x ^= crc16CcittFalse(f, 1, f.length - 2);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (x === -1) throw new Error('unreachable');
    return n / s;
  };
  run();
  crc();
  const best = Math.max(run(), run(), run());
  const floor = Math.max(crc(), crc(), crc());
  return {
    area: 'devices',
    name: 'BP frame decode (frame + message + 0x2A35)',
    value: Math.round(best),
    unit: 'frames/s',
    baseline: { name: 'CRC-16 only over the same frames', value: Math.round(floor) },
    note: `${n} frames of ${frames[0]?.length} bytes, fed in ${chunk}-byte chunks`,
  };
}

async function latency(count = 1000): Promise<BenchResult[]> {
  const pair = await createPair();
  try {
    // Baseline: raw pty, bytes written on A until seen on B.
    const a = new SerialPort({ path: pair.a, baudRate: 115200, autoOpen: false });
    const b = new SerialPort({ path: pair.b, baudRate: 115200, autoOpen: false });
    await Promise.all([a, b].map((p) => new Promise<void>((res, rej) => p.open((e) => (e ? rej(e) : res())))));
    const frame = encodeMessage(
      { kind: 'measurement', characteristic: TEMPERATURE_MEASUREMENT_UUID, data: encodeTemperatureMeasurement({ unit: 'Cel', temperature: { mantissa: 368, exponent: -1 } }) },
      1,
    );
    const raw: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const seen = new Promise<void>((res) => {
        let got = 0;
        const on = (d: Buffer): void => {
          got += d.length;
          if (got >= frame.length) {
            b.off('data', on);
            res();
          }
        };
        b.on('data', on);
      });
      const t0 = process.hrtime.bigint();
      a.write(Buffer.from(frame));
      await seen;
      raw.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    await new Promise<void>((res) => b.close(() => res()));

    // The driver on B; we play the thermometer on A.
    const hello = encodeMessage({ kind: 'hello', model: 'bench', serial: 'B-1', firmware: '1' }, 0);
    a.on('data', () => a.write(Buffer.from(hello))); // answer the probe
    const driver = new ThermometerDriver({ id: 'bench-thermometer', path: pair.b });
    driver.on('error', () => undefined);
    await driver.start();
    a.removeAllListeners('data');
    if (driver.status().state !== 'ready') throw new Error(`driver not ready: ${driver.status().state}`);
    const times: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const got = new Promise<void>((res) => driver.once('reading', () => res()));
      const t0 = process.hrtime.bigint();
      a.write(Buffer.from(frame));
      await got;
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    await driver.stop();
    await new Promise<void>((res) => a.close(() => res()));
    raw.sort((x, y) => x - y);
    times.sort((x, y) => x - y);
    const r = (v: number): number => Math.round(v * 1000) / 1000;
    return [
      { area: 'devices', name: 'pty bytes → Reading latency p50', value: r(percentile(times, 50)), unit: 'ms', baseline: { name: 'raw pty one-way p50', value: r(percentile(raw, 50)) }, note: `${count} readings, socat pty, thermometer driver` },
      { area: 'devices', name: 'pty bytes → Reading latency p99', value: r(percentile(times, 99)), unit: 'ms', baseline: { name: 'raw pty one-way p99', value: r(percentile(raw, 99)) }, note: `${count} readings, socat pty, thermometer driver` },
    ];
  } finally {
    await pair.kill();
    removeDir(pair.dir);
  }
}

export async function run(): Promise<BenchResult[]> {
  return [decodeThroughput(), ...(await latency())];
}

if (process.argv[1]?.endsWith('devices.bench.ts')) {
  void run().then((results) => {
    for (const r of results) console.log(JSON.stringify(r));
    process.exit(0);
  });
}
