/**
 * The console's connection to the hub (`/console`): the session cookie set
 * by /api/login authenticates it; frames are the hub protocol's
 * (requests answered by id, one-way notes), validated on arrival.
 */
import { HubFrame } from '../../../shared/hub-protocol';
import type { MediaSignaling } from '../../../media/session';

export class ConsoleError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

type NoteListener = (method: string, data: Record<string, unknown>) => void;

export class HubClient implements MediaSignaling {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<NoteListener>();
  onClose: (() => void) | null = null;

  connect(): Promise<void> {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/console`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      this.ws = ws;
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new ConsoleError('CONNECT', 'Connexion au serveur impossible.'));
      ws.onclose = () => {
        for (const p of this.pending.values()) p.reject(new ConsoleError('CLOSED', 'Connexion au serveur perdue.'));
        this.pending.clear();
        this.onClose?.();
      };
      ws.onmessage = (msg) => {
        const parsed = HubFrame.safeParse(JSON.parse(String(msg.data)));
        if (!parsed.success) return;
        const frame = parsed.data;
        if (frame.t === 'res') {
          const p = this.pending.get(frame.id);
          if (!p) return;
          this.pending.delete(frame.id);
          if (frame.ok) p.resolve((frame.r ?? {}) as Record<string, unknown>);
          else p.reject(new ConsoleError(frame.e.code, frame.e.message));
        } else if (frame.t === 'note') {
          const data = (frame.p ?? {}) as Record<string, unknown>;
          for (const l of this.listeners) l(frame.m, data);
        }
      };
    });
  }

  request(method: string, data: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new ConsoleError('CLOSED', 'Non connecté au serveur.'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ t: 'req', id, m: method, p: data }));
    });
  }

  onNotification(listener: NoteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.ws?.close();
  }
}
