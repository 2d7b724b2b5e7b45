/**
 * The mediasoup worker carrying a call dies mid-call (SIGKILL): the hub
 * replaces it and rebuilds the room on the new worker under the same room
 * id; both sides hear `room.resumed` {reason: 'mediaRestarted'}, rebuild
 * their media and decode new frames. Real hub, real worker, real Chromium.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import { decodingAgainAt, startCall, stats, type CallInProgress } from '../helpers/call';
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

afterAll(async () => {
  await call?.close();
  await browser?.close();
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mediasoup worker killed mid-call', () => {
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
});
