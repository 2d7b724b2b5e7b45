/**
 * The impairment relay (tests/helpers/net-relay.ts) that benches and e2e
 * tests put between the browser and the servers: its line model with a
 * clock of its own (loss, bursts, delay, jitter, cap, queue, outage), then
 * plain UDP and TCP sockets through the real relay. Counts and order are
 * checked, never how long anything took.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Line, NetRelay, seededRandom, type Clock } from '../helpers/net-relay';
import { LINES } from '../helpers/net-profiles';

/** A clock tests advance by hand. */
class FakeClock implements Clock {
  t = 0;
  private readonly timers: { at: number; fn: () => void; seq: number }[] = [];
  private seq = 0;
  now(): number { return this.t; }
  at(at: number, fn: () => void): void { this.timers.push({ at, fn, seq: this.seq++ }); }
  advance(to: number): void {
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > to) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = to;
  }
}

function line(seed = 1): { line: Line; clock: FakeClock } {
  const clock = new FakeClock();
  return { line: new Line(clock, seededRandom(seed)), clock };
}

describe('the line model', () => {
  it('loses about the random share asked for, and nothing when asked for none', () => {
    const { line: l } = line();
    l.set({ loss: 0.1 });
    let delivered = 0;
    for (let i = 0; i < 10_000; i++) l.offer(100, () => delivered++);
    expect(l.counters.lost).toBeGreaterThan(900);
    expect(l.counters.lost).toBeLessThan(1100);
    expect(delivered + l.counters.lost).toBe(10_000);
    l.set({});
    const before = l.counters.lost;
    for (let i = 0; i < 1000; i++) l.offer(100, () => delivered++);
    expect(l.counters.lost).toBe(before);
  });

  it('loses in bursts under the Gilbert–Elliott model, where random loss of the same rate rarely loses twice in a row', () => {
    const runs = (profile: Parameters<Line['set']>[0]): { rate: number; meanRun: number } => {
      const { line: l } = line(7);
      l.set(profile);
      const fate: boolean[] = [];
      for (let i = 0; i < 20_000; i++) fate.push(l.offer(100, () => undefined) === 'lost');
      let count = 0;
      let total = 0;
      fate.forEach((lost, i) => {
        if (lost) total++;
        if (lost && !fate[i - 1]) count++;
      });
      return { rate: total / fate.length, meanRun: total / count };
    };
    const bursty = runs({ burst: { enterBad: 0.02, leaveBad: 0.25 } });
    const random = runs({ loss: bursty.rate });
    expect(bursty.rate).toBeGreaterThan(0.04);
    expect(bursty.rate).toBeLessThan(0.12);
    expect(bursty.meanRun).toBeGreaterThan(3);
    expect(random.meanRun).toBeLessThan(1.2);
  });

  it('gives the bench\'s bad line about 8 % loss, in bursts', () => {
    const { line: l } = line(11);
    l.set(LINES.bad.up);
    const fate = Array.from({ length: 40_000 }, () => l.offer(100, () => undefined));
    // Loss is decided before the queue: what the full queue drops afterwards does not change the losses counted.
    const lost = fate.filter((v) => v === 'lost').length;
    expect(lost / fate.length).toBeGreaterThan(0.06);
    expect(lost / fate.length).toBeLessThan(0.10);
  });

  it('delays each packet by the delay asked for, within the jitter, and never reorders', () => {
    const { line: l, clock } = line(3);
    l.set({ delayMs: 100 });
    const arrived: number[] = [];
    l.offer(100, () => arrived.push(clock.now()));
    clock.advance(99);
    expect(arrived).toEqual([]);
    clock.advance(100);
    expect(arrived).toEqual([100]);

    l.set({ delayMs: 100, jitterMs: 40 });
    const order: number[] = [];
    const at: number[] = [];
    for (let i = 0; i < 200; i++) {
      clock.advance(clock.now() + 1);
      const sentAt = clock.now();
      l.offer(100, () => { order.push(i); at.push(clock.now() - sentAt); });
    }
    clock.advance(clock.now() + 1000);
    expect(order).toEqual([...Array(200).keys()]);
    // Order is kept, so a packet may wait behind an earlier one: never less than delay − jitter, never beyond delay + jitter + the spacing kept.
    expect(Math.min(...at)).toBeGreaterThanOrEqual(60);
    expect(Math.max(...at)).toBeLessThanOrEqual(140);
    expect(new Set(at.map(Math.round)).size).toBeGreaterThan(10);
  });

  it('sends no faster than the cap, queues behind it, and drops what does not fit in the queue', () => {
    const { line: l, clock } = line();
    // 1250 bytes at 1000 kbit/s: 10 ms each.
    l.set({ rateKbps: 1000, queueBytes: 5000 });
    const arrivals: number[] = [];
    const verdicts = Array.from({ length: 6 }, () => l.offer(1250, () => arrivals.push(clock.now())));
    expect(verdicts).toEqual(['queued', 'queued', 'queued', 'queued', 'dropped', 'dropped']);
    expect(l.backlog).toBe(5000);
    clock.advance(1000);
    expect(arrivals).toEqual([10, 20, 30, 40]);
    expect(l.backlog).toBe(0);
    expect(l.counters).toMatchObject({ received: 6, forwarded: 4, dropped: 2, lost: 0 });
  });

  it('passes nothing during an outage and everything again after it, changed while packets flow', () => {
    const { line: l } = line();
    let delivered = 0;
    l.offer(100, () => delivered++);
    l.set({ outage: true });
    for (let i = 0; i < 50; i++) l.offer(100, () => delivered++);
    expect(delivered).toBe(1);
    l.set({});
    l.offer(100, () => delivered++);
    expect(delivered).toBe(2);
    expect(l.counters.dropped).toBe(50);
  });
});

