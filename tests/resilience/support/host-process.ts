/**
 * The booth's host as its own process (src/host/main.ts, the host CLI) in
 * its own process group, so a test can kill it and everything it started
 * (socat, simulators) at once — as a power cut would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, rawDefaultConfig } from '../../helpers/config';
import { BOOTH_SECRETS } from '../../helpers/hub';
import { cheapPinHash } from './clients';

export const HOST_PIN = '482193';

/** A kiosk-config for `boothId` with a simulated thermometer, its store in `dir`, talking to the hub at `hubPort`. */
export function writeHostConfig(dir: string, hubPort: number, boothId: keyof typeof BOOTH_SECRETS = 'demo-booth-1'): string {
  const file = join(dir, 'booth.json');
  writeFileSync(file, JSON.stringify({
    ...rawDefaultConfig(),
    boothId,
    hub: { url: `ws://127.0.0.1:${hubPort}/booth`, token: BOOTH_SECRETS[boothId] },
    devices: [{ id: 'thermometer-1', kind: 'thermometer', label: 'Thermomètre', connection: { type: 'simulated', scenario: 'normal' } }],
    assistant: { pinHash: cheapPinHash(HOST_PIN), maxTries: 5, lockoutMinutes: 5 },
    store: { path: join(dir, 'booth', 'booth.db'), keyFile: join(dir, 'booth', 'booth.key'), retentionDays: 30 },
  }));
  return file;
}

/** Starts the host CLI (with extra `args` and `env`); resolves with its kiosk URL once it printed it. */
export function startHostProcess(configFile: string, extra: { args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<{ child: ChildProcess; kioskUrl: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/host/main.ts', '--config', configFile, ...(extra.args ?? [])], {
      cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...extra.env },
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /KIOSK_URL=(\S+)/.exec(out);
      if (m) resolve({ child, kioskUrl: m[1]! });
    });
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code, signal) => reject(new Error(`host exited early (${code ?? signal}): ${err.slice(-2000)}`)));
  });
}

/** Signals the host's whole process group (SIGKILL: the power goes). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Resolves once the process has exited. */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}
