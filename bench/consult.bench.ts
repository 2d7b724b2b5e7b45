/**
 * The readings relay (DESIGN §9: a reading reaches the specialist's screen
 * in under 25 ms p99 on one machine): from the booth sending `record.ingest`
 * to the claimant's console receiving `consult.reading`, through a real hub
 * (record on SQLite, synchronous=FULL, sealed). Baseline, same run, same
 * link: a booth request the hub answers without storing (`consult.devices`),
 * i.e. the floor of one round trip. Also the GP report: PDF and FHIR
 * generation per session against serving a photo's bytes.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { v7 as uuidv7 } from 'uuid';
import WebSocket from 'ws';
import { HubLink } from '../src/host/hub-link';
import { hashSecret } from '../src/hub/directory';
import { startHub } from '../src/hub/server';
import type { Reading } from '../src/shared/domain';
import { createLogger } from '../src/node/logger';
import { percentile, type BenchResult } from './types';

const log = createLogger('bench', { write: () => true } as unknown as NodeJS.WritableStream);
const SECRET = 'bench-booth-secret-0123456789';
const PASSWORD = 'bench-password-0123';
const N = 300;

function reading(sessionId: string): Reading {
  const at = new Date().toISOString();
  return {
    id: uuidv7(), sessionId, kind: 'temperature', code: '8310-5',
    values: [{ code: '8310-5', name: 'Body temperature', value: 37.2, unit: 'Cel' }],
    takenAt: at, receivedAt: at, device: { id: 'thermometer-1', kind: 'thermometer', model: 'TH', serial: 'S', firmware: '1' }, flags: [],
  };
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-bench-consult-'));
  const hub = await startHub({
    consoleDir: '/nonexistent', log,
    config: {
      booths: [{ boothId: 'A', tokenHash: await hashSecret(SECRET, 1024), pharmacy: { name: 'A', city: 'X' } }],
      specialists: [{ id: 'dr', email: 'dr@cabine.example', name: 'Dr Bench', specialty: 'Médecine générale', passwordHash: await hashSecret(PASSWORD, 1024) }],
      media: { listenIp: '127.0.0.1', rtcMinPort: 40000, rtcMaxPort: 40999, workers: 1 }, allowedOrigins: [], dataDir: dir,
    },
  });
  const link = new HubLink({ url: `ws://127.0.0.1:${hub.port}/booth`, boothId: 'A', token: SECRET, log });
  let ws: WebSocket | null = null;
  try {
    link.start();
    await new Promise<void>((r) => link.on('status', (s) => s === 'online' && r()));
    const sessionId = uuidv7();
    await link.request('queue.join', { sessionId, patient: { firstName: 'Bench', age: 40 } });
    const login = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'dr@cabine.example', password: PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const socket = new WebSocket(`ws://127.0.0.1:${hub.port}/console`, { headers: { cookie, origin: hub.url } });
    ws = socket;
    await new Promise<void>((r) => socket.once('open', () => r()));
    const arrivals = new Map<string, number>();
    let waiter: ((id: string) => void) | null = null;
    socket.on('message', (raw) => {
      const f = JSON.parse(raw.toString()) as { t: string; m?: string; p?: { reading?: { id: string } } };
      if (f.t === 'note' && f.m === 'consult.reading') {
        arrivals.set(f.p!.reading!.id, performance.now());
        waiter?.(f.p!.reading!.id);
      }
    });
    await new Promise<void>((r) => {
      socket.send(JSON.stringify({ t: 'req', id: 1, m: 'queue.claim', p: { boothId: 'A' } }));
      socket.once('message', () => r());
    });

    const relay: number[] = [];
    const acked: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < N + 20; i++) {
      const r = reading(sessionId);
      const got = new Promise<void>((resolve) => (waiter = (id) => id === r.id && resolve()));
      const t0 = performance.now();
      await link.request('record.ingest', { batchId: uuidv7(), items: [{ id: r.id, boothId: 'A', sessionId, seq: i + 1, kind: 'reading', data: r }] });
      const ack = performance.now() - t0;
      await got;
      if (i >= 20) {
        relay.push(arrivals.get(r.id)! - t0);
        acked.push(ack);
      }
      const t1 = performance.now();
      await link.request('consult.devices', { devices: [] });
      if (i >= 20) floor.push(performance.now() - t1);
      // Two frames per reading: stay under the hub's per-booth rate limit (100 frames/s sustained, 400 burst)
      // as a real booth does — a quiet machine otherwise runs fast enough to be cut off as a flood.
      await new Promise((r) => setTimeout(r, 25));
    }

    // The GP report of a session with a few readings, a photo, notes and a prescription.
    const bytes = Buffer.alloc(400_000, 7);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const photoId = uuidv7();
    await link.request('record.photoChunk', { photoId, index: 0, count: 3, sha256, data: bytes.subarray(0, 196_608).toString('base64') });
    await link.request('record.photoChunk', { photoId, index: 1, count: 3, sha256, data: bytes.subarray(196_608, 393_216).toString('base64') });
    await link.request('record.photoChunk', { photoId, index: 2, count: 3, sha256, data: bytes.subarray(393_216).toString('base64') });
    await link.request('record.ingest', { batchId: uuidv7(), items: [{ id: photoId, boothId: 'A', sessionId, seq: N + 100, kind: 'photo', data: { id: photoId, sessionId, mime: 'image/jpeg', width: 1920, height: 1080, byteLength: bytes.length, chunkCount: 3, sha256, takenAt: new Date().toISOString(), polarisation: 'none' } }] });
    await new Promise<void>((r) => {
      socket.send(JSON.stringify({ t: 'req', id: 2, m: 'consult.prescribe', p: { items: [{ name: 'Paracétamol 1 g', dosage: '1 comprimé' }] } }));
      socket.on('message', (raw) => JSON.parse(raw.toString()).id === 2 && r());
    });
    const time = async (path: string): Promise<number> => {
      const t0 = performance.now();
      const res = await fetch(`${hub.url}${path}`, { headers: { cookie } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      return performance.now() - t0;
    };
    const pdf: number[] = [];
    const fhir: number[] = [];
    const photo: number[] = [];
    for (let i = 0; i < 12; i++) {
      pdf.push(await time(`/api/sessions/${sessionId}/report.pdf`));
      fhir.push(await time(`/api/sessions/${sessionId}/report.fhir.json`));
      photo.push(await time(`/api/photos/${photoId}`));
    }
    const readings = `${N} readings in the session`;
    return [
      { area: 'consult', name: 'reading relay booth→console p50', value: percentile(relay, 50), unit: 'ms', baseline: { name: 'booth→hub round trip p50', value: percentile(floor, 50) } },
      { area: 'consult', name: 'reading relay booth→console p99', value: percentile(relay, 99), unit: 'ms', baseline: { name: 'booth→hub round trip p99', value: percentile(floor, 99) }, note: `budget 25 ms p99 (DESIGN §9); includes the sealed SQLite write (synchronous=FULL, one fsync per batch): the booth's own ack p50 ${percentile(acked, 50).toFixed(1)} / p99 ${percentile(acked, 99).toFixed(1)} ms` },
      { area: 'consult', name: 'GP report PDF p50', value: percentile(pdf, 50), unit: 'ms', baseline: { name: 'photo bytes (400 kB) p50', value: percentile(photo, 50) }, note: readings },
      { area: 'consult', name: 'GP report FHIR p50', value: percentile(fhir, 50), unit: 'ms', baseline: { name: 'photo bytes (400 kB) p50', value: percentile(photo, 50) }, note: readings },
    ];
  } finally {
    ws?.terminate();
    await link.stop();
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
