/**
 * Clinical safety: a reading belongs to a measurement the specialist or
 * the pharmacist asked for. The host with in-memory devices (every kind of
 * reading from every instrument) and a real store: outside such a
 * measurement nothing is stored, queued for the hub or shown; inside one,
 * the measuring instrument's readings are, once each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DriverReading } from '../../../devices/contracts';
import { FakeBpCuff } from '../../../devices/drivers/bp-cuff/fake';
import { FakeOximeter } from '../../../devices/drivers/oximeter/fake';
import { FakeThermometer } from '../../../devices/drivers/thermometer/fake';
import { Host } from '../../../src/host/host';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import type { Reading } from '../../../src/shared/domain';
import { createLogger } from '../../../src/node/logger';
import { testConfig } from '../../helpers/config';
import { pharmacistMeasures, walkToCall } from '../../helpers/measure';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const REQUEST_ID = '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b';
const N = 5;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function booth() {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-requested-'));
  const thermometer = new FakeThermometer();
  const cuff = new FakeBpCuff();
  const oximeter = new FakeOximeter();
  const config = testConfig({
    store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 },
    hub: { url: 'ws://127.0.0.1:9/booth', token: 'x'.repeat(20) },
  });
  const host = new Host(config, silent, { drivers: [thermometer, cuff, oximeter], keys: new FakeKeyProvider() });
  const shown: Reading[] = [];
  host.on('kioskEvent', (e) => { if (e.name === 'reading') shown.push(e.data); });
  host.start();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => host.stop());
  /** One report of every kind from every instrument, as they stream. */
  const everyDeviceReports = async (): Promise<DriverReading[]> => {
    const sent = [
      thermometer.emitTemperature(37.2), cuff.emitCuffPressure(90), cuff.emitBloodPressure(128, 81, 72), oximeter.emitSpo2(97, 72),
    ];
    await new Promise((r) => setImmediate(r));
    return sent;
  };
  const stored = () => host.store!.db.prepare<[], { id: string }>('SELECT id FROM readings ORDER BY rowid').all().map((r) => r.id);
  const queued = () => host.store!.outboxBatch(10_000).filter((e) => e.kind === 'reading').map((e) => e.itemId);
  return { host, thermometer, cuff, oximeter, shown, everyDeviceReports, stored, queued };
}

describe('readings belong to a measurement someone asked for', () => {
  it('stores, queues and shows no reading from any device on an idle booth, nor during a call with no request', async () => {
    const b = await booth();
    for (let i = 0; i < N; i++) await b.everyDeviceReports();
    expect({ stored: b.stored(), queued: b.queued(), shown: b.shown }).toEqual({ stored: [], queued: [], shown: [] });

    await walkToCall(b.host);
    for (let i = 0; i < N; i++) await b.everyDeviceReports();
    expect({ stored: b.stored(), queued: b.queued(), shown: b.shown }).toEqual({ stored: [], queued: [], shown: [] });
    // The instruments' statuses still reach the kiosk and the pharmacist.
    expect(b.host.view().state).toBe('consultation.call');
  });

  it('records nothing while the patient is still reading the guidance of a requested measurement', async () => {
    const b = await booth();
    await walkToCall(b.host);
    expect(b.host.consult.measurementRequested({ requestId: REQUEST_ID, kind: 'spo2' })).toEqual({ accepted: true });
    expect(b.host.view().state).toBe('consultation.guidance');
    for (let i = 0; i < N; i++) await b.everyDeviceReports();
    expect({ stored: b.stored(), shown: b.shown }).toEqual({ stored: [], shown: [] });
  });

  it('records the specialist\'s SpO₂ request once, from the oximeter only, and nothing after its result', async () => {
    const b = await booth();
    await walkToCall(b.host);
    b.host.consult.measurementRequested({ requestId: REQUEST_ID, kind: 'spo2' });
    await b.host.dispatch('sendEvent', { event: { type: 'START_MEASURE' } });
    const [, , , spo2] = await b.everyDeviceReports();
    for (let i = 0; i < N; i++) await b.everyDeviceReports();
    expect(b.stored()).toEqual([spo2!.id]);
    expect(b.queued()).toEqual([spo2!.id]);
    expect(b.shown.map((r) => r.id)).toEqual([spo2!.id]);
    expect(b.host.view()).toMatchObject({ state: 'consultation.result', context: { measurement: { kind: 'spo2', result: spo2!.values } } });
  });

  it('records the pharmacist\'s blood pressure: the cuff\'s pressures and its result, never the oximeter streaming beside it', async () => {
    const b = await booth();
    await walkToCall(b.host);
    await pharmacistMeasures(b.host, 'blood-pressure');
    expect(b.cuff.calls).toContain('measure');
    const spo2Before = b.oximeter.emitSpo2(97, 72);
    const pressures = [b.cuff.emitCuffPressure(50), b.cuff.emitCuffPressure(120)];
    const spo2During = b.oximeter.emitSpo2(98, 73);
    await new Promise((r) => setImmediate(r));
    expect(b.host.view().context.measurement).toMatchObject({ live: 120, liveUnit: 'mm[Hg]' });
    const result = b.cuff.emitBloodPressure(128, 81, 72);
    await new Promise((r) => setImmediate(r));
    const ours = [...pressures, result].map((r) => r.id);
    expect(b.stored()).toEqual(ours);
    expect(b.queued()).toEqual(ours);
    expect(b.shown.map((r) => r.id)).toEqual(ours);
    expect(b.stored()).not.toContain(spo2Before.id);
    expect(b.stored()).not.toContain(spo2During.id);
    expect(b.host.view()).toMatchObject({ state: 'consultation.result', context: { measurement: { kind: 'blood-pressure', result: result.values } } });
  });
});
