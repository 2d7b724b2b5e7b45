/**
 * Three hub nodes on loopback, one PostgreSQL, one key folder: a call on
 * each node, a fourth booth waiting; the node holding one call and the
 * waiting booth is killed (SIGKILL: its lease simply lapses). Every call
 * resumes: the two on the survivors untouched, the third adopted by a
 * survivor under its id, its booth failing over from its node list and its
 * doctor's console reconnecting to another survivor and being sent on to the
 * room (room.moved). Each booth takes a reading every 250 ms throughout, as
 * its outbox does; the record holds each exactly once, and the waiting
 * booth keeps its one place in the queue on every node.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import WebSocket from 'ws';
import { v7 as uuidv7 } from 'uuid';
import { HubLink } from '../../src/host/hub-link';
import type { HubConfig } from '../../src/hub/directory';
import { openPgRecord } from '../../src/hub/record/index';
import { FileKeyProvider } from '../../src/node/keys';
import { QUEUE, ROOM } from '../../src/shared/media-protocol';
import { BOOTH_SECRETS, SPECIALISTS, freshDataDir, testHubConfig, withCrowd, type HubProcess } from '../helpers/hub';
import { startNetworkNode } from '../helpers/hub-nodes';
import { startPgCluster, type PgCluster } from '../helpers/pg-cluster';
import { readingPump, type ReadingPump } from '../helpers/reading-pump';
import { silentLog } from '../helpers/store';

/** Booths' secrets and doctors' logins: the test config's, and those `withCrowd` adds (a third doctor, two more booths). */
const SECRETS: Record<string, string> = { ...BOOTH_SECRETS };
const DOCTORS: { email: string; password: string }[] = [...SPECIALISTS];

let pg: PgCluster;
const nodes: HubProcess[] = [];
const links: HubLink[] = [];
const sockets: WebSocket[] = [];
const pumps: ReadingPump[] = [];

beforeAll(async () => {
  pg = await startPgCluster();
}, 60_000);

afterAll(async () => {
  for (const p of pumps) await Promise.race([p.stop(), new Promise((r) => setTimeout(r, 2000))]);
  for (const s of sockets) s.terminate();
  for (const l of links) await l.stop();
  for (const n of nodes) await n.kill();
  await pg?.stop();
});

interface Frame { t: string; id?: number; m?: string; p?: Record<string, unknown>; r?: Record<string, unknown>; ok?: boolean }

/**
 * A doctor's console as the page's HubClient behaves: one connection at a
 * time, sent on to the node that `room.moved` names.
 */
class Console {
  readonly frames: Frame[] = [];
  private ws!: WebSocket;
  private next = 1;
  /** The node the page's address reaches (as behind a load balancer): where a connection lost elsewhere comes back to. */
  private home = 0;
  /** The node the current connection is open on. */
  port = 0;

  constructor(private readonly cookie: string, private pageUrl: string) {}

  /**
   * Connects through the page's address, `port`: the page is (re)loaded from
   * that node, so its origin is that node's. (A page still showing a dead
   * node's origin is refused by a node that no longer lists the dead one:
   * the test once modelled the reload that way and failed whenever the
   * other survivor adopted the room.)
   */
  async open(port: number): Promise<void> {
    this.home = port;
    this.pageUrl = `http://127.0.0.1:${port}`;
    await this.connect(port);
  }

