/**
 * A user-space network between the browser and the servers, for tests and
 * benches (the kernel's traffic shaping is not available on these machines,
 * see ../shared/notes/ENVIRONMENT.md): UDP and TCP ports listened on one
 * loopback address and forwarded to the same ports on another, with loss
 * (random and bursty), delay with jitter, a bandwidth cap with a queue,
 * outages, and a firewall that lets through only given ports — each
 * changeable while traffic flows (`setProfile`, `cut`, `restore`).
 *
 * mediasoup 3.19.3 can announce another address but not another port: the
 * hub listens on 127.0.0.1 and announces 127.0.0.2, and the relay mirrors
 * the hub's RTC port range from 127.0.0.2 to 127.0.0.1 (`mirror`), so every
 * packet of the call crosses it.
 *
 * UDP datagrams are lost, delayed, queued and capped one by one. TCP is a
 * byte stream that cannot lose: its chunks are delayed and capped in order,
 * a full queue stops reading (TCP's own back-pressure), and an outage stalls
 * it (nothing moves until the line is back) rather than cutting it.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, Socket, type Server } from 'node:net';
import { seededRandom } from '../../src/shared/seeded-random';

/** One direction's impairments; every field optional (a perfect line when empty). */
export interface LineProfile {
  /** Random loss, 0..1, per datagram (UDP only). */
  loss?: number;
  /**
   * Bursty loss, Gilbert–Elliott: from the good state a datagram moves to the
   * bad state with probability `enterBad`, from the bad state back with
   * `leaveBad`; in the bad state each datagram is lost with `lossInBad`
   * (1 by default). Applied on top of `loss`.
   */
  burst?: { enterBad: number; leaveBad: number; lossInBad?: number };
  /** One-way delay (ms). */
  delayMs?: number;
  /** Jitter (ms): each packet's delay is `delayMs ± jitterMs`, uniformly; order is kept, as on one link. */
  jitterMs?: number;
  /** Bandwidth cap (kbit/s); packets wait in a queue while the line carries earlier ones. */
  rateKbps?: number;
  /** The queue in front of the cap (bytes): a datagram that does not fit is dropped (tail drop); TCP stops reading. Default 64 KiB. */
  queueBytes?: number;
  /** Nothing passes: datagrams are dropped, TCP stalls. */
  outage?: boolean;
}

/** What the browser → server ('up') and server → browser ('down') directions do. */
export interface NetProfile {
  up?: LineProfile;
  down?: LineProfile;
  /**
   * Only these ports pass, from the listening side (the browser's); every
   * other datagram is dropped and every other connection refused. Traffic
   * from a `trusted` address (a server beyond the firewall, e.g. the TURN
   * server's relayed traffic towards the SFU) is not filtered.
   */
  firewall?: { allow: { protocol: 'udp' | 'tcp'; port: number }[]; trusted?: string[] };
}

/** The same impairments both ways. */
export function symmetric(line: LineProfile, firewall?: NetProfile['firewall']): NetProfile {
  return { up: line, down: line, ...(firewall ? { firewall } : {}) };
}

export interface Counters {
  /** Datagrams (UDP) or chunks (TCP) that arrived at the relay. */
  received: number;
  /** Sent on to their destination. */
  forwarded: number;
  /** Lost by the loss model. */
  lost: number;
  /** Dropped because the queue was full or the line was out. */
  dropped: number;
  /** Refused by the firewall (datagrams, and connections for TCP). */
  blocked: number;
}

const zero = (): Counters => ({ received: 0, forwarded: 0, lost: 0, dropped: 0, blocked: 0 });

export { seededRandom };

export interface Clock {
  now(): number;
  /** Runs `fn` at `at` (ms, on this clock). */
  at(at: number, fn: () => void): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  at: (at, fn) => {
    const t = setTimeout(fn, Math.max(0, at - performance.now()));
    t.unref?.();
  },
};

export type Verdict = 'queued' | 'lost' | 'dropped';

/**
 * One direction of a line: decides each packet's fate and when it arrives.
 * Pure but for its clock and random source, both injectable, so the loss,
 * the delay and the cap are tested without sockets or waiting.
 */
