import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, rawDefaultConfig } from '../helpers/config';

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

  it('stops with exit code 2 on invalid JSON', () => {
    const r = runHost('{ not json');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/valid JSON/);
  });
});
