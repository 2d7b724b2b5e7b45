/** Helpers for driver tests (not a test file). */
import type { Driver, DriverReading } from '../../../../devices/contracts';
import type { DeviceState } from '../../../../src/shared/domain';
import type { DeviceError } from '../../../../devices/contracts';

export const FAST = { backoffInitialMs: 20, backoffMaxMs: 100, helloTimeoutMs: 600, measureTimeoutMs: 400, idleFlushMs: 20 };

/** Records everything a driver emits. */
export function record(driver: Driver) {
  const states: DeviceState[] = [];
  const readings: DriverReading[] = [];
  const errors: DeviceError[] = [];
  driver.on('status', (s) => states.push(s.state));
  driver.on('reading', (r) => readings.push(r));
  driver.on('error', (e) => errors.push(e));
  return { states, readings, errors };
}

/** Polls `check` until it returns a value (bounded; fails the test on expiry). */
export async function until<T>(check: () => T | undefined | false, what: string, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
