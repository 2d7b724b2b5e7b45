/**
 * A HubChannel for unit tests: records requests, answers them from a table,
 * and lets a test push notes as if the hub sent them.
 */
import { EventEmitter } from 'node:events';
import { HubRequestError } from '../shared/hub-protocol';
import type { HubChannel, HubLinkEvents, LinkStatus, RequestHandler } from './hub-link';

export class FakeHubLink extends EventEmitter<HubLinkEvents> implements HubChannel {
  status: LinkStatus = 'online';
  readonly requests: { method: string; params: unknown }[] = [];
  readonly answers = new Map<string, (params: unknown) => unknown>();
  private readonly handlers = new Map<string, RequestHandler>();

  async request<T = unknown>(method: string, params: unknown): Promise<T> {
    this.requests.push({ method, params });
    const answer = this.answers.get(method);
    if (!answer) throw new HubRequestError('UNKNOWN_METHOD', `no answer for ${method}`);
    return (await answer(params)) as T;
  }

  notify(method: string, params: unknown): void {
    this.requests.push({ method, params });
  }

  handle(method: string, handler: RequestHandler): void {
    this.handlers.set(method, handler);
  }

  /** A request from the hub, answered by the handler the booth registered (throws its error). */
  async call(method: string, params: unknown): Promise<unknown> {
    const handler = this.handlers.get(method);
    if (!handler) throw new HubRequestError('UNKNOWN_METHOD', `the booth has no method ${method}`);
    return handler(params);
  }

  /** Goes online or offline, as the real link reports it. */
  setStatus(status: LinkStatus): void {
    this.status = status;
    this.emit('status', status);
  }

  /** A note from the hub. */
  note(method: string, params: unknown): void {
    this.emit('note', method, params);
  }
}
