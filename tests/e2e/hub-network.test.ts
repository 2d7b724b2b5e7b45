/**
 * Two hub nodes as their own processes, one PostgreSQL, one key folder; a
 * real booth host and its kiosk page, a doctor's console page, in Chromium.
 *
 * 1. The booth's link is on node A, the doctor's console on node B: B holds
 *    the room, the booth is sent there (room.moved, B is in its list), and
 *    both pages decode each other's video.
 * 2. The consoles reach the network through one address (a TCP balancer in
 *    front of A then B); the node holding the call is killed with SIGKILL:
 *    the booth fails over from its list, the console's page reconnects
 *    through the balancer, the survivor adopts the room, and both pages
 *    decode each other's video again — nobody reloads anything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../resilience/support/clients';
import { decodingAgainAt, startCall, type CallInProgress } from '../helpers/call';
import { launchChromium } from '../helpers/chromium';
import { startBalancer, type Balancer } from '../helpers/balancer';
import { ensureRenderersBuilt, freshDataDir, testHubConfig, type HubProcess } from '../helpers/hub';
import { startNetworkNode } from '../helpers/hub-nodes';
import { startPgCluster, type PgCluster } from '../helpers/pg-cluster';

let pg: PgCluster;
let browser: Browser;
const nodes: HubProcess[] = [];
const balancers: Balancer[] = [];
const calls: CallInProgress[] = [];
const dir = mkdtempSync(join(tmpdir(), 'cabine-network-'));

beforeAll(async () => {
  ensureRenderersBuilt();
  pg = await startPgCluster();
  browser = await launchChromium();
}, 120_000);

afterEach(async () => {
  for (const c of calls.splice(0)) await c.close();
  for (const n of nodes.splice(0)) await n.kill();
  for (const b of balancers.splice(0)) await b.close();
});

afterAll(async () => {
  await browser?.close();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Two nodes of one network; `allowedOrigins`: the balancer's address, when the consoles come through one. */
async function twoNodes(allowedOrigins: string[] = []): Promise<[HubProcess, HubProcess]> {
  const config = { ...(await testHubConfig(freshDataDir())), store: { engine: 'postgresql', url: await pg.createDatabase() }, allowedOrigins };
  const keyDir = freshDataDir();
  const a = await startNetworkNode(config, keyDir, 'node-a');
  nodes.push(a);
  const b = await startNetworkNode(config, keyDir, 'node-b');
  nodes.push(b);
  return [a, b];
}

describe('a call in a network of hub nodes, in the browser', () => {
  it('holds a call between a booth linked to node A and a doctor on node B: the booth goes to B and both see each other', async () => {
    const [a, b] = await twoNodes();
    const call = await startCall(browser, b.url, a.port, dir, 'demo-booth-1', { fallbackPorts: [b.port] });
    calls.push(call);
    // startCall resolved once both pages decode: the booth's link is on B, where the room is.
    expect(call.kiosk.host.hubLink.node).toBe(`127.0.0.1:${b.port}`);
  }, 180_000);

  it('gets both pages decoding again on the survivor when the node holding the call is killed', async () => {
    const targets: number[] = [];
    const balancer = await startBalancer(targets);
    balancers.push(balancer);
    const [a, b] = await twoNodes([balancer.url]);
    targets.push(a.port, b.port);
    // The console page comes through the balancer (to A, first); the booth names A then B.
    const call = await startCall(browser, balancer.url, a.port, dir, 'demo-booth-2', { fallbackPorts: [b.port] });
    calls.push(call);
    expect(call.kiosk.host.hubLink.node).toBe(`127.0.0.1:${a.port}`);

    const killedAt = Date.now();
    await a.kill();
    await until(() => decodingAgainAt(call.kioskPage, killedAt), 'the kiosk decodes the doctor again', 60_000);
    await until(() => decodingAgainAt(call.consolePage, killedAt), 'the console decodes the patient again', 60_000);
    expect(call.kiosk.host.hubLink.node).toBe(`127.0.0.1:${b.port}`);
    // Still the same consultation on both screens: no end, no new claim.
    expect(await call.consolePage.getByText('Consultation terminée').count()).toBe(0);
    expect(await call.kioskPage.getByText('Le médecin vous parle', { exact: false }).count()).toBeGreaterThan(0);
  }, 240_000);
});
