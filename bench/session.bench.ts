/**
 * Session: the statechart's transition latency and the kiosk's start time.
 * - transition: one event through the session machine (parallel root, six
 *   regions, every transition traced by a provided no-op action), beside one
 *   event through a no-op actor (fromTransition returning its state) in the
 *   same run: the cost of the statechart itself.
 * - kiosk start: Chromium opening the kiosk from the host's WebSocket
 *   transport until the attract screen's start button is visible (DESIGN §9:
 *   under 2 s), beside loading a blank page in the same browser.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createActor, fromTransition } from 'xstate';
import { Host } from '../src/host/host';
import { startWsTransport } from '../src/host/transport-ws';
import type { Quantity } from '../src/shared/domain';
import { createLogger } from '../src/node/logger';
import { sessionMachine, type SessionMachineEvent } from '../src/session/machine';
import { launchChromium } from '../tests/helpers/chromium';
import { testConfig } from '../tests/helpers/config';
import { KIOSK_DIST, ensureKioskBuilt } from '../tests/helpers/kiosk';
import { percentile, type BenchResult } from './types';

const cuff: Quantity[] = [{ code: '8478-0', name: 'cuff', value: 90, unit: 'mm[Hg]' }];
const bp: Quantity[] = [{ code: '8480-6', name: 'systolic', value: 120, unit: 'mm[Hg]' }];

/** One measurement cycle during a call: request, four steps, ten live values, the result, back to the call. */
const CYCLE: SessionMachineEvent[] = [
  { type: 'MEASUREMENT_REQUESTED', kind: 'blood-pressure' },
  { type: 'NEXT' }, { type: 'NEXT' }, { type: 'NEXT' }, { type: 'NEXT' },
  ...Array.from({ length: 10 }, () => ({ type: 'READING', kind: 'cuff-pressure', deviceId: 'bp-cuff-1', values: cuff, intermediate: true }) as const),
  { type: 'READING', kind: 'blood-pressure', deviceId: 'bp-cuff-1', values: bp, intermediate: false },
  { type: 'NEXT' },
];

function transitionLatency(): BenchResult[] {
  const machine = sessionMachine.provide({ actions: { recordTransition: () => undefined, startMeasurement: () => undefined, notifyWipe: () => undefined } });
  const actor = createActor(machine, { input: { language: 'fr', measuringDevices: { 'blood-pressure': 'bp-cuff-1' } } }).start();
  for (const e of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }, { type: 'ASSISTANT_LOGIN' },
    { type: 'SET_IDENTITY', identity: { firstName: 'A', lastName: 'B', birthDate: '1940-01-01' } },
    { type: 'CLAIMED' }] as SessionMachineEvent[]) actor.send(e);
  const times: number[] = [];
  for (let round = 0; round < 600; round++) {
    for (const e of CYCLE) {
      const t0 = performance.now();
      actor.send(e);
      times.push(performance.now() - t0);
    }
  }
  actor.stop();
  const noop = createActor(fromTransition((s: number) => s, 0)).start();
  const base: number[] = [];
  for (let i = 0; i < times.length; i++) {
    const t0 = performance.now();
    noop.send({ type: 'NEXT' });
    base.push(performance.now() - t0);
  }
  noop.stop();
  const warm = (xs: number[]) => xs.slice(Math.floor(xs.length / 10));
  const t = warm(times);
  const b = warm(base);
  return [
    { area: 'session', name: 'machine transition p50', value: percentile(t, 50) * 1000, unit: 'µs', baseline: { name: 'no-op actor send p50', value: percentile(b, 50) * 1000 } },
    { area: 'session', name: 'machine transition p99', value: percentile(t, 99) * 1000, unit: 'µs', baseline: { name: 'no-op actor send p99', value: percentile(b, 99) * 1000 }, note: `${t.length} events (measurement cycles during a call)` },
  ];
}

async function kioskStart(): Promise<BenchResult[]> {
  ensureKioskBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'cabine-bench-session-'));
  const log = createLogger('bench', { write: () => true } as unknown as NodeJS.WritableStream);
  const host = new Host(testConfig({ store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 } }), log, { drivers: [] });
  const transport = await startWsTransport({ dispatch: host.dispatch, staticDir: KIOSK_DIST, log });
  host.on('kioskEvent', (e) => transport.broadcast(e));
  host.start();
  const browser = await launchChromium();
  const N = 10;
  const kiosk: number[] = [];
  const blank: number[] = [];
  try {
    for (let i = 0; i < N + 1; i++) {
      // A fresh context each time: no cache, as after a booth restart.
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      let t0 = performance.now();
      await page.goto(transport.url);
      await page.getByTestId('start').waitFor({ state: 'visible' });
      const k = performance.now() - t0;
      t0 = performance.now();
      await page.goto('data:text/html,<p id="x">x</p>');
      await page.locator('#x').waitFor({ state: 'visible' });
      const b = performance.now() - t0;
      if (i > 0) {
        kiosk.push(k);
        blank.push(b);
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await transport.close();
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    { area: 'session', name: 'kiosk start to attract screen p50', value: percentile(kiosk, 50), unit: 'ms', baseline: { name: 'blank page in the same browser p50', value: percentile(blank, 50) }, note: `${N} cold contexts; budget 2000 ms (DESIGN §9)` },
    { area: 'session', name: 'kiosk start to attract screen max', value: Math.max(...kiosk), unit: 'ms', baseline: { name: 'blank page max', value: Math.max(...blank) } },
  ];
}

export async function run(): Promise<BenchResult[]> {
  return [...transitionLatency(), ...(await kioskStart())];
}
