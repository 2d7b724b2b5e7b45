/**
 * A call on a line that cannot carry video (the impairment relay's 'bad'
 * profile: 300 kbit/s, 300 ms each way, 8 % bursty loss, both directions):
 * both pages say the video is suspended while the conversation goes on,
 * and the video comes back by itself once the line is lifted. The
 * consultation's record then holds each side's quality figures, the
 * suspension among them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stats } from '../helpers/call';
import { launchChromium } from '../helpers/chromium';
import { endConsultation } from '../helpers/console-page';
import { ensureRenderersBuilt } from '../helpers/hub';
import { RELAY_BROWSER_ARGS, startRelayedCall, startRelayedHub, type RelayedCall, type RelayedHub } from '../helpers/net-call';
import { line } from '../helpers/net-profiles';

let net: RelayedHub;
let browser: Browser;
const dir = mkdtempSync(join(tmpdir(), 'cabine-adaptation-'));
let call: RelayedCall | null = null;

beforeAll(async () => {
  ensureRenderersBuilt();
  net = await startRelayedHub();
  browser = await launchChromium({ args: RELAY_BROWSER_ARGS });
}, 120_000);

afterAll(async () => {
  await call?.close();
  await browser?.close();
  await net?.close();
});

const MESSAGE = 'La vidéo est suspendue, la conversation continue';
/** The suspension message the page shows, or null. */
const suspension = async (page: Page): Promise<string | null> => {
  const shown = page.getByTestId('video-suspended');
  return (await shown.count()) > 0 ? (await shown.first().textContent()) : null;
};
const audioReceived = async (page: Page): Promise<number> => (await stats(page))?.audio.packetsReceived ?? 0;
const framesDecoded = async (page: Page): Promise<number> => (await stats(page))?.video.framesDecoded ?? 0;

describe('a call on a line that cannot carry video', () => {
  it('drops to audio-only with a calm message on both sides, comes back to video when the line recovers, and records its figures', async () => {
    call = await startRelayedCall(browser, net.hub, dir, 'demo-booth-1');
    const { kioskPage, consolePage } = call;
    const room = net.hub.media!.service.roomOfBooth('demo-booth-1')!;
    const sessionKey = room.entry?.sessionId ?? room.id;
    // The console names the line each way in words; on a clean line the video is not suspended.
    await expect.poll(async () => ((await consolePage.getByTestId('call-line').count()) > 0 ? consolePage.getByTestId('call-line').textContent() : null), { timeout: 30_000 }).toMatch(/Réception : (bonne|dégradée).*Envoi : (bonne|dégradée)/);
    expect(await suspension(kioskPage)).toBeNull();

    net.relay.setProfile(line('bad'));
    await expect.poll(() => suspension(kioskPage), { timeout: 90_000, interval: 1000 }).toBe(MESSAGE);
    await expect.poll(() => suspension(consolePage), { timeout: 90_000, interval: 1000 }).toBe(MESSAGE);
    expect(await consolePage.getByTestId('call-line').textContent()).toContain('audio seul');
    // The conversation goes on: both sides keep receiving the other's voice.
    const heard = { kiosk: await audioReceived(kioskPage), console: await audioReceived(consolePage) };
    await expect.poll(() => audioReceived(kioskPage), { timeout: 30_000 }).toBeGreaterThan(heard.kiosk + 20);
    await expect.poll(() => audioReceived(consolePage), { timeout: 30_000 }).toBeGreaterThan(heard.console + 20);
    // The call was kept: nobody was sent back to the waiting room.
    expect(net.hub.media!.service.roomOfBooth('demo-booth-1')).toBe(room);

    net.relay.setProfile({});
    await expect.poll(() => suspension(kioskPage), { timeout: 90_000, interval: 1000 }).toBeNull();
    await expect.poll(() => suspension(consolePage), { timeout: 90_000, interval: 1000 }).toBeNull();
    // Video again on both sides, decoding new frames.
    const frames = { kiosk: await framesDecoded(kioskPage), console: await framesDecoded(consolePage) };
    await expect.poll(() => framesDecoded(kioskPage), { timeout: 30_000 }).toBeGreaterThan(frames.kiosk + 10);
    await expect.poll(() => framesDecoded(consolePage), { timeout: 30_000 }).toBeGreaterThan(frames.console + 10);

    // The record holds both sides' figures, the suspension among them, and nothing of the patient.
    await expect.poll(async () => {
      const figures = await net.hub.record.repo.callQuality(sessionKey);
      return figures.filter((f) => f.quality.audioOnlyEpisodes >= 1 && f.quality.audioOnlySeconds > 0).map((f) => f.side).sort();
    }, { timeout: 60_000 }).toEqual(['booth', 'specialist']);
    const figures = await net.hub.record.repo.callQuality(sessionKey);
    for (const f of figures) {
      expect(f.quality.receive.audioConcealedRatio).toBeGreaterThanOrEqual(0);
      expect(f.quality.path).toBe('udp');
      expect(f.quality.rttMs).not.toBeNull();
      expect(JSON.stringify(f)).not.toMatch(/Jeanne|Martinez|1941/);
    }

    await endConsultation(consolePage);
  }, 300_000);
});
