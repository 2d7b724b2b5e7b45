/**
 * The booth's link to a network of hub nodes, on injected sockets and fake
 * timers: which node each attempt goes to, how long it waits first, that it
 * stays on a node that holds, and that it names the node (never the secret).
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HubLink, type HubLinkOptions, type HubSocket, type HubSocketEvents } from '../../../src/host/hub-link';
import { createLogger } from '../../../src/node/logger';

const TOKEN = 'booth-secret-never-logged-0123';
const A = 'wss://hub-a.example.fr/booth';
const B = 'wss://hub-b.example.fr:8443/booth';
const C = 'wss://hub-c.example.fr/booth';

/** One connection attempt the link made: the test plays the node's part. */
interface Attempt {
  url: string;
  headers: Record<string, string>;
  on: HubSocketEvents;
  sent: string[];
  pings: number;
  /** A live node answers each ping; a silent one (its machine gone) answers nothing. */
  silent: boolean;
  closed: boolean;
  /** The node accepts the booth. */
  accept(): void;
  /** The node is unreachable, or the connection drops. */
  drop(): void;
}

let attempts: Attempt[] = [];
let logLines: string[] = [];
const links: HubLink[] = [];

function makeLink(opts: Partial<HubLinkOptions> = {}): HubLink {
  const log = createLogger('test', new Writable({ write(chunk: Buffer, _e, done) { logLines.push(chunk.toString()); done(); } }));
  const link = new HubLink({
    url: A, fallbackUrls: [B, C], boothId: 'demo-booth-1', token: TOKEN, log, minDelayMs: 500, maxDelayMs: 2000, random: () => 1,
    openSocket: (url, headers, on) => {
      let open = false;
      const attempt: Attempt = {
        url, headers, on, sent: [], pings: 0, silent: false, closed: false,
        accept: () => { open = true; on.open(); },
        drop: () => { if (attempt.closed) return; attempt.closed = true; open = false; on.close(); },
      };
      attempts.push(attempt);
      const socket: HubSocket = {
        get isOpen() { return open; },
        send: (data) => { attempt.sent.push(String(data)); },
        ping: () => {
          attempt.pings += 1;
          if (!attempt.silent) on.pong();
        },
        terminate: async () => attempt.drop(),
      };
      return socket;
    },
    ...opts,
  });
  links.push(link);
  return link;
}

const urls = (): string[] => attempts.map((a) => a.url);

beforeEach(() => {
  vi.useFakeTimers();
  attempts = [];
  logLines = [];
});

afterEach(async () => {
  for (const l of links.splice(0)) await l.stop();
  vi.useRealTimers();
});

