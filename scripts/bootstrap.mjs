#!/usr/bin/env node
/**
 * The project's own installer, run first by `npm test`, `npm run demo` and
 * `.ci/run`. Dependency-free (node: builtins only) because it runs before
 * `npm ci`. On a fresh Debian 12 machine it installs the apt packages we
 * need, builds native modules against the running Node's own headers (no
 * header download), runs `npm ci` when node_modules is missing or stale, and
 * builds the mediasoup worker once (cached under ~/.cache). With nothing to
 * do it returns in well under a second.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createStageLog } from './stage-log.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const quiet = process.argv.includes('--quiet');
const log = (msg) => { if (!quiet) process.stderr.write(`[bootstrap] ${msg}\n`); };
// Stage lines are printed even under --quiet: a stage that runs takes minutes
// on a fresh machine, and silence that long looks like a hang.
const stages = createStageLog({ write: (line) => process.stderr.write(`${line}\n`) });

/**
 * Debian packages the project needs at build, test or run time.
 * NOTE: the mediasoup worker's own build packages are listed in
 * scripts/build-mediasoup-worker.mjs, which installs them itself.
 */
export const APT_PACKAGES = [
  'python3', 'make', 'g++',         // node-gyp: better-sqlite3, serialport, node-hid
  'libusb-1.0-0', 'libudev1', 'udev', // node-hid at run time; udevadm for SerialPort.list()
  'socat',                          // virtual serial ports for simulators and tests
  'chromium',                       // the kiosk in app mode, e2e tests, WebRTC
  'fonts-dejavu-core',              // legible glyphs with accents in headless Chromium
  'espeak-ng', 'sox',               // pre-rendered spoken guidance
  'xvfb', 'xauth',                  // a real window for screenshots and the demo without a display
  'poppler-utils',                  // pdftoppm: look at generated PDFs in tests
  'coturn',                         // TURN over TLS for restrictive networks: the demo and the tests start their own
  'libnss3-tools',                  // certutil: a test browser trusts the test TURN certificate the way Chromium does
  'postgresql-15',                  // the hub's record and live state for a network of booths: tests start throw-away clusters
];

function missingAptPackages(packages) {
  const out = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\n', ...packages], { encoding: 'utf8' });
  if (out.error) return []; // not a Debian machine: nothing we can check
  const installed = new Set(
    out.stdout.split('\n').filter((l) => /\sii\s*$/.test(l)).map((l) => l.split(' ')[0].split(':')[0]),
  );
  return packages.filter((p) => !installed.has(p));
}

let aptUpdated = false;
/** Installs missing Debian packages as root; otherwise prints the exact command and stops. */
export function ensureAptPackages(packages, { extraArgs = [] } = {}) {
  const missing = missingAptPackages(packages);
  if (missing.length === 0) return;
  const line = `apt-get install -y --no-install-recommends ${extraArgs.join(' ')} ${missing.join(' ')}`.replace(/\s+/g, ' ');
  if (process.getuid?.() !== 0) {
    process.stderr.write(`[bootstrap] missing system packages. Run as root:\n  sudo apt-get update && sudo ${line}\n`);
    process.exit(1);
  }
  const stage = stages.begin(`apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    run('apt-get', ['update', '-qq'], { env }, stage);
    aptUpdated = true;
  }
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...extraArgs, ...missing], { env }, stage);
  stage.end();
}

function run(cmd, args, opts = {}, stage = undefined) {
  const r = spawnSync(cmd, args, { stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    stage?.fail();
    process.stderr.write(`[bootstrap] failed: ${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})\n`);
    process.exit(1);
  }
}

/** Node's own headers ship with it: build native modules against them, offline. */
export function nodeHeadersDir() {
  return resolve(dirname(process.execPath), '..');
}

function npmCiNeeded() {
  const marker = join(root, 'node_modules/.package-lock.json');
  if (!existsSync(marker)) return true;
  return statSync(marker).mtimeMs < statSync(join(root, 'package-lock.json')).mtimeMs;
}

export async function bootstrap() {
  ensureAptPackages(APT_PACKAGES);
  process.env.npm_config_nodedir = nodeHeadersDir();
  if (npmCiNeeded()) {
    const stage = stages.begin('npm ci (installing npm packages)');
    run('npm', ['ci', '--no-audit', '--no-fund'], { env: { ...process.env, npm_config_nodedir: nodeHeadersDir() } }, stage);
    stage.end();
  }
  const worker = join(root, 'scripts/build-mediasoup-worker.mjs');
  if (existsSync(worker)) {
    const { ensureMediasoupWorker } = await import(pathToFileURL(worker).href);
    await ensureMediasoupWorker({ log, ensureAptPackages, stages });
  }
  log(`ready in ${Date.now() - started} ms`);
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  await bootstrap();
}