export class Line {
  private profile: LineProfile = {};
  private bad = false;
  /** When the cap finishes sending what is queued (clock ms). */
  private busyUntil = 0;
  /** Bytes accepted and not yet through the cap. */
  private queued = 0;
  /** The latest arrival scheduled: jitter never reorders. */
  private lastArrival = 0;
  readonly counters: Counters = zero();

  constructor(private readonly clock: Clock = realClock, private readonly random: () => number = Math.random) {}

  set(profile: LineProfile): void {
    this.profile = { ...profile };
    if (!profile.burst) this.bad = false;
  }

  get current(): LineProfile {
    return { ...this.profile };
  }

  /** Bytes waiting in front of the cap. */
  get backlog(): number {
    return this.queued;
  }

  get queueLimit(): number {
    return this.profile.queueBytes ?? 64 * 1024;
  }

  /**
   * A packet of `size` bytes offered now; `deliver` runs when it arrives.
   * `lossless` (TCP): never lost nor dropped, the caller holds back while
   * `backlog` is over `queueLimit` or the line is out.
   */
  offer(size: number, deliver: () => void, lossless = false): Verdict {
    const p = this.profile;
    this.counters.received += 1;
    if (!lossless) {
      if (p.outage) return this.count('dropped');
      if (this.lose()) return this.count('lost');
      if (p.rateKbps && this.queued + size > this.queueLimit) return this.count('dropped');
    }
    const now = this.clock.now();
    let sent = now;
    if (p.rateKbps) {
      const start = Math.max(now, this.busyUntil);
      sent = start + (size * 8) / p.rateKbps;
      this.busyUntil = sent;
      this.queued += size;
    }
    const jitter = p.jitterMs ? (this.random() * 2 - 1) * p.jitterMs : 0;
    const arrival = Math.max(sent + Math.max(0, (p.delayMs ?? 0) + jitter), this.lastArrival);
    this.lastArrival = arrival;
    const capped = !!p.rateKbps;
    const done = (): void => {
      this.counters.forwarded += 1;
      deliver();
    };
    if (capped) {
      // The queue empties when the cap has sent the packet; the delay runs after that.
      this.clock.at(sent, () => {
        this.queued -= size;
        if (arrival <= sent) done();
        else this.clock.at(arrival, done);
      });
    } else if (arrival <= now) {
      done();
    } else {
      this.clock.at(arrival, done);
    }
    return 'queued';
  }

  private lose(): boolean {
    const { loss, burst } = this.profile;
    if (burst) {
      this.bad = this.bad ? this.random() >= burst.leaveBad : this.random() < burst.enterBad;
      if (this.bad && this.random() < (burst.lossInBad ?? 1)) return true;
    }
    return !!loss && this.random() < loss;
  }

  private count(v: 'lost' | 'dropped'): Verdict {
    this.counters[v] += 1;
    return v;
  }
}

export interface RelayOptions {
  /** The address the relay listens on (what the server announces), e.g. 127.0.0.2. */
  listenHost: string;
  /** The real server's address, e.g. 127.0.0.1. */
  targetHost: string;
  /** Ports listened on and forwarded to the same port on the target. */
  udpPorts?: number[];
  tcpPorts?: number[];
  clock?: Clock;
  random?: () => number;
  /**
   * UDP from these client addresses reaches the server from another address
   * with the client's own port (a 1:1 NAT), e.g. { '127.0.0.3': '127.0.0.4' }:
   * what coturn run with `--external-ip 127.0.0.4/127.0.0.3` announces as its
   * relayed address, so the SFU sees the very address the browser's relay
   * candidate names (otherwise the browser learns a peer-reflexive one).
   */
  sourceNat?: Record<string, string>;
}

interface UdpFlow {
  client: RemoteInfo;
  upstream: UdpSocket;
}

