/**
 * `npm run demo`'s launcher (after bootstrap and build), as a user meets it
 * (issue #14 item 6): it serves the kiosk it prints; it supervises the hub
 * and the host as a booth's systemd would — a hub SIGKILLed mid-call is
 * started again and both pages (kiosk and console in Chromium) decode video
 * again without being touched; a host SIGKILLed mid-call is started again on
 * the same address with the same launch secret, so the open kiosk page
 * reconnects by itself, and the doctor's console shows the call ended; and
 * Ctrl-C leaves no process (hub, host, socat, mediasoup worker) and no
 * temporary folder (`cabine-tty-*`, the demo's own).
 * How long the hub restart takes goes to the bench (bench/demo.bench.ts).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { decodingAgainAt, joinCall, stats } from '../helpers/call';
import { launchChromium } from '../helpers/chromium';
import { rawDefaultConfig } from '../helpers/config';
import { alive, DEMO_BOOTH, DEMO_PIN, startDemo, type DemoRun } from '../helpers/demo';

const runs: DemoRun[] = [];
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  for (const run of runs) run.dispose();
});

async function demo(opts: Parameters<typeof startDemo>[0] = {}): Promise<DemoRun> {
  const run = await startDemo(opts);
  runs.push(run);
  return run;
}

/** Ctrl-C (or SIGTERM): the demo exits 0, and nothing it ran or made is left. */
async function interruptLeavesNothing(run: DemoRun, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
  const before = run.descendants();
  expect(before.length, 'processes under the demo before it is stopped').toBeGreaterThanOrEqual(2);
  expect(await run.interrupt(signal)).toBe(0);
  for (const p of before) expect(alive(p.pid), `${p.comm} (${p.pid}: ${p.cmdline.slice(0, 80)}) still running`).toBe(false);
  expect(run.leftovers(), 'temporary folders left behind').toEqual([]);
}

/** Frames keep coming: a second reading is above the first. */
async function framesIncrease(page: Page): Promise<void> {
  const before = (await stats(page))?.video.framesDecoded ?? 0;
  await expect.poll(async () => (await stats(page))?.video.framesDecoded ?? 0, { timeout: 15_000, interval: 250 }).toBeGreaterThan(before);
}

const socatUnder = (run: DemoRun, host: number): number[] =>
  run.descendants().filter((p) => p.comm === 'socat' && p.pgid === host).map((p) => p.pid);

describe('npm run demo', () => {
  it('serves the kiosk on its printed URL, and Ctrl-C leaves no process and no temporary folder', async () => {
    const run = await demo();
    expect(run.output()).toContain(`http://127.0.0.1:${run.hubPort}/`);
    browser ??= await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(run.kioskUrl);
      await expect.poll(() => page.getByTestId('start').textContent()).toContain("Touchez l'écran pour commencer");
      const health = await page.request.get(`http://127.0.0.1:${run.hubPort}/health`);
      expect(health.ok()).toBe(true);
      // The simulated serial devices of the default config run on socat ptys.
      await expect.poll(() => run.descendants().filter((p) => p.comm === 'socat').length, { timeout: 15_000 }).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
    await interruptLeavesNothing(run);
  }, 120_000);

  it('restarts a hub killed mid-call and both pages decode again; restarts a killed host, the kiosk page reconnects by itself and the console shows the call ended', async () => {
    const run = await demo({ call: true });
    browser ??= await launchChromium();
    const kioskPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const consolePage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await joinCall({ kioskPage, consolePage }, { kioskUrl: run.kioskUrl, hubUrl: run.hubUrl, boothId: DEMO_BOOTH, pin: DEMO_PIN });

    // 1. kill -9 of the hub, as a crash would: the demo starts it again, the call comes back by itself.
    const hub = run.pidOf('hub')!;
    const hubKilledAt = Date.now();
    process.kill(hub, 'SIGKILL');
    await run.restarted('hub', hub);
    await expect.poll(() => decodingAgainAt(kioskPage, hubKilledAt), { timeout: 45_000, interval: 250 }).not.toBeNull();
    await expect.poll(() => decodingAgainAt(consolePage, hubKilledAt), { timeout: 45_000, interval: 250 }).not.toBeNull();
    await framesIncrease(kioskPage);
    await framesIncrease(consolePage);
    expect(await consolePage.getByRole('heading', { name: /Consultation en cours/ }).isVisible()).toBe(true);

    // 2. kill -9 of the host alone (its socat children are not signalled): the demo
    //    starts it again; nothing of the dead one is left (socat, its pty folder).
    const host = run.pidOf('host')!;
    const oldSocat = socatUnder(run, host);
    expect(oldSocat.length, 'the simulated thermometer runs on socat').toBeGreaterThan(0);
    const oldPtyFolders = run.ptyFolders();
    expect(oldPtyFolders.length, "the thermometer's pty folder").toBeGreaterThan(0);
    process.kill(host, 'SIGKILL');
    const newHost = await run.restarted('host', host);
    for (const pid of oldSocat) await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
    await expect.poll(() => socatUnder(run, newHost).length, { timeout: 45_000 }).toBeGreaterThan(0);
    expect(run.output()).toMatch(/host stopped \(SIGKILL\)/);

    // The doctor's console: the crash recovery ends the interrupted consultation, and says why.
    await expect.poll(() => consolePage.getByRole('heading', { name: /Consultation terminée/ }).isVisible(), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => consolePage.getByText('La cabine a redémarré').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // The kiosk page, untouched, is served by the new host: it shows the new host's state —
    // the patient is told a technical incident interrupted the consultation and the
    // pharmacist is being called (the local alert is raised).
    // NOTE: a bound, not a timing: once, inside the full suite on 2 busy cores, the page took over 30 s.
    await expect.poll(() => kioskPage.locator('.video-area').count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => kioskPage.getByTestId('screen-interrupted').isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await kioskPage.locator('h1').textContent()).toBe('Un incident technique a interrompu la consultation');
    expect(await kioskPage.getByTestId('alert-status').textContent()).toMatch(/^Nous prévenons le pharmacien/);
    expect(run.ptyFolders().filter((f) => oldPtyFolders.includes(f)), 'pty folders of the dead host').toEqual([]);

    // 3. Stopped by a service manager (SIGTERM): nothing left either.
    await kioskPage.close();
    await consolePage.close();
    await interruptLeavesNothing(run, 'SIGTERM');
  }, 300_000);

  it('stops with the reason when the host refuses its configuration (not restarted), leaving no process and no folder', async () => {
    const broken = rawDefaultConfig();
    delete (broken.hub as Record<string, unknown>).token;
    const run = await demo({ kioskConfig: broken, waitForUrls: false });
    // Every process the demo runs meanwhile, to check none outlives it.
    const seen = new Set<number>();
    let stopped = false;
    const watching = (async () => {
      while (!stopped) {
        for (const p of run.descendants()) seen.add(p.pid);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const code = await run.exited();
    stopped = true;
    await watching;
    expect(code).toBe(1);
    expect(run.output()).toMatch(/host stopped \(exit code 2\).*not restarted/);
    expect(run.output()).toMatch(/hub\.token/);
    expect(run.output(), 'names the file the user gave').toContain('kiosk-config.json (its hub.url pointed at');
    expect(run.output().match(/host restarted/g) ?? []).toEqual([]);
    expect(seen.size, 'the hub ran').toBeGreaterThan(0);
    for (const pid of seen) expect(alive(pid), `process ${pid} still running`).toBe(false);
    expect(run.leftovers()).toEqual([]);
  }, 120_000);
});