describe('the booth on a network of hub nodes', () => {
  it('starts on the preferred node, and when it drops tries the next nodes in turn, each after a growing wait', async () => {
    const link = makeLink();
    link.start();
    expect(urls()).toEqual([A]);
    attempts[0]!.accept();
    expect(link.status).toBe('online');
    attempts[0]!.drop();
    expect(link.status).toBe('offline');
    // The draw is at the top (random = 1): 500 ms, then 1 s, then the 2 s ceiling.
    await vi.advanceTimersByTimeAsync(499);
    expect(urls()).toEqual([A]);
    await vi.advanceTimersByTimeAsync(1);
    expect(urls()).toEqual([A, B]);
    attempts[1]!.drop();
    await vi.advanceTimersByTimeAsync(999);
    expect(urls()).toEqual([A, B]);
    await vi.advanceTimersByTimeAsync(1);
    expect(urls()).toEqual([A, B, C]);
    attempts[2]!.drop();
    await vi.advanceTimersByTimeAsync(2000);
    expect(urls()).toEqual([A, B, C, A]);
    attempts[3]!.drop();
    await vi.advanceTimersByTimeAsync(2000);
    expect(urls()).toEqual([A, B, C, A, B]);
    attempts[4]!.accept();
    expect(link.status).toBe('online');
    expect(link.node).toBe('hub-b.example.fr:8443');
  });

  it('presents the same booth and secret to every node', async () => {
    const link = makeLink();
    link.start();
    attempts[0]!.drop();
    await vi.advanceTimersByTimeAsync(500);
    expect(attempts.map((a) => a.headers)).toEqual([
      { authorization: `Bearer ${TOKEN}`, 'x-cabine-booth': 'demo-booth-1' },
      { authorization: `Bearer ${TOKEN}`, 'x-cabine-booth': 'demo-booth-1' },
    ]);
  });

  it('stays on the node it is online on, not going back to the preferred one while that node holds', async () => {
    const link = makeLink();
    link.start();
    attempts[0]!.drop();
    await vi.advanceTimersByTimeAsync(500);
    attempts[1]!.accept();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(urls()).toEqual([A, B]);
    expect(link.status).toBe('online');
    const answer = link.request('echo', { text: 'x' });
    expect(JSON.parse(attempts[1]!.sent.at(-1)!)).toMatchObject({ t: 'req', m: 'echo' });
    attempts[1]!.on.message(JSON.stringify({ t: 'res', id: JSON.parse(attempts[1]!.sent.at(-1)!).id as number, ok: true, r: { on: 'B' } }));
    await expect(answer).resolves.toEqual({ on: 'B' });
  });

  it('when the node it was online on drops, goes on to the next one, and the wait starts small again', async () => {
    const link = makeLink();
    link.start();
    attempts[0]!.drop();
    await vi.advanceTimersByTimeAsync(500);
    attempts[1]!.accept();
    attempts[1]!.drop();
    await vi.advanceTimersByTimeAsync(499);
    expect(urls()).toEqual([A, B]);
    await vi.advanceTimersByTimeAsync(1);
    expect(urls()).toEqual([A, B, C]);
  });

  it('draws each wait at random, so a fleet of booths leaving a dead node spreads out', async () => {
    const draws = [0, 0.5, 1];
    const fleet = draws.map((d) => makeLink({ random: () => d }));
    for (const l of fleet) l.start();
    for (const a of [...attempts]) a.accept();
    for (const a of [...attempts]) a.drop();
    // The floor is half the first ceiling (250 ms): draws 0, 0.5, 1 wait 250, 375 and 500 ms.
    const arrivals: number[] = [];
    for (let t = 1; t <= 500; t++) {
      const before = attempts.length;
      await vi.advanceTimersByTimeAsync(1);
      for (let i = before; i < attempts.length; i++) arrivals.push(t);
    }
    expect(arrivals).toEqual([250, 375, 500]);
    expect(attempts.slice(3).map((a) => a.url)).toEqual([B, B, B]);
  });

  it('names the node it is on or trying, host and port only, and never logs the secret', async () => {
    const link = makeLink();
    link.start();
    expect(link.node).toBe('hub-a.example.fr:443');
    attempts[0]!.accept();
    attempts[0]!.drop();
    await vi.advanceTimersByTimeAsync(500);
    attempts[1]!.accept();
    expect(link.node).toBe('hub-b.example.fr:8443');
    const log = logLines.join('');
    expect(log).toContain('hub-a.example.fr:443');
    expect(log).toContain('hub-b.example.fr:8443');
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain('/booth');
  });

  it('with one node, keeps trying that node', async () => {
    const link = makeLink({ fallbackUrls: [] });
    link.start();
    attempts[0]!.drop();
    await vi.advanceTimersByTimeAsync(500);
    attempts[1]!.drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(urls()).toEqual([A, A, A]);
  });

  it('leaves a node that stops answering (no pong, no frame) for the next one', async () => {
    const link = makeLink({ heartbeatMs: 5000 });
    link.start();
    attempts[0]!.accept();
    // A node that answers each ping keeps the booth.
    await vi.advanceTimersByTimeAsync(3 * 5000);
    expect(attempts[0]!.pings).toBe(3);
    expect(link.status).toBe('online');
    // Then silence: the machine is gone without closing the connection.
    attempts[0]!.silent = true;
    await vi.advanceTimersByTimeAsync(5000);
    expect(link.status).toBe('online');
    await vi.advanceTimersByTimeAsync(5000);
    expect(attempts[0]!.closed).toBe(true);
    expect(link.status).toBe('offline');
    await vi.advanceTimersByTimeAsync(500);
    expect(urls()).toEqual([A, B]);
  });

  it('goes at once to the node that holds its call when told room.moved, without waiting or passing by the next node', async () => {
    const link = makeLink();
    const notes: string[] = [];
    link.on('note', (m) => notes.push(m));
    link.start();
    attempts[0]!.accept();
    attempts[0]!.on.message(JSON.stringify({ t: 'note', m: 'room.moved', p: { roomId: 'room-1', url: 'https://hub-c.example.fr' } }));
    expect(attempts[0]!.closed).toBe(true);
    // No backoff: the next attempt is already under way, on C.
    expect(urls()).toEqual([A, C]);
    attempts[1]!.accept();
    expect(link.status).toBe('online');
    expect(link.node).toBe('hub-c.example.fr:443');
    // The note is the link's business, not the session's.
    expect(notes).toEqual([]);
  });

  it('stays where it is and says which node is missing from its config when sent to a node it was not given', async () => {
    const link = makeLink();
    link.start();
    attempts[0]!.accept();
    attempts[0]!.on.message(JSON.stringify({ t: 'note', m: 'room.moved', p: { roomId: 'room-1', url: 'https://elsewhere.example.com' } }));
    await vi.advanceTimersByTimeAsync(5000);
    expect(attempts[0]!.closed).toBe(false);
    expect(urls()).toEqual([A]);
    expect(link.status).toBe('online');
    expect(logLines.join('')).toMatch(/elsewhere\.example\.com:443.*hub\.fallbackUrls|hub\.fallbackUrls.*elsewhere\.example\.com:443/);
  });

  it('ignores a room.moved that names no node address', async () => {
    const link = makeLink();
    link.start();
    attempts[0]!.accept();
    attempts[0]!.on.message(JSON.stringify({ t: 'note', m: 'room.moved', p: { roomId: 'room-1', url: 'wss://hub-b.example.fr:8443/booth?x=1' } }));
    expect(attempts[0]!.closed).toBe(false);
    expect(urls()).toEqual([A]);
  });
});
