/**
 * A flood of booth connection attempts with wrong tokens, for
 * bench/abuse.bench.ts, in its own thread so the flooder does not share the
 * hub's event loop (as an attacker's machine would not). Raw HTTP upgrade
 * requests from chosen loopback addresses, `concurrency` at a time, until
 * told to stop or `maxAttempts` are sent; reports how each was answered.
 */
import { connect } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ port: number, sources: { address: string, boothId: string | null }[], concurrency: number, maxAttempts: number }} */
const { port, sources, concurrency, maxAttempts } = workerData;
let sent = 0;
let stop = false;
/** @type {Record<string, number>} */
const answers = {};
parentPort.on('message', (m) => {
  if (m === 'stop') stop = true;
});

function attempt(from, boothId) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: from });
    let data = '';
    socket.setTimeout(30_000, () => socket.destroy());
    socket.on('data', (c) => {
      data += c.toString('latin1');
      if (data.includes('\r\n')) socket.destroy();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 'no answer';
      answers[status] = (answers[status] ?? 0) + 1;
      resolve();
    });
    socket.write(
      'GET /booth HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n'
      + 'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
      + `x-cabine-booth: ${boothId}\r\nAuthorization: Bearer wrong-token-${sent}\r\n\r\n`,
    );
  });
}

async function loop(i) {
  while (!stop && sent < maxAttempts) {
    const source = sources[(i + sent) % sources.length];
    sent += 1;
    // A null booth id: a made-up one each time.
    await attempt(source.address, source.boothId ?? `booth-${sent}`);
  }
}

await Promise.all(Array.from({ length: concurrency }, (_, i) => loop(i)));
parentPort.postMessage({ sent, answers });
