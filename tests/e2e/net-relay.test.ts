/**
 * Calls whose media crosses the impairment relay (tests/helpers/net-relay.ts):
 * the hub announces 127.0.0.2, where the relay mirrors its RTC ports. Cutting
 * the relay stops the pictures on both sides and restoring it brings them
 * back, so the relay really is the path; with every UDP datagram dropped the
 * call still connects, over ICE-TCP to the SFU. The hub hands out a TURN
 * server that never answers: the calls connect by the other candidates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stats } from '../helpers/call';
import { launchChromium } from '../helpers/chromium';
import { endConsultation } from '../helpers/console-page';
import { ensureRenderersBuilt, freePort } from '../helpers/hub';
import { RELAY_BROWSER_ARGS, RELAY_HOST, selectedPairs, startRelayedCall, startRelayedHub, type RelayedCall, type RelayedHub } from '../helpers/net-call';

let net: RelayedHub;
let browser: Browser;
const dir = mkdtempSync(join(tmpdir(), 'cabine-net-relay-'));
const calls: RelayedCall[] = [];

beforeAll(async () => {
  ensureRenderersBuilt();
  // A TURN server that does not answer (nothing listens on its port): the calls below must not depend on it.
  const deadTurn = await freePort();
  net = await startRelayedHub({ config: { turn: { urls: [`turns:${RELAY_HOST}:${deadTurn}?transport=tcp`], secret: 'unreachable-turn-secret-0123456789', ttlSeconds: 600 } } });
  browser = await launchChromium({ args: RELAY_BROWSER_ARGS });
}, 120_000);

afterAll(async () => {
  for (const c of calls) await c.close();
  await browser?.close();
  await net?.close();
  rmSync(dir, { recursive: true, force: true });
});

const decoded = async (page: Page): Promise<number> => (await stats(page))?.video.framesDecoded ?? 0;

/** A poll that is true once the count has not moved since the previous poll. */
function stalled(read: () => Promise<number>): () => Promise<boolean> {
  let last = -1;
  return async () => {
    const now = await read();
    const same = now === last;
    last = now;
    return same;
  };
}

describe('a call through the impairment relay', () => {
  it('stops decoding on both sides when the relay is cut and decodes again when it is restored', async () => {
    const call = await startRelayedCall(browser, net.hub, dir, 'demo-booth-1');
    calls.push(call);
    // The media reached the relay's address: each side's selected pair points at it, and settles on UDP. On a loaded
    // machine the SFU's TCP candidate (lower priority, mirrored too) can answer first; the browser then moves to the
    // UDP pair once its checks succeed (in CI once, read at the first frame, a pair was still the TCP one).
    for (const page of [call.kioskPage, call.consolePage]) {
      const overUdp = async (): Promise<boolean> => {
        const pairs = await selectedPairs(page);
        return pairs.length > 0 && pairs.every((p) => p.remoteAddress === RELAY_HOST && p.remoteProtocol === 'udp');
      };
      await expect.poll(overUdp, { timeout: 20_000, interval: 500 }).toBe(true);
      // The SFU answers the relay's own socket: the browser sees itself mapped, as behind a NAT ('prflx').
      for (const p of await selectedPairs(page)) expect(p).toMatchObject({ remoteAddress: RELAY_HOST, remoteProtocol: 'udp' });
    }
    expect(net.relay.counters.up.forwarded).toBeGreaterThan(0);
    expect(net.relay.counters.down.forwarded).toBeGreaterThan(0);

    net.relay.cut();
    await expect.poll(stalled(() => decoded(call.kioskPage)), { timeout: 20_000, interval: 1500 }).toBe(true);
    await expect.poll(stalled(() => decoded(call.consolePage)), { timeout: 20_000, interval: 1500 }).toBe(true);
    expect(net.relay.counters.up.dropped).toBeGreaterThan(0);
    const frozen = { kiosk: await decoded(call.kioskPage), console: await decoded(call.consolePage) };

    net.relay.restore();
    await expect.poll(() => decoded(call.kioskPage), { timeout: 40_000 }).toBeGreaterThan(frozen.kiosk + 10);
    await expect.poll(() => decoded(call.consolePage), { timeout: 40_000 }).toBeGreaterThan(frozen.console + 10);

    // The doctor is free for the next call.
    await endConsultation(call.consolePage);
    await expect.poll(() => net.hub.media!.service.roomCount(), { timeout: 10_000 }).toBe(0);
  }, 150_000);

  it('connects over ICE-TCP to the SFU when the line drops every UDP datagram', async () => {
    const tcpOnly = [];
    for (let port = net.ports.min; port <= net.ports.max; port++) tcpOnly.push({ protocol: 'tcp' as const, port });
    net.relay.setProfile({ firewall: { allow: tcpOnly } });
    const blockedBefore = net.relay.counters.up.blocked;
    const call = await startRelayedCall(browser, net.hub, dir, 'demo-booth-2');
    calls.push(call);
    for (const page of [call.kioskPage, call.consolePage]) {
      const pairs = await selectedPairs(page);
      expect(pairs.length).toBeGreaterThan(0);
      for (const p of pairs) expect(p).toMatchObject({ remoteAddress: RELAY_HOST, remoteProtocol: 'tcp', localProtocol: 'tcp' });
    }
    // The browser did try UDP first: the relay refused it.
    expect(net.relay.counters.up.blocked).toBeGreaterThan(blockedBefore);
    expect(net.relay.tcp.accepted).toBeGreaterThan(0);
  }, 150_000);
});
