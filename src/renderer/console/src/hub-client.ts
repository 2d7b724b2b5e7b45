/**
 * The console's connection to the hub (`/console`): the session cookie set
 * by /api/login authenticates it; frames are the hub protocol's
 * (requests answered by id, one-way notes), validated on arrival.
 *
 * A dropped connection (network flicker, hub restart) comes back by itself:
 * retries wait a full-jitter backoff (random up to 250 ms, doubling to a 2 s
 * cap) and `status` goes 'offline' meanwhile, so the page can say so and
 * keep its call. The hub greets a console that comes back to its room with
 * `room.resumed`, which the call's MediaSession handles.
 *
 * It always reconnects to its page's own address: where several hub nodes
 * answer at one address, whichever answers gets the session cookie and
 * knows the session (sessions live in the hub's store, shared by the nodes).
 * A browser tells a refused upgrade from an unreachable node by nothing, so
 * after a retry that failed `/api/me` says which: a node that no longer
 * knows the session (expired, signed out) ends the retries and `onSignedOut`
 * shows the login, rather than "reconnecting" for ever.
 *
 * In a network a call lives on one node: when the node answering says the
 * doctor's room is on another (`room.moved`), the connection goes there at
 * once (the page's CSP names the network's nodes, and their session cookie
 * is shared: config node.cookieDomain). A drop there brings it back to the
 * page's own address, which sends it on again to wherever the room is then.
 */
import { backoffDelay, type BackoffPolicy } from '../../../shared/backoff';
import { CLOSE_SIGNED_OUT, parseHubText } from '../../../shared/hub-protocol';
import { nodeSocketUrl, ROOM, RoomMoved } from '../../../shared/media-protocol';
import { PendingRequests } from '../../../shared/pending-requests';
import type { MediaSignaling } from '../../../media/session';
import { ConsoleError, frenchError } from './errors';

export { ConsoleError };

/** A note's data is checked by whoever listens, against the catalogue's schema for its method. */
type NoteListener = (method: string, data: unknown) => void;
export type HubStatus = 'online' | 'offline';
type StatusListener = (status: HubStatus) => void;

/**
 * The console's reconnection ceiling: a restarted hub is up again in about
 * 2 s, and the call waits on this link (goal: decoding again within 5 s of a
 * hub crash); a doctor's console is one client, not a fleet.
 */
const RECONNECT_CEILING_MS = 2000;

const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: RECONNECT_CEILING_MS };

/**
 * How long a request may wait for the hub's answer: well above the hub's own
 * wait on a booth (10 s), so a slow booth is reported by the hub, and only a
 * hub that stopped answering is timed out here.
 */
const REQUEST_TIMEOUT_MS = 30_000;
const LOST = 'Connexion au serveur perdue : reconnexion en cours.';

export class HubClient implements MediaSignaling {
  private ws: WebSocket | null = null;
  private readonly pending = new PendingRequests();
  private readonly listeners = new Set<NoteListener>();
  private readonly statusListeners = new Set<StatusListener>();
  private current: HubStatus = 'offline';
  private closedByUs = false;
  private attempt = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  /** The node holding the doctor's call when it is not the page's own (room.moved); null: the page's address. */
  private node: string | null = null;
  /** Leaving the current node for `node`: the next connection opens at once. */
  private moving = false;
  /** Called each time the connection drops (it is retried unless close() was called). */
  onClose: (() => void) | null = null;
  /** Called once when the hub answers that this console's session is gone; no retry follows. */
  onSignedOut: (() => void) | null = null;

  get status(): HubStatus {
    return this.current;
  }

