/**
 * kill -9 of the booth's host in the middle of a consultation (the PC
 * switched off at the wall), then a restart, against a real hub with the
 * real record and mediasoup worker. The host runs as its own process
 * (src/host/main.ts) with a simulated thermometer on a socat pty; the
 * kiosk and the specialist's console are scripted over their real
 * WebSockets. The whole process group is killed, as a power cut would.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordRepository } from '../../src/hub/record/index';
import type { Hub } from '../../src/hub/server';
import { FaultProxy } from '../helpers/fault-proxy';
import { SPECIALISTS, startTestHub, testHubConfig } from '../helpers/hub';
import { tempDir } from '../helpers/store';
import { ConsoleClient, KioskClient, until } from './support/clients';
import { HOST_PIN as PIN, killGroup, startHostProcess as startHost, writeHostConfig } from './support/host-process';

const BOOTH = 'demo-booth-1';
const { dir, cleanup } = tempDir('cabine-host-crash-');
let hub: Hub;
let record: RecordRepository;
let proxy: FaultProxy;
const children: ChildProcess[] = [];
async function startHostProcess(configFile: string) {
  const started = await startHost(configFile);
  children.push(started.child);
  return started;
}
const clients: { close(): void }[] = [];

beforeAll(async () => {
  hub = await startTestHub({ consoleDir: '/nonexistent', config: await testHubConfig(join(dir, 'hub')) });
  record = hub.record.repo;
  proxy = await new FaultProxy(hub.port).start();
});

afterAll(async () => {
  for (const c of clients) c.close();
  for (const child of children) killGroup(child, 'SIGKILL');
  await proxy?.stop();
  await hub?.close();
  cleanup();
});

async function boothItems(): Promise<{ id: string; kind: string; type?: string; code?: unknown; sessionId: string | null }[]> {
  return (await record.boothItems(BOOTH)).map((s) => ({
    id: s.item.id, kind: s.item.kind, sessionId: s.item.sessionId,
    ...(s.item.kind === 'sessionEvent' ? { type: s.item.data.type, code: s.item.data.data?.code } : {}),
  }));
}

describe('host killed with SIGKILL mid-consultation, then restarted', () => {
  it('delivers every stored reading to the hub record exactly once, records SESSION_INTERRUPTED, tells the patient and calls the pharmacist, and the specialist sees the call end', async () => {
    const configFile = writeHostConfig(dir, proxy.port, BOOTH);
    const first = await startHostProcess(configFile);
    const kiosk = await KioskClient.connect(first.kioskUrl);
    clients.push(kiosk);
    const console = await ConsoleClient.login(hub.url, SPECIALISTS[0].email, SPECIALISTS[0].password);
    clients.push(console);

    // A patient reaches the waiting room; the specialist claims the booth.
    await until(() => hub.booths.peer(BOOTH), 'booth connected to the hub');
    await until(async () => (await kiosk.call<{ state: string }>('getSnapshot')).state === 'attract', 'kiosk at attract');
    const sessionId = await kiosk.walkToWaitingRoom(PIN);
    await until(() => hub.media!.service.waiting().some((b) => b.boothId === BOOTH), 'booth in the queue');
    await console.call('queue.claim', { boothId: BOOTH });
    await until(async () => (await kiosk.state()).startsWith('consultation'), 'booth in consultation');

    // Two readings reach the hub while the line is up (the pharmacist asks for a temperature, the patient measures again)…
    await kiosk.pharmacistMeasures(PIN, 'temperature');
    await kiosk.measureAgain();
    await until(() => kiosk.readings().filter((r) => r.kind === 'temperature').length >= 2 || undefined, 'two readings shown');
    await until(async () => (await boothItems()).filter((i) => i.kind === 'reading').length >= 2 || undefined, 'two readings in the record');
    // …then the pharmacy's line drops, three more are taken (stored, shown, not sent) and the power goes.
    proxy.drop();
    for (let i = 0; i < 3; i++) {
      const before = kiosk.readings().length;
      await kiosk.measureAgain();
      await until(() => kiosk.readings().length > before || undefined, 'reading shown while offline');
    }
    const shown = kiosk.readings().map((r) => r.id);
    expect(shown.length).toBeGreaterThanOrEqual(5);
    expect(kiosk.readings().every((r) => r.sessionId === sessionId)).toBe(true);
    kiosk.close();
    killGroup(first.child, 'SIGKILL');
    await until(() => first.child.signalCode === 'SIGKILL' || undefined, 'host killed');

    // The line returns and the booth restarts.
    proxy.pass();
    const second = await startHostProcess(configFile);
    const kiosk2 = await KioskClient.connect(second.kioskUrl);
    clients.push(kiosk2);

    // The specialist's call ends cleanly (not a frozen picture), with the reason.
    const closed = await until(() => console.notes.find((n) => n.m === 'room.closed'), 'room.closed on the console');
    expect(closed.p).toMatchObject({ reason: 'boothRestarted' });
    expect(hub.media!.service.roomOfBooth(BOOTH)).toBeUndefined();

    // Every reading shown before the kill is in the record, exactly once; the incident follows.
    const items = await until(async () => {
      const all = await boothItems();
      const held = new Set(all.map((i) => i.id));
      return shown.every((id) => held.has(id)) && all.some((i) => i.type === 'incident') ? all : undefined;
    }, 'readings and incident in the hub record', 30_000);
    const ids = items.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of shown) expect(ids.filter((x) => x === id)).toHaveLength(1);
    const interruptions = items.filter((i) => i.type === 'incident' && i.code === 'SESSION_INTERRUPTED');
    expect(interruptions).toEqual([expect.objectContaining({ sessionId })]);

    // The patient sees that a technical incident interrupted the consultation, and the booth calls the pharmacist (chime on).
    const view = await kiosk2.call<{ state: string; sessionId: string; context: { alert: unknown } }>('getSnapshot');
    expect(view).toMatchObject({ state: 'interrupted', sessionId, context: { alert: { reason: 'technical-incident', state: 'raised', chime: { volume: 1 } } } });
    await until(async () => (await boothItems()).some((i) => i.type === 'incident' && i.code === 'ALERT_RAISED' && i.sessionId === sessionId), 'the alert in the hub record');
    await until(() => hub.booths.peer(BOOTH), 'booth back online');

    // The pharmacist comes (assistant mode at the booth, which acknowledges the alert) and resolves it: the booth is ready for the next patient.
    expect(await kiosk2.call<{ ok: boolean }>('assistantLogin', { pin: PIN })).toMatchObject({ ok: true });
    expect(await kiosk2.call('getSnapshot')).toMatchObject({ context: { alert: { state: 'acknowledged', acknowledgedBy: { via: 'booth' } } } });
    expect(await kiosk2.call('assistantAlert', { action: 'resolve' })).toEqual({ accepted: true });
    await until(async () => (await kiosk2.state()) === 'attract', 'kiosk at attract after the pharmacist', 15_000);

    // A clean stop and another start record no second incident for the same session.
    kiosk2.close();
    killGroup(second.child, 'SIGTERM');
    await until(() => second.child.exitCode !== null || second.child.signalCode !== null || undefined, 'host stopped');
    const third = await startHostProcess(configFile);
    await until(() => hub.booths.peer(BOOTH), 'third start online');
    const kiosk3 = await KioskClient.connect(third.kioskUrl);
    clients.push(kiosk3);
    await kiosk3.state();
    expect(await kiosk3.state()).toBe('attract');
    const after = await boothItems();
    expect(after.filter((i) => i.type === 'incident' && i.code === 'SESSION_INTERRUPTED')).toHaveLength(1);
  }, 120_000);
});
