/**
 * The case bench's counting proxy (bench/wire-tap.ts) between a real `ws`
 * client and server: what it counts by kind adds up to every byte the client
 * sent, each frame lands in its kind, and a refused line lets nothing through.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { WIRE_KINDS, WireTap } from '../../../bench/wire-tap';
import { encodeBinaryFrame } from '../../../src/shared/binary-transfer';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(): Promise<{ port: number; received: () => number }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  let received = 0;
  wss.on('connection', (ws) => ws.on('message', () => (received += 1)));
  cleanups.push(() => new Promise<void>((r) => wss.close(() => r())));
  return { port: (wss.address() as AddressInfo).port, received: () => received };
}

async function client(port: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/booth`);
  cleanups.push(() => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

describe('the wire tap', () => {
  it('splits what the booth sends by kind, blob chunks by content type and the manifest apart from the items, and the kinds add up to the bytes sent', async () => {
    const hub = await server();
    const tap = await new WireTap(hub.port).start();
    cleanups.push(() => tap.stop());
    const ws = await client(tap.port);
    const still = randomBytes(200_000);
    const clip = randomBytes(70_000);
    const chunk = (contentType: string, bytes: Buffer) => encodeBinaryFrame({ t: 'req', id: 1, m: 'record.blobChunk', p: { blobId: 'b', contentType, index: 0 } }, bytes);
    const manifest = { id: 'm', kind: 'case', data: { caseId: 'c', question: 'x'.repeat(2_000) } };
    ws.send(chunk('image/jpeg', still));
    ws.send(chunk('audio/wav', clip));
    ws.send(JSON.stringify({ t: 'req', id: 2, m: 'record.ingest', p: { batchId: 'b', items: [{ id: 'r', kind: 'reading', data: {} }, manifest] } }));
    ws.send(JSON.stringify({ t: 'note', m: 'session.event', p: {} }));
    await expect.poll(() => hub.received()).toBe(4);
    const counted = tap.byKind();
    expect(tap.total()).toBe(WIRE_KINDS.reduce((n, k) => n + counted[k], 0));
    expect(counted.photos).toBeGreaterThan(still.length);
    expect(counted.photos).toBeLessThan(still.length + 200);
    expect(counted.clip).toBeGreaterThan(clip.length);
    expect(counted.clip).toBeLessThan(clip.length + 200);
    expect(counted.video).toBe(0);
    expect(counted.manifest).toBe(Buffer.byteLength(JSON.stringify(manifest)));
    expect(counted.items).toBeGreaterThan(0);
    // The upgrade request and the note.
    expect(counted.other).toBeGreaterThan(100);
  });

  it('refuses the line: the booth cannot connect and nothing is counted until it passes again', async () => {
    const hub = await server();
    const tap = await new WireTap(hub.port).start();
    cleanups.push(() => tap.stop());
    tap.refuse();
    await expect(client(tap.port)).rejects.toThrow();
    expect(tap.total()).toBe(0);
    expect(hub.received()).toBe(0);
    tap.pass();
    const ws = await client(tap.port);
    ws.send('{}');
    await expect.poll(() => hub.received()).toBe(1);
    expect(tap.total()).toBeGreaterThan(0);
  });
});
