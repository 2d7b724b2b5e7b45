/**
 * The set-up of an e2e with one booth in a call: a temporary folder, a test
 * hub, a kiosk host linked to it as demo-booth-1 (its store and a file
 * printer in that folder), and Chromium with the instruments the test needs;
 * `close()` takes it all down in the reverse order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Hub, HubOptions } from '../../src/hub/server';
import type { KioskConfig } from '../../src/shared/config';
import { launchChromium } from './chromium';
import { testConfig } from './config';
import { BOOTH_SECRETS, ensureRenderersBuilt, startTestHub } from './hub';
import { startKioskHost } from './kiosk';

export interface BoothRig {
  readonly dir: string;
  readonly hub: Hub;
  readonly kiosk: Awaited<ReturnType<typeof startKioskHost>>;
  /** The kiosk's config as the host was started with it. */
  readonly config: KioskConfig;
  readonly browser: Browser;
  close(): Promise<void>;
}

export interface BoothRigOptions {
  /** The temporary folder's name prefix, e.g. 'cabine-kit-'. */
  prefix: string;
  /** Chromium's arguments, given the rig's folder (a microphone's WAV may be written there). */
  browserArgs?: (dir: string) => string[];
  /** Kiosk config entries over the test defaults (e.g. `media`). */
  config?: Partial<Record<string, unknown>>;
  /** The hub's options over the test hub's (e.g. a fixed `port` and a `config` with an `oidc` block). */
  hub?: Partial<HubOptions>;
}

export async function startBoothRig(opts: BoothRigOptions): Promise<BoothRig> {
  ensureRenderersBuilt();
  const dir = mkdtempSync(join(tmpdir(), opts.prefix));
  const closers: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    const args = opts.browserArgs?.(dir) ?? [];
    const hub = await startTestHub(opts.hub);
    closers.push(() => hub.close());
    const config = testConfig({
      boothId: 'demo-booth-1',
      hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS['demo-booth-1'] },
      store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 },
      printer: { kind: 'file', dir: join(dir, 'prints') },
      ...opts.config,
    });
    const kiosk = await startKioskHost(config);
    closers.push(() => kiosk.close());
    const browser = await launchChromium({ args });
    closers.push(() => browser.close());
    return { dir, hub, kiosk, config, browser, close };
  } catch (error) {
    await close();
    throw error;
  }
}
