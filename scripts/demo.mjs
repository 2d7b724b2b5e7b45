#!/usr/bin/env node
/**
 * `npm run demo`: the whole booth on this machine with embedded defaults —
 * the hub (signaling, media, record, console), the booth host (session
 * machine, simulated devices, store) and the kiosk in Chromium app/kiosk mode
 * when a display exists (otherwise the URLs are printed). Ctrl-C stops every
 * child cleanly.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const hubPort = process.env.CABINE_HUB_PORT ?? '8443';
const children = [];
let stopping = false;

function start(name, cmd, args, { onLine } = {}) {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CABINE_HUB_PORT: hubPort } });
  children.push({ name, child });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (onLine?.(line)) return;
      if (process.env.CABINE_DEMO_VERBOSE || /"level":(40|50|60)/.test(line)) process.stderr.write(`[${name}] ${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`[demo] ${name} stopped (${signal ?? code}); stopping the demo.\n`);
      void stop(1);
    }
  });
  return child;
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
  const deadline = Date.now() + 5000;
  while (children.some(({ child }) => child.exitCode === null && child.signalCode === null) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

const tsx = ['--import', 'tsx'];
const hubUrl = await new Promise((resolveUrl) => {
  start('hub', process.execPath, [...tsx, 'src/hub/main.ts', '--port', hubPort], {
    onLine: (line) => (line.startsWith('HUB_URL=') ? (resolveUrl(line.slice(8)), true) : false),
  });
});
const kioskUrl = await new Promise((resolveUrl) => {
  start('host', process.execPath, [...tsx, 'src/host/main.ts', '--config', process.env.CABINE_CONFIG ?? 'kiosk-config/default.json'], {
    onLine: (line) => (line.startsWith('KIOSK_URL=') ? (resolveUrl(line.slice(10)), true) : false),
  });
});

process.stdout.write(`
  Cabine demo is running.
  Kiosk (patient screen):   ${kioskUrl}
  Specialist console:       ${hubUrl}/   (login: dr.martin@cabine.example / consultation-demo)
  Assistant PIN:            1234 (hold the top-left corner of the kiosk for 3 s)
  Press Ctrl-C to stop.
`);

if (process.env.DISPLAY && !process.argv.includes('--no-browser')) {
  const profile = mkdtempSync(join(tmpdir(), 'cabine-kiosk-'));
  start('chromium', process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', [
    `--app=${kioskUrl}`, '--kiosk', '--window-position=0,0', '--window-size=1280,800', `--user-data-dir=${profile}`,
    '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic',
    '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required',
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ...(process.env.CABINE_FAKE_CAMERA ? ['--use-fake-device-for-media-stream'] : []),
  ]);
} else {
  process.stdout.write('  No display: open the kiosk URL above in Chromium (or run under Xvfb with DISPLAY set).\n');
}
