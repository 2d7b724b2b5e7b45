/**
 * "Appeler le pharmacien" to the counter: from the patient's press (the
 * kiosk's `sendEvent` CALL_PHARMACIST through the booth host's KioskApi
 * dispatcher) to the counter page's `counter.ring` for that alert, through
 * a real host (its session machine, counter relay and hub link) and a real
 * hub, the counter a WebSocket signed in as the pharmacy's staff. Each
 * alert is answered ("J'arrive" from the counter) and resolved at the booth
 * before the next press, so no press is coalesced into the one before.
 *
 * Baseline, same run, same counter socket: a request the hub answers by
 * itself (an acknowledgement for another pharmacy's booth, refused before
 * any booth is asked), i.e. one bare round trip through the hub.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Host } from '../src/host/host';
import { createLogger } from '../src/node/logger';
import { COUNTER, COUNTER_API, COUNTER_WS_PATH } from '../src/shared/counter-protocol';
import { testConfig } from '../tests/helpers/config';
import { BOOTH_SECRETS, STAFF, startTestHub } from '../tests/helpers/hub';
import { ConsoleClient } from '../tests/resilience/support/clients';
import { percentile, type BenchResult } from './types';

const PRESSES = Math.max(100, Number(process.env.BENCH_COUNTER_PRESSES ?? 200));
const WARM_UP = 10;
// The counter page's socket is held to 20 frames/s (100 burst) by the hub; two requests per press stay under it.
const PACE_MS = 60;
const silent = createLogger('bench', { write: () => true } as unknown as NodeJS.WritableStream);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let waited = 0; !ok(); waited += 5) {
    if (waited > 10_000) throw new Error(`bench: gave up waiting for ${what}`);
    await sleep(5);
  }
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-bench-counter-'));
  const hub = await startTestHub({ consoleDir: '/nonexistent', media: false });
  const host = new Host(testConfig({
    boothId: 'demo-booth-1',
    hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS['demo-booth-1'] },
    store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 },
    // The bench stays on one screen for a while: no inactivity prompt in the middle of it.
    session: { inactivityPromptSeconds: 3600, wipeAfterPromptSeconds: 30 },
  }), silent);
  let counter: ConsoleClient | null = null;
  try {
    host.start();
    const marie = STAFF[0];
    const login = await fetch(`${hub.url}${COUNTER_API.login}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: marie.email, password: marie.password }) });
    if (login.status !== 200) throw new Error(`bench: staff sign-in refused (${login.status})`);
    const page = await ConsoleClient.open(hub.url, { cookie: login.headers.get('set-cookie')!.split(';')[0]!, origin: hub.url }, COUNTER_WS_PATH);
    counter = page;
    // The ring's arrival, stamped by a listener of its own as the frame comes in.
    const rangAt = new Map<string, number>();
    page.ws.on('message', (raw) => {
      const t = performance.now();
      const f = JSON.parse(raw.toString()) as { t: string; m?: string; p?: { alertId?: string } };
      if (f.t === 'note' && f.m === COUNTER.ringNote && f.p?.alertId) rangAt.set(f.p.alertId, t);
    });
    // When the hub rang the pages (its listeners hear the report right after the ring went out): where the time goes.
    const hubAt = new Map<string, number>();
    hub.counter.alerts.onAlert((_booth, r) => { if (r.state === 'raised') hubAt.set(r.alertId, performance.now()); });
    await until('the booth online', () => host.hubLink.status === 'online');
    // In a session (the alert belongs to one): the patient chose a language.
    for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }]) await host.dispatch('sendEvent', { event });

    const press: number[] = [];
    const toHub: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < PRESSES + WARM_UP; i++) {
      // The baseline first, on a quiet process: the host's sealed store writes (fsync) run on this same event loop.
      await sleep(PACE_MS);
      const t1 = performance.now();
      const answer = await page.raw(COUNTER.acknowledgeAlert, { boothId: 'demo-booth-2', alertId: 'none' });
      const round = performance.now() - t1;
      if (answer.ok || answer.e?.code !== 'NOT_YOUR_PHARMACY') throw new Error(`bench: the baseline request was not refused by the hub: ${JSON.stringify(answer)}`);
      await sleep(PACE_MS);

      const t0 = performance.now();
      await host.dispatch('sendEvent', { event: { type: 'CALL_PHARMACIST' } });
      const alertId = host.view().context.alert?.id;
      if (!alertId) throw new Error(`bench: the press raised no alert (${host.view().state})`);
      await until(`the ring of ${alertId}`, () => rangAt.has(alertId));
      const rang = rangAt.get(alertId)! - t0;
      // "J'arrive" from the counter, then the pharmacist at the booth ends it: the next press is a new alert.
      await page.call(COUNTER.acknowledgeAlert, { boothId: 'demo-booth-1', alertId });
      await until(`${alertId} acknowledged`, () => host.view().context.alert?.acknowledgedBy?.via === 'counter');
      if (!host.sendHostEvent({ type: 'ALERT_RESOLVED', alertId, by: { via: 'booth' } })) throw new Error(`bench: ${alertId} could not be resolved`);

      if (i >= WARM_UP) {
        press.push(rang);
        toHub.push(hubAt.get(alertId)! - t0);
        floor.push(round);
      }
    }
    const note = `${PRESSES} presses, each answered and resolved before the next; real host (session, counter relay, hub link), hub and staff counter socket; press → hub rings p50 ${percentile(toHub, 50).toFixed(1)} / p99 ${percentile(toHub, 99).toFixed(1)} ms`;
    return [
      { area: 'counter', name: 'press → counter ring p50', value: percentile(press, 50), unit: 'ms', baseline: { name: 'counter→hub round trip p50', value: percentile(floor, 50) }, note },
      { area: 'counter', name: 'press → counter ring p99', value: percentile(press, 99), unit: 'ms', baseline: { name: 'counter→hub round trip p99', value: percentile(floor, 99) } },
    ];
  } finally {
    counter?.ws.terminate();
    await host.stop();
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
