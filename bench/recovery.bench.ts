/**
 * Recovery figures (issue #8 item 6; goal: a call back within 5 s):
 * 1. Hub restart mid-call: the hub runs as its own process; it is SIGKILLed
 *    and started again on the same port and data; measured from the kill to
 *    the moment BOTH pages decode the other side's video again (each page's
 *    own 'firstFrame' mark after its 'restart').
 *    Beside it, the part after the new hub listens (the process boot, here
 *    through tsx, is outside what the recovery code controls).
 * 2. Worker kill mid-call: the hub's mediasoup worker is SIGKILLed; measured
 *    from the kill to both pages decoding again.
 * Baseline in the same run: a fresh call's claim → first decoded frame on
 * both sides (the same pages, the same hub process), once per round.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../tests/helpers/chromium';
import { decodingAgainAt, startCall, timeline, type CallInProgress } from '../tests/helpers/call';
import { ensureRenderersBuilt, freePort, spawnHubProcess, writeHubConfigFile, type HubProcess } from '../tests/helpers/hub';
import { until } from '../tests/resilience/support/clients';
import { percentile, type BenchResult } from './types';
import { endConsultation } from '../tests/helpers/console-page';

const ROUNDS = Number(process.env.BENCH_RECOVERY_ROUNDS ?? 3);
const GOAL_MS = 5000;

/** The mediasoup workers of a process (its children named mediasoup-worker). */
function workerPids(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S (\d+)/.exec(stat);
      if (m && Number(m[2]) === parent && m[1]!.startsWith('mediasoup-work')) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Kill → both pages decode again (ms). */
async function bothBack(call: CallInProgress, since: number): Promise<number> {
  const [k, c] = await Promise.all([
    until(() => decodingAgainAt(call.kioskPage, since), 'the kiosk decodes again', 30_000),
    until(() => decodingAgainAt(call.consolePage, since), 'the console decodes again', 30_000),
  ]);
  return Math.max(k, c) - since;
}

async function firstFrame(call: CallInProgress): Promise<number> {
  const at = async (page: CallInProgress['kioskPage']): Promise<number> => (await timeline(page)).find((s) => s.step === 'firstFrame')!.at;
  return Math.max(await at(call.kioskPage), await at(call.consolePage)) - call.claimedAt;
}

export async function run(): Promise<BenchResult[]> {
  ensureRenderersBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'cabine-bench-recovery-'));
  const configFile = await writeHubConfigFile(dir);
  const port = await freePort();
  let hub: HubProcess = await spawnHubProcess(configFile, port);
  const browser = await launchChromium();
  const fresh: number[] = [];
  const hubRestart: number[] = [];
  /** The part after the new hub process listens: what the recovery itself costs, without the process boot. */
  const afterHubUp: number[] = [];
  const workerKill: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const call = await startCall(browser, hub.url, port, dir);
      try {
        fresh.push(await firstFrame(call));

        const killedAt = Date.now();
        await hub.kill();
        hub = await spawnHubProcess(configFile, port);
        const hubUp = Date.now() - killedAt;
        const back = await bothBack(call, killedAt);
        hubRestart.push(back);
        afterHubUp.push(back - hubUp);
        if (process.env.BENCH_RECOVERY_TRACE) {
          for (const [name, page] of [['kiosk', call.kioskPage], ['console', call.consolePage]] as const) {
            const steps = (await timeline(page)).filter((st) => st.at > killedAt);
            console.error(`round ${round} ${name}: hub up @${hubUp} ${steps.map((st) => `${st.step}@${Math.round(st.at - killedAt)}`).join(' ')}`);
          }
        }

        const [worker] = workerPids(hub.child.pid!);
        if (worker === undefined) throw new Error('no mediasoup worker under the hub process');
        const workerKilledAt = Date.now();
        process.kill(worker, 'SIGKILL');
        workerKill.push(await bothBack(call, workerKilledAt));

        // The specialist ends the call so the next round starts clean.
        await endConsultation(call.consolePage);
        await call.kioskPage.locator('.video-area').waitFor({ state: 'detached', timeout: 15_000 });
      } finally {
        await call.close();
      }
    }
  } finally {
    await browser.close();
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const baseline = (p: number): { name: string; value: number } => ({ name: `fresh call: claim → first frame on both sides, ${p === 50 ? 'p50' : 'max'}`, value: p === 50 ? percentile(fresh, 50) : Math.max(...fresh) });
  const note = (n: number): string => `${n} runs; each page marks its own first decoded frame after its restart; goal ${GOAL_MS} ms`;
  return [
    { area: 'recovery', name: 'hub SIGKILL + restart → both sides decoding again, p50', value: percentile(hubRestart, 50), unit: 'ms', baseline: baseline(50), note: note(hubRestart.length) },
    { area: 'recovery', name: 'hub SIGKILL + restart → both sides decoding again, max', value: Math.max(...hubRestart), unit: 'ms', baseline: baseline(100), note: note(hubRestart.length) },
    { area: 'recovery', name: 'new hub listening → both sides decoding again, p50', value: percentile(afterHubUp, 50), unit: 'ms', baseline: baseline(50), note: `${afterHubUp.length} runs; the rest of the kill → decoding figure is the hub process boot (tsx) and the clients' reconnect backoff` },
    { area: 'recovery', name: 'worker SIGKILL → both sides decoding again, p50', value: percentile(workerKill, 50), unit: 'ms', baseline: baseline(50), note: note(workerKill.length) },
    { area: 'recovery', name: 'worker SIGKILL → both sides decoding again, max', value: Math.max(...workerKill), unit: 'ms', baseline: baseline(100), note: note(workerKill.length) },
  ];
}

if (process.argv[1]?.endsWith('recovery.bench.ts')) {
  for (const r of await run()) console.log(`${r.name}: ${Math.round(r.value)} ${r.unit} (baseline ${r.baseline?.name}: ${Math.round(r.baseline?.value ?? 0)})`);
}
