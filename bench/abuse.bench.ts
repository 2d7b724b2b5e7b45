/**
 * Honest users while wrong booth tokens flood the hub (issue 14, items 11–12;
 * before the fix, 150 wrong tokens made a doctor's login take 4.7 s): a
 * doctor's login and a booth's connection, each beside the same on the idle
 * hub in this run. Real hub with media, production scrypt cost (N=16384),
 * loopback only: the doctor logs in from 127.0.0.2, the booth connects from
 * 127.0.0.3 (both had got in from there before: the idle rounds come
 * first), the flood comes from one address, then from 64, all at the
 * booth's own id (made-up ids cost no hash: they are refused at once);
 * 32 attempts at a time from its own thread, at most 20,000 per flood.
 * A booth at an address never seen before is measured too, under the
 * 64-address flood (it has no priority at the hash gate).
 */
import { once } from 'node:events';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { hashSecret } from '../src/hub/directory';
import { startHub, type Hub } from '../src/hub/server';
import { createLogger } from '../src/node/logger';
import { percentile, type BenchResult } from './types';

const log = createLogger('bench', { write: () => true } as unknown as NodeJS.WritableStream);
const SECRET = 'bench-booth-secret-0123456789';
const PASSWORD = 'bench-password-0123';
const ROUNDS = Number(process.env.BENCH_ABUSE_ROUNDS ?? 20);
const DOCTOR_AT = '127.0.0.2';
const BOOTH_AT = '127.0.0.3';

/** ms for one login of the doctor, or the status if refused. */
function login(hub: Hub): Promise<number> {
  const body = JSON.stringify({ email: 'dr@cabine.example', password: PASSWORD });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port: hub.port, path: '/api/login', method: 'POST', localAddress: DOCTOR_AT, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`login refused: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** ms from dialling to the booth's connection open; the status when refused. */
function boothConnects(hub: Hub, from: string): Promise<{ ms: number; status: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const ws = new WebSocket(`ws://127.0.0.1:${hub.port}/booth`, { headers: { 'x-cabine-booth': 'A', authorization: `Bearer ${SECRET}` }, localAddress: from });
    ws.on('unexpected-response', (_q, res) => {
      res.resume();
      ws.terminate();
      resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0 });
    });
    ws.on('error', () => resolve({ ms: performance.now() - t0, status: -1 }));
    ws.on('open', () => {
      const ms = performance.now() - t0;
      ws.on('close', () => resolve({ ms, status: 101 }));
      ws.close();
    });
  });
}

interface Rounds { login: number[]; booth: number[]; fresh: { ms: number; status: number }[] }

async function rounds(hub: Hub, freshFrom?: (i: number) => string): Promise<Rounds> {
  const out: Rounds = { login: [], booth: [], fresh: [] };
  for (let i = 0; i < ROUNDS; i++) {
    out.login.push(await login(hub));
    const b = await boothConnects(hub, BOOTH_AT);
    if (b.status !== 101) throw new Error(`the honest booth was refused: ${b.status}`);
    out.booth.push(b.ms);
    if (freshFrom) out.fresh.push(await boothConnects(hub, freshFrom(i)));
  }
  return out;
}

interface FloodReport { sent: number; answers: Record<string, number>; seconds: number }

async function underFlood(hub: Hub, sources: { address: string; boothId: string | null }[], freshFrom?: (i: number) => string): Promise<Rounds & { flood: FloodReport }> {
  const worker = new Worker(new URL('./flood-worker.mjs', import.meta.url), { workerData: { port: hub.port, sources, concurrency: 32, maxAttempts: 20_000 } });
  const done = once(worker, 'message') as Promise<[{ sent: number; answers: Record<string, number> }]>;
  const t0 = performance.now();
  // The flood is under way before the honest users come.
  await new Promise((r) => setTimeout(r, 1_000));
  try {
    const r = await rounds(hub, freshFrom);
    worker.postMessage('stop');
    const [report] = await done;
    return { ...r, flood: { ...report, seconds: (performance.now() - t0) / 1000 } };
  } finally {
    await worker.terminate();
  }
}

function describeFlood(f: FloodReport): string {
  const answers = Object.entries(f.answers).sort().map(([s, n]) => `${s}: ${n}`).join(', ');
  return `${f.sent} wrong-token attempts in ${f.seconds.toFixed(1)} s (${answers})`;
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-bench-abuse-'));
  const hub = await startHub({
    consoleDir: '/nonexistent', log,
    config: {
      booths: [{ boothId: 'A', tokenHash: await hashSecret(SECRET), pharmacy: { name: 'A', city: 'X' } }],
      specialists: [{ id: 'dr', email: 'dr@cabine.example', name: 'Dr Bench', specialty: 'Médecine générale', passwordHash: await hashSecret(PASSWORD) }],
      media: { listenIp: '127.0.0.1', rtcMinPort: 40000, rtcMaxPort: 40999, workers: 1 }, allowedOrigins: [], dataDir: dir,
    },
  });
  try {
    const idle = await rounds(hub);
    const one = await underFlood(hub, [{ address: '127.0.1.1', boothId: 'A' }]);
    const many = await underFlood(hub, Array.from({ length: 64 }, (_, i) => ({ address: `127.0.2.${i + 1}`, boothId: 'A' })), (i) => `127.0.3.${i + 1}`);
    const rows: BenchResult[] = [];
    const pair = (what: string, idleValues: number[], floods: [string, number[], string][]): void => {
      for (const p of [50, 95]) {
        const baseline = { name: `${what}, idle hub, p${p}`, value: percentile(idleValues, p) };
        for (const [label, values, note] of floods) rows.push({ area: 'abuse', name: `${what} under a flood ${label}, p${p}`, value: percentile(values, p), unit: 'ms', baseline, note });
      }
    };
    const freshOk = many.fresh.filter((f) => f.status === 101);
    const freshNote = `a booth at a never-seen address under the same flood: ${freshOk.length}/${many.fresh.length} in at first try, p50 ${percentile(freshOk.map((f) => f.ms), 50).toFixed(0)} ms, refusals ${JSON.stringify(many.fresh.filter((f) => f.status !== 101).map((f) => f.status))}`;
    pair('doctor login', idle.login, [
      ['from one address', one.login, `${ROUNDS} logins, scrypt N=16384; ${describeFlood(one.flood)}`],
      ['from 64 addresses', many.login, `${ROUNDS} logins; ${describeFlood(many.flood)}`],
    ]);
    pair('booth connection', idle.booth, [
      ['from one address', one.booth, `${ROUNDS} connections of the attacked booth id, from its usual address`],
      ['from 64 addresses', many.booth, freshNote],
    ]);
    return rows;
  } finally {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
