/**
 * Issue #14 items 3 and 4 in Chromium through the real hub: a kiosk and a
 * doctor's console in a call, then the same doctor opening the console in a
 * second tab. The second tab asks before taking the call; on the doctor's
 * click it takes over and both sides decode again; the first tab says the
 * consultation continues elsewhere and stops its media; closing the second
 * tab does not end the call (not even past the grace period); the first
 * takes it back and both sides decode again. The booth's producers are the
 * same throughout. No English text from the hub reaches either tab. Then
 * the booth drops out: the console says it is offline and when the call
 * would end, never "En communication", and recovers when it is back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import { decodedSince, openConsoleTab, startCall, stats, takeOverIn, type CallInProgress } from '../helpers/call';
import { launchChromium } from '../helpers/chromium';
import { ensureRenderersBuilt, startTestHub, testHubConfig } from '../helpers/hub';

/** Short enough to wait past it, long enough for the booth to come back in the second test. */
const GRACE_MS = 8000;
let dir: string;
let hub: Hub | undefined;
let browser: Browser | undefined;
let call: CallInProgress | undefined;

beforeAll(async () => {
  ensureRenderersBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cabine-console-tabs-'));
  hub = await startTestHub({ config: await testHubConfig(dir), media: { graceMs: GRACE_MS } });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await call?.close();
  await browser?.close();
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Frames keep coming: a later reading is above the first. */
async function framesAdvance(page: Page): Promise<void> {
  const before = (await stats(page))?.video.framesDecoded ?? 0;
  await expect.poll(async () => (await stats(page))?.video.framesDecoded ?? 0, { timeout: 15_000, interval: 250 }).toBeGreaterThan(before);
}

/** Both sides decode the other's video from media set up after `since`, and keep decoding. */
async function bothDecodeSince(kiosk: Page, tab: Page, since: number): Promise<void> {
  await expect.poll(() => decodedSince(kiosk, since), { timeout: 30_000, interval: 250 }).not.toBeNull();
  await expect.poll(() => decodedSince(tab, since), { timeout: 30_000, interval: 250 }).not.toBeNull();
  await framesAdvance(kiosk);
  await framesAdvance(tab);
}

const boothProducers = (): string[] => [...(hub!.media!.service.roomOfBooth('demo-booth-1')?.sides.booth?.producers.keys() ?? [])].sort();
const heading = (page: Page, name: string) => page.getByRole('heading', { level: 2, name });
/** Everything a tab says, for the "no English" check. */
const pageText = (page: Page): Promise<string> => page.evaluate(() => document.body.innerText);

describe('one doctor, two console tabs', () => {
  it('moves the call to the tab the doctor chooses, and back, without ending it or touching the patient’s media', async () => {
    call = await startCall(browser!, hub!.url, hub!.port, dir);
    const { kioskPage, consolePage: first } = call;
    const roomId = hub!.media!.service.roomOfBooth('demo-booth-1')!.id;
    const patient = boothProducers();
    expect(patient.length).toBeGreaterThan(0);
    const errors: string[] = [];
    first.on('pageerror', (e) => errors.push(e.message));

    // A second tab: it asks, and nothing changes until the doctor answers.
    const second = await openConsoleTab(first, hub!.url);
    second.on('pageerror', (e) => errors.push(e.message));
    await heading(second, 'Reprendre la consultation ici ?').waitFor({ timeout: 15_000 });
    expect(await stats(second)).toBeNull();
    await framesAdvance(first);
    await framesAdvance(kioskPage);

    // The doctor takes over in the second tab.
    const movedAt = await takeOverIn(second);
    await bothDecodeSince(kioskPage, second, movedAt);
    await heading(first, 'La consultation continue dans un autre onglet').waitFor({ timeout: 15_000 });
    // The first tab's media is stopped: no call, no camera.
    expect(await stats(first)).toBeNull();
    expect(await first.locator('video').count()).toBe(0);
    expect(boothProducers()).toEqual(patient);

    // The second tab closes: the call goes on past the grace period, and the first tab offers it back.
    await second.close();
    await heading(first, 'Reprendre la consultation ici ?').waitFor({ timeout: 15_000 });
    await new Promise((r) => setTimeout(r, GRACE_MS * 1.5));
    expect(hub!.media!.service.roomOfBooth('demo-booth-1')?.id).toBe(roomId);
    expect(await kioskPage.locator('.video-area').count()).toBe(1);
    expect(boothProducers()).toEqual(patient);

    // The first tab takes it back.
    const backAt = await takeOverIn(first);
    await bothDecodeSince(kioskPage, first, backAt);
    expect(await first.getByRole('heading', { level: 2, name: /Consultation en cours/ }).count()).toBe(1);
    expect(boothProducers()).toEqual(patient);
    expect(hub!.media!.service.roomOfBooth('demo-booth-1')?.id).toBe(roomId);

    const text = await pageText(first);
    expect(text).not.toMatch(/no such|in your room|transport|internal error/i);
    expect(text).not.toContain('Non connecté au serveur');
    expect(errors).toEqual([]);
  }, 240_000);

  it('says the booth is offline, since when and when the call would end, then recovers when it is back', async () => {
    const { kiosk, consolePage } = call!;
    const link = kiosk.host.hubLink;
    await link.stop();
    const banner = consolePage.getByTestId('booth-away');
    await expect.poll(() => banner.textContent(), { timeout: 15_000 }).toMatch(/^Cabine hors ligne depuis \d+ s L’appel sera terminé dans \d+ s si elle ne revient pas\.$/);
    expect(await consolePage.getByTestId('call-state').textContent()).toBe('Cabine hors ligne');
    expect(await consolePage.getByText('Connexion perdue').count()).toBe(0);

    const backAt = Date.now();
    link.start();
    await expect.poll(() => banner.count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => decodedSince(consolePage, backAt), { timeout: 30_000, interval: 250 }).not.toBeNull();
    await expect.poll(() => consolePage.getByTestId('call-state').textContent(), { timeout: 15_000 }).toBe('En communication');
    await framesAdvance(consolePage);
  }, 120_000);
});
