/**
 * A pharmacy behind a firewall that lets through nothing but TLS to the TURN
 * port: the booth and the console still hold their call, relayed by coturn
 * over TLS (Debian's, started here on loopback with a test authority the
 * browser trusts through its NSS database), with the short-lived
 * credentials the hub handed each of them. The selected candidate pair is
 * read from each browser's own statistics.
 *
 * Paths: browser → relay 127.0.0.2:<TURN port> (the only port let through)
 * → coturn 127.0.0.1 → its relayed UDP from 127.0.0.3 → 127.0.0.2:<SFU port>
 * → the SFU on 127.0.0.1. The relay trusts 127.0.0.3: coturn stands beyond
 * the pharmacy's firewall. Between coturn and the SFU the relay is a 1:1 NAT
 * (127.0.0.3:port → 127.0.0.4:port) and coturn announces 127.0.0.4
 * (`external-ip`), as a TURN server behind a cloud NAT does: the SFU sees
 * the address the browser's relay candidate names.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stats } from '../helpers/call';
import { launchChromium } from '../helpers/chromium';
import { endConsultation } from '../helpers/console-page';
import { startCoturn, type Coturn } from '../helpers/coturn';
import { ensureRenderersBuilt, freePort } from '../helpers/hub';
import { RELAY_BROWSER_ARGS, RELAY_HOST, selectedPairs, startRelayedCall, startRelayedHub, type RelayedCall, type RelayedHub } from '../helpers/net-call';

const SECRET = 'e2e-turn-secret-0123456789abcdef';
const COTURN_RELAY_IP = '127.0.0.3';
/** coturn's public face: the relay's 1:1 NAT gives its relayed traffic this address, which coturn announces. */
const COTURN_EXTERNAL_IP = '127.0.0.4';
let coturn: Coturn;
let net: RelayedHub;
let browser: Browser;
let call: RelayedCall | undefined;
let turnPort: number;
const dir = mkdtempSync(join(tmpdir(), 'cabine-turn-tls-'));

beforeAll(async () => {
  ensureRenderersBuilt();
  turnPort = await freePort();
  coturn = await startCoturn({ tlsPort: turnPort, secret: SECRET, relayIp: COTURN_RELAY_IP, externalIp: COTURN_EXTERNAL_IP, certificateIps: ['127.0.0.1', RELAY_HOST] });
  net = await startRelayedHub({
    extraTcp: [turnPort],
    sourceNat: { [COTURN_RELAY_IP]: COTURN_EXTERNAL_IP },
    config: { turn: { urls: [`turns:${RELAY_HOST}:${turnPort}?transport=tcp`], secret: SECRET, ttlSeconds: 600 } },
  });
  // The pharmacy's firewall: TLS to the TURN port, nothing else; coturn's own traffic to the SFU is beyond it.
  net.relay.setProfile({ firewall: { allow: [{ protocol: 'tcp', port: turnPort }], trusted: [COTURN_RELAY_IP] } });
  browser = await launchChromium({ args: RELAY_BROWSER_ARGS, env: { ...process.env, HOME: coturn.browserHome() } });
}, 120_000);

afterAll(async () => {
  await call?.close();
  await browser?.close();
  await net?.close();
  await coturn?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const decoded = async (page: Page): Promise<number> => (await stats(page))?.video.framesDecoded ?? 0;

describe('TURN over TLS through a firewall that lets through only the TURN port', () => {
  it('sets the call up relayed by coturn over TLS, and both sides decode', async () => {
    try {
      call = await startRelayedCall(browser, net.hub, dir, 'demo-booth-1');
    } catch (error) {
      throw new Error(`${(error as Error).message}\ncoturn said:\n${coturn.log().slice(-3000)}`);
    }
    for (const page of [call.kioskPage, call.consolePage]) {
      const pairs = await selectedPairs(page);
      expect(pairs.length).toBeGreaterThan(0);
      for (const p of pairs) expect(p).toMatchObject({ localType: 'relay', relayProtocol: 'tls' });
      const before = await decoded(page);
      await expect.poll(() => decoded(page), { timeout: 20_000 }).toBeGreaterThan(before + 10);
    }
    // Everything the browsers sent went to the TURN port; what they tried elsewhere was refused.
    expect(net.relay.counters.up.blocked).toBeGreaterThan(0);
    expect(net.relay.tcp.accepted).toBeGreaterThan(0);

    await endConsultation(call.consolePage);
    await expect.poll(() => net.hub.media!.service.roomCount(), { timeout: 10_000 }).toBe(0);
    await call.close();
    call = undefined;
  }, 150_000);

  it('sets up no call for a browser that does not trust the TURN server\'s certificate: verification is never waved through', async () => {
    // The same firewall, a browser profile without the test authority.
    const untrusted = await launchChromium({ args: RELAY_BROWSER_ARGS, env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'cabine-untrusting-home-')) } });
    try {
      const reachedBefore = net.relay.tcp.accepted;
      await expect(startRelayedCall(untrusted, net.hub, dir, 'demo-booth-2')).rejects.toThrow(/decodes/);
      // The browsers did reach the TURN port, and went no further.
      expect(net.relay.tcp.accepted).toBeGreaterThan(reachedBefore);
    } finally {
      await untrusted.close();
    }
  }, 150_000);
});
