/**
 * Only readings someone asked for are recorded (clinical safety), end to end
 * below the browser: the booth's real drivers
 * (thermometer and cuff on real socat ptys with their simulators, the
 * oximeter's simulator on a fake HID bus) and a real hub with its record and
 * a specialist connected. An idle booth, then a call with no request, each
 * receive N reports from every simulator: nothing is stored, sent to the
 * record or shown to the specialist. A requested measurement stores and
 * sends its own readings, each exactly once, and no other device's.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Driver } from '../../../devices/contracts';
import { BpCuffDriver } from '../../../devices/drivers/bp-cuff/driver';
import { BpCuffSimulator } from '../../../devices/drivers/bp-cuff/simulator';
import { FakeHidBus } from '../../../devices/drivers/hid/fake';
import { OximeterDriver } from '../../../devices/drivers/oximeter/driver';
import { OximeterSimulator, SIMULATED_OXIMETER } from '../../../devices/drivers/oximeter/simulator';
import { ThermometerDriver } from '../../../devices/drivers/thermometer/driver';
import { ThermometerSimulator } from '../../../devices/drivers/thermometer/simulator';
import { PtySimulation } from '../../../devices/simulated';
import { Host } from '../../../src/host/host';
import type { RecordRepository } from '../../../src/hub/record/index';
import type { Hub } from '../../../src/hub/server';
import type { ReadingNote } from '../../../src/shared/consult-protocol';
import type { Reading } from '../../../src/shared/domain';
import { testConfig } from '../../helpers/config';
import { BOOTH_SECRETS, SPECIALISTS, startTestHub, testHubConfig } from '../../helpers/hub';
import { walkToWaitingRoom } from '../../helpers/measure';
import { silentLog, tempDir } from '../../helpers/store';
import { ConsoleClient, until } from '../../resilience/support/clients';
import { FAST } from '../../unit/devices/drivers/helpers';

const BOOTH = 'demo-booth-1';
const N = 4;
let hub: Hub;
let record: RecordRepository;
let hubDir: { dir: string; cleanup: () => void };
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  hubDir = tempDir('cabine-unrequested-hub-');
  hub = await startTestHub({ consoleDir: '/nonexistent', config: await testHubConfig(hubDir.dir) });
  record = hub.record.repo;
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await hub?.close();
  hubDir?.cleanup();
});

/** The booth with its three streaming instruments, each counted as it reports. */
async function booth() {
  const dir = tempDir('cabine-unrequested-');
  cleanups.push(() => dir.cleanup());
  const thermoSim = new ThermometerSimulator({ speed: 0.01 });
  const cuffSim = new BpCuffSimulator({ speed: 0.01, stepMs: 2000 });
  const thermoPty = new PtySimulation(thermoSim);
  const cuffPty = new PtySimulation(cuffSim);
  await thermoPty.start();
  await cuffPty.start();
  cleanups.push(() => thermoPty.stop(), () => cuffPty.stop());
  const bus = new FakeHidBus();
  bus.plug(SIMULATED_OXIMETER);
  const oxiSim = new OximeterSimulator(bus);
  const drivers = {
    thermometer: new ThermometerDriver({ id: 'thermometer-1', path: thermoPty.devicePath, timing: { ...FAST, measureTimeoutMs: 5000 } }),
    cuff: new BpCuffDriver({ id: 'bp-cuff-1', path: cuffPty.devicePath, timing: { ...FAST, measureTimeoutMs: 5000 } }),
    oximeter: new OximeterDriver({ id: 'oximeter-1', ...SIMULATED_OXIMETER, backend: bus, timing: FAST }),
  };
  const reported = new Map<string, Reading['id'][]>();
  for (const d of Object.values(drivers) as Driver[]) d.on('reading', (r) => reported.set(d.id, [...(reported.get(d.id) ?? []), r.id]));
  const host = new Host(testConfig({
    boothId: BOOTH,
    hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS[BOOTH] },
    store: { path: join(dir.dir, 'booth.db'), keyFile: join(dir.dir, 'booth.key'), retentionDays: 30 },
  }), silentLog, { drivers: Object.values(drivers) });
  const shown: string[] = [];
  host.on('kioskEvent', (e) => { if (e.name === 'reading') shown.push(e.data.id); });
  host.start();
  cleanups.push(() => host.stop());
  await until(() => host.hubLink.status === 'online' || undefined, 'booth online');
  await until(() => (Object.values(drivers) as Driver[]).every((d) => d.status().state === 'ready') || undefined, 'instruments ready');

  const count = (id: string) => reported.get(id)?.length ?? 0;
  /**
   * N reports from each simulator (a thermometer pressed, a cuff's result frame, an oximeter report), all read
   * by the drivers; every simulator unless told which.
   */
  const simulatorsReport = async (n: number, which: ('thermometer' | 'cuff' | 'oximeter')[] = ['thermometer', 'cuff', 'oximeter']) => {
    const ids = { thermometer: 'thermometer-1', cuff: 'bp-cuff-1', oximeter: 'oximeter-1' };
    const before = which.map((w) => count(ids[w]));
    for (let i = 0; i < n; i++) {
      if (which.includes('thermometer')) thermoSim.measureNow();
      if (which.includes('cuff')) cuffSim.sendResult();
      if (which.includes('oximeter')) oxiSim.step();
    }
    await until(() => which.every((w, i) => count(ids[w]) >= before[i]! + n) || undefined, `${n} reports from ${which.join(', ')}`);
  };
  const stored = () => host.store!.db.prepare<[], { id: string }>('SELECT id FROM readings ORDER BY rowid').all().map((r) => r.id);
  const inRecord = async () => (await record.boothItems(BOOTH)).filter((s) => s.item.kind === 'reading').map((s) => s.item.id);
  const drained = () => until(() => host.store!.pendingCount() === 0 || undefined, 'outbox drained');
  return { host, oxiSim, reported, simulatorsReport, stored, inRecord, drained, shown };
}

