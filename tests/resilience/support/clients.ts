/**
 * Scripted clients for fault and soak runs, speaking the real protocols from
 * Node: the kiosk's KioskApi over the host's WebSocket transport (as the
 * renderer does), and a specialist's console over the hub's `/console`
 * WebSocket after an HTTP login (as the console page does).
 */
import { randomBytes, scryptSync } from 'node:crypto';
import WebSocket from 'ws';
import { WS_PROTOCOL, WS_SECRET_PREFIX } from '../../../src/shared/kiosk-api-methods';

/** Polls until `fn` returns something truthy; fails with `label` after `timeoutMs` (a bound, not a timing assertion). */
/** Polls `fn` until it returns something truthy; `label` (or what it returns, read at the timeout) names what never came. */
export async function until<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, label: string | (() => string), timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for: ${typeof label === 'function' ? label() : label}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A PIN hash with a cheap scrypt cost, so tests stay quick. */
export function cheapPinHash(pin: string): string {
  const salt = randomBytes(16);
  return `scrypt$1024$8$1$${salt.toString('base64')}$${scryptSync(pin, salt, 32, { N: 1024, r: 8, p: 1 }).toString('base64')}`;
}

export interface KioskEventMsg {
  name: string;
  data: unknown;
}

/** The kiosk renderer's side of KioskApi, without a browser. */
export class KioskClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly events: KioskEventMsg[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as { kind: string; id: number; ok: boolean; result?: unknown; error?: { code: string; message?: unknown }; name: string; data: unknown };
      if (m.kind === 'event') this.events.push({ name: m.name, data: m.data });
      else {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.ok) p?.resolve(m.result);
        else p?.reject(Object.assign(new Error(m.error?.code ?? 'ERROR'), { code: m.error?.code }));
      }
    });
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('kiosk connection closed'));
      this.pending.clear();
    });
  }

  /** Connects with the per-launch secret from the kiosk URL's fragment, as the renderer does. */
  static connect(kioskUrl: string): Promise<KioskClient> {
    const url = new URL(kioskUrl);
    const secret = new URLSearchParams(url.hash.slice(1)).get('secret') ?? '';
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${url.host}/api`, [WS_PROTOCOL, WS_SECRET_PREFIX + secret], { origin: url.origin });
      ws.once('open', () => resolve(new KioskClient(ws)));
      ws.once('error', reject);
    });
  }

  call<T = Record<string, unknown>>(method: string, params: unknown = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ kind: 'request', id, method, params }));
    });
  }

  send(event: Record<string, unknown>): Promise<{ accepted: boolean }> {
    return this.call('sendEvent', { event });
  }

  async state(): Promise<string> {
    return (await this.call<{ state: string }>('getSnapshot')).state;
  }

  readings(): { id: string; kind: string; sessionId: string | null }[] {
    return this.events.filter((e) => e.name === 'reading').map((e) => e.data as { id: string; kind: string; sessionId: string | null });
  }

  /** Walks a new session from attract to the waiting room: language, consent, identity (assistant PIN), pathway. */
  async walkToWaitingRoom(pin: string, identity = { firstName: 'Jeanne', lastName: 'Martinez', birthDate: '1941-03-07' }): Promise<string> {
    await this.send({ type: 'TOUCH' });
    await this.send({ type: 'CHOOSE_LANGUAGE', language: 'fr' });
    await this.send({ type: 'ACCEPT' });
    const login = await this.call<{ ok: boolean }>('assistantLogin', { pin });
    if (!login.ok) throw new Error('assistant PIN refused');
    await this.call('assistantSetIdentity', { identity });
    await this.call('assistantLogout');
    const snap = await this.call<{ state: string; sessionId: string }>('getSnapshot');
    if (!snap.state.startsWith('waitingRoom')) throw new Error(`expected the waiting room, got ${snap.state}`);
    return snap.sessionId;
  }

  /**
   * The pharmacist starts a measurement on the assistant panel (with the PIN)
   * and the patient says "ready": a reading is recorded only inside a
   * measurement someone asked for (issue #14).
   */
  async pharmacistMeasures(pin: string, kind: string): Promise<void> {
    const snap = await this.call<{ assistant: boolean }>('getSnapshot');
    if (!snap.assistant) {
      const login = await this.call<{ ok: boolean }>('assistantLogin', { pin });
      if (!login.ok) throw new Error('assistant PIN refused');
    }
    const started = await this.call<{ accepted: boolean }>('assistantAction', { action: 'start-measurement', kind });
    if (!started.accepted) throw new Error(`the session refused a ${kind} measurement`);
    await this.send({ type: 'START_MEASURE' });
  }

  /** The patient measures again once the result is on screen ("recommencer"): the instrument is asked once more. */
  async measureAgain(): Promise<void> {
    await until(async () => (await this.state()) === 'consultation.result' || undefined, 'the result on the kiosk');
    const { accepted } = await this.send({ type: 'RETRY' });
    if (!accepted) throw new Error('measure again refused');
  }

  close(): void {
    this.ws.terminate();
  }
}

export interface HubFrameRes {
  ok: boolean;
  r?: unknown;
  e?: { code: string; message: string };
}

/** A specialist's console connection speaking the hub protocol. */
export class ConsoleClient {
  private nextId = 1;
  private readonly pending = new Map<number, (frame: HubFrameRes) => void>();
  readonly notes: { m: string; p: unknown }[] = [];
  closedWith: number | null = null;
  /** The most recent notes kept (a long soak must not grow the harness). */
  static readonly MAX_NOTES = 500;
  /** `cookie`: the session cookie it opened with ('' without one), for the console's HTTP routes. */
  private constructor(readonly ws: WebSocket, readonly cookie: string) {
    ws.on('message', (raw) => {
      const f = JSON.parse(raw.toString()) as HubFrameRes & { t: string; id: number; m: string; p: unknown };
      if (f.t === 'res') {
        this.pending.get(f.id)?.(f);
        this.pending.delete(f.id);
      } else if (f.t === 'note') {
        this.notes.push({ m: f.m, p: f.p });
        if (this.notes.length > ConsoleClient.MAX_NOTES) this.notes.splice(0, this.notes.length - ConsoleClient.MAX_NOTES);
      }
    });
    ws.on('close', (code) => {
      this.closedWith = code;
      for (const p of this.pending.values()) p({ ok: false, e: { code: 'CLOSED', message: 'connection closed' } });
      this.pending.clear();
    });
  }

  /** Logs in over HTTP and opens `/console` with the cookie and the hub's own Origin. */
  static async login(hubUrl: string, email: string, password: string): Promise<ConsoleClient> {
    const res = await fetch(`${hubUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (res.status !== 200) throw new Error(`login refused: ${res.status}`);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    return ConsoleClient.open(hubUrl, { cookie, origin: hubUrl });
  }

  /** `path`: `/console`, or another page's socket speaking the same frames (`/counter/ws`). */
  static open(hubUrl: string, headers: Record<string, string>, path = '/console'): Promise<ConsoleClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${hubUrl.replace(/^http/, 'ws')}${path}`, { headers });
      ws.once('open', () => resolve(new ConsoleClient(ws, headers.cookie ?? '')));
      ws.once('unexpected-response', (_q, res) => reject(Object.assign(new Error(`console refused: ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  async call<T = unknown>(m: string, p: unknown = {}): Promise<T> {
    const frame = await this.raw(m, p);
    if (!frame.ok) throw Object.assign(new Error(`${frame.e!.code}: ${frame.e!.message}`), { code: frame.e!.code });
    return frame.r as T;
  }

  raw(m: string, p: unknown): Promise<HubFrameRes> {
    const id = this.nextId++;
    // A closed connection answers at once, as the page's own client does: nothing would ever come back.
    if (this.closedWith !== null) return Promise.resolve({ ok: false, e: { code: 'CLOSED', message: 'connection closed' } });
    return new Promise<HubFrameRes>((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ t: 'req', id, m, p }));
    });
  }

  note(m: string): { m: string; p: unknown } | undefined {
    return this.notes.find((n) => n.m === m);
  }

  /** The params of every note of one method kept so far, oldest first. */
  of<T>(m: string): T[] {
    return this.notes.filter((n) => n.m === m).map((n) => n.p as T);
  }

  close(): void {
    this.ws.terminate();
  }
}