/** The relay: `start()`, change its profile while traffic flows, `stop()` in the test's teardown. */
export class NetRelay {
  /** The impaired line: every port's, or only the ports `setProfile` names. */
  readonly up: Line;
  readonly down: Line;
  /** The clean line of the ports outside the impaired ones (another party's own line). */
  private readonly clean: { up: Line; down: Line };
  /** The server ports whose traffic crosses the impaired line; null: all of them. */
  private scope: ReadonlySet<number> | null = null;
  private firewall: NetProfile['firewall'];
  private readonly udp: UdpSocket[] = [];
  private readonly flows = new Map<string, UdpFlow>();
  private readonly servers: Server[] = [];
  /** Live TCP sockets, each with the port and browser address of its connection (the firewall may close it later). */
  private readonly sockets = new Map<Socket, { port: number; from: string }>();
  /** Streams stalled by an outage or a full queue, resumed when the line allows. */
  private readonly stalled = new Set<() => void>();
  private resumeTimer: ReturnType<typeof setInterval> | null = null;
  /** Connections accepted and refused by the firewall, and datagrams per protocol (tests check the path). */
  readonly tcp = { accepted: 0, refused: 0, held: 0 };

  constructor(private readonly opts: RelayOptions) {
    const random = opts.random ?? Math.random;
    this.up = new Line(opts.clock, random);
    this.down = new Line(opts.clock, random);
    this.clean = { up: new Line(opts.clock, random), down: new Line(opts.clock, random) };
  }

  /** Mirrors a port range from `listenHost` to `targetHost`, UDP and TCP. */
  static mirror(listenHost: string, targetHost: string, min: number, max: number, extra: Pick<RelayOptions, 'sourceNat'> & { tcp?: number[] } = {}): NetRelay {
    const ports = Array.from({ length: max - min + 1 }, (_, i) => min + i);
    return new NetRelay({ listenHost, targetHost, udpPorts: ports, tcpPorts: [...ports, ...(extra.tcp ?? [])], sourceNat: extra.sourceNat });
  }

  async start(): Promise<this> {
    try {
      for (const port of this.opts.udpPorts ?? []) await this.listenUdp(port);
      for (const port of this.opts.tcpPorts ?? []) await this.listenTcp(port);
    } catch (error) {
      await this.stop();
      throw error;
    }
    // Stalled TCP streams look again now and then: the cap's queue drains by itself.
    this.resumeTimer = setInterval(() => this.wake(), 20);
    this.resumeTimer.unref();
    return this;
  }

  /**
   * The impairments from now on. With `ports`, only the traffic to and from
   * those server ports crosses them (one party's line, e.g. the booth's,
   * found from its browser's selected candidate pairs); the rest passes clean.
   */
  setProfile(profile: NetProfile, opts: { ports?: readonly number[] } = {}): void {
    this.scope = opts.ports ? new Set(opts.ports) : null;
    this.up.set(profile.up ?? {});
    this.down.set(profile.down ?? {});
    this.firewall = profile.firewall ? { allow: [...profile.firewall.allow], trusted: [...(profile.firewall.trusted ?? [])] } : undefined;
    if (this.firewall) this.closeForbiddenTcp();
    this.wake();
  }

  /** An outage both ways, keeping the rest of the profile. */
  cut(): void {
    this.up.set({ ...this.up.current, outage: true });
    this.down.set({ ...this.down.current, outage: true });
  }

  restore(): void {
    this.up.set({ ...this.up.current, outage: false });
    this.down.set({ ...this.down.current, outage: false });
    this.wake();
  }

  /** Counters of both directions. */
  get counters(): { up: Counters; down: Counters } {
    return { up: { ...this.up.counters }, down: { ...this.down.counters } };
  }

  private lineOf(port: number): { up: Line; down: Line } {
    return !this.scope || this.scope.has(port) ? this : this.clean;
  }

  private allowed(protocol: 'udp' | 'tcp', port: number, from: string): boolean {
    const f = this.firewall;
    if (!f) return true;
    if (f.trusted?.includes(from)) return true;
    return f.allow.some((a) => a.protocol === protocol && a.port === port);
  }

