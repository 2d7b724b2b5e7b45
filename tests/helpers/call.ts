/**
 * A call in progress for recovery tests and benchmarks: a booth's real host
 * (kiosk page in Chromium, walked to the waiting room with the assistant
 * PIN) and a specialist's console page that claims it, through whichever hub
 * (in this process or a child process). Plus the pages' test hooks: stats,
 * the MediaSession timeline, and "decoding again after a restart".
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { CallStats } from '../../src/media/quality';
import { cheapPinHash, KioskClient, until } from '../resilience/support/clients';
import { testConfig } from './config';
import { BOOTH_SECRETS } from './hub';
import { startKioskHost } from './kiosk';
import { signInOnConsole } from './console-page';

export const CALL_PIN = '482193';

export interface CallInProgress {
  kiosk: Awaited<ReturnType<typeof startKioskHost>>;
  kioskPage: Page;
  consolePage: Page;
  /** When the console clicked "Prendre en charge" (epoch ms). */
  claimedAt: number;
  close(): Promise<void>;
}

export function stats(page: Page): Promise<CallStats | null> {
  return page.evaluate(() => (window.__cabineStats ? window.__cabineStats() : null));
}

export function timeline(page: Page): Promise<{ step: string; at: number }[]> {
  return page.evaluate(() => (window.__cabineTimeline ? window.__cabineTimeline() : []));
}

export async function decoding(page: Page): Promise<boolean> {
  return ((await stats(page))?.video.framesDecoded ?? 0) > 0;
}

/**
 * When the page decoded the other side's video again after rebuilding its
 * media past `since` (the 'firstFrame' following its last 'restart'), or
 * null while it has not.
 */
export async function decodingAgainAt(page: Page, since: number): Promise<number | null> {
  const steps = await timeline(page);
  const last = steps.filter((s) => s.step === 'restart' && s.at > since).at(-1);
  if (!last) return null;
  const frame = steps.find((s) => s.step === 'firstFrame' && s.at > last.at);
  if (!frame || !(await decoding(page))) return null;
  return frame.at;
}

/**
 * A booth whose host serves `kioskUrl` (already linked to the hub) and a
 * console on `hubUrl` in a call: opens the kiosk page, signs the doctor in,
 * walks the patient to the waiting room (the assistant PIN `pin`), claims
 * the booth, and resolves once both pages decode the other's video, with the
 * moment of the claim (epoch ms).
 */
export async function joinCall(pages: { kioskPage: Page; consolePage: Page }, opts: { kioskUrl: string; hubUrl: string; boothId: string; pin: string; decode?: boolean }): Promise<number> {
  const { kioskPage, consolePage } = pages;
  await kioskPage.goto(opts.kioskUrl);
  await signInOnConsole(consolePage, opts.hubUrl);
  const client = await KioskClient.connect(opts.kioskUrl);
  try {
    await client.walkToWaitingRoom(opts.pin);
  } finally {
    client.close();
  }
  const entry = consolePage.locator(`li[data-booth="${opts.boothId}"]`);
  await entry.getByRole('button', { name: 'Prendre en charge' }).waitFor({ timeout: 15_000 });
  const claimedAt = Date.now();
  await entry.getByRole('button', { name: 'Prendre en charge' }).click();
  // `decode: false`: a call whose media cannot flow yet (a firewall) is the test's to watch.
  if (opts.decode === false) return claimedAt;
  await until(() => decoding(kioskPage), 'the kiosk decodes the doctor', 30_000);
  await until(() => decoding(consolePage), 'the console decodes the patient', 30_000);
  return claimedAt;
}

/**
 * When the page first decoded the other side's video from a consumer set
 * up after `since` (a 'firstFrame' mark past it: a new tab's call, or a
 * producer that replaced the other side's old one), or null while it has not.
 */
export async function decodedSince(page: Page, since: number): Promise<number | null> {
  const frame = (await timeline(page)).find((s) => s.step === 'firstFrame' && s.at > since);
  if (!frame || !(await decoding(page))) return null;
  return frame.at;
}

/**
 * The console's second tab: the same doctor opens the console again, with
 * the same login (the first page's cookies; a page from `browser.newPage`
 * owns its context, so the tab gets a context of its own carrying them).
 */
export async function openConsoleTab(consolePage: Page, hubUrl: string): Promise<Page> {
  const browser = consolePage.context().browser()!;
  const context = await browser.newContext({ storageState: await consolePage.context().storageState(), viewport: { width: 1280, height: 800 } });
  const tab = await context.newPage();
  tab.once('close', () => void context.close().catch(() => undefined));
  await tab.goto(hubUrl);
  return tab;
}

/** The doctor's click on "Reprendre la consultation ici" in a tab that does not hold the call; resolves with when (epoch ms). */
export async function takeOverIn(tab: Page): Promise<number> {
  const button = tab.getByRole('button', { name: 'Reprendre la consultation ici' });
  await button.waitFor({ timeout: 15_000 });
  await until(() => button.isEnabled(), 'the take-over button is enabled');
  const at = Date.now();
  await button.click();
  return at;
}

/** Numbers the calls of a test file, so each booth host gets a store of its own. */
let callCount = 0;

/**
 * A booth (hub link to `hubPort`, then the nodes of `fallbackPorts`) and a
 * console on `hubUrl` in a call: resolves once both pages decode the other's
 * video. `dir` holds the booth's store.
 */
export async function startCall(browser: Browser, hubUrl: string, hubPort: number, dir: string, boothId: keyof typeof BOOTH_SECRETS = 'demo-booth-1', opts: { fallbackPorts?: number[] } = {}): Promise<CallInProgress> {
  const fallbackUrls = (opts.fallbackPorts ?? []).map((port) => `ws://127.0.0.1:${port}/booth`);
  const kiosk = await startKioskHost(testConfig({
    boothId,
    hub: { url: `ws://127.0.0.1:${hubPort}/booth`, token: BOOTH_SECRETS[boothId], ...(fallbackUrls.length ? { fallbackUrls } : {}) },
    assistant: { pinHash: cheapPinHash(CALL_PIN), maxTries: 5, lockoutMinutes: 5 },
    // A store of its own per call: a host stopped mid-call leaves an interrupted session that the
    // next host on the same store would (rightly) greet with the incident screen.
    store: { path: join(dir, `${boothId}-${++callCount}.db`), keyFile: join(dir, `${boothId}-${callCount}.key`), retentionDays: 30 },
  }));
  const kioskPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const consolePage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const close = async (): Promise<void> => {
    await kioskPage.close();
    await consolePage.close();
    await kiosk.close();
  };
  try {
    await until(() => kiosk.host.hubLink.status === 'online', 'the booth linked to the hub');
    const claimedAt = await joinCall({ kioskPage, consolePage }, { kioskUrl: kiosk.transport.url, hubUrl, boothId, pin: CALL_PIN });
    return { kiosk, kioskPage, consolePage, claimedAt, close };
  } catch (error) {
    await close();
    throw error;
  }
}
