/**
 * The counter page's connection to the hub (`/counter/ws`, beside the page):
 * the staff session cookie authenticates it; frames are the hub protocol's,
 * validated on arrival; the board and rings are checked against the counter
 * protocol. A dropped connection comes back by itself (full-jitter backoff);
 * one refused because nobody is signed in (at the start, or after a hub
 * restart forgot the session) is the page's to handle.
 */
import { backoffDelay, type BackoffPolicy } from '../../../shared/backoff';
import { Board, COUNTER, COUNTER_API, RingNote, type AcknowledgeAlertParams, type SetIntakeParams } from '../../../shared/counter-protocol';
import { IntakeUpdateResult } from '../../../shared/intake-protocol';
import { CASE, CaseRingNote, CounterCasesNote, type CounterCase } from '../../../shared/case-protocol';
import type { z } from 'zod';
import { CLOSE_SIGNED_OUT, parseHubText } from '../../../shared/hub-protocol';
import { PendingRequests } from '../../../shared/pending-requests';

const BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 4000 };
const REQUEST_TIMEOUT_MS = 20_000;

export class CounterError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface CounterEvents {
  board(board: Board): void;
  ring(note: RingNote): void;
  status(online: boolean): void;
  /** The first connection was refused: not signed in (any more). */
  refused(): void;
  /** The pharmacy's deferred cases, whole (`counter.cases`, on each change). */
  cases?(cases: CounterCase[]): void;
  /** An urgent answer rings again until someone acknowledges it (`counter.caseRing`). */
  caseRing?(note: z.infer<typeof CaseRingNote>): void;
}

export class CounterClient {
  private ws: WebSocket | null = null;
  private readonly pending = new PendingRequests();
  private attempt = 0;
  private closed = false;
  private everOpened = false;
  private retry: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly on: CounterEvents) {}

  connect(): void {
    if (this.closed) return;
    const url = new URL('ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.everOpened = true;
      this.attempt = 0;
      this.on.status(true);
    };
    ws.onclose = (event) => {
      if (this.ws === ws) this.ws = null;
      this.pending.failAll(() => new CounterError('CLOSED', 'connection closed'));
      this.on.status(false);
      if (this.closed) return;
      // The session ended (signed out elsewhere, or expired): the sign-in, not a retry.
      if (event.code === CLOSE_SIGNED_OUT) {
        this.on.refused();
        return;
      }
      if (!opened && !this.everOpened) {
        this.on.refused();
        return;
      }
      // A hub that restarted has forgotten the staff sessions: once it answers that nobody is signed in, ask again.
      const retry = (): void => {
        this.retry = setTimeout(() => {
          this.retry = null;
          this.connect();
        }, backoffDelay(this.attempt++, BACKOFF));
      };
      if (opened) return retry();
      fetch(COUNTER_API.me).then((r) => (r.status === 401 ? this.on.refused() : retry()), retry);
    };
    ws.onmessage = (msg) => {
      const frame = parseHubText(String(msg.data));
      if (!frame) return;
      if (frame.t === 'res') {
        if (frame.ok) this.pending.resolve(frame.id, frame.r);
        else this.pending.reject(frame.id, new CounterError(frame.e.code, frame.e.message));
      } else if (frame.t === 'note') {
        if (frame.m === COUNTER.boardNote) {
          const board = Board.safeParse(frame.p);
          if (board.success) this.on.board(board.data);
        } else if (frame.m === COUNTER.ringNote) {
          const note = RingNote.safeParse(frame.p);
          if (note.success) this.on.ring(note.data);
        } else if (frame.m === CASE.counterNote) {
          const note = CounterCasesNote.safeParse(frame.p);
          if (note.success) this.on.cases?.(note.data.cases);
        } else if (frame.m === CASE.ringNote) {
          const note = CaseRingNote.safeParse(frame.p);
          if (note.success) this.on.caseRing?.(note.data);
        }
      }
    };
  }

  acknowledge(params: AcknowledgeAlertParams): Promise<unknown> {
    return this.request(COUNTER.acknowledgeAlert, params);
  }

  /** The intake for the session the board showed; the booth's answer, or its refusal as a CounterError with its code. */
  async setIntake(params: SetIntakeParams): Promise<IntakeUpdateResult> {
    const answer = IntakeUpdateResult.safeParse(await this.request(COUNTER.setIntake, params));
    if (!answer.success) throw new CounterError('BAD_ANSWER', 'unexpected answer');
    return answer.data;
  }

  /** The pharmacy's deferred cases now (on each connection: notes missed while away are not replayed). */
  async listCases(): Promise<CounterCase[]> {
    const answer = CounterCasesNote.safeParse(await this.request(CASE.counterList, {}));
    if (!answer.success) throw new CounterError('BAD_ANSWER', 'unexpected answer');
    return answer.data.cases;
  }

  /** "J'ai appelé le patient": the urgent answer stops ringing, on every counter page of the pharmacy. */
  acknowledgeCase(caseId: string): Promise<unknown> {
    return this.request(CASE.acknowledge, { caseId });
  }

  private request(method: string, params: unknown): Promise<unknown> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new CounterError('CLOSED', 'connection closed'));
    return this.pending.start<unknown>((id) => ws.send(JSON.stringify({ t: 'req', id, m: method, p: params })), REQUEST_TIMEOUT_MS);
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.ws?.close();
  }
}
