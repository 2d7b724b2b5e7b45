/**
 * `scripts/demo.mjs` as a user runs it after `npm run build` (`npm run demo`
 * without the bootstrap), for e2e tests and the bench: its own temporary
 * folder (TMPDIR, so whatever it leaves behind is ours to see), a random hub
 * port, and — for a call — test configs with cheap hashes and their data in
 * that folder (CABINE_HUB_CONFIG, CABINE_CONFIG). The processes under the
 * demo are read from /proc, as `ps` would show them to a user.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeHostConfig, HOST_PIN } from '../resilience/support/host-process';
import { until } from '../resilience/support/clients';
import { ROOT } from './config';
import { ensureRenderersBuilt, freePort, writeHubConfigFile } from './hub';
import { alive } from './process';

export { alive };

export const DEMO_BOOTH = 'demo-booth-1';
export const DEMO_PIN = HOST_PIN;

interface Proc { pid: number; ppid: number; pgid: number; comm: string; cmdline: string }

/** Every process on the machine right now (pid, parent, group, name, command line). */
export function processTable(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const m = /^(\d+) \((.*)\) \S (\d+) (\d+)/.exec(stat);
      if (!m) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      out.push({ pid: Number(m[1]), comm: m[2]!, ppid: Number(m[3]), pgid: Number(m[4]), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The processes under `root` (children, grandchildren…). */
export function descendantsOf(root: number, table = processTable()): Proc[] {
  const found: Proc[] = [];
  let frontier = [root];
  while (frontier.length) {
    const next = table.filter((p) => frontier.includes(p.ppid));
    found.push(...next);
    frontier = next.map((p) => p.pid);
  }
  return found;
}

/** Folders named like `pattern` under `dir` (a few levels down). */
function findFolders(dir: string, pattern: RegExp, depth = 3): string[] {
  const out: string[] = [];
  let entries: Dirent[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const path = join(dir, e.name);
    if (pattern.test(e.name)) out.push(path);
    else if (depth > 0) out.push(...findFolders(path, pattern, depth - 1));
  }
  return out;
}

export interface DemoRun {
  readonly child: ChildProcess;
  /** The TMPDIR the demo was given. */
  readonly tmp: string;
  readonly kioskUrl: string;
  readonly hubUrl: string;
  readonly hubPort: number;
  /** Everything the demo printed so far (stdout and stderr). */
  output(): string;
  /** The pid of the demo's hub or host process right now (undefined between a crash and the restart). */
  pidOf(which: 'hub' | 'host'): number | undefined;
  /** Waits for a hub or host process other than `previous` (the supervisor's restart). */
  restarted(which: 'hub' | 'host', previous: number): Promise<number>;
  /** Every process under the demo right now. */
  descendants(): Proc[];
  /** What the demo left in its TMPDIR: our folders (cabine-*), not tsx's cache. */
  leftovers(): string[];
  /** The simulators' pty folders (`cabine-tty-*`) anywhere under the demo's TMPDIR. */
  ptyFolders(): string[];
  /** Ctrl-C (SIGINT; or another signal, e.g. SIGTERM from a service manager), then the demo's exit code. */
  interrupt(signal?: NodeJS.Signals): Promise<number | null>;
  /** The demo's exit code once it has stopped by itself. */
  exited(): Promise<number | null>;
  /** For afterAll: kills whatever is still there and removes the test's folder. */
  dispose(): void;
}

const SCRIPT_OF = { hub: 'src/hub/main.ts', host: 'src/host/main.ts' } as const;

/**
 * Starts the demo (`--no-browser`, no display). `call: true` gives it test
 * configs (cheap hashes, booth PIN {@link DEMO_PIN}, a simulated thermometer
 * on a socat pty, data in the test's folder) so a test can hold a call
 * through it; otherwise it runs with the repository's default configs.
 */
export async function startDemo({ call = false, kioskConfig, waitForUrls = true, env: extraEnv = {} }: {
  call?: boolean;
  /** More environment for the demo (e.g. CABINE_DEMO_TURN_PORT). */
  env?: NodeJS.ProcessEnv;
  /** A kiosk-config of the test's own (raw JSON), instead of the call's or the repository's. */
  kioskConfig?: unknown;
  /** false: return at once (a demo expected to stop by itself); the URLs are then empty. */
  waitForUrls?: boolean;
} = {}): Promise<DemoRun> {
  ensureRenderersBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'cabine-demo-test-'));
  const tmp = join(dir, 'tmp');
  const data = join(dir, 'data');
  mkdirSync(tmp);
  mkdirSync(data);
  const hubPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, CABINE_HUB_PORT: String(hubPort), DISPLAY: '', TMPDIR: tmp, ...extraEnv };
  if (call) {
    env.CABINE_HUB_CONFIG = await writeHubConfigFile(data);
    // The demo points the booth at its own hub, whatever port the file names.
    env.CABINE_CONFIG = writeHostConfig(data, 1, DEMO_BOOTH);
  }
  if (kioskConfig !== undefined) {
    env.CABINE_CONFIG = join(data, 'kiosk-config.json');
    writeFileSync(env.CABINE_CONFIG, JSON.stringify(kioskConfig));
  }
  const child = spawn(process.execPath, ['scripts/demo.mjs', '--no-browser'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => lines.push(l));
  const output = (): string => lines.join('\n');
  const seen = new Set<number>();

  const descendants = (): Proc[] => (child.pid ? descendantsOf(child.pid) : []);
  const pidOf = (which: 'hub' | 'host'): number | undefined => {
    const p = descendants().find((d) => d.ppid === child.pid && d.cmdline.includes(SCRIPT_OF[which]) && alive(d.pid));
    if (p) seen.add(p.pid);
    return p?.pid;
  };
  const dispose = (): void => {
    // Everything we ever saw under the demo, whatever group it is in.
    for (const p of [...(child.pid ? [child.pid] : []), ...descendants().map((d) => d.pid), ...seen]) {
      try {
        process.kill(-p, 'SIGKILL');
      } catch {
        // not a group leader, or gone
      }
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const printed = waitForUrls
      ? await until(() => /Kiosk \(patient screen\):\s+(\S+)[\s\S]*Specialist console:\s+(\S+?)\/?\s/.exec(output()), 'the demo prints its URLs', 90_000)
      : ['', '', ''];
    const exitCode = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return {
      child, tmp, hubPort, output,
      kioskUrl: printed[1]!,
      hubUrl: printed[2]!,
      pidOf,
      restarted: (which, previous) => until(() => {
        const pid = pidOf(which);
        return pid !== undefined && pid !== previous ? pid : undefined;
      }, `the demo restarts its ${which}`, 60_000),
      descendants,
      leftovers: () => readdirSync(tmp).filter((f) => f.startsWith('cabine-')),
      ptyFolders: () => findFolders(tmp, /^cabine-tty-/),
      interrupt: (signal = 'SIGINT') => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exitCode;
      },
      exited: () => exitCode,
      dispose,
    };
  } catch (error) {
    dispose();
    throw new Error(`${(error as Error).message}\n--- demo output ---\n${output()}`);
  }
}
