import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, rawDefaultConfig } from '../helpers/config';
import { freePort } from '../helpers/hub';
import { KioskClient } from '../resilience/support/clients';
import { exited, killGroup, startHostProcess, writeHostConfig } from '../resilience/support/host-process';

function runHost(config: string): { status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-host-'));
  const file = join(dir, 'booth.json');
  writeFileSync(file, config);
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/host/main.ts', '--config', file], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stderr: r.stderr.replace(file, '<file>') };
}

describe('host start-up with a malformed kiosk-config', () => {
  it('stops with exit code 2 and names the file and the field', () => {
    const raw = rawDefaultConfig();
    delete (raw.hub as Record<string, unknown>).url;
    const r = runHost(JSON.stringify(raw));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('<file>');
    expect(r.stderr).toMatch(/hub\.url: expected string \(missing\)/);
  });

  it("stops with exit code 2 and names the media role of a camera selector it cannot use", () => {
    const r = runHost(JSON.stringify({ ...rawDefaultConfig(), media: { dermatoscope: { usb: '0c45-6366' } } }));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('<file>');
    expect(r.stderr).toMatch(/media\.dermatoscope\.usb: a USB id "vendor:product"/);
  });

  it('stops with exit code 2 on invalid JSON', () => {
    const r = runHost('{ not json');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/valid JSON/);
  });
});

describe('host started again by a supervisor (the demo launcher)', () => {
  it('serves the kiosk on the port and launch secret it is given, so an open kiosk page finds a restarted host at the same address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cabine-host-'));
    const configFile = writeHostConfig(dir, await freePort());
    const port = await freePort();
    const secret = 'a-launch-secret-kept-across-restarts_0123';
    const started = await startHostProcess(configFile, { args: ['--port', String(port)], env: { CABINE_KIOSK_SECRET: secret } });
    try {
      expect(started.kioskUrl).toBe(`http://127.0.0.1:${port}/#secret=${secret}`);
      const kiosk = await KioskClient.connect(started.kioskUrl);
      expect(await kiosk.state()).toBe('attract');
      kiosk.close();
    } finally {
      killGroup(started.child, 'SIGKILL');
      await exited(started.child);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a launch secret the kiosk page could not carry, with exit code 2 and what to fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cabine-host-'));
    const file = join(dir, 'booth.json');
    writeFileSync(file, JSON.stringify(rawDefaultConfig()));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/host/main.ts', '--config', file], {
      cwd: ROOT, encoding: 'utf8', timeout: 20_000, env: { ...process.env, CABINE_KIOSK_SECRET: 'short#1' },
    });
    rmSync(dir, { recursive: true, force: true });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/CABINE_KIOSK_SECRET/);
    expect(r.stderr).not.toContain('short#1');
  });
});
