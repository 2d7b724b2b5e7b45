/**
 * The renderer's side of KioskApi. Under Electron the preload exposes the API
 * as `window.cabine`; in Chromium (demo, tests) the page talks to the host's
 * loopback WebSocket with the per-launch secret from the URL fragment, which
 * it removes from the address at once. Events are validated on arrival.
 */
import { encodeBinaryFrame, sendInChunks } from '../../../shared/binary-transfer';
import { validateEvent, type KioskApi, type KioskEvent, type WireError, type WsServerMessage } from '../../../shared/kiosk-api';
import { KIOSK_METHODS, WS_PROTOCOL, WS_SECRET_PREFIX, type KioskMethod } from '../../../shared/kiosk-api-methods';
import { PendingRequests } from '../../../shared/pending-requests';

declare global {
  interface Window {
    cabine?: KioskApi;
  }
}

export class KioskApiError extends Error {
  readonly code: string;
  readonly wire: WireError;
  constructor(wire: WireError) {
    super(wire.message);
    this.code = wire.code;
    this.wire = wire;
  }
}

/** Reads `#secret=…` from the address and removes it before anything else runs. */
export function takeSecretFromLocation(): string | null {
  const match = /(?:^#|&)secret=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (!match) return null;
  history.replaceState(null, '', window.location.pathname + window.location.search);
  return match[1] ?? null;
}

type Listener = (event: KioskEvent) => void;

const transportClosed = (): KioskApiError => new KioskApiError({ code: 'TRANSPORT_CLOSED', message: 'connection to the booth host closed' });

/**
 * How long an opening handshake may take on loopback before it is abandoned
 * and tried again. A host that accepted the connection and stalls (starting
 * up, its event loop blocked) would leave it pending for minutes, and Chromium
 * lets only one attempt per address be connecting: every later one would wait
 * behind it while the page shows a screen of the past.
 */
export const CONNECT_TIMEOUT_MS = 3_000;
/** Pause between two attempts while the host is away. */
export const RECONNECT_DELAY_MS = 500;
/**
 * How long a call may wait for the host's answer: above the host's own waits
 * on the hub (10 to 15 s), so only a host that stopped answering is timed out
 * here and the screen is not left waiting for ever.
 */
const CALL_TIMEOUT_MS = 30_000;

export function createWsKioskApi(secret: string, url = `ws://${window.location.host}/api`): KioskApi & { ready: Promise<void>; close(): void } {
  const listeners = new Set<Listener>();
  const pending = new PendingRequests();
  let ws: WebSocket;
  let opened!: () => void;
  const ready = new Promise<void>((r) => (opened = r));
  let closed = false;
  let opens = 0;

  const emit = (name: string, data: unknown): void => {
    let event: KioskEvent;
    try {
      event = validateEvent(name, data);
    } catch (error) {
      console.warn('refused an invalid event from the host', (error as Error).message);
      return;
    }
    for (const l of listeners) l(event);
  };

  const connect = (): void => {
    const attempt = new WebSocket(url, [WS_PROTOCOL, WS_SECRET_PREFIX + secret]);
    ws = attempt;
    const abandon = setTimeout(() => {
      if (attempt.readyState === WebSocket.CONNECTING) attempt.close();
    }, CONNECT_TIMEOUT_MS);
    // A failed attempt is followed by its close event, which schedules the next one.
    ws.onerror = () => undefined;
    ws.onopen = () => {
      clearTimeout(abandon);
      opened();
      // Back after a break: the host may have restarted (a crash, the demo's
      // supervisor, a booth's systemd) and started afresh, and no event says
      // so. Re-read its state rather than keep showing the old one.
      if (++opens > 1) call('getSnapshot', {}).then((view) => emit('snapshot', view), () => undefined);
    };
    ws.onmessage = (msg) => {
      let data: WsServerMessage;
      try {
        data = JSON.parse(String(msg.data)) as WsServerMessage;
      } catch {
        return;
      }
      if (data.kind === 'event') {
        emit(data.name, data.data);
      } else if (data.kind === 'response' && data.id !== null) {
        if (data.ok) pending.resolve(data.id, data.result);
        else pending.reject(data.id, new KioskApiError(data.error));
      }
    };
    ws.onclose = () => {
      clearTimeout(abandon);
      pending.failAll(() => transportClosed());
      if (!closed) setTimeout(connect, RECONNECT_DELAY_MS);
    };
  };
  connect();

  /** With `bytes` (a chunk of a binary transfer), one binary frame: the envelope, then the raw bytes. */
  const call = async (method: KioskMethod, params: unknown, bytes?: Uint8Array): Promise<unknown> => {
    await ready;
    // Between two connections nothing would answer: say so now rather than never.
    if (ws.readyState !== WebSocket.OPEN) throw transportClosed();
    return pending.start(
      (id) => {
        const envelope = { kind: 'request', id, method, params };
        ws.send(bytes ? encodeBinaryFrame(envelope, bytes) : JSON.stringify(envelope));
      },
      CALL_TIMEOUT_MS,
      () => new KioskApiError({ code: 'TIMEOUT', message: `${method}: no answer from the booth host` }),
    );
  };

  const api = Object.fromEntries(KIOSK_METHODS.map((m) => [m, (params: unknown, bytes?: Uint8Array) => call(m, params, bytes)])) as unknown as KioskApi;
  return Object.assign(api, {
    onEvent(listener: Listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready,
    close() {
      closed = true;
      ws.close();
    },
  });
}

/** The API for this page: the preload's under Electron, the WebSocket's otherwise. */
export function connectKioskApi(): KioskApi {
  const bridge = window.cabine;
  if (bridge) {
    // The preload forwards raw IPC events: validate them here, as the WebSocket client does.
    return Object.assign(Object.create(null) as object, bridge, {
      onEvent: (listener: Listener) => bridge.onEvent((raw) => {
        try {
          listener(validateEvent(raw.name, raw.data));
        } catch (error) {
          console.warn('refused an invalid event from the host', (error as Error).message);
        }
      }),
    }) as KioskApi;
  }
  const secret = takeSecretFromLocation();
  if (!secret) throw new Error('This page must be opened by the booth host (no launch secret in the address).');
  return createWsKioskApi(secret);
}

/**
 * The binary call from the renderer: `bytes` go to the host in chunks, outside
 * JSON, whichever the transport; the upload id names them for the one call
 * that uses them (capturePhoto).
 */
export function uploadBinary(api: KioskApi, contentType: string, bytes: Uint8Array): Promise<{ uploadId: string; byteLength: number }> {
  return sendInChunks({
    begin: (b) => api.binaryBegin(b),
    chunk: (h, chunk) => api.binaryChunk(h, chunk),
    end: (transferId) => api.binaryEnd({ transferId }),
  }, crypto.randomUUID(), contentType, bytes);
}
