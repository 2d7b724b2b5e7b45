/**
 * A bound on a test file that never ends.
 *
 * Test and hook timeouts fire from inside the fork: they cannot fire when the
 * fork's event loop never turns (seen in CI: a microtask loop in the host kept
 * sync-network's fork at 100 % CPU until the job's 90-minute cap, with no
 * line saying which file), nor when the pool waits for a fork that finished
 * its file but never said so. This reporter, in the main process, watches each
 * file from the moment its fork starts it. A file still running after
 * `minutes`, or a run that reported every file and still does not end for as
 * long, is a wedge: the guard asks the fork for a Node diagnostic report
 * (answered only when its event loop is free: the handles it waits on), opens
 * its inspector with SIGUSR1 and pauses it there (answered even when its
 * JavaScript never yields: the stack it stood on), prints both, then kills
 * the fork, so the run ends with a failure that names the file instead of
 * hanging. `scripts/vitest-run.mjs` reads what it writes to `resultFile`.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reporter, SerializedError, TestCase, TestModule, TestSpecification } from 'vitest/node';
import WebSocket from 'ws';
import { alive } from '../helpers/process';

export type WedgeGuardOptions = {
  /** Folder where forks write `fork-<pid>` → file and Node writes its reports. */
  readonly dir: string;
  /** How long a file may run, and an idle run may wait, before it is a wedge. */
  readonly minutes: number;
  /** Where to write {@link WedgeResult} at the end of the run. */
  readonly resultFile?: string | undefined;
};

/** What `scripts/vitest-run.mjs` reads back. */
export interface WedgeResult {
  /** Files whose fork was stopped, relative to the root; `(the run)` when the runner itself never ended. */
  readonly wedged: string[];
  /** Files that ended with a failed test or suite. */
  readonly failedFiles: string[];
  /** Files that never ended (their fork was stopped, or never started). */
  readonly unfinishedFiles: string[];
  readonly unhandledErrors: number;
}

/** Exit code when every file ended and the runner still did not: the wrapper reads the result. */
export const RUNNER_WEDGED_EXIT = 75;

interface Running {
  readonly since: number;
  passed: number;
  failed: number;
  last: string;
}

interface Wedge {
  readonly file: string;
  readonly pid: number | undefined;
  readonly diagnosis: string;
}

const ROOT = process.cwd();
const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * The test options that arm the guard: each fork marks itself and can write a
 * diagnostic report on SIGUSR2; the guard watches from the main process.
 * `resultFile` comes from scripts/vitest-run.mjs.
 */
