/**
 * Warnings an attacker can repeat at will are written once per window and
 * key, then summed up in one line with the count: read from the lines the
 * real pino logger writes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FloodLog } from '../../../src/hub/flood-log';
import { createLogger } from '../../../src/node/logger';

let lines: { msg: string; [k: string]: unknown }[];
let floods: FloodLog;

beforeEach(() => {
  vi.useFakeTimers();
  lines = [];
  const log = createLogger('test', { write: (l: string) => (lines.push(JSON.parse(l) as never), true) } as unknown as NodeJS.WritableStream);
  floods = new FloodLog(log, { windowMs: 60_000, maxKeys: 3 });
});

afterEach(() => {
  floods.close();
  vi.useRealTimers();
});

describe('FloodLog', () => {
  it('writes the first warning at once and the next 1,792 as one line with their count at the end of the window', () => {
    for (let i = 0; i < 1_793; i++) floods.warn('rate:booth:b1', { peer: 'booth:b1' }, 'rate limit exceeded: connection cut');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, peer: 'booth:b1', msg: 'rate limit exceeded: connection cut' });
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ level: 40, peer: 'booth:b1', repeated: 1_792, windowSeconds: 60, msg: 'rate limit exceeded: connection cut (repeated)' });
  });

  it('sums up a flood that lasts several windows once per window, and nothing once it has stopped', () => {
    for (let w = 0; w < 3; w++) {
      for (let i = 0; i < 100; i++) floods.warn('k', {}, 'refused');
      vi.advanceTimersByTime(60_000);
    }
    expect(lines.map((l) => l.repeated ?? 'first')).toEqual(['first', 99, 100, 100]);
    vi.advanceTimersByTime(10 * 60_000);
    expect(lines).toHaveLength(4);
    // A new flood later starts with its own first line.
    floods.warn('k', {}, 'refused');
    expect(lines).toHaveLength(5);
    expect(lines[4]!.repeated).toBeUndefined();
  });

  it('keeps one window per key, and past its key limit counts the rest together', () => {
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) {
      floods.warn(k, { k }, `refused ${k}`);
      floods.warn(k, { k }, `refused ${k}`);
    }
    expect(lines.map((l) => l.msg)).toEqual(['refused a', 'refused b', 'refused c', 'more refusals of other kinds or sources']);
    floods.close();
    expect(lines.slice(4).map((l) => [l.msg, l.repeated])).toEqual([
      ['refused a (repeated)', 1], ['refused b (repeated)', 1], ['refused c (repeated)', 1], ['more refusals of other kinds or sources (repeated)', 5],
    ]);
  });

  it('writes the pending counts when closed', () => {
    floods.warn('k', {}, 'refused');
    floods.warn('k', {}, 'refused');
    floods.close();
    expect(lines.map((l) => l.repeated ?? 'first')).toEqual(['first', 1]);
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
  });
});
