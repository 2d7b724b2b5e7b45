/**
 * A scripted attacker against a real hub (record, mediasoup worker, static
 * console) while an honest booth and an honest specialist keep working:
 * bad booth secrets, forged or absent console cookies and foreign Origins,
 * replayed and foreign record batches, oversized frames, malformed JSON and
 * frames failing their schema, request floods, and path traversal on the
 * console's static files. Nothing may be accepted, stored or leaked, and
 * every honest request must still succeed during the attack.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HubLink } from '../../../src/host/hub-link';
import type { RecordRepository } from '../../../src/hub/record/index';
import type { Hub } from '../../../src/hub/server';
import type { RecordItem } from '../../../src/shared/record-protocol';
import { BOOTH_SECRETS, SPECIALISTS, startTestHub, testHubConfig } from '../../helpers/hub';
import { silentLog, tempDir, temperature } from '../../helpers/store';
import { ConsoleClient, until } from '../../resilience/support/clients';

const SECRET_MARKER = 'TOP-SECRET-MARKER-7f3a9c';
const { dir, cleanup } = tempDir('cabine-hostile-');
const consoleDir = join(dir, 'www', 'console');
let hub: Hub;
let record: RecordRepository;
let honestBooth: HubLink;
let honestConsole: ConsoleClient;
/** A logged-in specialist who will flood. */
let floodingConsole: ConsoleClient;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  mkdirSync(join(consoleDir, 'assets'), { recursive: true });
  writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(consoleDir, 'assets', 'app.js'), 'console.log(1)');
  // Files an attacker would love to read: beside the console build, and the hub's own data.
  writeFileSync(join(dir, 'www', 'secret.txt'), SECRET_MARKER);
  writeFileSync(join(dir, 'secret.txt'), SECRET_MARKER);
  hub = await startTestHub({ consoleDir, config: await testHubConfig(join(dir, 'hub')) });
  record = hub.record.repo;
  honestBooth = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: 'demo-booth-1', token: BOOTH_SECRETS['demo-booth-1'], log: silentLog, minDelayMs: 50, maxDelayMs: 200 });
  honestBooth.start();
  await until(() => honestBooth.status === 'online', 'honest booth online');
  honestConsole = await ConsoleClient.login(hub.url, SPECIALISTS[0].email, SPECIALISTS[0].password);
  floodingConsole = await ConsoleClient.login(hub.url, SPECIALISTS[1].email, SPECIALISTS[1].password);
});

afterAll(async () => {
  for (const s of sockets) s.terminate();
  honestConsole?.close();
  floodingConsole?.close();
  await honestBooth?.stop();
  await hub?.close();
  cleanup();
});

/** One raw HTTP/1.1 request, the path sent byte for byte (no client-side normalisation). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(hub.port, '127.0.0.1');
    let data = '';
    socket.on('data', (c) => (data += c.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

function boothSocket(boothId: string, token: string): Promise<{ status: number; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'x-cabine-booth': boothId };
    if (token) headers.authorization = `Bearer ${token}`;
    const ws = new WebSocket(`ws://127.0.0.1:${hub.port}/booth`, { headers });
    sockets.push(ws);
    ws.on('unexpected-response', (_q, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.on('open', () => resolve({ status: 101, ws }));
    ws.on('error', () => resolve({ status: -1 }));
  });
}

function closed(ws: WebSocket): Promise<number> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve(-1);
  return new Promise((r) => ws.on('close', (code) => r(code)));
}

/** Raw frames on an open socket; resolves with every `res` frame answered. */
function frames(ws: WebSocket): { t: string; id: number; ok: boolean; e?: { code: string } }[] {
  const got: { t: string; id: number; ok: boolean; e?: { code: string } }[] = [];
  ws.on('message', (raw) => got.push(JSON.parse(raw.toString()) as never));
  return got;
}

