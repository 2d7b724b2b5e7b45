import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/shared/fake-clock';
import { PendingRequests, RequestTimeoutError } from '../../../src/shared/pending-requests';

class GoneError extends Error {
  readonly code = 'GONE';
}

function setup() {
  const clock = new FakeClock(0);
  const pending = new PendingRequests(clock);
  const sent: number[] = [];
  const send = (id: number): void => void sent.push(id);
  return { clock, pending, sent, send };
}

describe('pending requests: answered by id, each with a timeout', () => {
  it('resolves a request with the answer that carries its id', async () => {
    const { pending, sent, send } = setup();
    const a = pending.start<string>(send, 1_000);
    const b = pending.start<string>(send, 1_000);
    expect(sent).toEqual([1, 2]);
    pending.resolve(2, 'second');
    pending.resolve(1, 'first');
    await expect(a).resolves.toBe('first');
    await expect(b).resolves.toBe('second');
    expect(pending.size).toBe(0);
  });

  it('rejects with the error the answer carries', async () => {
    const { pending, send } = setup();
    const a = pending.start(send, 1_000);
    pending.reject(1, new GoneError('refused'));
    await expect(a).rejects.toBeInstanceOf(GoneError);
  });

  it('rejects a request not answered within its timeout with a typed error, and not before', async () => {
    const { clock, pending, send } = setup();
    let outcome: unknown = null;
    pending.start(send, 1_000).catch((e: unknown) => (outcome = e));
    await clock.advance(999);
    expect(outcome).toBeNull();
    await clock.advance(1);
    expect(outcome).toBeInstanceOf(RequestTimeoutError);
    expect(outcome).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    expect(pending.size).toBe(0);
  });

  it('rejects a late request with the caller\'s own error when it gives one', async () => {
    const { clock, pending, send } = setup();
    const a = pending.start(send, 50, () => new GoneError('no answer in time'));
    await clock.advance(50);
    await expect(a).rejects.toBeInstanceOf(GoneError);
  });

  it('ignores an answer that comes after the timeout, or for an id never sent', async () => {
    const { clock, pending, send } = setup();
    const a = pending.start(send, 50);
    await clock.advance(50);
    await expect(a).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(pending.resolve(1, 'late')).toBe(false);
    expect(pending.reject(1, new GoneError('late'))).toBe(false);
    expect(pending.resolve(42, 'unknown')).toBe(false);
  });

  it('clears the timer of an answered request', async () => {
    const { clock, pending, send } = setup();
    const a = pending.start(send, 50);
    expect(pending.resolve(1, 'on time')).toBe(true);
    await expect(a).resolves.toBe('on time');
    expect(clock.pending()).toBe(0);
  });

  it('rejects every pending request when the connection closes, and clears their timers', async () => {
    const { clock, pending, send } = setup();
    const all = [pending.start(send, 1_000), pending.start(send, 2_000)];
    pending.failAll(() => new GoneError('connection lost'));
    for (const p of all) await expect(p).rejects.toBeInstanceOf(GoneError);
    expect(pending.size).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('rejects at once and keeps nothing when the request cannot be sent', async () => {
    const { clock, pending } = setup();
    const a = pending.start(() => { throw new GoneError('socket closed'); }, 1_000);
    await expect(a).rejects.toBeInstanceOf(GoneError);
    expect(pending.size).toBe(0);
    expect(clock.pending()).toBe(0);
  });
});