export function wedgeGuarded(options: { readonly minutes?: number } = {}) {
  const dir = process.env['CABINE_WEDGE_DIR'] ?? join(tmpdir(), `cabine-vitest-${process.pid}`);
  const minutes = Number(process.env['CABINE_WEDGE_MINUTES'] ?? options.minutes ?? 8);
  const guard: WedgeGuardOptions = { dir, minutes, resultFile: process.env['CABINE_VITEST_RESULT'] };
  return {
    env: { CABINE_WEDGE_DIR: dir },
    execArgv: ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${dir}`],
    setupFiles: [join(HERE, 'wedge-mark.ts')],
    reporter: [join(HERE, 'wedge-guard.ts'), guard] as [string, WedgeGuardOptions],
  };
}

export default class WedgeGuard implements Reporter {
  private readonly running = new Map<string, Running>();
  private readonly wedges: Wedge[] = [];
  private readonly stopped = new Set<number>();
  private readonly expected = new Set<string>();
  private readonly ended = new Set<string>();
  private readonly failed = new Set<string>();
  private lastActivity = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly options: WedgeGuardOptions) {}

  onInit(): void {
    this.timer = setInterval(() => void this.check(), Math.min(10_000, (this.options.minutes * 60_000) / 4));
    this.timer.unref();
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    for (const spec of specifications) this.expected.add(spec.moduleId);
  }

  onTestModuleQueued(module: TestModule): void {
    this.lastActivity = Date.now();
    this.running.set(module.moduleId, { since: Date.now(), passed: 0, failed: 0, last: '(none yet)' });
  }

  onTestCaseResult(test: TestCase): void {
    this.lastActivity = Date.now();
    const r = this.running.get(test.module.moduleId);
    if (!r) return;
    if (test.result().state === 'failed') r.failed += 1;
    else r.passed += 1;
    r.last = test.name;
  }

  onTestModuleEnd(module: TestModule): void {
    this.lastActivity = Date.now();
    this.running.delete(module.moduleId);
    this.ended.add(module.moduleId);
    if (module.state() === 'failed') this.failed.add(module.moduleId);
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    if (this.timer) clearInterval(this.timer);
    this.finish(unhandledErrors.length);
  }

  /** Prints every wedge again at the end (where a CI log's tail shows it) and writes the result. */
  private finish(unhandledErrors: number): void {
    if (this.wedges.length > 0) {
      process.stdout.write(`\nWedged test files (stopped by tests/support/wedge-guard.ts after ${this.options.minutes} min):\n`);
      for (const w of this.wedges) process.stdout.write(`- ${w.file}${w.pid ? ` (fork ${w.pid})` : ''}\n${indent(w.diagnosis)}\n`);
    }
    rmSync(this.options.dir, { recursive: true, force: true });
    if (!this.options.resultFile) return;
    const result: WedgeResult = {
      wedged: [...new Set(this.wedges.map((w) => w.file))],
      failedFiles: [...this.failed].map((f) => relative(ROOT, f)),
      unfinishedFiles: [...this.expected].filter((f) => !this.ended.has(f)).map((f) => relative(ROOT, f)),
      unhandledErrors,
    };
    writeFileSync(this.options.resultFile, JSON.stringify(result));
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const bound = this.options.minutes * 60_000;
      const now = Date.now();
      const forks = this.forks();
      for (const [file, r] of this.running) {
        if (now - r.since < bound) continue;
        this.running.delete(file);
        const fork = forks.find((f) => f.file === file && !this.stopped.has(f.pid));
        const progress = `ran ${Math.round((now - r.since) / 1000)} s: ${r.passed} test(s) passed, ${r.failed} failed, last finished: ${r.last}`;
        await this.stop(relative(ROOT, file), fork, progress);
      }
      if (this.running.size === 0 && now - this.lastActivity >= bound) {
        // Every file reported, yet the run does not end: a fork that never said it was done.
        this.lastActivity = now;
        const live = forks.filter((f) => !this.stopped.has(f.pid) && alive(f.pid));
        for (const f of live) await this.stop(relative(ROOT, f.file), f, 'its file reported, yet its fork never told the pool it was done');
        if (live.length === 0 && this.expected.size > 0 && [...this.expected].every((f) => this.ended.has(f) || this.wedges.some((w) => w.file === relative(ROOT, f)))) {
          // Nothing left to stop, and the runner still waits: end it, saying so.
          await this.stop('(the run)', undefined, 'every file ended or was stopped, yet the runner does not end');
          this.finish(0);
          process.exit(RUNNER_WEDGED_EXIT);
        }
      }
    } finally {
      this.checking = false;
    }
  }

  private async stop(file: string, fork: Fork | undefined, progress: string): Promise<void> {
    const lines = [progress];
    const pid = fork?.pid;
    if (fork && pid !== undefined && alive(pid)) {
      this.stopped.add(pid);
      lines.push(...(await this.report(pid)), ...(await pausedStack(pid, fork.debugPort)));
      try {
        process.kill(pid, 'SIGKILL');
        lines.push(`fork ${pid} killed`);
      } catch {
        lines.push(`fork ${pid} was already gone`);
      }
    } else {
      lines.push('no live fork found for it');
    }
    this.lastActivity = Date.now();
    const wedge = { file, pid, diagnosis: lines.join('\n') };
    this.wedges.push(wedge);
    process.stdout.write(`\nWEDGE: ${file}${pid ? ` (fork ${pid})` : ''}\n${indent(wedge.diagnosis)}\n`);
  }

  /** Asks the fork for a diagnostic report and returns its JS stack and the handles it waits on. */
  private async report(pid: number): Promise<string[]> {
    const before = new Set(readdirSync(this.options.dir));
    try {
      process.kill(pid, 'SIGUSR2');
    } catch {
      return ['(no report: the fork is gone)'];
    }
    for (let i = 0; i < 50; i++) {
      const name = readdirSync(this.options.dir).find((n) => !before.has(n) && n.startsWith('report.') && n.includes(`.${pid}.`) && n.endsWith('.json'));
      if (name) {
        await new Promise((r) => setTimeout(r, 200)); // let Node finish writing it
        return summarise(readFileSync(join(this.options.dir, name), 'utf8'));
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return ['(no diagnostic report within 5 s: its event loop is not free)'];
  }

  private forks(): Fork[] {
    if (!existsSync(this.options.dir)) return [];
    const out: Fork[] = [];
    for (const n of readdirSync(this.options.dir)) {
      if (!n.startsWith('fork-')) continue;
      try {
        const mark = JSON.parse(readFileSync(join(this.options.dir, n), 'utf8')) as { file: string; debugPort: number };
        out.push({ pid: Number(n.slice('fork-'.length)), file: mark.file, debugPort: mark.debugPort });
      } catch {
        // a mark being written: next check
      }
    }
    return out;
  }
}

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly location: { readonly scriptId: string; readonly lineNumber: number; readonly columnNumber: number };
}

interface InspectorMessage {
  readonly method?: string;
  readonly params?: { readonly scriptId?: string; readonly url?: string; readonly callFrames?: CallFrame[] };
}

interface Fork {
  readonly pid: number;
  readonly file: string;
  readonly debugPort: number;
}

/** The fork's inspector address, after SIGUSR1 opened it on the port the fork chose (tests/support/wedge-mark.ts). */
async function openInspector(pid: number, port: number): Promise<string | undefined> {
  try {
    process.kill(pid, 'SIGUSR1');
  } catch {
    return undefined;
  }
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl?: string }[];
      if (list[0]?.webSocketDebuggerUrl) return list[0].webSocketDebuggerUrl;
    } catch {
      // not listening yet
    }
  }
  return undefined;
}

/** Pauses the fork through its inspector and returns the stack it stood on (works in a loop that never yields). */
async function pausedStack(pid: number, port: number): Promise<string[]> {
  const inspector = await openInspector(pid, port);
  if (!inspector) return [`(the fork's inspector did not open on port ${port})`];
  return new Promise((resolve) => {
    const ws = new WebSocket(inspector);
    const done = (lines: string[]): void => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      resolve(lines);
    };
    const timer = setTimeout(() => done(['(the inspector did not pause it within 5 s: it is idle, waiting on the handles above)']), 5_000);
    ws.on('error', (e) => done([`(inspector: ${e.message})`]));
    ws.on('open', () => {
      ws.send(JSON.stringify({ id: 1, method: 'Debugger.enable' }));
      ws.send(JSON.stringify({ id: 2, method: 'Debugger.pause' }));
    });
    const scripts = new Map<string, string>();
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as InspectorMessage;
      if (msg.method === 'Debugger.scriptParsed' && msg.params?.scriptId) scripts.set(msg.params.scriptId, msg.params.url ?? '');
      if (msg.method !== 'Debugger.paused') return;
      const frames = (msg.params?.callFrames ?? []).slice(0, 25);
      const where = (f: CallFrame): string => {
        const url = (f.url || scripts.get(f.location.scriptId) || '?').replace(/^file:\/\//, '');
        return `  ${f.functionName || '(anonymous)'} ${relative(ROOT, url) || url}:${f.location.lineNumber + 1}:${f.location.columnNumber + 1}`;
      };
      done(['JavaScript stood at:', ...frames.map(where)]);
    });
  });
}

