#!/usr/bin/env node
/**
 * `vitest run` with a bound on a file that never ends.
 *
 * tests/support/wedge-guard.ts stops a test file that runs past its bound,
 * prints where it stood, and writes what happened. When the only trouble in a
 * run was such a wedge (no test failed), the wedged files are run once more on
 * their own, said loudly, and their result decides. A failed test is never
 * retried. Usage: node scripts/vitest-run.mjs [vitest run arguments…]
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
/** The guard's exit code when every file ended and the runner itself did not (tests/support/wedge-guard.ts). */
const RUNNER_WEDGED_EXIT = 75;

let child;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    child?.kill(signal);
    process.exit(130);
  });
}

/** Runs vitest once; resolves with its exit code and the guard's result (undefined if it wrote none). */
function run(args, attempt) {
  const resultFile = join(tmpdir(), `cabine-vitest-result-${process.pid}-${attempt}.json`);
  rmSync(resultFile, { force: true });
  return new Promise((done) => {
    child = spawn(process.execPath, [VITEST, 'run', ...args], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, CABINE_VITEST_RESULT: resultFile } });
    child.on('exit', (code, signal) => {
      child = undefined;
      let result;
      if (existsSync(resultFile)) {
        result = JSON.parse(readFileSync(resultFile, 'utf8'));
        rmSync(resultFile, { force: true });
      }
      done({ code: code ?? (signal ? 128 : 1), result });
    });
  });
}

/** Files to run again: only when a wedge was the whole trouble. */
function wedgedOnly(code, result) {
  if (code === 0 || !result || result.wedged.length === 0 || result.failedFiles.length > 0) return undefined;
  const files = result.wedged.filter((f) => f !== '(the run)');
  const unfinished = result.unfinishedFiles.filter((f) => !files.includes(f));
  if (unfinished.length > 0) return undefined; // a file never started: not a wedge we can rerun
  if (code !== RUNNER_WEDGED_EXIT && result.unhandledErrors > files.length) return undefined; // errors beyond the stopped forks
  return files;
}

/** The options of a command line without its file filters (the rerun names its own files). */
function optionsOnly(args) {
  const takesValue = new Set(['--config', '-c', '--exclude', '--project', '--root', '-r']);
  const out = [];
  for (let i = 0; i < args.length; i++) {
    if (!args[i].startsWith('-')) continue;
    out.push(args[i]);
    if (takesValue.has(args[i]) && i + 1 < args.length) out.push(args[++i]);
  }
  return out;
}

const args = process.argv.slice(2);
const first = await run(args, 1);
const again = wedgedOnly(first.code, first.result);
if (again === undefined) process.exit(first.code);
if (again.length === 0) {
  console.log('\nvitest-run: every file ended and passed, but the runner itself did not end (see the wedge above); counted as passed.');
  process.exit(0);
}
console.log(`\nvitest-run: ${again.length} file(s) wedged and no test failed; running them once more on their own: ${again.join(', ')}`);
const second = await run([...optionsOnly(args), ...again], 2);
console.log(second.code === 0 ? `vitest-run: the wedged file(s) passed on their own run.` : `vitest-run: the wedged file(s) failed again.`);
process.exit(second.code);
