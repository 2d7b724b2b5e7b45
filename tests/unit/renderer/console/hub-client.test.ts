/**
 * The console's link to the hub when the node behind the page's address goes
 * away: several hub nodes may answer at one address (a load balancer), so the
 * console reconnects to its page's own address after a jittered wait and the
 * browser presents the session cookie to whichever node answers. On fake
 * timers, with the browser's WebSocket, location and fetch stubbed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HubClient } from '../../../../src/renderer/console/src/hub-client';
import { CLOSE_SIGNED_OUT } from '../../../../src/shared/hub-protocol';

class FakeWebSocket {
  static readonly OPEN = 1;
  static opened: FakeWebSocket[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onmessage: ((msg: { data: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeWebSocket.opened.push(this);
  }
  send(): void {}
  close(): void { this.drop(); }
  /** The node accepted the upgrade (the session cookie was good there). */
  accept(): void {
    this.readyState = FakeWebSocket.OPEN;
    this.onopen?.();
  }
  /** The connection dropped, or was never made: a browser says no more than that (1006), unless the hub closed it with a code. */
  drop(code = 1006): void {
    if (this.readyState === 3) return;
    const wasOpen = this.readyState === FakeWebSocket.OPEN;
    this.readyState = 3;
    if (!wasOpen) this.onerror?.();
    this.onclose?.({ code });
  }
}

let meStatus = 200;
const fetchMe = vi.fn(async (_path: string) => ({ status: meStatus, ok: meStatus === 200 }));

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.opened = [];
  meStatus = 200;
  fetchMe.mockClear();
  vi.stubGlobal('WebSocket', FakeWebSocket);
  vi.stubGlobal('location', { protocol: 'https:', host: 'consult.example.fr' });
  vi.stubGlobal('fetch', fetchMe);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const sockets = (): string[] => FakeWebSocket.opened.map((s) => s.url);

async function connected(): Promise<HubClient> {
  const hub = new HubClient();
  const ready = hub.connect();
  FakeWebSocket.opened[0]!.accept();
  await ready;
  return hub;
}

describe("the console's link when the hub node behind its address goes away", () => {
  it("reconnects to its page's own address after a wait drawn at random, and is online again on whichever node answers", async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const hub = await connected();
    const statuses: string[] = [];
    hub.onStatus((s) => statuses.push(s));
    FakeWebSocket.opened[0]!.drop();
    // The first wait is drawn under 250 ms: at 0.5, 125 ms.
    await vi.advanceTimersByTimeAsync(124);
    expect(sockets()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    FakeWebSocket.opened[1]!.drop();
    // The second under 500 ms: 250 ms.
    await vi.advanceTimersByTimeAsync(250);
    FakeWebSocket.opened[2]!.accept();
    expect(sockets()).toEqual(['wss://consult.example.fr/console', 'wss://consult.example.fr/console', 'wss://consult.example.fr/console']);
    expect(statuses).toEqual(['offline', 'online']);
    hub.close();
  });

  it('keeps trying while the node that answers still knows the session (the address is only unreachable)', async () => {
    const hub = await connected();
    FakeWebSocket.opened[0]!.drop();
    for (let i = 1; i <= 3; i++) {
      await vi.advanceTimersByTimeAsync(2000);
      FakeWebSocket.opened[i]!.drop();
    }
    await vi.advanceTimersByTimeAsync(2000);
    expect(sockets()).toHaveLength(5);
    hub.close();
  });

  it('goes back to the sign-in when the node that answers no longer knows the session, instead of trying for ever', async () => {
    const hub = await connected();
    const signedOut = vi.fn();
    hub.onSignedOut = signedOut;
    FakeWebSocket.opened[0]!.drop();
    await vi.advanceTimersByTimeAsync(2000);
    meStatus = 401;
    FakeWebSocket.opened[1]!.drop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fetchMe).toHaveBeenCalledWith('/api/me');
    expect(signedOut).toHaveBeenCalledTimes(1);
    expect(sockets()).toHaveLength(2);
    expect(hub.status).toBe('offline');
  });
});

describe('the console whose session ended while it was open', () => {
  it('goes to the sign-in at once when the hub closes it as signed out (another tab, another node, expiry), without retrying', async () => {
    const hub = await connected();
    const signedOut = vi.fn();
    hub.onSignedOut = signedOut;
    FakeWebSocket.opened[0]!.drop(CLOSE_SIGNED_OUT);
    expect(signedOut).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets()).toHaveLength(1);
    expect(fetchMe).not.toHaveBeenCalled();
    expect(hub.status).toBe('offline');
  });
});

describe('the console in a network of hub nodes', () => {
  const moved = (url: string) => ({ data: JSON.stringify({ t: 'note', m: 'room.moved', p: { roomId: 'room-1', url } }) });

  it('opens its connection at once on the node holding its call when told room.moved, and comes back to its page\'s address if that node drops', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const hub = await connected();
    const notes: string[] = [];
    hub.onNotification((m) => notes.push(m));
    FakeWebSocket.opened[0]!.onmessage?.(moved('https://node-b.example.fr:8443'));
    // No wait: the next socket is already on node B.
    expect(sockets()).toEqual(['wss://consult.example.fr/console', 'wss://node-b.example.fr:8443/console']);
    FakeWebSocket.opened[1]!.accept();
    expect(hub.status).toBe('online');
    expect(notes).toEqual([]);
    // Node B goes away: the page's own address sends the console on to wherever the room is then.
    FakeWebSocket.opened[1]!.drop();
    await vi.advanceTimersByTimeAsync(125);
    expect(sockets()[2]).toBe('wss://consult.example.fr/console');
  });

  it('ignores a room.moved that names no node address', async () => {
    const hub = await connected();
    FakeWebSocket.opened[0]!.onmessage?.(moved('javascript:alert(1)'));
    expect(sockets()).toHaveLength(1);
    expect(hub.status).toBe('online');
  });
});
