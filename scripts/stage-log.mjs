/**
 * One line per stage of a long set-up (apt, npm ci, the mediasoup worker
 * build) with its elapsed time, printed even under `--quiet`: `npm test` on a
 * fresh machine otherwise says nothing for minutes and looks hung. A stage
 * that runs asynchronously also prints a heartbeat (every 30 s by default)
 * while it lasts. Dependency-free: the bootstrap loads it before `npm ci`.
 * The clock and the timer are injected so the lines can be tested without
 * waiting or building anything.
 */

/** "850 ms", "42 s", "4 min 07 s". */
export function formatDuration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * @param {{
 *   write: (line: string) => void,
 *   prefix?: string,
 *   now?: () => number,
 *   setInterval?: (fn: () => void, ms: number) => unknown,
 *   clearInterval?: (handle: unknown) => void,
 *   heartbeatMs?: number,
 * }} options
 */
export function createStageLog({
  write,
  prefix = '[bootstrap]',
  now = Date.now,
  setInterval: every = (fn, ms) => {
    const t = setInterval(fn, ms);
    // A heartbeat never keeps the process alive by itself.
    t.unref?.();
    return t;
  },
  clearInterval: stopEvery = (t) => clearInterval(/** @type {NodeJS.Timeout} */ (t)),
  heartbeatMs = 30_000,
}) {
  /**
   * Announces a stage; the returned handle ends it. Works around synchronous
   * work too (apt, npm ci run through spawnSync: no heartbeat can fire while
   * they block, so their start line says what is running).
   * @param {string} name
   */
  function begin(name) {
    const started = now();
    const elapsed = () => formatDuration(now() - started);
    write(`${prefix} ${name}...`);
    const timer = every(() => write(`${prefix} ${name}: still running (${elapsed()})`), heartbeatMs);
    let open = true;
    const close = (line) => {
      if (!open) return;
      open = false;
      stopEvery(timer);
      write(line);
    };
    return {
      end: () => close(`${prefix} ${name}: done in ${elapsed()}`),
      fail: () => close(`${prefix} ${name}: FAILED after ${elapsed()}`),
    };
  }

  /**
   * Runs `fn` as one stage: a start line, a heartbeat while it lasts, an end
   * line with the elapsed time (or a failure line, and the error rethrown).
   * @template T
   * @param {string} name
   * @param {() => T | Promise<T>} fn
   * @returns {Promise<T>}
   */
  async function run(name, fn) {
    const stage = begin(name);
    try {
      const result = await fn();
      stage.end();
      return result;
    } catch (error) {
      stage.fail();
      throw error;
    }
  }

  return { begin, run };
}
