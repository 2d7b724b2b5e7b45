/** A HubChannel for unit tests of the sync (beside the real HubLink): status set by the test, requests answered by a function. */
import { EventEmitter } from 'node:events';
import type { HubChannel, HubLinkEvents, LinkStatus, RequestHandler } from '../hub-link';

export class FakeHubChannel extends EventEmitter<HubLinkEvents> implements HubChannel {
  status: LinkStatus = 'offline';
  readonly calls: { method: string; params: unknown; bytes?: Uint8Array }[] = [];

  constructor(public answer: (method: string, params: unknown, bytes?: Uint8Array) => unknown | Promise<unknown>) {
    super();
  }

  setStatus(status: LinkStatus): void {
    this.status = status;
    this.emit('status', status);
  }

  async request<T = unknown>(method: string, params: unknown, opts: { bytes?: Uint8Array } = {}): Promise<T> {
    this.calls.push({ method, params, ...(opts.bytes ? { bytes: opts.bytes } : {}) });
    return (await this.answer(method, params, opts.bytes)) as T;
  }

  notify(): void {}
  handle(_method: string, _handler: RequestHandler): void {}
}
