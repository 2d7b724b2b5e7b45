import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../tests/helpers/chromium';
import { RELAY_BROWSER_ARGS, startRelayedCall, startRelayedHub } from '../tests/helpers/net-call';
import { line } from '../tests/helpers/net-profiles';

const peek = (p: Page) => p.evaluate(async () => {
  const l = window.__cabineLine?.();
  const est: number[] = [];
  for (const pc of window.__peerConnections ?? []) (await pc.getStats()).forEach((s: { type: string; availableOutgoingBitrate?: number; nominated?: boolean }) => { if (s.type === 'candidate-pair' && s.availableOutgoingBitrate) est.push(Math.round(s.availableOutgoingBitrate / 1000)); });
  const st = await window.__cabineStats?.();
  return `${l?.receive}/${l?.send} est=${est.join(',')} fr=${st?.video.framesDecoded} a=${st?.audio.packetsReceived}`;
});
const net = await startRelayedHub();
const browser = await launchChromium({ args: RELAY_BROWSER_ARGS });
const call = await startRelayedCall(browser, net.hub, mkdtempSync(join(tmpdir(), 'diag-')), 'demo-booth-1');
const t0 = Date.now();
const phase = async (name: string, s: number) => { for (let i = 0; i < s / 2; i++) { await new Promise((r) => setTimeout(r, 2000)); console.log(name, Math.round((Date.now() - t0) / 1000), 'K', await peek(call.kioskPage), '| C', await peek(call.consolePage)); } };
await phase('fine', 8);
net.relay.setProfile(line((process.argv[2] as 'bad') ?? 'bad'));
await phase('bad', 30);
net.relay.setProfile({});
await phase('lift', 40);
await call.close(); await browser.close(); await net.close();