// ---- through real sockets ----------------------------------------------------------------

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A UDP echo server on 127.0.0.1 and a relay in front of it on 127.0.0.2, same port. */
async function udpThroughRelay(): Promise<{ relay: NetRelay; client: UdpSocket; received: string[]; send(text: string): void; port: number }> {
  const echo = createSocket('udp4');
  echo.on('message', (msg, from) => echo.send(msg, from.port, from.address));
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => echo.close(() => r())));
  const port = echo.address().port;
  const relay = await new NetRelay({ listenHost: '127.0.0.2', targetHost: '127.0.0.1', udpPorts: [port] }).start();
  cleanup.push(() => relay.stop());
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => client.close(() => r())));
  const received: string[] = [];
  client.on('message', (msg) => received.push(msg.toString()));
  return { relay, client, received, port, send: (text) => client.send(text, port, '127.0.0.2') };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never: ${what}`);
}

describe('the relay with UDP sockets', () => {
  it('carries datagrams both ways in order, and counts them', async () => {
    const { relay, received, send } = await udpThroughRelay();
    for (let i = 0; i < 100; i++) send(`p${i}`);
    await until(() => received.length === 100, 'all echoes back');
    expect(received).toEqual(Array.from({ length: 100 }, (_, i) => `p${i}`));
    expect(relay.counters.up.forwarded).toBe(100);
    expect(relay.counters.down.forwarded).toBe(100);
  });

  it('drops what is sent during an outage and carries what follows it', async () => {
    const { relay, received, send } = await udpThroughRelay();
    send('before');
    await until(() => received.length === 1, 'the first echo');
    relay.cut();
    for (let i = 0; i < 20; i++) send(`lost${i}`);
    await until(() => relay.counters.up.dropped === 20, 'the relay saw the datagrams sent during the outage');
    relay.restore();
    send('after');
    await until(() => received.includes('after'), 'the echo after the outage');
    expect(received).toEqual(['before', 'after']);
  });

  it('loses datagrams at the rate set, in either direction, and the loss can be changed mid-stream', async () => {
    const { relay, received, send } = await udpThroughRelay();
    relay.setProfile({ down: { loss: 0.5 } });
    // In batches: a burst of hundreds of datagrams overflows the kernel's socket buffers, which is not the relay's loss.
    for (let batch = 0; batch < 20; batch++) {
      for (let i = 0; i < 20; i++) send(`a${batch * 20 + i}`);
      await until(() => relay.counters.down.received === (batch + 1) * 20, 'every echo of the batch reached the relay');
    }
    await until(() => received.length === relay.counters.down.forwarded, 'the forwarded echoes arrived');
    expect(relay.counters.up.lost).toBe(0);
    expect(relay.counters.down.lost).toBeGreaterThan(120);
    expect(relay.counters.down.lost).toBeLessThan(280);
    relay.setProfile({});
    received.length = 0;
    for (let i = 0; i < 50; i++) send(`b${i}`);
    await until(() => received.length === 50, 'all 50 after the loss was lifted');
  });

  it('impairs only the ports it is told are one party\'s line, and passes the others clean', async () => {
    const echoes = await Promise.all([0, 1].map(async () => {
      const echo = createSocket('udp4');
      echo.on('message', (msg, from) => echo.send(msg, from.port, from.address));
      await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
      cleanup.push(() => new Promise<void>((r) => echo.close(() => r())));
      return echo.address().port;
    }));
    const [booth, doctor] = echoes as [number, number];
    const relay = await new NetRelay({ listenHost: '127.0.0.2', targetHost: '127.0.0.1', udpPorts: [booth, doctor] }).start();
    cleanup.push(() => relay.stop());
    const client = createSocket('udp4');
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => client.close(() => r())));
    const received: string[] = [];
    client.on('message', (msg) => received.push(msg.toString()));

    relay.setProfile({ up: { outage: true } }, { ports: [booth] });
    for (let i = 0; i < 10; i++) client.send(`booth${i}`, booth, '127.0.0.2');
    for (let i = 0; i < 10; i++) client.send(`doctor${i}`, doctor, '127.0.0.2');
    await until(() => received.length === 10 && relay.counters.up.dropped === 10, 'the doctor\'s echoes back, the booth\'s dropped');
    expect(received).toEqual(Array.from({ length: 10 }, (_, i) => `doctor${i}`));
    // Without ports the profile is every port's again.
    relay.setProfile({ up: { outage: true } });
    client.send('doctor-cut', doctor, '127.0.0.2');
    await until(() => relay.counters.up.dropped === 11, 'the doctor\'s port cut too');
    expect(received).not.toContain('doctor-cut');
  });

  it('lets through only the ports its firewall allows, except from a trusted address', async () => {
    const { relay, received, send, port } = await udpThroughRelay();
    relay.setProfile({ firewall: { allow: [{ protocol: 'tcp', port }] } });
    for (let i = 0; i < 10; i++) send(`x${i}`);
    await until(() => relay.counters.up.blocked === 10, 'the datagrams blocked');
    relay.setProfile({ firewall: { allow: [{ protocol: 'udp', port }] } });
    send('allowed');
    await until(() => received.length === 1, 'the allowed echo');
    relay.setProfile({ firewall: { allow: [], trusted: ['127.0.0.1'] } });
    send('trusted');
    await until(() => received.length === 2, 'the trusted echo');
    expect(received).toEqual(['allowed', 'trusted']);
  });
});

/** A TCP echo server on 127.0.0.1 and the relay in front of it on 127.0.0.2. */
async function tcpThroughRelay(): Promise<{ relay: NetRelay; port: number; connect(): Promise<{ socket: Socket; data: () => Buffer }> }> {
  const server: Server = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  const relay = await new NetRelay({ listenHost: '127.0.0.2', targetHost: '127.0.0.1', tcpPorts: [port] }).start();
  cleanup.push(() => relay.stop());
  const connect = async (): Promise<{ socket: Socket; data: () => Buffer }> => {
    const socket = new Socket();
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    cleanup.push(() => { socket.destroy(); });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port, '127.0.0.2', () => resolve());
    });
    return { socket, data: () => Buffer.concat(chunks) };
  };
  return { relay, port, connect };
}

describe('the relay with TCP sockets', () => {
  it('holds the stream during an outage and delivers every byte in order once the line is back', async () => {
    const { relay, connect } = await tcpThroughRelay();
    const { socket, data } = await connect();
    socket.write('one,');
    await until(() => data().toString() === 'one,', 'the first echo');
    relay.cut();
    socket.write('two,');
    socket.write('three');
    await until(() => relay.tcp.held >= 1, 'the relay holds the bytes written during the outage');
    // Nothing moves while the line is out: the relay forwarded nothing more upstream.
    const forwardedDuringOutage = relay.counters.up.forwarded;
    expect(data().toString()).toBe('one,');
    relay.restore();
    await until(() => data().toString() === 'one,two,three', 'the held bytes');
    expect(relay.counters.up.forwarded).toBeGreaterThan(forwardedDuringOutage);
  });

  it('carries a large stream intact under a cap with a small queue', async () => {
    const { relay, connect } = await tcpThroughRelay();
    relay.setProfile({ up: { rateKbps: 200_000, queueBytes: 16 * 1024 }, down: { rateKbps: 200_000, queueBytes: 16 * 1024, delayMs: 2, jitterMs: 2 } });
    const { socket, data } = await connect();
    const payload = Buffer.alloc(512 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    socket.write(payload);
    await until(() => data().length >= payload.length, 'the whole payload back');
    expect(data().equals(payload)).toBe(true);
    expect(relay.counters.up.dropped + relay.counters.down.dropped).toBe(0);
  });

  it('refuses a connection to a port its firewall does not allow, and closes one it stops allowing', async () => {
    const { relay, port, connect } = await tcpThroughRelay();
    const { socket } = await connect();
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    relay.setProfile({ firewall: { allow: [{ protocol: 'udp', port }] } });
    await closed;
    // Accepted by the kernel, then reset at once: the connection fails, whether during or after connecting.
    await connect().then(({ socket: s }) => new Promise((r) => s.once('close', r)), () => undefined);
    expect(relay.tcp.refused).toBe(1);
  });
});
