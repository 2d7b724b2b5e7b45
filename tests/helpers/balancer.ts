/**
 * A TCP balancer in front of hub nodes, as a network puts one address before
 * its consoles: each connection goes to the first node, in order, that
 * accepts it (a dead node refuses, the next one gets it). Layer 4 only: the
 * browser's WebSocket and cookies pass through untouched.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Balancer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startBalancer(targets: readonly number[]): Promise<Balancer> {
  const open = new Set<Socket>();
  const track = (s: Socket): void => {
    open.add(s);
    s.once('close', () => open.delete(s));
  };
  const server: Server = createServer((client) => {
    track(client);
    client.pause();
    const tryTarget = (i: number): void => {
      if (i >= targets.length) {
        client.destroy();
        return;
      }
      const upstream = connect({ host: '127.0.0.1', port: targets[i]! });
      upstream.once('error', () => {
        upstream.destroy();
        tryTarget(i + 1);
      });
      upstream.once('connect', () => {
        track(upstream);
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
        upstream.once('close', () => client.destroy());
        client.once('close', () => upstream.destroy());
      });
    };
    tryTarget(0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