async function specialist(): Promise<ConsoleClient> {
  const client = await ConsoleClient.login(hub.url, SPECIALISTS[0].email, SPECIALISTS[0].password);
  cleanups.push(() => new Promise<void>((resolve) => {
    if (client.ws.readyState === WebSocket.CLOSED) return resolve();
    client.ws.once('close', () => resolve());
    client.ws.close();
  }));
  return client;
}

describe('readings nobody asked for', () => {
  it('an idle booth, then a call with no request, store and send no reading; a requested SpO₂ and blood pressure store and send their own readings once each', async () => {
    const b = await booth();
    const doctor = await specialist();

    // Idle: nobody at the booth.
    await b.simulatorsReport(N);
    await b.drained();
    expect({ stored: b.stored(), inRecord: await b.inRecord(), shown: b.shown }).toEqual({ stored: [], inRecord: [], shown: [] });

    // A call, and no request.
    await walkToWaitingRoom(b.host);
    await until(() => hub.media!.service.waiting().some((w) => w.boothId === BOOTH) || undefined, 'booth in the queue');
    await doctor.call('queue.claim', { boothId: BOOTH });
    await until(() => b.host.view().state === 'consultation.call' || undefined, 'booth in the call');
    await b.simulatorsReport(N);
    await b.drained();
    expect({ stored: b.stored(), inRecord: await b.inRecord(), shown: b.shown, notes: doctor.of('consult.reading') }).toEqual({ stored: [], inRecord: [], shown: [], notes: [] });

    // The doctor asks for SpO₂: nothing while the patient reads the guidance, nothing from the other instruments
    // while measuring; the oximeter's report is the result, stored and sent once; nothing after it.
    await doctor.call('consult.requestMeasurement', { kind: 'spo2' });
    await until(() => b.host.view().state === 'consultation.guidance' || undefined, 'SpO₂ guidance');
    await b.simulatorsReport(N);
    expect(b.stored()).toEqual([]);
    await b.host.dispatch('sendEvent', { event: { type: 'START_MEASURE' } });
    await b.simulatorsReport(N, ['thermometer', 'cuff']);
    expect({ state: b.host.view().state, stored: b.stored() }).toEqual({ state: 'consultation.measuring', stored: [] });
    const reportedBefore = b.reported.get('oximeter-1')!.length;
    await b.simulatorsReport(1, ['oximeter']);
    await until(() => b.host.view().state === 'consultation.result' || undefined, 'SpO₂ result');
    const spo2 = b.reported.get('oximeter-1')![reportedBefore]!;
    await b.simulatorsReport(N);
    await b.drained();
    await until(() => doctor.of<ReadingNote>('consult.reading').length >= 1 || undefined, 'the SpO₂ on the console');
    expect(b.stored()).toEqual([spo2]);
    expect(await b.inRecord()).toEqual([spo2]);
    expect(b.shown).toEqual([spo2]);

    // Then a blood pressure: every cuff pressure and the result, none of the oximeter's reports streaming beside it.
    await b.host.dispatch('sendEvent', { event: { type: 'NEXT' } });
    const cuffBefore = b.reported.get('bp-cuff-1')!.length;
    await doctor.call('consult.requestMeasurement', { kind: 'blood-pressure' });
    await until(() => b.host.view().state === 'consultation.guidance' || undefined, 'blood-pressure guidance');
    await b.host.dispatch('sendEvent', { event: { type: 'START_MEASURE' } });
    const oximeterBefore = b.reported.get('oximeter-1')!.length;
    while (b.host.view().state === 'consultation.measuring') {
      b.oxiSim.step();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(b.host.view()).toMatchObject({ state: 'consultation.result', context: { measurement: { kind: 'blood-pressure' } } });
    expect(b.reported.get('oximeter-1')!.length - oximeterBefore).toBeGreaterThan(5);
    const cuffReadings = b.reported.get('bp-cuff-1')!.slice(cuffBefore);
    await b.drained();
    await until(async () => (await b.inRecord()).length >= 1 + cuffReadings.length || undefined, 'the blood pressure in the record');
    const ours = [spo2, ...cuffReadings];
    expect(b.stored()).toEqual(ours);
    expect(await b.inRecord()).toEqual(ours);
    expect(b.shown).toEqual(ours);
    // The console got each once (the cuff's pressures drive its gauge), and nothing else.
    await until(() => doctor.of<ReadingNote>('consult.reading').length >= ours.length || undefined, 'every reading on the console');
    expect(doctor.of<ReadingNote>('consult.reading').map((n) => n.reading.id)).toEqual(ours);
  }, 60_000);
});
