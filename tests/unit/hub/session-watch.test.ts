import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionWatch } from '../../../src/hub/session-watch';

const log = pino({ level: 'silent' });
const watches: SessionWatch<string>[] = [];
afterEach(() => {
  for (const w of watches.splice(0)) w.stop();
});

/** A watch over named connections whose sessions the test ends; `closed` lists the connections it closed. */
function watchOf(open: Set<string>, opts: { failing?: () => boolean; inCall?: Set<string> } = {}) {
  const closed: string[] = [];
  const watch = new SessionWatch<string>({
    alive: async (token) => {
      if (opts.failing?.()) throw new Error('store down');
      return open.has(token);
    },
    close: (conn) => closed.push(conn),
    busy: (conn) => opts.inCall?.has(conn) ?? false,
    everyMs: 3_600_000,
    log,
  });
  watches.push(watch);
  return { watch, closed };
}

describe('SessionWatch', () => {
  it('closes every connection of a session signed out here, and only those', () => {
    const { watch, closed } = watchOf(new Set(['martin', 'durand']));
    watch.add('martin', 'martin-tab-1');
    watch.add('martin', 'martin-tab-2');
    watch.add('durand', 'durand-tab');
    watch.signedOut('martin');
    expect(closed).toEqual(['martin-tab-1', 'martin-tab-2']);
    watch.signedOut('martin');
    expect(closed).toHaveLength(2);
  });

  it('closes at a check the connections whose session ended elsewhere or expired, and keeps the others', async () => {
    const open = new Set(['martin', 'durand']);
    const { watch, closed } = watchOf(open);
    watch.add('martin', 'martin-tab');
    watch.add('durand', 'durand-tab');
    await watch.check();
    expect(closed).toEqual([]);
    open.delete('durand');
    await watch.check();
    expect(closed).toEqual(['durand-tab']);
  });

  it('never closes a connection that already closed by itself', async () => {
    const { watch, closed } = watchOf(new Set());
    watch.add('martin', 'martin-tab');
    watch.remove('martin-tab');
    watch.signedOut('martin');
    await watch.check();
    expect(closed).toEqual([]);
  });

  it('leaves a connection holding a call open when its session ends, and closes it at the first check after the call', async () => {
    const inCall = new Set(['martin-call-tab']);
    const { watch, closed } = watchOf(new Set(), { inCall });
    watch.add('martin', 'martin-call-tab');
    watch.add('martin', 'martin-idle-tab');
    watch.signedOut('martin');
    expect(closed).toEqual(['martin-idle-tab']);
    await watch.check();
    expect(closed).toEqual(['martin-idle-tab']);
    inCall.clear();
    await watch.check();
    expect(closed).toEqual(['martin-idle-tab', 'martin-call-tab']);
  });

  it('closes nothing while the store cannot answer, and closes the ended sessions once it answers', async () => {
    let down = true;
    const { watch, closed } = watchOf(new Set(), { failing: () => down });
    watch.add('martin', 'martin-tab');
    await watch.check();
    expect(closed).toEqual([]);
    down = false;
    await watch.check();
    expect(closed).toEqual(['martin-tab']);
  });
});
