/**
 * A doctor moving the call between two console tabs (issue #14 item 3):
 * a kiosk and a console in a call through a hub in this process; a second
 * console tab of the same doctor takes the call over, is closed, and the
 * first tab takes it back. Each takeover is measured from the doctor's
 * click to the moment BOTH sides decode the other's video again (the
 * tab's first decoded frame of its new call, the kiosk's first decoded
 * frame of the doctor's new producer).
 * Baseline in the same run: a fresh call's claim → first decoded frame on
 * both sides (the same pages, the same hub), once per round.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../tests/helpers/chromium';
import { decodedSince, openConsoleTab, startCall, takeOverIn, timeline, type CallInProgress } from '../tests/helpers/call';
import { ensureRenderersBuilt, startTestHub, testHubConfig } from '../tests/helpers/hub';
import { until } from '../tests/resilience/support/clients';
import { percentile, type BenchResult } from './types';
import { endConsultation } from '../tests/helpers/console-page';

const ROUNDS = Number(process.env.BENCH_TAKEOVER_ROUNDS ?? 3);

/** Click → both sides decode again (ms). */
async function bothDecoding(kiosk: Page, tab: Page, since: number): Promise<number> {
  const [k, c] = await Promise.all([
    until(() => decodedSince(kiosk, since), 'the kiosk decodes the doctor again', 30_000),
    until(() => decodedSince(tab, since), 'the tab decodes the patient', 30_000),
  ]);
  return Math.max(k, c) - since;
}

async function firstFrame(call: CallInProgress): Promise<number> {
  const at = async (page: Page): Promise<number> => (await timeline(page)).find((s) => s.step === 'firstFrame')!.at;
  return Math.max(await at(call.kioskPage), await at(call.consolePage)) - call.claimedAt;
}

export async function run(): Promise<BenchResult[]> {
  ensureRenderersBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'cabine-bench-takeover-'));
  const hub = await startTestHub({ config: await testHubConfig(dir) });
  const browser = await launchChromium();
  const fresh: number[] = [];
  const toSecond: number[] = [];
  const backToFirst: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const call = await startCall(browser, hub.url, hub.port, dir);
      try {
        fresh.push(await firstFrame(call));
        const second = await openConsoleTab(call.consolePage, hub.url);
        toSecond.push(await bothDecoding(call.kioskPage, second, await takeOverIn(second)));
        await second.close();
        backToFirst.push(await bothDecoding(call.kioskPage, call.consolePage, await takeOverIn(call.consolePage)));
        // The doctor ends the call so the next round starts clean.
        await endConsultation(call.consolePage);
        await call.kioskPage.locator('.video-area').waitFor({ state: 'detached', timeout: 15_000 });
      } finally {
        await call.close();
      }
    }
  } finally {
    await browser.close();
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const baseline = { name: 'fresh call: claim → first frame on both sides, p50', value: percentile(fresh, 50) };
  const note = (n: number): string => `${n} runs; from the click on "Reprendre la consultation ici" to both sides' first decoded frame of the new media`;
  return [
    { area: 'takeover', name: 'second tab takes over → both sides decoding again, p50', value: percentile(toSecond, 50), unit: 'ms', baseline, note: note(toSecond.length) },
    { area: 'takeover', name: 'second tab takes over → both sides decoding again, max', value: Math.max(...toSecond), unit: 'ms', baseline: { name: 'fresh call: claim → first frame on both sides, max', value: Math.max(...fresh) }, note: note(toSecond.length) },
    { area: 'takeover', name: 'second tab closed, first takes back → both sides decoding again, p50', value: percentile(backToFirst, 50), unit: 'ms', baseline, note: note(backToFirst.length) },
    { area: 'takeover', name: 'second tab closed, first takes back → both sides decoding again, max', value: Math.max(...backToFirst), unit: 'ms', baseline: { name: 'fresh call: claim → first frame on both sides, max', value: Math.max(...fresh) }, note: note(backToFirst.length) },
  ];
}

if (process.argv[1]?.endsWith('takeover.bench.ts')) {
  for (const r of await run()) console.log(`${r.name}: ${Math.round(r.value)} ${r.unit} (baseline ${r.baseline?.name}: ${Math.round(r.baseline?.value ?? 0)})`);
}
