/**
 * The claim race: 10 booths wait, 50 doctors click « Prendre » at the same
 * moment from consoles spread over three hub nodes of one network (one
 * PostgreSQL); exactly 10 claims may win, each booth to one doctor. The
 * booths are spread over the nodes too, so most winners' booths are sent to
 * another node (room.moved). Baseline, same run: the same race on one hub on
 * the SQLite default.
 */
import WebSocket from 'ws';
import { v7 as uuidv7 } from 'uuid';
import { HubLink } from '../src/host/hub-link';
import type { Hub } from '../src/hub/server';
import { QUEUE } from '../src/shared/media-protocol';
import { freshDataDir, startTestHub, testHubConfig, withCrowd, type CrowdBooth, type CrowdDoctor } from '../tests/helpers/hub';
import { startPgCluster } from '../tests/helpers/pg-cluster';
import { silentLog } from '../tests/helpers/store';
import { until } from '../tests/resilience/support/clients';
import { percentile, type BenchResult } from './types';

const BOOTHS = 10;
const DOCTORS = 50;
const NODES = 3;

interface Race { won: number; boothsTaken: number; claimMs: number[] }

interface Frame { t: string; id?: number; m?: string; p?: { booths?: unknown[] }; ok?: boolean; r?: { boothId?: string }; at: number }

async function consoleOf(hub: Hub, doctor: CrowdDoctor): Promise<{ frames: Frame[]; ws: WebSocket }> {
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: doctor.email, password: doctor.password }) });
  if (res.status !== 200) throw new Error(`login of ${doctor.id} refused: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const ws = new WebSocket(`ws://127.0.0.1:${hub.port}/console`, { headers: { cookie, origin: hub.url } });
  const frames: Frame[] = [];
  ws.on('message', (raw) => frames.push({ ...(JSON.parse(raw.toString()) as Omit<Frame, 'at'>), at: performance.now() }));
  await new Promise<void>((r) => ws.once('open', () => r()));
  return { frames, ws };
}

async function race(hubs: Hub[], booths: CrowdBooth[], doctors: CrowdDoctor[]): Promise<Race> {
  const links: HubLink[] = [];
  const sockets: WebSocket[] = [];
  try {
    for (const [i, { boothId, secret }] of booths.entries()) {
      const home = hubs[i % hubs.length]!;
      const others = hubs.filter((h) => h !== home);
      const link = new HubLink({
        url: `ws://127.0.0.1:${home.port}/booth`, fallbackUrls: others.map((h) => `ws://127.0.0.1:${h.port}/booth`),
        boothId, token: secret, log: silentLog, minDelayMs: 50, maxDelayMs: 200,
      });
      links.push(link);
      link.start();
      await until(() => link.status === 'online', 'a booth online');
      await link.request(QUEUE.join, { sessionId: uuidv7() });
    }
    // Logins one after the other (the hub's hash gate takes a few at a time); the clicks go together.
    const consoles: { frames: Frame[]; ws: WebSocket }[] = [];
    for (const [i, doctor] of doctors.entries()) {
      consoles.push(await consoleOf(hubs[i % hubs.length]!, doctor));
      sockets.push(consoles.at(-1)!.ws);
    }
    // Every console sees the 10 booths before anyone clicks.
    await until(() => consoles.every((c) => (c.frames.filter((f) => f.m === QUEUE.updated).at(-1)?.p?.booths?.length ?? 0) === BOOTHS), 'every console sees every booth', 30_000);
    // Each doctor goes for a booth, five doctors per booth, all at once.
    const started = performance.now();
    const results = await Promise.all(consoles.map(async (c, i) => {
      c.ws.send(JSON.stringify({ t: 'req', id: 1, m: QUEUE.claim, p: { boothId: booths[i % BOOTHS]!.boothId } }));
      return until(() => c.frames.find((f) => f.t === 'res' && f.id === 1), 'a claim answered', 30_000);
    }));
    const claimMs = results.map((r) => r.at - started);
    const winners = results.filter((r) => r.ok).map((r) => r.r!.boothId!);
    return { won: winners.length, boothsTaken: new Set(winners).size, claimMs };
  } finally {
    for (const s of sockets) s.terminate();
    for (const l of links) await l.stop();
  }
}

export async function run(): Promise<BenchResult[]> {
  const { config, booths, doctors } = await withCrowd(await testHubConfig(freshDataDir()), { booths: BOOTHS, doctors: DOCTORS }, 'race');
  const pg = await startPgCluster();
  let network: Race;
  try {
    const store = { engine: 'postgresql' as const, url: await pg.createDatabase() };
    const keyDir = freshDataDir();
    const hubs: Hub[] = [];
    try {
      for (let i = 0; i < NODES; i++) hubs.push(await startTestHub({ config: { ...config, dataDir: freshDataDir(), store, keyDir, node: { id: `race-node-${i}` } } }));
      network = await race(hubs, booths, doctors);
    } finally {
      for (const h of hubs) await h.close();
    }
  } finally {
    await pg.stop();
  }
  const single = await startTestHub({ config: { ...config, dataDir: freshDataDir(), store: { engine: 'sqlite' } } });
  let alone: Race;
  try {
    alone = await race([single], booths, doctors);
  } finally {
    await single.close();
  }
  const baseline = 'the same race on one hub (SQLite)';
  const verdict = network.won === BOOTHS && network.boothsTaken === BOOTHS ? 'exactly one doctor per booth' : 'WRONG: a booth given twice or a claim lost';
  return [
    { area: 'cluster', name: `claim race: ${DOCTORS} doctors on ${NODES} nodes claim ${BOOTHS} waiting booths at once, claims that won`, value: network.won, unit: 'claims', baseline: { name: baseline, value: alone.won }, note: `${verdict}; ${network.boothsTaken} distinct booths taken; goal exactly ${BOOTHS}` },
    { area: 'cluster', name: 'claim race: every click answered (won or NOT_WAITING), p95', value: percentile(network.claimMs, 95), unit: 'ms', baseline: { name: baseline, value: percentile(alone.claimMs, 95) }, note: `${DOCTORS} clicks at once; the network's claim is one fenced statement on PostgreSQL` },
  ];
}
