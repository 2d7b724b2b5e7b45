/**
 * Media failures mid-call, real hub, real worker, real Chromium:
 * - the mediasoup worker carrying the call dies (SIGKILL): the hub replaces
 *   it and rebuilds the room on the new worker under the same room id; both
 *   sides hear `room.resumed` {reason: 'mediaRestarted'}, rebuild their
 *   media and decode new frames;
 * - the path to the hub fails (the worker frozen with SIGSTOP: no STUN
 *   answers, no media): the pages restart ICE by themselves and, once the
 *   worker runs again, the media flows again without rebuilding the call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import { decodingAgainAt, startCall, stats, timeline, type CallInProgress } from '../helpers/call';
import { endConsultation } from '../helpers/console-page';
import { launchChromium } from '../helpers/chromium';
import { ensureRenderersBuilt, startTestHub, testHubConfig } from '../helpers/hub';

let dir: string;
let hub: Hub | undefined;
let call: CallInProgress | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  ensureRenderersBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cabine-worker-kill-'));
  hub = await startTestHub({ config: await testHubConfig(join(dir, 'hub')) });
  browser = await launchChromium();
}, 120_000);

afterEach(async () => {
  // The specialist ends the call: the next test claims afresh.
  if (!call) return;
  await endConsultation(call.consolePage).catch(() => undefined);
  await expect.poll(() => hub!.media!.service.roomCount(), { timeout: 10_000 }).toBe(0);
  await call.close();
  call = undefined;
});

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('media failures mid-call', () => {
  it('rebuilds the room on the replacement worker under the same id, and both sides decode again', async () => {
    call = await startCall(browser!, hub!.url, hub!.port, dir);
    const { kioskPage, consolePage } = call;
    const room = hub!.media!.service.roomOfBooth('demo-booth-1')!;
    const roomId = room.id;
    const carrier = hub!.media!.pool.load().find((w) => w.rooms === 1)!;
    const roomsClosed: string[] = [];
    hub!.media!.service.on('roomClosed', (r, reason) => roomsClosed.push(reason));

    const killedAt = Date.now();
    process.kill(carrier.pid, 'SIGKILL');

    await expect.poll(() => decodingAgainAt(kioskPage, killedAt), { timeout: 30_000, interval: 250 }).not.toBeNull();
    await expect.poll(() => decodingAgainAt(consolePage, killedAt), { timeout: 30_000, interval: 250 }).not.toBeNull();
    const before = (await stats(consolePage))!.video.framesDecoded;
    await expect.poll(async () => (await stats(consolePage))?.video.framesDecoded ?? 0, { timeout: 15_000, interval: 250 }).toBeGreaterThan(before);
    expect(hub!.media!.service.roomOfBooth('demo-booth-1')!.id).toBe(roomId);
    expect(roomsClosed).toEqual([]);
    expect(hub!.media!.pool.load().map((w) => w.pid)).not.toContain(carrier.pid);
  }, 150_000);

  it('restarts ICE when the path to the hub fails, and the media flows again without rebuilding the call', async () => {
    call = await startCall(browser!, hub!.url, hub!.port, dir);
    const { kioskPage, consolePage } = call;
    const carrier = hub!.media!.pool.load().find((w) => w.rooms === 1)!;
    const failedAt = Date.now();
    // The worker frozen: no STUN answers, no media; the pages' ICE goes 'disconnected'.
    process.kill(carrier.pid, 'SIGSTOP');
    try {
      await expect.poll(async () => (await timeline(consolePage)).some((st) => st.step === 'iceRestart' && st.at > failedAt), { timeout: 60_000, interval: 250 }).toBe(true);
    } finally {
      process.kill(carrier.pid, 'SIGCONT');
    }
    const sent = async (): Promise<number> => (await stats(consolePage))?.video.framesSent ?? 0;
    const decodedAtKiosk = async (): Promise<number> => (await stats(kioskPage))?.video.framesDecoded ?? 0;
    const [s0, k0] = [await sent(), await decodedAtKiosk()];
    await expect.poll(sent, { timeout: 30_000, interval: 250 }).toBeGreaterThan(s0);
    await expect.poll(decodedAtKiosk, { timeout: 30_000, interval: 250 }).toBeGreaterThan(k0);
    await expect.poll(() => consolePage.evaluate(() => document.querySelector('.media')?.textContent ?? ''), { timeout: 30_000 }).toContain('En communication');
    // ICE restart, not a rebuild: no 'restart' step after the failure, same worker.
    expect((await timeline(consolePage)).filter((st) => st.step === 'restart' && st.at > failedAt)).toEqual([]);
    expect(hub!.media!.pool.load().map((w) => w.pid)).toContain(carrier.pid);
  }, 150_000);
});
