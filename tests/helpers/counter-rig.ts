/**
 * The set-up of an e2e with the people around one booth: a test hub serving
 * the console and the counter page, a kiosk host linked to it as
 * demo-booth-1 of "Pharmacie test 1" (the pharmacy the hub's directory gives
 * it: the booth takes an intake only from its own pharmacy's staff), and
 * Chromium; `newPage` opens a page in a context of its own (permissions
 * granted for an origin when asked), `close()` takes it all down.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Hub } from '../../src/hub/server';
import { launchChromium } from './chromium';
import { ROOT, testConfig } from './config';
import { BOOTH_SECRETS, CONSOLE_DIST, ensureRenderersBuilt, startTestHub } from './hub';
import { startKioskHost } from './kiosk';

export const COUNTER_DIST = resolve(ROOT, 'dist/renderer/counter');

export interface CounterRig {
  readonly hub: Hub;
  readonly kiosk: Awaited<ReturnType<typeof startKioskHost>>;
  readonly browser: Browser;
  newPage(o?: { viewport?: { width: number; height: number }; permissions?: string[]; origin?: string }): Promise<Page>;
  close(): Promise<void>;
}

/** The counter page's build, built once if a run has not yet. */
export function ensureCounterBuilt(): void {
  ensureRenderersBuilt();
  if (!existsSync(resolve(COUNTER_DIST, 'index.html'))) execFileSync(process.execPath, ['scripts/build.mjs', 'counter'], { cwd: ROOT, stdio: 'inherit' });
}

export async function startCounterRig(): Promise<CounterRig> {
  ensureCounterBuilt();
  const hub = await startTestHub({ consoleDir: CONSOLE_DIST, counterDir: COUNTER_DIST });
  const kiosk = await startKioskHost(testConfig({
    boothId: 'demo-booth-1',
    pharmacy: { name: 'Pharmacie test 1', city: 'Aurillac' },
    hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS['demo-booth-1'] },
  })).catch(async (error: unknown) => {
    await hub.close();
    throw error;
  });
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  return {
    hub, kiosk, browser,
    async newPage(o = {}) {
      const context = await browser.newContext({ viewport: o.viewport ?? { width: 1280, height: 800 } });
      if (o.origin) await context.grantPermissions(o.permissions ?? [], { origin: o.origin });
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await kiosk.close();
      await hub.close();
    },
  };
}