  private connect(port: number): Promise<void> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/console`, { headers: { cookie: this.cookie, origin: this.pageUrl } });
    sockets.push(ws);
    this.ws = ws;
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as Frame;
      this.frames.push(frame);
      if (frame.m === ROOM.moved && this.ws === ws) {
        ws.terminate();
        this.connect(Number(new URL(String(frame.p!.url)).port)).catch(() => undefined);
      }
    });
    ws.on('error', () => undefined);
    return new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        // Where the console is connected (not where it last tried).
        if (this.ws === ws) this.port = port;
        resolve();
      });
      ws.once('close', () => {
        // Lost where it was sent (a node dying, or sent to one already dead): back through the page's address.
        if (this.ws === ws) setTimeout(() => this.connect(this.home).catch(() => undefined), 200);
      });
      ws.once('unexpected-response', (_q, res) => reject(new Error(`console refused: ${res.statusCode}`)));
      ws.once('error', (error) => reject(error));
    });
  }

  async request(m: string, p: object): Promise<Frame> {
    const id = this.next++;
    this.ws.send(JSON.stringify({ t: 'req', id, m, p }));
    await expect.poll(() => this.frames.some((f) => f.t === 'res' && f.id === id)).toBe(true);
    return this.frames.find((f) => f.t === 'res' && f.id === id)!;
  }

  notes(m: string): Record<string, unknown>[] {
    return this.frames.filter((f) => f.t === 'note' && f.m === m).map((f) => f.p ?? {});
  }
}

async function networkConfig(): Promise<Omit<HubConfig, 'dataDir'>> {
  const { config, booths, doctors } = await withCrowd(await testHubConfig(freshDataDir()), { booths: 2, doctors: 1 }, 'net');
  for (const b of booths) SECRETS[b.boothId] = b.secret;
  DOCTORS.push(...doctors);
  return { ...config, store: { engine: 'postgresql', url: await pg.createDatabase() } };
}

async function startNode(config: object, keyDir: string, id: string): Promise<HubProcess> {
  const node = await startNetworkNode(config, keyDir, id);
  nodes.push(node);
  return node;
}

function booth(boothId: string, order: HubProcess[]): { link: HubLink; notes: { m: string; p: Record<string, unknown>; at: number }[] } {
  const [first, ...rest] = order.map((n) => `ws://127.0.0.1:${n.port}/booth`);
  const link = new HubLink({ url: first!, fallbackUrls: rest, boothId, token: SECRETS[boothId]!, log: silentLog, minDelayMs: 50, maxDelayMs: 200 });
  links.push(link);
  const notes: { m: string; p: Record<string, unknown>; at: number }[] = [];
  link.on('note', (m: string, p: unknown) => notes.push({ m, p: p as Record<string, unknown>, at: Date.now() }));
  link.start();
  return { link, notes };
}

async function login(node: HubProcess, doctor: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${node.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: doctor.email, password: doctor.password }) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

const waitingIds = (c: Console): string[] => ((c.notes(QUEUE.updated).at(-1)?.booths ?? []) as { boothId: string }[]).map((b) => b.boothId);

