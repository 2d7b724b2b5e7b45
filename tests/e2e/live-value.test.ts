/**
 * The live value and the recorded readings (clinical safety), in Chromium: a
 * blood pressure measured while the
 * oximeter streams ten reports a second. The kiosk's live value is only ever
 * the cuff's pressure (it once showed the SpO₂, 97 and 98, in mmHg), the
 * console's gauge follows the cuff alone, and no SpO₂ row nobody asked for
 * appears on the console. Real hub, the cuff's simulator on a real socat pty
 * and its real driver, the oximeter's simulator on a fake HID bus.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpCuffDriver } from '../../devices/drivers/bp-cuff/driver';
import { BpCuffSimulator } from '../../devices/drivers/bp-cuff/simulator';
import { FakeHidBus } from '../../devices/drivers/hid/fake';
import { OximeterDriver } from '../../devices/drivers/oximeter/driver';
import { OximeterSimulator, SIMULATED_OXIMETER } from '../../devices/drivers/oximeter/simulator';
import { PtySimulation } from '../../devices/simulated';
import { Host } from '../../src/host/host';
import type { Hub } from '../../src/hub/server';
import { startWsTransport } from '../../src/host/transport-ws';
import { createLogger } from '../../src/node/logger';
import { launchChromium } from '../helpers/chromium';
import { testConfig } from '../helpers/config';
import { signInOnConsole } from '../helpers/console-page';
import { BOOTH_SECRETS, ensureRenderersBuilt, startTestHub, testHubConfig } from '../helpers/hub';
import { KIOSK_DIST } from '../helpers/kiosk';
import { walkToWaitingRoom } from '../helpers/measure';

const BOOTH = 'demo-booth-1';
const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
/** The simulated cuff's pressures (inflation by 30 from 20 to 170, deflation by 20 from 160 to 60), in mmHg. */
const CUFF_PRESSURES = new Set([20, 50, 80, 110, 140, 170, 160, 120, 100, 60]);

let dir: string;
let hub: Hub;
let browser: Browser;
const closers: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  ensureRenderersBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cabine-live-value-e2e-'));
  mkdirSync(join(dir, 'hub'));
  hub = await startTestHub({ config: await testHubConfig(join(dir, 'hub')) });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
  await hub?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Collects every text a selector shows (or an attribute it takes) on the page, from now on. */
async function watch(page: Page, selector: string, attribute?: string): Promise<() => Promise<string[]>> {
  const key = `__seen_${Math.random().toString(36).slice(2)}`;
  await page.evaluate(({ key, selector, attribute }) => {
    const seen: string[] = [];
    (window as unknown as Record<string, string[]>)[key] = seen;
    const look = () => {
      const el = document.querySelector(selector);
      const value = el ? (attribute ? el.getAttribute(attribute) : el.textContent) : null;
      if (value !== null && value !== seen.at(-1)) seen.push(value);
    };
    look();
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  }, { key, selector, attribute });
  return () => page.evaluate((k) => [...(window as unknown as Record<string, string[]>)[k]!], key);
}

describe('a blood pressure while the oximeter streams', () => {
  it('shows only the cuff\'s pressure as the live value on the kiosk and no unrequested SpO₂ on the console', async () => {
    // The booth: a cuff slow enough to show its pressures one by one, an oximeter reporting every 100 ms.
    const cuffPty = new PtySimulation(new BpCuffSimulator({ stepMs: 250 }));
    await cuffPty.start();
    closers.push(() => cuffPty.stop());
    const bus = new FakeHidBus();
    const oximeterSim = new OximeterSimulator(bus, 'normal', { periodMs: 100 });
    oximeterSim.start();
    closers.push(() => oximeterSim.stop());
    const cuff = new BpCuffDriver({ id: 'bp-cuff-1', path: cuffPty.devicePath, log: silent });
    const oximeter = new OximeterDriver({ id: 'oximeter-1', ...SIMULATED_OXIMETER, backend: bus, log: silent });
    let oximeterReports = 0;
    oximeter.on('reading', () => oximeterReports++);
    const home = join(dir, BOOTH);
    mkdirSync(home);
    const host = new Host(testConfig({
      boothId: BOOTH,
      hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS[BOOTH] },
      store: { path: join(home, 'booth.db'), keyFile: join(home, 'booth.key'), retentionDays: 30 },
    }), silent, { drivers: [cuff, oximeter] });
    const transport = await startWsTransport({ dispatch: host.dispatch, staticDir: KIOSK_DIST, log: silent });
    host.on('kioskEvent', (e) => transport.broadcast(e));
    host.start();
    closers.push(async () => { await transport.close(); await host.stop(); });
    await expect.poll(() => host.hubLink.status, { timeout: 10_000 }).toBe('online');
    await expect.poll(() => cuff.status().state, { timeout: 10_000 }).toBe('ready');

    const kiosk = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const consolePage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await kiosk.goto(transport.url);
    await kiosk.getByTestId('start').waitFor();
    await signInOnConsole(consolePage, hub.url);

    // The patient is in the waiting room (the steps themselves are the session e2e's); the doctor claims the booth.
    await walkToWaitingRoom(host);
    await consolePage.locator(`li[data-booth="${BOOTH}"]`).getByRole('button', { name: 'Prendre en charge' }).click({ timeout: 15_000 });
    await kiosk.getByTestId('screen-consultation-call').waitFor({ timeout: 20_000 });
    // The call lasts a few oximeter reports before any request: none of them may become a row.
    const before = oximeterReports;
    await expect.poll(() => oximeterReports, { timeout: 10_000 }).toBeGreaterThan(before + 5);
    await expect.poll(() => host.store?.pendingCount(), { timeout: 10_000 }).toBe(0);
    expect(await consolePage.locator('tr[data-kind="spo2"]').count()).toBe(0);

    await consolePage.getByRole('button', { name: 'Tension artérielle', exact: true }).click();
    await kiosk.getByTestId('screen-consultation-guidance').waitFor({ timeout: 15_000 });
    for (let i = 0; i < 3; i++) {
      await kiosk.getByTestId('next').click();
      await expect.poll(() => kiosk.getByTestId('guide-progress').textContent()).toContain(String(i + 2));
    }
    const kioskLive = await watch(kiosk, '[data-testid="live-value"]');
    const consoleGauge = await watch(consolePage, '[data-testid="cuff-gauge"]', 'aria-valuenow');
    const atReady = oximeterReports;
    await kiosk.getByTestId('ready').click();
    await kiosk.getByTestId('screen-consultation-result').waitFor({ timeout: 30_000 });
    const duringMeasurement = oximeterReports - atReady;

    // The oximeter really streamed during the measurement, and the kiosk still showed the cuff's pressure only.
    expect(duringMeasurement).toBeGreaterThan(5);
    const live = await kioskLive();
    expect(live.length).toBeGreaterThan(2);
    for (const text of live) {
      const m = /^(\d+)\u00a0mmHg$/.exec(text);
      expect({ text, cuffPressure: m !== null && CUFF_PRESSURES.has(Number(m[1])) }).toEqual({ text, cuffPressure: true });
    }
    for (const value of await consoleGauge()) expect({ value, cuffPressure: CUFF_PRESSURES.has(Number(value)) }).toEqual({ value, cuffPressure: true });

    // The console: the blood pressure it asked for, and no SpO₂ nobody asked for.
    await expect.poll(() => consolePage.locator('tr[data-kind="blood-pressure"]').count(), { timeout: 10_000 }).toBe(1);
    expect(await consolePage.locator('tr[data-kind="spo2"]').count()).toBe(0);
    await kiosk.close();
    await consolePage.close();
  }, 180_000);
});
