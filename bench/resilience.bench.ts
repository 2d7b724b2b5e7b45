/**
 * Recovery of a booth after a power cut (issue #10): the host process is
 * killed with SIGKILL mid-consultation, with readings taken while the line
 * was down (stored, not yet sent), then started again. Measured from the
 * restart: the kiosk showing the incident screen (the interrupted
 * consultation ended, the pharmacist called), the specialist's stale call ended
 * (room.closed, boothRestarted), and every reading delivered to the hub's
 * record. Baseline in the same run: a clean start of the same host process
 * to attract. Real hub, real host CLI, simulated thermometer on a socat pty.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FaultProxy } from '../tests/helpers/fault-proxy';
import { SPECIALISTS, startTestHub, testHubConfig } from '../tests/helpers/hub';
import { tempDir } from '../tests/helpers/store';
import { ConsoleClient, KioskClient, until } from '../tests/resilience/support/clients';
import { HOST_PIN, killGroup, startHostProcess, writeHostConfig } from '../tests/resilience/support/host-process';
import { percentile, type BenchResult } from './types';

const ROUNDS = Number(process.env.BENCH_RESILIENCE_ROUNDS ?? 5);
const BOOTH = 'demo-booth-1';

export async function run(): Promise<BenchResult[]> {
  const { dir, cleanup } = tempDir('cabine-bench-resilience-');
  const hub = await startTestHub({ consoleDir: '/nonexistent', config: { ...(await testHubConfig()), dataDir: join(dir, 'hub') } });
  const record = hub.record.repo;
  const proxy = await new FaultProxy(hub.port).start();
  const configFile = writeHostConfig(dir, proxy.port, BOOTH);
  const specialist = await ConsoleClient.login(hub.url, SPECIALISTS[0].email, SPECIALISTS[0].password);
  const clean: number[] = [];
  const toAttract: number[] = [];
  const toRoomClosed: number[] = [];
  const toDelivered: number[] = [];
  const live: ChildProcess[] = [];
  const at = async (kioskUrl: string, state: string): Promise<KioskClient> => {
    const kiosk = await KioskClient.connect(kioskUrl);
    await until(async () => (await kiosk.state()) === state, state);
    return kiosk;
  };
  const atAttract = (kioskUrl: string) => at(kioskUrl, 'attract');
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // A clean start (the baseline), a patient in a call, readings while the line is down, then the power goes.
      const t0 = performance.now();
      const first = await startHostProcess(configFile);
      live.push(first.child);
      const kiosk = await atAttract(first.kioskUrl);
      clean.push(performance.now() - t0);
      await until(() => hub.booths.peer(BOOTH), 'booth online');
      await kiosk.walkToWaitingRoom(HOST_PIN);
      await until(() => hub.media!.service.waiting().some((b) => b.boothId === BOOTH), 'queued');
      await specialist.call('queue.claim', { boothId: BOOTH });
      await until(async () => (await kiosk.state()).startsWith('consultation'), 'in consultation');
      proxy.drop();
      // Readings belong to a measurement someone asked for: the pharmacist's temperature, then measured again.
      for (let i = 0; i < 3; i++) {
        const before = kiosk.readings().length;
        if (i === 0) await kiosk.pharmacistMeasures(HOST_PIN, 'temperature');
        else await kiosk.measureAgain();
        await until(() => kiosk.readings().length > before || undefined, 'reading shown');
      }
      const shown = kiosk.readings().map((r) => r.id);
      kiosk.close();
      killGroup(first.child, 'SIGKILL');
      await until(() => first.child.signalCode === 'SIGKILL' || undefined, 'killed');
      proxy.pass();
      const closedBefore = specialist.notes.filter((n) => n.m === 'room.closed').length;

      const t1 = performance.now();
      const second = await startHostProcess(configFile);
      live.push(second.child);
      const marks = { attract: 0, closed: 0, delivered: 0 };
      await Promise.all([
        // After a crash the kiosk opens on the incident screen (the pharmacist is called), not at attract.
        at(second.kioskUrl, 'interrupted').then((k) => { marks.attract = performance.now() - t1; k.close(); }),
        until(() => specialist.notes.filter((n) => n.m === 'room.closed').length > closedBefore || undefined, 'room closed', 30_000).then(() => { marks.closed = performance.now() - t1; }),
        until(async () => {
          const held = new Set((await record.boothItems(BOOTH)).map((s) => s.item.id));
          return shown.every((id) => held.has(id)) || undefined;
        }, 'readings delivered', 30_000).then(() => { marks.delivered = performance.now() - t1; }),
      ]);
      toAttract.push(marks.attract);
      toRoomClosed.push(marks.closed);
      toDelivered.push(marks.delivered);
      killGroup(second.child, 'SIGTERM');
      await until(() => second.child.exitCode !== null || second.child.signalCode !== null || undefined, 'stopped');
    }
  } finally {
    for (const c of live) killGroup(c, 'SIGKILL');
    specialist.close();
    await proxy.stop();
    await hub.close();
    cleanup();
  }
  const base = { name: 'clean host start → attract, p50', value: percentile(clean, 50) };
  const note = `${ROUNDS} SIGKILLs mid-consultation with 3 readings taken offline; host CLI process incl. tsx start-up`;
  return [
    { area: 'resilience', name: 'restart after SIGKILL → kiosk shows the incident screen, p50', value: percentile(toAttract, 50), unit: 'ms', baseline: base, note },
    { area: 'resilience', name: 'restart after SIGKILL → specialist sees the call ended, p50', value: percentile(toRoomClosed, 50), unit: 'ms', baseline: base, note },
    { area: 'resilience', name: 'restart after SIGKILL → offline readings in the hub record, p50', value: percentile(toDelivered, 50), unit: 'ms', baseline: base, note },
  ];
}
