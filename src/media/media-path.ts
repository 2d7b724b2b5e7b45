/**
 * Whether the call has a media path at all: pure, every event carrying its
 * time, so the judgement is tested on a fake clock (browser code;
 * MediaSession feeds it its transports' connection states).
 *
 * A pharmacy's network may let nothing through to the SFU: UDP dropped,
 * TCP to its ports refused, and no TURN server (or one that refuses us).
 * The browser then keeps checking candidate pairs for half a minute before
 * it says `failed`, and an ICE restart starts the same checks again: left
 * alone, the call says "reconnecting" forever. Here a transport's path is
 * blocked when
 * - it never connected within `boundMs` of starting its checks (its first
 *   produce or consume: a receive transport idle until the other side
 *   sends is no news), or
 * - it failed again after its quick ICE restarts were spent (a path that
 *   did connect gets these only: an outage of a working line is a cut, not
 *   a firewall, and restarts bring it back).
 * A blocked transport is retried with an ICE restart every `retryMs`, so a
 * firewall lifted later is found, and the judgement clears once it
 * connects.
 */

export type PathState = 'trying' | 'connected' | 'blocked';
/** A transport's connection state, as mediasoup-client reports it (RTCPeerConnection's). */
export type TransportState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

export interface PathSettings {
  /** How long a transport that never connected may try before its path is called blocked (ms). */
  boundMs: number;
  /** ICE restarts made at once on a failure, before the path is called blocked. */
  quickRestarts: number;
  /** How often a blocked transport is retried with an ICE restart (ms). */
  retryMs: number;
}

/**
 * 15 s: a working path connects within a few seconds, even over ICE-TCP or
 * TURN over TLS; the browser's own `failed` comes only after ~30 s of
 * unanswered checks.
 */
export const PATH_SETTINGS: PathSettings = { boundMs: 15_000, quickRestarts: 2, retryMs: 8_000 };

interface Tracked {
  /** Since when it has been without a connection (null: connected). */
  since: number | null;
  connected: boolean;
  everConnected: boolean;
  /** Failures since it last connected. */
  failures: number;
  /** When it was last retried while blocked. */
  lastRetry: number | null;
}

export class PathJudge {
  private readonly transports = new Map<string, Tracked>();

  constructor(private readonly settings: PathSettings = PATH_SETTINGS) {}

  /** A transport starts its checks (its first produce or consume): its bound runs from here. Later calls change nothing. */
  start(id: string, at: number): void {
    if (!this.transports.has(id)) this.transports.set(id, { since: at, connected: false, everConnected: false, failures: 0, lastRetry: null });
  }

  /** A transport's connection state; answers whether to restart its ICE now. */
  update(id: string, state: TransportState, at: number): 'restartIce' | null {
    if (state === 'new') return null;
    if (state === 'closed') {
      this.drop(id);
      return null;
    }
    this.start(id, at);
    const t = this.transports.get(id)!;
    switch (state) {
      case 'connecting':
        return null;
      case 'connected':
        Object.assign(t, { since: null, connected: true, everConnected: true, failures: 0, lastRetry: null });
        return null;
      case 'disconnected':
        // Often a moment's loss of consent: restarted at once, as before, and never counted as a failure.
        t.connected = false;
        t.since ??= at;
        return 'restartIce';
      case 'failed':
        t.connected = false;
        t.since ??= at;
        t.failures += 1;
        return t.failures <= this.settings.quickRestarts ? 'restartIce' : null;
    }
  }

  /** Forgets a transport (closed with its media path). */
  drop(id: string): void {
    this.transports.delete(id);
  }

  /** The media path as of `at`: blocked if any transport's is, connected once every started one is. */
  state(at: number): PathState {
    const all = [...this.transports.values()];
    if (all.some((t) => this.blocked(t, at))) return 'blocked';
    return all.length > 0 && all.every((t) => t.connected) ? 'connected' : 'trying';
  }

  /** Blocked transports due for a retry (an ICE restart) now; each is counted as retried. */
  due(at: number): string[] {
    const out: string[] = [];
    for (const [id, t] of this.transports) {
      if (!this.blocked(t, at) || (t.lastRetry !== null && at - t.lastRetry < this.settings.retryMs)) continue;
      t.lastRetry = at;
      out.push(id);
    }
    return out;
  }

  /** When the judgement or a retry may next be due by time alone (same clock), or null: only an event can change it. */
  nextAt(at: number): number | null {
    let next: number | null = null;
    for (const t of this.transports.values()) {
      let when: number | null = null;
      if (this.blocked(t, at)) when = t.lastRetry === null ? at : t.lastRetry + this.settings.retryMs;
      else if (!t.connected && !t.everConnected && t.since !== null) when = t.since + this.settings.boundMs;
      if (when !== null && (next === null || when < next)) next = when;
    }
    return next;
  }

  private blocked(t: Tracked, at: number): boolean {
    if (t.connected) return false;
    if (t.failures > this.settings.quickRestarts) return true;
    return !t.everConnected && t.since !== null && at - t.since >= this.settings.boundMs;
  }
}
