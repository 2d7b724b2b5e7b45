/**
 * The bootstrap's stage lines (scripts/stage-log.mjs): printed even under
 * `--quiet`, one per stage with its elapsed time, and a heartbeat while a
 * long stage (the mediasoup worker build) runs. Clock and timer are fakes.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/config';

interface StageHandle { end(): void; fail(): void }
interface StageLog {
  begin(name: string): StageHandle;
  run<T>(name: string, fn: () => T | Promise<T>): Promise<T>;
}
/** The part of the script's API these tests use (the script is plain ESM, untyped). */
interface StageLogModule {
  createStageLog(options: {
    write: (line: string) => void;
    prefix?: string;
    now?: () => number;
    setInterval?: (fn: () => void, ms: number) => unknown;
    clearInterval?: (handle: unknown) => void;
    heartbeatMs?: number;
  }): StageLog;
}

let mod: StageLogModule;
beforeAll(async () => {
  mod = (await import(pathToFileURL(resolve(ROOT, 'scripts/stage-log.mjs')).href)) as StageLogModule;
});

/** A clock moved by hand and an interval timer that fires when the clock passes its period. */
function fakeTime() {
  let t = 1_000_000;
  const timers = new Map<number, { fn: () => void; ms: number; next: number }>();
  let nextId = 1;
  return {
    now: () => t,
    setInterval: (fn: () => void, ms: number) => {
      const id = nextId++;
      timers.set(id, { fn, ms, next: t + ms });
      return id;
    },
    clearInterval: (id: unknown) => void timers.delete(id as number),
    advance(ms: number) {
      const end = t + ms;
      for (;;) {
        const due = [...timers.values()].filter((x) => x.next <= end).sort((a, b) => a.next - b.next)[0];
        if (!due) break;
        t = due.next;
        due.next += due.ms;
        due.fn();
      }
      t = end;
    },
    active: () => timers.size,
  };
}

function setup() {
  const lines: string[] = [];
  const time = fakeTime();
  const log = mod.createStageLog({ write: (l) => lines.push(l), prefix: '[bootstrap]', now: time.now, setInterval: time.setInterval, clearInterval: time.clearInterval });
  return { lines, time, log };
}

describe('bootstrap stage lines', () => {
  it('prints a start line and an end line with the elapsed time for a synchronous stage (apt, npm ci)', () => {
    const { lines, time, log } = setup();
    const stage = log.begin('npm ci');
    time.advance(12_400);
    stage.end();
    expect(lines).toEqual(['[bootstrap] npm ci...', '[bootstrap] npm ci: done in 12 s']);
    expect(time.active()).toBe(0);
  });

  it('prints a heartbeat every 30 s while the worker builds, and stops it when the build ends', async () => {
    const { lines, time, log } = setup();
    let finish!: () => void;
    const build = log.run('mediasoup worker build', () => new Promise<void>((r) => (finish = r)));
    time.advance(95_000);
    expect(lines).toEqual([
      '[bootstrap] mediasoup worker build...',
      '[bootstrap] mediasoup worker build: still running (30 s)',
      '[bootstrap] mediasoup worker build: still running (1 min 00 s)',
      '[bootstrap] mediasoup worker build: still running (1 min 30 s)',
    ]);
    time.advance(152_000);
    finish();
    await build;
    expect(lines.at(-1)).toBe('[bootstrap] mediasoup worker build: done in 4 min 07 s');
    expect(lines.filter((l) => l.includes('still running'))).toHaveLength(8);
    time.advance(120_000);
    expect(lines.at(-1)).toBe('[bootstrap] mediasoup worker build: done in 4 min 07 s');
    expect(time.active()).toBe(0);
  });

  it('says a stage failed with its elapsed time, stops the heartbeat and passes the error on', async () => {
    const { lines, time, log } = setup();
    const failing = log.run('apt-get install', async () => {
      time.advance(12_000);
      throw new Error('E: Unable to locate package');
    });
    await expect(failing).rejects.toThrow('Unable to locate package');
    expect(lines).toEqual(['[bootstrap] apt-get install...', '[bootstrap] apt-get install: FAILED after 12 s']);
    expect(time.active()).toBe(0);
  });

  it('ends a stage once even when ended twice', () => {
    const { lines, log } = setup();
    const stage = log.begin('npm ci');
    stage.end();
    stage.fail();
    expect(lines).toHaveLength(2);
  });
});
