/**
 * An open connection lives no longer than the session it was opened with.
 * A console or a counter page is authenticated once, at its WebSocket's
 * upgrade; without this, a tab whose account signed out in another tab, on
 * another node, or whose session expired would go on receiving live
 * readings and patient context. A sign-out on this node closes the
 * session's connections at once (`signedOut`); every `everyMs` the sessions
 * of the open connections are asked again from the shared store, which
 * catches sign-outs on other nodes and expiries. A closed connection
 * (CLOSE_SIGNED_OUT) retries, is refused with 401, and its page shows the
 * sign-in.
 *
 * A connection holding a consultation is never cut: it stays until its
 * call ends and is closed at the first check after (`busy`) — a session that
 * expires at 18:00 must not hang up on a patient.
 *
 * A store that cannot answer closes nothing: an outage of the hub's state
 * must not sign every doctor out in the middle of their calls (the store's
 * own errors are logged where they happen; here only a count).
 */
import type { Logger } from 'pino';
import { CLOSE_SIGNED_OUT } from '../shared/hub-protocol';
import type { Peer } from './peer';

export interface SessionWatchOptions<C> {
  /** Whether the session of `token` is still open (false: signed out or expired). Rejects when the store cannot answer. */
  alive(token: string): Promise<boolean>;
  /** Ends one connection (with CLOSE_SIGNED_OUT). */
  close(conn: C): void;
  /** Whether a connection holds a call now: it is closed at a later check, once the call has ended. */
  busy?(conn: C): boolean;
  /** How often the open connections' sessions are asked again. */
  everyMs: number;
  log: Logger;
}

export class SessionWatch<C> {
  private readonly byToken = new Map<string, Set<C>>();
  private readonly tokenOf = new Map<C, string>();
  private readonly timer: NodeJS.Timeout;
  private sweeping: Promise<void> | null = null;

  constructor(private readonly opts: SessionWatchOptions<C>) {
    this.timer = setInterval(() => void this.check(), opts.everyMs);
    this.timer.unref();
  }

  /** A connection opened with the session of `token`. */
  add(token: string, conn: C): void {
    this.tokenOf.set(conn, token);
    let conns = this.byToken.get(token);
    if (!conns) this.byToken.set(token, (conns = new Set()));
    conns.add(conn);
  }

  /** A connection closed (by either side). */
  remove(conn: C): void {
    const token = this.tokenOf.get(conn);
    if (token === undefined) return;
    this.tokenOf.delete(conn);
    const conns = this.byToken.get(token);
    conns?.delete(conn);
    if (conns?.size === 0) this.byToken.delete(token);
  }

  /** The session of `token` was signed out here: its connections close now. */
  signedOut(token: string): void {
    this.closeAll(token);
  }

  /** Asks the store about every open connection's session and closes those that ended; one check at a time (a second call joins it). */
  check(): Promise<void> {
    this.sweeping ??= this.sweep().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async sweep(): Promise<void> {
    let unanswered = 0;
    for (const token of [...this.byToken.keys()]) {
      try {
        if (!(await this.opts.alive(token))) this.closeAll(token);
      } catch {
        unanswered += 1;
      }
    }
    if (unanswered > 0) this.opts.log.warn({ sessions: unanswered }, 'could not check the sessions of open connections: they stay open until the store answers');
  }

  private closeAll(token: string): void {
    const conns = this.byToken.get(token);
    if (!conns) return;
    for (const conn of [...conns]) {
      if (this.opts.busy?.(conn)) continue;
      this.remove(conn);
      this.opts.close(conn);
    }
  }
}

/** What a page's sign-in gives the watch: its sessions by token, and the sign-outs taken on this node. */
export interface SessionSource {
  sessionOfToken(token: string): Promise<object | null>;
  onSignOut(listener: (token: string) => void): void;
}

/**
 * The watch of one kind of page's connections (consoles, counter pages): a
 * connection whose session ended is closed with CLOSE_SIGNED_OUT, and a
 * sign-out taken here closes its session's connections at once.
 */
export function watchPeerSessions(auth: SessionSource, opts: { role: 'specialist' | 'staff'; everyMs: number; log: Logger; busy?: (peer: Peer) => boolean }): SessionWatch<Peer> {
  const watch = new SessionWatch<Peer>({
    alive: async (token) => (await auth.sessionOfToken(token)) !== null,
    close: (peer) => {
      opts.log.info({ [`${opts.role}Id`]: peer.id }, 'closed a connection whose session ended');
      peer.close(CLOSE_SIGNED_OUT, 'SIGNED_OUT');
    },
    ...(opts.busy ? { busy: opts.busy } : {}),
    everyMs: opts.everyMs,
    log: opts.log,
  });
  auth.onSignOut((token) => watch.signedOut(token));
  return watch;
}
