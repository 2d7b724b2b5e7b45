/**
 * Issue #8 "Done when" (DESIGN §9: a reading reaches the specialist's screen
 * in under 25 ms p99 on one machine): from the thermometer's bytes written on
 * a real virtual serial port (socat pty) to the reading's row in the
 * console's DOM. The path: the real driver decodes the frame, the host
 * stores the reading (sealed SQLite) and its outbox sends it, the real hub
 * stores it in its record and notes the claimant's console, the console (the
 * built page in Chromium) renders the row.
 *
 * Timestamps on one clock: the write in Node (performance.timeOrigin +
 * performance.now(), just before the bytes go to the pty) and the row's
 * insertion seen by a MutationObserver in the page (the same expression,
 * comparable across processes on one machine). Baseline in the same run,
 * same readings: the same bytes to the host's own reading event (driver,
 * decoding and the booth's store write; no hub, no browser).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PtySimulation } from '../devices/simulated';
import { ThermometerDriver } from '../devices/drivers/thermometer/driver';
import { ThermometerSimulator } from '../devices/drivers/thermometer/simulator';
import type { FakeSerialDevice } from '../devices/drivers/serial/fake';
import { Host } from '../src/host/host';
import type { Reading } from '../src/shared/domain';
import { createLogger } from '../src/node/logger';
import { launchChromium } from '../tests/helpers/chromium';
import { testConfig } from '../tests/helpers/config';
import { BOOTH_SECRETS, ensureRenderersBuilt, startTestHub, testHubConfig } from '../tests/helpers/hub';
import { percentile, type BenchResult } from './types';
import { signInOnConsole } from '../tests/helpers/console-page';
import { measureAgain, pharmacistMeasures, walkToWaitingRoom } from '../tests/helpers/measure';

const READINGS = Math.max(200, Number(process.env.BENCH_CONSOLE_READINGS ?? 220));
const WARM_UP = 20;
const silent = createLogger('bench', { write: () => true } as unknown as NodeJS.WritableStream);
const now = (): number => performance.timeOrigin + performance.now();

declare global {
  interface Window {
    /** Bench hook: when each reading row (by reading id) entered the DOM, epoch ms. */
    __rowAt?: Record<string, number>;
    /** Bench hook: when each `consult.reading` note reached the page, epoch ms. */
    __noteAt?: Record<string, number>;
  }
}

export async function run(): Promise<BenchResult[]> {
  ensureRenderersBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'cabine-bench-console-'));
  mkdirSync(join(dir, 'hub'));
  const hub = await startTestHub({ config: { ...(await testHubConfig()), dataDir: join(dir, 'hub') } });

  // The thermometer simulator on one end of a socat pair, the real driver on the other; each write is timed.
  const sim = new ThermometerSimulator({ scenario: 'normal' });
  let lastWrite = 0;
  const tapped: FakeSerialDevice = {
    attach: (send) => sim.attach((bytes) => {
      lastWrite = now();
      send(bytes);
    }),
    receive: (bytes) => sim.receive(bytes),
    detach: () => sim.detach(),
  };
  const pty = new PtySimulation(tapped);
  await pty.start();
  const driver = new ThermometerDriver({ id: 'thermometer-1', path: pty.devicePath, log: silent });
  const host = new Host(testConfig({
    boothId: 'demo-booth-1',
    hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS['demo-booth-1'] },
    store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 },
  }), silent, { drivers: [driver] });
  const browser = await launchChromium();
  try {
    host.start();
    while (host.hubLink.status !== 'online' || driver.status().state !== 'ready') await new Promise((r) => setTimeout(r, 20));

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // Where the time goes: the note's arrival in the page, before the console handles it (a listener added first).
    await page.addInitScript(() => {
      const at: Record<string, number> = {};
      window.__noteAt = at;
      const Native = window.WebSocket;
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          this.addEventListener('message', (e: MessageEvent) => {
            const t = performance.timeOrigin + performance.now();
            if (typeof e.data !== 'string' || !e.data.includes('"consult.reading"')) return;
            const id = (JSON.parse(e.data) as { p?: { reading?: { id?: string } } }).p?.reading?.id;
            if (id) at[id] ??= t;
          });
        }
      };
    });
    await signInOnConsole(page, hub.url);
    await walkToWaitingRoom(host);
    await page.locator('li[data-booth="demo-booth-1"] button').click();
    while (host.view().state !== 'consultation.call') await new Promise((r) => setTimeout(r, 20));
    await page.getByRole('heading', { name: 'Mesures' }).waitFor();
    await page.evaluate(() => {
      const at: Record<string, number> = {};
      window.__rowAt = at;
      new MutationObserver((records) => {
        const t = performance.timeOrigin + performance.now();
        for (const r of records) {
          for (const node of r.addedNodes) {
            if (!(node instanceof Element)) continue;
            const rows = node.matches('[data-reading-id]') ? [node] : [...node.querySelectorAll('[data-reading-id]')];
            for (const row of rows) at[row.getAttribute('data-reading-id')!] ??= t;
          }
        }
      }).observe(document.body, { childList: true, subtree: true });
    });

    const toDom: number[] = [];
    const toHost: number[] = [];
    const toNote: number[] = [];
    const render: number[] = [];
    for (let i = 0; i < READINGS + WARM_UP; i++) {
      const reading = new Promise<{ id: string; at: number }>((resolve) => {
        const on = (e: { name: string; data: unknown }): void => {
          if (e.name !== 'reading') return;
          host.off('kioskEvent', on);
          resolve({ id: (e.data as Reading).id, at: now() });
        };
        host.on('kioskEvent', on);
      });
      // A reading belongs to a measurement someone asked for (issue #14): the pharmacist's temperature, then measured
      // again from each result; each time the thermometer is asked ("send last") and answers with one frame.
      if (i === 0) await pharmacistMeasures(host, 'temperature');
      else await measureAgain(host);
      const seen = await reading;
      const written = lastWrite;
      const handle = await page.waitForFunction((id) => window.__rowAt?.[id], seen.id, { polling: 5, timeout: 10_000 });
      const shown = (await handle.jsonValue()) as number;
      const noted = await page.evaluate((id) => window.__noteAt?.[id] ?? Number.NaN, seen.id);
      if (i < WARM_UP) continue;
      toHost.push(seen.at - written);
      toDom.push(shown - written);
      toNote.push(noted - written);
      render.push(shown - noted);
    }
    const note = `${READINGS} thermometer readings one at a time (after ${WARM_UP} to warm up): pty → driver → host store and outbox → hub record → console note → React row`;
    return [
      { area: 'console', name: 'device bytes → console DOM p50', value: percentile(toDom, 50), unit: 'ms', baseline: { name: 'device bytes → host reading event p50', value: percentile(toHost, 50) }, note },
      { area: 'console', name: 'device bytes → console DOM p99', value: percentile(toDom, 99), unit: 'ms', baseline: { name: 'device bytes → host reading event p99', value: percentile(toHost, 99) }, note: 'budget 25 ms p99 (DESIGN §9)' },
      { area: 'console', name: 'note in the page → DOM row p50', value: percentile(render, 50), unit: 'ms', baseline: { name: 'device bytes → note in the page p50', value: percentile(toNote, 50) }, note: 'the console\'s own share: validation, reducer, React render of the panel' },
      { area: 'console', name: 'note in the page → DOM row p99', value: percentile(render, 99), unit: 'ms', baseline: { name: 'device bytes → note in the page p99', value: percentile(toNote, 99) } },
    ];
  } finally {
    await browser.close();
    await host.stop();
    await pty.stop();
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