  private listenUdp(port: number): Promise<void> {
    const socket = createSocket('udp4');
    this.udp.push(socket);
    socket.on('message', (msg, client) => {
      if (!this.allowed('udp', port, client.address)) {
        this.up.counters.received += 1;
        this.up.counters.blocked += 1;
        return;
      }
      const flow = this.flowOf(socket, port, client);
      this.lineOf(port).up.offer(msg.length, () => flow.upstream.send(msg, port, this.opts.targetHost));
    });
    socket.on('error', () => undefined);
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, this.opts.listenHost, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  }

  /** Each browser address gets its own socket towards the server, so the server sees distinct peers. */
  private flowOf(listening: UdpSocket, port: number, client: RemoteInfo): UdpFlow {
    const key = `${port}|${client.address}:${client.port}`;
    let flow = this.flows.get(key);
    if (flow) return flow;
    const upstream = createSocket('udp4');
    const nat = this.opts.sourceNat?.[client.address];
    // Datagrams sent while the bind is under way wait for it (Node queues them).
    upstream.bind(nat ? client.port : 0, nat ?? this.opts.targetHost);
    upstream.on('error', () => undefined);
    upstream.on('message', (msg) => {
      // Replies pass the firewall: it tracks the flows the browser opened, like a stateful one.
      this.lineOf(port).down.offer(msg.length, () => listening.send(msg, client.port, client.address, () => undefined));
    });
    flow = { client, upstream };
    this.flows.set(key, flow);
    return flow;
  }

  private listenTcp(port: number): Promise<void> {
    const server = createServer((client) => this.accept(client, port));
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.listenHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  private accept(client: Socket, port: number): void {
    const from = client.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    if (!this.allowed('tcp', port, from)) {
      this.tcp.refused += 1;
      this.up.counters.blocked += 1;
      client.resetAndDestroy();
      return;
    }
    this.tcp.accepted += 1;
    const upstream = new Socket();
    this.sockets.set(client, { port, from });
    this.sockets.set(upstream, { port, from });
    const close = (): void => {
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    upstream.connect(port, this.opts.targetHost);
    this.pipeTcp(client, upstream, () => this.lineOf(port).up);
    this.pipeTcp(upstream, client, () => this.lineOf(port).down);
  }

  /** Chunks cross the line in order; the reader pauses while the line is out or its queue is full. */
  private pipeTcp(from: Socket, to: Socket, lineNow: () => Line): void {
    const holdIfNeeded = (): boolean => {
      const line = lineNow();
      const p = line.current;
      if (!p.outage && line.backlog <= line.queueLimit) return false;
      from.pause();
      const again = (): void => {
        if (holdIfNeeded()) return;
        this.stalled.delete(again);
        from.resume();
      };
      this.stalled.add(again);
      return true;
    };
    from.on('data', (chunk: Buffer) => {
      const line = lineNow();
      if (line.current.outage) {
        // Held, not dropped: TCP would deliver it once the line is back.
        this.tcp.held += 1;
        from.pause();
        const later = (): void => {
          if (line.current.outage) return;
          this.stalled.delete(later);
          line.offer(chunk.length, () => { if (!to.destroyed) to.write(chunk); }, true);
          if (!holdIfNeeded()) from.resume();
        };
        this.stalled.add(later);
        return;
      }
      line.offer(chunk.length, () => { if (!to.destroyed) to.write(chunk); }, true);
      holdIfNeeded();
    });
  }

  private wake(): void {
    for (const resume of [...this.stalled]) resume();
  }

  /** A firewall raised during a call closes the connections it no longer allows. */
  private closeForbiddenTcp(): void {
    for (const [s, meta] of this.sockets) if (!this.allowed('tcp', meta.port, meta.from)) s.destroy();
  }

  async stop(): Promise<void> {
    if (this.resumeTimer) clearInterval(this.resumeTimer);
    this.resumeTimer = null;
    this.stalled.clear();
    for (const s of this.sockets.keys()) s.destroy();
    this.sockets.clear();
    for (const flow of this.flows.values()) flow.upstream.close();
    this.flows.clear();
    for (const s of this.udp.splice(0)) await new Promise<void>((r) => { try { s.close(() => r()); } catch { r(); } });
    await Promise.all(this.servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