it('resumes every call when one of three nodes is killed, with every reading in the record once and the queue the same on every node', async () => {
  // What the nodes logged (warnings and errors: a lost lease, a room dropped) says why, when this fails on a loaded machine.
  onTestFailed(() => {
    for (const node of nodes) console.error(`--- hub node on port ${node.port} ---\n${node.output()}`);
  });
  const config = await networkConfig();
  const keyDir = freshDataDir();
  const a = await startNode(config, keyDir, 'node-a');
  const b = await startNode(config, keyDir, 'node-b');
  const c = await startNode(config, keyDir, 'node-c');
  const all = [a, b, c];

  // A call on each node: booth i starts on node i, its doctor's console is on node i too.
  const calls = await Promise.all(['demo-booth-1', 'demo-booth-2', 'net-booth-0'].map(async (boothId, i) => {
    const order = [all[i]!, ...all.filter((_, j) => j !== i)];
    const side = booth(boothId, order);
    await expect.poll(() => side.link.status, { timeout: 15_000 }).toBe('online');
    const sessionId = uuidv7();
    await side.link.request(QUEUE.join, { sessionId, patient: { firstName: 'Jeanne', age: 80 + i } });
    const page = all[i]!;
    const doctor = new Console(await login(page, DOCTORS[i]!), page.url);
    await doctor.open(page.port);
    await expect.poll(() => waitingIds(doctor), { timeout: 15_000 }).toContain(boothId);
    const claimed = await doctor.request(QUEUE.claim, { boothId });
    expect(claimed.ok).toBe(true);
    await expect.poll(() => side.notes.find((n) => n.m === QUEUE.claimed)?.p.roomId, { timeout: 15_000 }).toBe(claimed.r!.roomId);
    return { boothId, sessionId, roomId: claimed.r!.roomId as string, side, doctor, pump: readingPump(side.link, boothId, sessionId) };
  }));
  pumps.push(...calls.map((call) => call.pump));
  // A fourth booth waits, connected to node A.
  const waiting = booth('net-booth-1', [a, b, c]);
  await expect.poll(() => waiting.link.status).toBe('online');
  await waiting.link.request(QUEUE.join, { sessionId: uuidv7() });
  for (const call of calls) await expect.poll(() => waitingIds(call.doctor), { timeout: 15_000 }).toEqual(['net-booth-1']);
  await new Promise((r) => setTimeout(r, 1000));

  const killedAt = Date.now();
  await a.kill();
  const [onA, ...onSurvivors] = calls;
  // Node A's doctor reloads: the page's address is a survivor (as behind a load balancer); C may not hold the room.
  await onA!.doctor.open(c.port);

  // The call of node A resumes on a survivor, same room, both sides told.
  await expect.poll(() => onA!.side.notes.find((n) => n.m === ROOM.resumed && n.at >= killedAt)?.p.roomId, { timeout: 30_000 }).toBe(onA!.roomId);
  await expect.poll(() => onA!.doctor.notes(ROOM.resumed).at(-1)?.roomId, { timeout: 30_000 }).toBe(onA!.roomId);
  await expect.poll(() => onA!.doctor.port, { timeout: 15_000 }).not.toBe(a.port);
  // The console is where the booth is: the node holding the room. Both read at each try: either may still be on its way
  // (the survivor that adopted first may have lost its lease to the other on a loaded machine; both sides then move again).
  await expect.poll(() => ({ booth: onA!.side.link.node, console: `127.0.0.1:${onA!.doctor.port}` }), { timeout: 15_000 })
    .toSatisfy((where: { booth: string; console: string }) => where.booth === where.console);
  const caps = await onA!.side.link.request<{ roomId: string }>('media.capabilities', {});
  expect(caps.roomId).toBe(onA!.roomId);
  // The calls on B and C went on: no end, no resume, still their rooms.
  for (const call of onSurvivors) {
    expect(call.side.notes.filter((n) => n.m === ROOM.closed || n.m === ROOM.resumed)).toEqual([]);
    expect(call.doctor.notes(ROOM.closed)).toEqual([]);
    expect((await call.side.link.request<{ roomId: string }>('media.capabilities', {})).roomId).toBe(call.roomId);
  }

  // The waiting booth failed over and keeps its one place, the same on every survivor.
  await expect.poll(() => waiting.link.status, { timeout: 15_000 }).toBe('online');
  const reader = new Console(await login(b, DOCTORS[0]!), b.url);
  await reader.open(b.port);
  await expect.poll(() => waitingIds(reader), { timeout: 15_000 }).toEqual(['net-booth-1']);
  const other = new Console(await login(c, DOCTORS[1]!), c.url);
  await other.open(c.port);
  await expect.poll(() => waitingIds(other), { timeout: 15_000 }).toEqual(['net-booth-1']);
  await expect.poll(() => waiting.notes.filter((n) => n.m === QUEUE.position).at(-1)?.p.position, { timeout: 15_000 }).toBe(1);

  // Every reading taken, before, during and after the kill, is in the record exactly once.
  for (const call of calls) await call.pump.stop();
  const record = await openPgRecord(config.store.engine === 'postgresql' ? config.store.url : '', new FileKeyProvider(join(keyDir, 'record.key')));
  try {
    for (const call of calls) {
      const items = await record.sessionItems(call.sessionId);
      expect(call.pump.pending()).toBe(0);
      expect(call.pump.sent()).toBeGreaterThan(4);
      expect(new Set(items.map((i) => i.item.id)).size).toBe(items.length);
      expect(items).toHaveLength(call.pump.sent());
    }
  } finally {
    await record.close();
  }
}, 180_000);
