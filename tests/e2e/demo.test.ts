/**
 * `npm run demo`'s launcher (after bootstrap and build): starts hub and host,
 * the kiosk it prints opens in Chromium on the attract screen, and Ctrl-C
 * stops every child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium';
import { ROOT } from '../helpers/config';
import { ensureKioskBuilt } from '../helpers/kiosk';

let demo: ChildProcess | undefined;

afterAll(() => {
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run demo', () => {
  it('serves the kiosk on its printed URL and stops every child on Ctrl-C', async () => {
    ensureKioskBuilt();
    const hubPort = String(20000 + Math.floor(Math.random() * 20000));
    demo = spawn(process.execPath, ['scripts/demo.mjs', '--no-browser'], {
      cwd: ROOT,
      env: { ...process.env, CABINE_HUB_PORT: hubPort, DISPLAY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    createInterface({ input: demo.stdout! }).on('line', (l) => lines.push(l));
    createInterface({ input: demo.stderr! }).on('line', (l) => lines.push(l));
    await expect.poll(() => lines.join('\n'), { timeout: 60_000 }).toMatch(/Kiosk \(patient screen\):\s+http/);
    const kioskUrl = /Kiosk \(patient screen\):\s+(\S+)/.exec(lines.join('\n'))![1]!;
    expect(lines.join('\n')).toContain(`http://127.0.0.1:${hubPort}/`);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(kioskUrl);
      await expect.poll(() => page.getByTestId('start').textContent()).toContain("Touchez l'écran pour commencer");
      const health = await page.request.get(`http://127.0.0.1:${hubPort}/health`);
      expect(health.ok()).toBe(true);
    } finally {
      await browser.close();
    }

    const childPids = (await import('node:child_process')).execFileSync('pgrep', ['-P', String(demo.pid)], { encoding: 'utf8' })
      .trim().split('\n').map(Number).filter(Boolean);
    expect(childPids.length).toBeGreaterThanOrEqual(2);
    const exited = new Promise<number | null>((r) => demo!.on('exit', (code) => r(code)));
    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const pid of childPids) expect(alive(pid), `child ${pid} still running`).toBe(false);
  }, 120_000);
});
