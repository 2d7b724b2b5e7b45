/**
 * Virtual serial ports for simulators, tests and the demo (ENVIRONMENT.md):
 * a socat process linking two ptys, each reachable through a stable symlink
 * (`DIR/ttyA`, `DIR/ttyB`). The simulator writes one end, the driver opens
 * the other with serialport. Killing the pair is an unplug; recreating it at
 * the same paths is a replug.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CabineError } from '../src/shared/errors';

/** A running socat pair. */
export interface VirtualSerialPair {
  /** The simulator's end. */
  readonly a: string;
  /** The driver's end. */
  readonly b: string;
  /** The folder holding both links. */
  readonly dir: string;
  /** socat's process id (for logs). */
  readonly pid: number;
  /** True until {@link kill} (or socat died by itself). */
  readonly alive: boolean;
  /** Unplug: stops socat; both ptys vanish and their links are removed. */
  kill(): Promise<void>;
}

export interface CreatePairOptions {
  /** Folder for the links; a fresh temporary one when absent. */
  dir?: string;
  /** Link names inside `dir` (default `ttyA`, `ttyB`). */
  names?: readonly [string, string];
  /** How long to wait for socat to create both links (default 5 s). */
  readyTimeoutMs?: number;
}

/** socat is missing or did not create its ptys. */
export class VirtualSerialError extends CabineError {
  constructor(detail: string, cause?: unknown) {
    super(
      'VIRTUAL_SERIAL_FAILED',
      {
        fr: 'Impossible de créer le port série virtuel du simulateur : installez socat (apt-get install -y socat).',
        en: 'Could not create the simulator’s virtual serial port: install socat (apt-get install -y socat).',
      },
      { cause, detail },
    );
  }
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // NOTE: socat outlives a crashed Node parent; kill ours on the way out.
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** A fresh temporary folder for links (remove it with {@link removeDir}). */
export function makeTempDir(prefix = 'cabine-tty-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Starts socat and resolves once both links exist. */
export async function createPair(options: CreatePairOptions = {}): Promise<VirtualSerialPair> {
  const dir = options.dir ?? makeTempDir();
  const [nameA, nameB] = options.names ?? ['ttyA', 'ttyB'];
  const a = join(dir, nameA);
  const b = join(dir, nameB);
  installExitHook();
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  let alive = true;
  let stderr = '';
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      alive = false;
      live.delete(child);
      resolve();
    });
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });

  await new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 5000);
    child.once('error', (error) => reject(new VirtualSerialError(`socat could not start: ${error.message}`, error)));
    const check = (): void => {
      // socat logs "starting data transfer loop" once both ptys are open.
      if (existsSync(a) && existsSync(b) && stderr.includes('starting data transfer loop')) return resolve();
      if (!alive) return reject(new VirtualSerialError(`socat exited: ${stderr.trim()}`));
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        return reject(new VirtualSerialError(`socat did not create ${a} and ${b} in time`));
      }
      setTimeout(check, 10);
    };
    check();
  });

  return {
    a,
    b,
    dir,
    pid: child.pid ?? -1,
    get alive() {
      return alive;
    },
    async kill() {
      if (alive) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Replug: a new pair at the same paths as `pair` (killed first if still alive). */
export async function recreatePair(pair: VirtualSerialPair, options: Omit<CreatePairOptions, 'dir' | 'names'> = {}): Promise<VirtualSerialPair> {
  await pair.kill();
  const names = [pair.a.slice(pair.dir.length + 1), pair.b.slice(pair.dir.length + 1)] as const;
  return createPair({ ...options, dir: pair.dir, names });
}
