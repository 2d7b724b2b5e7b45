/**
 * KioskApi round trip over the loopback WebSocket transport (validate, run,
 * answer) against a bare `ws` echo on the same machine in the same run: the
 * cost of the contract's validation and dispatch.
 */
import { performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import { Host } from '../src/host/host';
import { startWsTransport } from '../src/host/transport-ws';
import { parseKioskConfig } from '../src/shared/config';
import { createLogger } from '../src/node/logger';
import { readFileSync } from 'node:fs';
import { percentile, type BenchResult } from './types';

const N = 2000;

async function timeRoundTrips(ws: WebSocket, make: (i: number) => string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      ws.once('message', () => resolve());
      ws.send(make(i));
    });
    times.push(performance.now() - t0);
  }
  return times;
}

export async function run(): Promise<BenchResult[]> {
  const log = createLogger('bench', { write: () => true } as unknown as NodeJS.WritableStream);
  const raw = JSON.parse(readFileSync(new URL('../kiosk-config/default.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  const host = new Host(parseKioskConfig({ ...raw, devices: [] }), log);
  host.start();
  const transport = await startWsTransport({ dispatch: host.dispatch, staticDir: '/nonexistent', log });
  const secret = new URL(transport.url).hash.replace('#secret=', '');
  const api = new WebSocket(`ws://127.0.0.1:${transport.port}/api`, ['cabine.kiosk.v1', `secret.${secret}`], { origin: transport.origin });
  await new Promise((r) => api.once('open', r));
  const apiTimes = await timeRoundTrips(api, (i) => JSON.stringify({ kind: 'request', id: i, method: 'getSnapshot', params: {} }));

  const echo = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  echo.on('connection', (ws) => ws.on('message', (m) => ws.send(m)));
  await new Promise((r) => echo.once('listening', r));
  const port = (echo.address() as { port: number }).port;
  const bare = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((r) => bare.once('open', r));
  const bareTimes = await timeRoundTrips(bare, (i) => JSON.stringify({ kind: 'request', id: i, method: 'getSnapshot', params: {} }));

  api.close();
  bare.close();
  echo.close();
  await transport.close();
  host.stop();
  return [
    { area: 'kiosk-api', name: 'getSnapshot round trip p50', value: percentile(apiTimes, 50), unit: 'ms', baseline: { name: 'bare ws echo p50', value: percentile(bareTimes, 50) }, note: `${N} calls` },
    { area: 'kiosk-api', name: 'getSnapshot round trip p99', value: percentile(apiTimes, 99), unit: 'ms', baseline: { name: 'bare ws echo p99', value: percentile(bareTimes, 99) } },
  ];
}