function item(boothId: string, reading = temperature(37.1, 'hostile-session')): RecordItem {
  return { id: reading.id, boothId, sessionId: reading.sessionId, seq: 1, kind: 'reading', data: reading };
}

/** The honest pair keeps working: a booth batch stored and acknowledged, and the console's queue answered. */
async function honestWork(rounds: number): Promise<string[]> {
  const stored: string[] = [];
  for (let i = 0; i < rounds; i++) {
    const it = item('demo-booth-1', temperature(36.5 + i / 10, 'honest-session'));
    const r = await honestBooth.request<{ acked: string[] }>('record.ingest', { batchId: uuidv7(), items: [it] });
    expect(r.acked).toEqual([it.id]);
    stored.push(it.id);
    await expect(honestConsole.call('queue.list', {})).resolves.toMatchObject({ booths: expect.any(Array) });
    await new Promise((r) => setTimeout(r, 20));
  }
  return stored;
}

describe('hub under a hostile client', () => {
  it('refuses bad booth secrets, forged cookies and foreign Origins while the honest booth and console keep working', async () => {
    const honest = honestWork(10);
    const booths = await Promise.all([
      boothSocket('demo-booth-2', BOOTH_SECRETS['demo-booth-1']), // another booth's secret
      boothSocket('demo-booth-1', 'not-the-secret-000000000'),
      boothSocket('demo-booth-1', ''),
      boothSocket('', BOOTH_SECRETS['demo-booth-1']),
      boothSocket('../demo-booth-1', BOOTH_SECRETS['demo-booth-1']),
      boothSocket('x'.repeat(5000), 'y'.repeat(5000)),
    ]);
    expect(booths.map((b) => b.status)).toEqual([401, 401, 401, 401, 401, 401]);
    const consoleAttempts = await Promise.all([
      ConsoleClient.open(hub.url, { origin: hub.url }).then(() => 101, (e: { status?: number }) => e.status),
      ConsoleClient.open(hub.url, { origin: hub.url, cookie: 'cabine_session=forged-token-0000000000000000000000000' }).then(() => 101, (e: { status?: number }) => e.status),
      ConsoleClient.open(hub.url, { origin: hub.url, cookie: 'cabine_session=' }).then(() => 101, (e: { status?: number }) => e.status),
      ConsoleClient.open(hub.url, { origin: 'https://evil.example', cookie: 'cabine_session=forged' }).then(() => 101, (e: { status?: number }) => e.status),
    ]);
    expect(consoleAttempts).toEqual([401, 401, 401, 403]);
    // A real specialist's cookie from a foreign page (cross-site WebSocket hijacking) is refused too.
    const login = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SPECIALISTS[1].email, password: SPECIALISTS[1].password }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    await expect(ConsoleClient.open(hub.url, { origin: 'http://127.0.0.1:1', cookie })).rejects.toMatchObject({ status: 403 });
    await expect(ConsoleClient.open(hub.url, { cookie })).rejects.toMatchObject({ status: 403 });
    // Wrong passwords are refused, then throttled (simultaneous guesses count before their verdicts); the honest console stays logged in.
    const wrong = await Promise.all(Array.from({ length: 12 }, () => fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SPECIALISTS[0].email, password: 'guess' }) }).then((r) => r.status)));
    expect(wrong.every((s) => s === 401 || s === 429)).toBe(true);
    expect(wrong).toContain(429);
    expect(hub.booths.connectedBooths()).toEqual(['demo-booth-1']);
    await honest;
  });

  it('stores nothing from replayed, foreign, malformed or oversized record batches, and cuts off the sender', async () => {
    const before = (await record.boothItems('demo-booth-1')).length;
    const honest = honestWork(10);
    // Booth 2 connects with its own secret and then misbehaves.
    const { ws } = await boothSocket('demo-booth-2', BOOTH_SECRETS['demo-booth-2']);
    const answers = frames(ws!);
    const send = (f: unknown) => ws!.send(typeof f === 'string' ? f : JSON.stringify(f));
    const own = item('demo-booth-2');
    const batchId = uuidv7();
    send({ t: 'req', id: 1, m: 'record.ingest', p: { batchId, items: [own] } });
    await until(() => answers.find((a) => a.id === 1), 'first batch answered');
    expect(answers.find((a) => a.id === 1)).toMatchObject({ ok: true });
    // The same frame again (a replay), and the same batch id with new items.
    send({ t: 'req', id: 2, m: 'record.ingest', p: { batchId, items: [own] } });
    send({ t: 'req', id: 3, m: 'record.ingest', p: { batchId, items: [item('demo-booth-2')] } });
    // Items naming the honest booth; a batch too large; items of the wrong shape.
    const foreign = item('demo-booth-1');
    send({ t: 'req', id: 4, m: 'record.ingest', p: { batchId: uuidv7(), items: [item('demo-booth-2'), foreign] } });
    send({ t: 'req', id: 5, m: 'record.ingest', p: { batchId: uuidv7(), items: Array.from({ length: 501 }, () => item('demo-booth-2')) } });
    send({ t: 'req', id: 6, m: 'record.ingest', p: { batchId: uuidv7(), items: [{ ...item('demo-booth-2'), data: { value: 'DROP TABLE items' } }] } });
    send({ t: 'req', id: 7, m: 'record.ingest', p: { batchId: 'not-a-uuid', items: [item('demo-booth-2')] } });
    send({ t: 'req', id: 8, m: 'record.photoChunk', p: { photoId: uuidv7(), index: 5, count: 2, sha256: 'a'.repeat(64), data: 'AAAA' } });
    await until(() => [2, 3, 4, 5, 6, 7, 8].every((id) => answers.some((a) => a.id === id)), 'every hostile batch answered');
    const codes = Object.fromEntries(answers.filter((a) => a.id > 1).map((a) => [a.id, a.ok ? 'ACCEPTED' : a.e!.code]));
    expect(codes).toEqual({ 2: 'REPLAYED_BATCH', 3: 'REPLAYED_BATCH', 4: 'BOOTH_MISMATCH', 5: expect.stringMatching(/BATCH_TOO_LARGE|INVALID_PARAMS/), 6: 'INVALID_ITEM', 7: 'INVALID_PARAMS', 8: expect.stringMatching(/INVALID_CHUNK|INVALID_PARAMS/) });
    // Booth-only methods from a console, and console-only methods from a booth.
    await expect(honestConsole.call('record.ingest', { batchId: uuidv7(), items: [item('demo-booth-1')] })).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
    send({ t: 'req', id: 9, m: 'queue.claim', p: { boothId: 'demo-booth-1' } });
    send({ t: 'req', id: 10, m: 'media.capabilities', p: {} });
    await until(() => [9, 10].every((id) => answers.some((a) => a.id === id)), 'cross-role calls answered');
    expect(answers.filter((a) => a.id >= 9).map((a) => a.e?.code).sort()).toEqual(['NO_ROOM', 'UNKNOWN_METHOD']);
    // Malformed JSON, frames failing the schema, binary frames: refused, then the connection is cut.
    const gone = closed(ws!);
    const garbage = ['{not json', '[]', 'null', '{"t":"req"}', '{"t":"req","id":-1,"m":"record.ingest","p":{}}', '{"t":"req","id":1,"m":"../../etc/passwd","p":{}}', '{"t":"res","id":99,"ok":true,"r":1,"extra":1}'];
    for (let i = 0; i < 30 && ws!.readyState === ws!.OPEN; i++) {
      if (i % 5 === 4) ws!.send(Buffer.from([0, 1, 2, 3]));
      else send(garbage[i % garbage.length]!);
    }
    expect(await gone).toBe(1008);
    // An oversized frame cuts the connection at once (a fresh connection of booth 2).
    const big = await boothSocket('demo-booth-2', BOOTH_SECRETS['demo-booth-2']);
    const bigGone = closed(big.ws!);
    big.ws!.send(JSON.stringify({ t: 'req', id: 1, m: 'record.ingest', p: { batchId: uuidv7(), items: [item('demo-booth-2')], pad: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(await bigGone).toBe(1009);

    const honestIds = await honest;
    // Only the one legitimate item of booth 2 was stored; nothing reached booth 1's record but its own items.
    expect((await record.boothItems('demo-booth-2')).map((s) => s.item.id)).toEqual([own.id]);
    const booth1 = (await record.boothItems('demo-booth-1')).map((s) => s.item.id);
    expect(booth1).toHaveLength(before + honestIds.length);
    expect(booth1).not.toContain(foreign.id);
    expect(booth1.slice(before)).toEqual(honestIds);
    expect(hub.booths.peer('demo-booth-1')?.open).toBe(true);
  });

  it('cuts off request floods on both gateways while honest requests keep succeeding', async () => {
    const honest = honestWork(15);
    const { ws } = await boothSocket('demo-booth-2', BOOTH_SECRETS['demo-booth-2']);
    const boothGone = closed(ws!);
    const attacker = floodingConsole;
    const consoleGone = closed(attacker.ws);
    for (let i = 0; i < 3000 && ws!.readyState === ws!.OPEN; i++) ws!.send(JSON.stringify({ t: 'req', id: i, m: 'queue.leave', p: {} }));
    for (let i = 0; i < 3000 && attacker.ws.readyState === attacker.ws.OPEN; i++) attacker.ws.send(JSON.stringify({ t: 'req', id: i, m: 'queue.list', p: {} }));
    expect(await boothGone).toBe(1008);
    expect(await consoleGone).toBe(1008);
    await honest;
    expect(honestConsole.closedWith).toBeNull();
  });

  it('serves nothing outside the console build, whatever the path encoding', async () => {
    const index = (await rawGet('/')).body;
    expect(index).toContain('<title>console</title>');
    const attempts = [
      '/../secret.txt', '/../../secret.txt', '/..%2fsecret.txt', '/..%2f..%2fsecret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/%2E%2E/%2E%2E/secret.txt', '/..\\secret.txt', '/..%5csecret.txt', '/..%5c..%5csecret.txt', '/assets/../../secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt', '/%252e%252e/secret.txt', '/....//secret.txt', '/.%2e/secret.txt',
      '/secret.txt%00.js', '/%00../secret.txt', '/index.html%00', '//etc/passwd', '/etc/passwd', '/%2fetc%2fpasswd',
      '/..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd', '/..%c0%af..%c0%afetc/passwd', '/%c0%ae%c0%ae/secret.txt',
      `/${'../'.repeat(12)}etc/passwd`, '/hub/record.db', '/../hub/record.key', '/%2e%2e/hub/record.key',
    ];
    const results = await Promise.all(attempts.map(async (path) => ({ path, ...(await rawGet(path)) })));
    for (const r of results) {
      expect({ path: r.path, leaked: r.body.includes(SECRET_MARKER) || r.body.includes('root:x:0:0') || r.body.includes('SQLite format') }).toEqual({ path: r.path, leaked: false });
      // Either refused, not found, or the single-page app's index — never another file.
      expect({ path: r.path, ok: [400, 404].includes(r.status) || (r.status === 200 && r.body === index) }).toEqual({ path: r.path, ok: true });
    }
    // The API never answers without a session.
    for (const path of [`/api/photos/${uuidv7()}`, '/api/sessions/s/report.pdf', '/api/sessions/s/report.fhir.json', '/api/me']) {
      const r = await fetch(`${hub.url}${path}`);
      expect({ path, status: r.status === 200 }).toEqual({ path, status: false });
    }
    // The hub is still up for honest clients.
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
    await honestWork(2);
  });
});
