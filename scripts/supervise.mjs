/**
 * Supervision for `npm run demo` (the demo must behave as a booth does),
 * shaped like systemd's
 * `Restart=always` on a booth: a child that stops is started again after a
 * delay that grows with each quick failure (`RestartSec` with a backoff), the
 * count resets once a child has run a while, and after too many quick
 * failures in a row (`StartLimitBurst`) the supervisor gives up with a
 * message that says why. A child that refuses its configuration (exit code 2,
 * as the hub and host CLIs do) is not restarted: starting it again cannot help.
 *
 * Each child runs in its own process group (like a systemd unit's cgroup):
 * when it dies, even by SIGKILL, whatever it started (the host's socat
 * processes, the hub's mediasoup workers) is killed with the group, so
 * nothing is left orphaned. Node cannot reach prctl(PR_SET_PDEATHSIG), so the
 * supervisor does it. Dependency-free (node: builtins only).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The demo's policy. systemd's default RestartSec is 100 ms; StartLimitBurst 5. */
export const DEMO_RESTART_POLICY = Object.freeze({
  firstDelayMs: 100,
  factor: 2,
  maxDelayMs: 10_000,
  /** A child that ran this long before stopping starts the count afresh. */
  stableAfterMs: 30_000,
  /** Quick failures in a row after which the supervisor gives up. */
  maxQuickFailures: 5,
});

/** Exit codes after which a restart cannot help (the CLIs exit 2 on a bad configuration). */
export const NO_RESTART_EXIT_CODES = Object.freeze([2]);

/**
 * The restart decision alone (pure; tested with made-up run times).
 * @param {typeof DEMO_RESTART_POLICY} [policy]
 */
export function createRestartPolicy(policy = DEMO_RESTART_POLICY) {
  let quick = 0;
  return {
    /**
     * The child stopped after running `ranForMs`.
     * @param {number} ranForMs
     * @returns {{ restart: true, delayMs: number, failures: number } | { restart: false, failures: number }}
     */
    onExit(ranForMs) {
      if (ranForMs >= policy.stableAfterMs) quick = 0;
      quick += 1;
      if (quick > policy.maxQuickFailures) return { restart: false, failures: quick };
      return { restart: true, delayMs: Math.min(policy.maxDelayMs, policy.firstDelayMs * policy.factor ** (quick - 1)), failures: quick };
    },
  };
}

/** "0.1 s", "12 s", "2 min 05 s". */
export function formatSeconds(ms) {
  if (ms < 10_000) return `${Math.round(ms / 100) / 10} s`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/**
 * Starts `command` in its own process group and keeps it running.
 *
 * @param {{
 *   name: string,
 *   command: string,
 *   args: () => string[],
 *   env?: () => NodeJS.ProcessEnv,
 *   cwd?: string,
 *   restart?: boolean,
 *   policy?: typeof DEMO_RESTART_POLICY,
 *   report: (message: string) => void,
 *   onLine?: (line: string) => void,
 *   onStopped?: () => void,
 *   onGiveUp?: (why: string) => void,
 *   stopGraceMs?: number,
 * }} options
 *   `args`/`env` are read at each start (a restart may pass what the first run printed).
 *   `onStopped` runs after each stop of the child, its group killed (clean its temporary files there).
 *   `onGiveUp` runs when the child will not be started again (the why is already reported).
 */
export function superviseChild(options) {
  const { name, report } = options;
  const limits = options.policy ?? DEMO_RESTART_POLICY;
  const policy = createRestartPolicy(limits);
  const stopGraceMs = options.stopGraceMs ?? 5000;
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  let stopping = false;
  /** @type {NodeJS.Timeout | undefined} */
  let restartTimer;
  /** @type {Promise<void>} */
  let exited = Promise.resolve();
  let starts = 0;
  const tail = [];

  const start = () => {
    restartTimer = undefined;
    if (stopping) return;
    starts += 1;
    const startedAt = Date.now();
    const proc = spawn(options.command, options.args(), {
      cwd: options.cwd,
      env: options.env ? options.env() : process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: see the header.
      detached: true,
    });
    child = proc;
    if (starts > 1) report(`${name} restarted (pid ${proc.pid ?? '?'})`);
    for (const stream of [proc.stdout, proc.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        options.onLine?.(line);
      });
    }
    let done = false;
    exited = new Promise((resolveExit) => {
      const onEnd = (code, signal, error) => {
        if (done) return;
        done = true;
        // Whatever the child started dies with it (socat, mediasoup workers).
        if (proc.pid) signalGroup(proc.pid, 'SIGKILL');
        options.onStopped?.();
        resolveExit();
        if (stopping) return;
        const ranFor = Date.now() - startedAt;
        const how = error ? `could not start (${error.message})` : `stopped (${signal ?? `exit code ${code}`}) after ${formatSeconds(ranFor)}`;
        if (options.restart === false) {
          report(`${name} ${how}.`);
          options.onGiveUp?.(`${name} ${how}`);
          return;
        }
        if (error || NO_RESTART_EXIT_CODES.includes(code)) {
          const why = `${name} ${how}: not restarted, starting it again cannot help.${lastLines()}`;
          report(why);
          options.onGiveUp?.(why);
          return;
        }
        const next = policy.onExit(ranFor);
        if (!next.restart) {
          const why = `${name} ${how}; it stopped ${next.failures} times in a row within ${formatSeconds(limits.stableAfterMs)} of starting: giving up.${lastLines()}`;
          report(why);
          options.onGiveUp?.(why);
          return;
        }
        report(`${name} ${how}; restarting in ${formatSeconds(next.delayMs)} (quick failure ${next.failures} of ${limits.maxQuickFailures}).`);
        restartTimer = setTimeout(start, next.delayMs);
      };
      proc.once('exit', (code, signal) => onEnd(code, signal));
      proc.once('error', (error) => onEnd(null, null, error));
    });
  };

  const lastLines = () => (tail.length ? `\n  Its last lines:\n    ${tail.slice(-10).join('\n    ')}` : '');
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null && child.pid !== undefined;

  start();
  return {
    get pid() {
      return child?.pid;
    },
    /**
     * Stops for good: SIGTERM to the child (it closes cleanly), SIGKILL to its
     * whole group after `stopGraceMs` or once it has exited (leftovers).
     */
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      restartTimer = undefined;
      if (!alive()) return exited;
      const pid = /** @type {number} */ (child?.pid);
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // exited meanwhile
      }
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), stopGraceMs);
      await exited;
      clearTimeout(timer);
    },
    /** Last resort, synchronous (process 'exit'): SIGKILL to the whole group. */
    killNow() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      if (child?.pid) signalGroup(child.pid, 'SIGKILL');
    },
  };
}
