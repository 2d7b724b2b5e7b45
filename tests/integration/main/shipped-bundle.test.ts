/**
 * The main process as it ships: `dist/main/main.cjs`, built by the project's
 * own build, run under plain Node with only Electron's API replaced
 * (src/main/electron-stand-in.cjs). Every test elsewhere runs the sources
 * through tsx, which hid a bundle that could not load node-hid.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../../src/shared/domain';
import { rawDefaultConfig, ROOT } from '../../helpers/config';

const BUNDLE = join(ROOT, 'dist/main/main.cjs');
const STAND_IN = join(ROOT, 'src/main/electron-stand-in.cjs');

interface Reply { ok: boolean; result?: unknown; error?: { code: string; message: string } }
type Message = { type: 'event'; name: string; data: unknown } | { type: 'reply'; id: number; reply: Reply };

let dir: string;
let child: ChildProcess;
const statuses: DeviceStatus[] = [];
const waiters: (() => void)[] = [];
const replies = new Map<number, (r: Reply) => void>();
let nextId = 1;
/** What the bundle printed (its log), shown when a wait times out. */
let output = '';

function until<T>(probe: () => T | undefined, what: string, ms = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; bundle output:\n${output.slice(-2000)}`)), ms);
    const check = (): void => {
      const value = probe();
      if (value === undefined) return void waiters.push(check);
      clearTimeout(timer);
      resolve(value);
    };
    check();
  });
}

function invoke(method: string, params: unknown = {}): Promise<Reply> {
  const id = nextId++;
  return new Promise((resolve) => {
    replies.set(id, resolve);
    child.send({ type: 'invoke', id, method, params });
  });
}

beforeAll(() => {
  const build = spawnSync(process.execPath, ['scripts/build.mjs', 'electron'], { cwd: ROOT, encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);

  dir = mkdtempSync(join(tmpdir(), 'cabine-bundle-'));
  const config = {
    ...rawDefaultConfig(),
    // Nothing listens there: the host keeps retrying its hub link, which this test does not need.
    hub: { url: 'ws://127.0.0.1:9/booth', token: 'bundle-test-booth-secret-0000000000' },
    devices: [
      // Serial through the real serialport binding, on a socat pty.
      { id: 'thermometer-1', kind: 'thermometer', connection: { type: 'simulated', scenario: 'normal' } },
      // The real node-hid binding: no HID device exists on build machines, so it enumerates an empty bus.
      { id: 'oximeter-1', kind: 'oximeter', connection: { type: 'hid', vendorId: '0x1209', productId: '0x0001' } },
    ],
    store: { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 },
  };
  writeFileSync(join(dir, 'kiosk.json'), JSON.stringify(config));

  child = fork(BUNDLE, [], {
    cwd: dir,
    execArgv: ['--require', STAND_IN],
    env: { ...process.env, CABINE_CONFIG: join(dir, 'kiosk.json'), CABINE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.on('message', (m: Message) => {
    if (m.type === 'reply') replies.get(m.id)?.(m.reply);
    if (m.type === 'event' && m.name === 'deviceStatus') statuses.push(m.data as DeviceStatus);
    for (const waiter of waiters.splice(0)) waiter();
  });
});

afterAll(async () => {
  if (child?.exitCode === null && child.connected) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send({ type: 'quit' });
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  }
  // The host's socat children live in the bundle's process group.
  if (child?.pid) {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the shipped main-process bundle (dist/main/main.cjs)', () => {
  it('starts the host and answers KioskApi over its IPC handler', async () => {
    const snapshot = await invoke('getSnapshot');
    expect(snapshot.ok, JSON.stringify(snapshot.error)).toBe(true);
    expect(snapshot.result).toMatchObject({ state: expect.stringMatching(/attract/) });
  });

  it('loads node-hid through its own require and enumerates the bus without error', async () => {
    const oximeter = await until(
      () => statuses.find((s) => s.deviceId === 'oximeter-1' && s.error !== undefined),
      'the oximeter to report what enumeration found',
    );
    // An empty bus is "not plugged in"; a binding that cannot load would be DRIVER_UNAVAILABLE.
    expect(oximeter.error?.code).toBe('PORT_NOT_FOUND');
    expect(statuses.filter((s) => s.error?.code === 'DRIVER_UNAVAILABLE')).toEqual([]);
  });

  it('loads the serial binding through its own require and reads the thermometer on a pty', async () => {
    const ready = await until(() => statuses.find((s) => s.deviceId === 'thermometer-1' && s.state === 'ready'), 'the thermometer to be ready');
    expect(ready.info?.model).toBeTruthy();
  });

  it('quits only once the host has stopped: the store is closed and checkpointed, the simulators are gone', async () => {
    const socat = (): number[] => {
      const out = spawnSync('pgrep', ['-g', String(child.pid), 'socat'], { encoding: 'utf8' });
      return out.stdout.split('\n').filter(Boolean).map(Number);
    };
    expect(socat().length, "the thermometer's socat").toBeGreaterThan(0);
    expect(existsSync(join(dir, 'booth.db-wal')), 'the store is open (WAL)').toBe(true);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.send({ type: 'quit' });
    expect(await exited).toBe(0);
    expect(existsSync(join(dir, 'booth.db-wal')), 'the WAL is checkpointed and removed on close').toBe(false);
    await expect.poll(socat, { timeout: 5_000 }).toEqual([]);
  });
});