  /** Listens to 'online' / 'offline'; returns an unsubscribe. */
  onStatus(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private setStatus(status: HubStatus): void {
    if (this.current === status) return;
    this.current = status;
    for (const l of this.statusListeners) l(status);
  }

  /** Opens the connection; resolves on the first success. Later drops are retried by themselves. */
  connect(): Promise<void> {
    this.closedByUs = false;
    return new Promise((resolve, reject) => this.open(resolve, reject));
  }

  private open(resolve?: () => void, reject?: (e: Error) => void): void {
    if (this.closedByUs) return;
    const url = this.node ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/console`;
    const ws = new WebSocket(url);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.setStatus('online');
      resolve?.();
    };
    ws.onerror = () => {
      if (!opened) reject?.(new ConsoleError('CONNECT', 'Connexion au serveur impossible.'));
    };
    ws.onclose = (event) => {
      if (this.ws === ws) this.ws = null;
      this.pending.failAll(() => new ConsoleError('CLOSED', LOST));
      if (event.code === CLOSE_SIGNED_OUT && !this.closedByUs) {
        // The session ended (signed out in another tab or on another node, or expired): the login, not a retry.
        this.closedByUs = true;
        this.node = null;
        this.setStatus('offline');
        this.onSignedOut?.();
        return;
      }
      if (this.moving && !this.closedByUs) {
        this.moving = false;
        this.open();
        return;
      }
      // Lost where it was sent: the page's own address sends it on to wherever the room is now.
      this.node = null;
      this.setStatus('offline');
      if (opened) this.onClose?.();
      // Only a connection that once worked is retried: a first failure (no session) is the caller's to handle.
      if (this.closedByUs || (!opened && resolve)) return;
      if (opened) return this.scheduleRetry();
      fetch('/api/me').then((r) => {
        if (r.status !== 401) return this.scheduleRetry();
        if (this.closedByUs) return;
        this.closedByUs = true;
        this.onSignedOut?.();
      }, () => this.scheduleRetry());
    };
    ws.onmessage = (msg) => {
      const frame = parseHubText(String(msg.data));
      if (!frame) return;
      if (frame.t === 'res') {
        if (frame.ok) this.pending.resolve(frame.id, frame.r ?? {});
        else this.pending.reject(frame.id, new ConsoleError(frame.e.code, frame.e.message));
      } else if (frame.t === 'note' && frame.m === ROOM.moved) {
        this.follow(ws, frame.p);
      } else if (frame.t === 'note') {
        for (const l of this.listeners) l(frame.m, frame.p ?? {});
      }
    };
  }

  /** `room.moved`: the call is on another node; the connection goes there now. */
  private follow(ws: WebSocket, params: unknown): void {
    const moved = RoomMoved.safeParse(params);
    if (!moved.success || this.ws !== ws) return;
    const target = nodeSocketUrl(moved.data.url, '/console');
    if (target === ws.url) return;
    this.node = target;
    this.moving = true;
    ws.close();
  }

  private scheduleRetry(): void {
    if (this.retry || this.closedByUs) return;
    const delay = backoffDelay(this.attempt++, RECONNECT_BACKOFF);
    this.retry = setTimeout(() => {
      this.retry = null;
      this.open();
    }, delay);
  }

  /** The answer is checked by the caller, against the catalogue's schema for its method. */
  request(method: string, data: object = {}): Promise<unknown> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new ConsoleError('CLOSED', LOST));
    return this.pending.start<unknown>(
      (id) => ws.send(JSON.stringify({ t: 'req', id, m: method, p: data })),
      REQUEST_TIMEOUT_MS,
      () => new ConsoleError('TIMEOUT', 'Le serveur ne répond pas : réessayez dans quelques secondes.'),
    ).catch((e: unknown) => {
      // The hub's refusals are turned into the doctor's French here, the one way they reach the page.
      throw e instanceof ConsoleError && e.code !== 'CLOSED' ? new ConsoleError(e.code, frenchError(method, e.code, e.message)) : e;
    });
  }

  onNotification(listener: NoteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes for good (logout, page leaving): no retry. */
  close(): void {
    this.closedByUs = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.ws?.close();
  }
}