/** The parts of a Node diagnostic report that tell where a process stands. */
function summarise(json: string): string[] {
  try {
    const r = JSON.parse(json) as {
      javascriptStack?: { message?: string; stack?: string[] };
      libuv?: { type: string; is_active?: boolean; remoteEndpoint?: unknown; localEndpoint?: unknown; pid?: number; firesInMsFromNow?: number }[];
    };
    const stack = r.javascriptStack?.stack ?? [];
    const active = (r.libuv ?? []).filter((h) => h.is_active);
    const counts = new Map<string, number>();
    for (const h of active) counts.set(h.type, (counts.get(h.type) ?? 0) + 1);
    return [
      ...(stack.length > 0 ? [`JavaScript: ${r.javascriptStack?.message ?? ''}`, ...stack.slice(0, 25).map((s) => `  ${s.trim()}`)] : []),
      `active handles: ${[...counts].map(([t, n]) => `${t}×${n}`).join(', ') || 'none'}`,
      ...active
        .filter((h) => ['tcp', 'udp', 'process', 'timer', 'tty', 'pipe'].includes(h.type))
        .slice(0, 12)
        .map((h) => `  ${h.type} ${JSON.stringify({ pid: h.pid, local: h.localEndpoint, remote: h.remoteEndpoint, firesInMs: h.firesInMsFromNow })}`),
    ];
  } catch (error) {
    return [`(unreadable diagnostic report: ${(error as Error).message})`];
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
