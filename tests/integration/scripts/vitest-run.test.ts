/**
 * The bound on a test file that never ends (tests/support/wedge-guard.ts and
 * scripts/vitest-run.mjs), on a fixture suite whose bound is 3 s: a file whose
 * JavaScript never yields is stopped and named with the line it stood on; it
 * is run once more on its own only when no test failed, and its second run
 * decides.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const CONFIG = 'tests/fixtures/wedge/vitest.config.ts';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs the wrapper on the fixture suite; resolves with its exit code and everything it printed. */
function runFixture(files: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const wedgeDir = mkdtempSync(join(tmpdir(), 'cabine-wedge-test-'));
  dirs.push(wedgeDir);
  return new Promise((done) => {
    // Our own CABINE_WEDGE_* would arm the fixture with this run's folder and bound: give it its own.
    const { CABINE_WEDGE_DIR: _dir, CABINE_WEDGE_MINUTES: _min, CABINE_VITEST_RESULT: _res, ...parent } = process.env;
    const child = spawn(process.execPath, ['scripts/vitest-run.mjs', '--config', CONFIG, ...files], {
      cwd: ROOT,
      env: { ...parent, CABINE_WEDGE_DIR: wedgeDir, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => done({ code, out }));
  });
}

describe('a test file that never ends', () => {
  it('is stopped, named with the line its JavaScript stood on, run once more on its own, and passes when that run passes', async () => {
    const once = join(mkdtempSync(join(tmpdir(), 'cabine-wedge-once-')), 'spun');
    dirs.push(resolve(once, '..'));
    const { code, out } = await runFixture(['spins.test.ts', 'passes.test.ts'], { WEDGE_ONCE: once });
    expect(out).toContain('WEDGE: tests/fixtures/wedge/spins.test.ts');
    expect(out).toMatch(/tests\/fixtures\/wedge\/spins\.test\.ts:1[0-2]:/);
    expect(out).toContain('running them once more on their own: tests/fixtures/wedge/spins.test.ts');
    expect(out).toContain('the wedged file(s) passed on their own run');
    expect(code).toBe(0);
  }, 120_000);

  it('fails the run when the file wedges again on its own run', async () => {
    const { code, out } = await runFixture(['spins.test.ts']);
    expect(out).toContain('running them once more on their own');
    expect(out).toContain('the wedged file(s) failed again');
    expect(code).not.toBe(0);
  }, 120_000);

  it('runs nothing again when a test failed beside the wedge', async () => {
    const { code, out } = await runFixture(['spins.test.ts', 'fails.test.ts']);
    expect(out).toContain('WEDGE: tests/fixtures/wedge/spins.test.ts');
    expect(out).not.toContain('running them once more');
    expect(code).not.toBe(0);
  }, 120_000);
});
