/**
 * `npm test` leaves the work tree clean: e2e tests write their screenshots to
 * a folder git ignores, and only `npm run screens` (scripts/screens.mjs)
 * refreshes the README's pictures in docs/screens, on purpose.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ROOT } from '../../helpers/config';

async function screensDir(): Promise<string> {
  vi.resetModules();
  return (await import('../../helpers/screens')).screenPath('kiosk-attract.png');
}

function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : testSources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

afterEach(() => vi.unstubAllEnvs());

describe('screenshots', () => {
  it('go to a folder git ignores during a test run', async () => {
    vi.stubEnv('CABINE_SCREENS_DIR', undefined);
    const path = relative(ROOT, await screensDir());
    expect(path).not.toMatch(/^docs\//);
    expect(() => execFileSync('git', ['check-ignore', '--no-index', '-q', path], { cwd: ROOT })).not.toThrow();
  });

  it('go to docs/screens when npm run screens asks for them', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.screens).toContain('scripts/screens.mjs');
    expect(readFileSync(join(ROOT, 'scripts/screens.mjs'), 'utf8')).toContain("CABINE_SCREENS_DIR: 'docs/screens'");
    vi.stubEnv('CABINE_SCREENS_DIR', 'docs/screens');
    expect(relative(ROOT, await screensDir())).toBe(join('docs', 'screens', 'kiosk-attract.png'));
  });

  it('are never written to docs/screens by a test itself', () => {
    const writers = testSources(join(ROOT, 'tests')).filter((f) => /docs\/screens/.test(readFileSync(f, 'utf8')) && !f.endsWith(join('unit', 'scripts', 'screens.test.ts')));
    expect(writers.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
