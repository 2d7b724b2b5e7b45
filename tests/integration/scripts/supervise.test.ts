/**
 * The demo launcher's supervision (scripts/supervise.mjs) with real
 * processes: a child killed by SIGKILL is started again and what it started
 * dies with it; quick failures back off and end in a clear give-up; a child
 * that refused its configuration is not restarted; stop() leaves nothing.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/config';
import { until } from '../../resilience/support/clients';
import { alive } from '../../helpers/process';

interface Policy { firstDelayMs: number; factor: number; maxDelayMs: number; stableAfterMs: number; maxQuickFailures: number }
interface Supervised { readonly pid: number | undefined; stop(): Promise<void>; killNow(): void }
/** The part of the script's API these tests use (the script is plain ESM, untyped). */
interface SuperviseModule {
  DEMO_RESTART_POLICY: Policy;
  createRestartPolicy(policy?: Policy): { onExit(ranForMs: number): { restart: boolean; delayMs?: number; failures: number } };
  superviseChild(options: {
    name: string; command: string; args: () => string[]; restart?: boolean; policy?: Policy;
    report: (message: string) => void; onLine?: (line: string) => void; onStopped?: () => void; onGiveUp?: (why: string) => void; stopGraceMs?: number;
  }): Supervised;
}

let mod: SuperviseModule;
beforeAll(async () => {
  mod = (await import(pathToFileURL(resolve(ROOT, 'scripts/supervise.mjs')).href)) as SuperviseModule;
});

const running: Supervised[] = [];
afterEach(() => {
  for (const s of running.splice(0)) s.killNow();
});

const FAST: Policy = { firstDelayMs: 10, factor: 2, maxDelayMs: 1000, stableAfterMs: 60_000, maxQuickFailures: 3 };

/** A child that starts a grandchild (as the host starts socat) and prints both pids. */
const PARENT_WITH_GRANDCHILD = `
const { spawn } = require('node:child_process');
const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
console.log('CHILD=' + process.pid + ' GRANDCHILD=' + g.pid);
setInterval(() => {}, 1000);
`;

function watch(script: string, extra: Partial<Parameters<SuperviseModule['superviseChild']>[0]> = {}) {
  const lines: string[] = [];
  const reports: string[] = [];
  const giveUps: string[] = [];
  let stops = 0;
  const s = mod.superviseChild({
    name: 'worker', command: process.execPath, args: () => ['-e', script], policy: FAST,
    report: (m) => reports.push(m), onLine: (l) => lines.push(l), onStopped: () => void stops++, onGiveUp: (w) => giveUps.push(w),
    ...extra,
  });
  running.push(s);
  const pids = () => lines.map((l) => /CHILD=(\d+) GRANDCHILD=(\d+)/.exec(l)).filter((m) => m).map((m) => ({ child: Number(m![1]), grandchild: Number(m![2]) }));
  return { s, lines, reports, giveUps, pids, stops: () => stops };
}

describe('restart policy', () => {
  it('doubles the delay after each quick failure up to its ceiling, and gives up past the limit', () => {
    const p = mod.createRestartPolicy({ firstDelayMs: 100, factor: 2, maxDelayMs: 300, stableAfterMs: 30_000, maxQuickFailures: 4 });
    expect([1, 2, 3, 4].map(() => p.onExit(500).delayMs)).toEqual([100, 200, 300, 300]);
    expect(p.onExit(500)).toMatchObject({ restart: false, failures: 5 });
  });

  it('starts the count afresh once a child has run a while', () => {
    const p = mod.createRestartPolicy({ firstDelayMs: 100, factor: 2, maxDelayMs: 10_000, stableAfterMs: 30_000, maxQuickFailures: 2 });
    p.onExit(10);
    expect(p.onExit(10)).toMatchObject({ restart: true, delayMs: 200 });
    expect(p.onExit(45_000)).toMatchObject({ restart: true, delayMs: 100, failures: 1 });
  });
});

describe('supervised child', () => {
  it('starts a child killed by SIGKILL again, and what the child started dies with it', async () => {
    const w = watch(PARENT_WITH_GRANDCHILD);
    const first = await until(() => w.pids()[0], 'first start');
    process.kill(first.child, 'SIGKILL');
    const second = await until(() => w.pids()[1], 'restarted');
    expect(second.child).not.toBe(first.child);
    expect(w.s.pid).toBe(second.child);
    await until(() => !alive(first.grandchild) || undefined, 'the first grandchild killed with its parent');
    expect(w.stops()).toBe(1);
    expect(w.reports.join('\n')).toMatch(/worker stopped \(SIGKILL\).*restarting in/);
    expect(alive(second.grandchild)).toBe(true);
  });

  it('backs off between quick failures and gives up with the reason and the last lines of the child', async () => {
    const w = watch("console.error('cannot open the store: disk full'); process.exit(1)");
    const why = await until(() => w.giveUps[0], 'gave up', 10_000);
    expect(why).toMatch(/stopped 4 times in a row .*giving up/);
    expect(why).toContain('cannot open the store: disk full');
    expect(w.reports.filter((r) => /restarting in/.test(r))).toHaveLength(3);
    expect(w.stops()).toBe(4);
  });

  it('does not restart a child that refused its configuration (exit code 2)', async () => {
    const w = watch("console.error('kiosk-config: hub.url: expected string'); process.exit(2)");
    const why = await until(() => w.giveUps[0], 'gave up');
    expect(why).toMatch(/exit code 2.*not restarted/);
    expect(why).toContain('hub.url: expected string');
    await new Promise((r) => setTimeout(r, 200));
    expect(w.stops()).toBe(1);
  });

  it('stop() ends the child and everything it started, and nothing is restarted', async () => {
    const w = watch(PARENT_WITH_GRANDCHILD);
    const first = await until(() => w.pids()[0], 'first start');
    await w.s.stop();
    expect(alive(first.child)).toBe(false);
    await until(() => !alive(first.grandchild) || undefined, 'grandchild gone');
    await new Promise((r) => setTimeout(r, 200));
    expect(w.pids()).toHaveLength(1);
    expect(w.reports).toEqual([]);
    expect(w.giveUps).toEqual([]);
  });
});
