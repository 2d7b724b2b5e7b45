/**
 * A call whose media crosses the impairment relay (./net-relay.ts), for
 * e2e tests and benches: a hub that listens on 127.0.0.1 and announces
 * 127.0.0.2 over an RTC port range the relay mirrors, and kiosk and console
 * pages whose peer connections the test can read (the selected candidate
 * pair: relayed or not, over UDP, TCP or TLS).
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../../src/hub/server';
import type { HubConfigInput } from '../../src/hub/directory';
import { cheapPinHash, until } from '../resilience/support/clients';
import { CALL_PIN, joinCall } from './call';
import { testConfig } from './config';
import { BOOTH_SECRETS, startTestHub, testHubConfig } from './hub';
import { startKioskHost } from './kiosk';
import { NetRelay } from './net-relay';

/** Where the hub announces its media: the relay listens there. */
export const RELAY_HOST = '127.0.0.2';

/**
 * Chromium flags for a browser whose media goes through the relay: the
 * browser's TCP connections (ICE-TCP, TURN over TLS) go through its host
 * resolver, which our rules otherwise map to nothing but 127.0.0.1
 * (ERR_NAME_NOT_RESOLVED for 127.0.0.2). Still loopback only; the last
 * `--host-resolver-rules` wins.
 */
export const RELAY_BROWSER_ARGS = [`--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE ${RELAY_HOST}`];
const RTC_PORTS = 24;

export interface RelayedHub {
  hub: Hub;
  relay: NetRelay;
  ports: { min: number; max: number };
  close(): Promise<void>;
}

/**
 * A hub behind a relay that mirrors its RTC ports (and `extraTcp`, e.g. a
 * TURN server's port) from 127.0.0.2 to 127.0.0.1 (`sourceNat`: see
 * NetRelay's option). The range is drawn at
 * random so files running side by side do not collide; a range already
 * taken is drawn again.
 */
export async function startRelayedHub(opts: { extraTcp?: number[]; sourceNat?: Record<string, string>; config?: Partial<HubConfigInput> } = {}): Promise<RelayedHub> {
  let relay: NetRelay | null = null;
  let min = 0;
  for (let attempt = 0; attempt < 8 && !relay; attempt++) {
    min = 42_000 + Math.floor(Math.random() * 240) * RTC_PORTS;
    try {
      relay = await NetRelay.mirror(RELAY_HOST, '127.0.0.1', min, min + RTC_PORTS - 1, { tcp: opts.extraTcp, sourceNat: opts.sourceNat }).start();
    } catch {
      relay = null;
    }
  }
  if (!relay) throw new Error('no free port range for the relay on 127.0.0.2');
  const ports = { min, max: min + RTC_PORTS - 1 };
  try {
    const base = await testHubConfig();
    const hub = await startTestHub({
      config: { ...base, ...opts.config, media: { listenIp: '127.0.0.1', announcedAddress: RELAY_HOST, rtcMinPort: ports.min, rtcMaxPort: ports.max, workers: 1 } },
    });
    const r = relay;
    return { hub, relay: r, ports, close: async () => { await hub.close(); await r.stop(); } };
  } catch (error) {
    await relay.stop();
    throw error;
  }
}

declare global {
  interface Window {
    /** Test hook: every RTCPeerConnection the page made. */
    __peerConnections?: RTCPeerConnection[];
  }
}

/** Keeps every RTCPeerConnection the page makes, so the test can read their statistics. */
async function recordPeerConnections(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    const made: RTCPeerConnection[] = [];
    window.__peerConnections = made;
    window.RTCPeerConnection = class extends Original {
      constructor(config?: RTCConfiguration) {
        super(config);
        made.push(this);
      }
    };
  });
}

export interface SelectedPair {
  localType: string;
  localProtocol: string;
  /** How the browser reaches its TURN server, for a relay candidate: 'udp', 'tcp' or 'tls'. */
  relayProtocol: string | null;
  remoteProtocol: string;
  remoteAddress: string;
  /** The server's port of the pair: which of the relay's mirrored ports carries this connection. */
  remotePort: number;
}

/** The selected candidate pair of each connected peer connection of the page, from the browser's statistics. */
export function selectedPairs(page: Page): Promise<SelectedPair[]> {
  return page.evaluate(async () => {
    const out: SelectedPair[] = [];
    for (const pc of window.__peerConnections ?? []) {
      if (pc.connectionState !== 'connected') continue;
      const report = await pc.getStats();
      let pairId: string | undefined;
      report.forEach((s: { type: string; selectedCandidatePairId?: string }) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
      });
      if (!pairId) continue;
      const pair = report.get(pairId) as { localCandidateId: string; remoteCandidateId: string };
      const local = report.get(pair.localCandidateId) as { candidateType: string; protocol: string; relayProtocol?: string };
      const remote = report.get(pair.remoteCandidateId) as { protocol: string; address: string; port: number };
      out.push({ localType: local.candidateType, localProtocol: local.protocol, relayProtocol: local.relayProtocol ?? null, remoteProtocol: remote.protocol, remoteAddress: remote.address, remotePort: remote.port });
    }
    return out;
  });
}

export interface RelayedCall {
  kioskPage: Page;
  consolePage: Page;
  close(): Promise<void>;
}

let calls = 0;

/**
 * A booth and a console in a call through `hub` (see ./call.ts startCall), with pages whose peer connections are recorded; `pageSetup` runs on both pages before they load (e.g. an init script).
 * Resolves once both decode, or with `decode: false` once the doctor has claimed the booth (media that cannot flow yet).
 */
export async function startRelayedCall(browser: Browser, hub: Hub, dir: string, boothId: keyof typeof BOOTH_SECRETS, pageSetup?: (page: Page) => Promise<void>, opts: { decode?: boolean } = {}): Promise<RelayedCall> {
  const n = ++calls;
  const kiosk = await startKioskHost(testConfig({
    boothId,
    hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS[boothId] },
    assistant: { pinHash: cheapPinHash(CALL_PIN), maxTries: 5, lockoutMinutes: 5 },
    store: { path: join(dir, `${boothId}-${n}.db`), keyFile: join(dir, `${boothId}-${n}.key`), retentionDays: 30 },
  }));
  const kioskPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const consolePage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const close = async (): Promise<void> => {
    await kioskPage.close().catch(() => undefined);
    await consolePage.close().catch(() => undefined);
    await kiosk.close();
  };
  try {
    await recordPeerConnections(kioskPage);
    await recordPeerConnections(consolePage);
    if (pageSetup) for (const page of [kioskPage, consolePage]) await pageSetup(page);
    await until(() => kiosk.host.hubLink.status === 'online', 'the booth linked to the hub');
    await joinCall({ kioskPage, consolePage }, { kioskUrl: kiosk.transport.url, hubUrl: hub.url, boothId, pin: CALL_PIN, decode: opts.decode });
    return { kioskPage, consolePage, close };
  } catch (error) {
    await close();
    throw error;
  }
}
