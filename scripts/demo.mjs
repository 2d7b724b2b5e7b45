#!/usr/bin/env node
/**
 * `npm run demo`: the whole booth on this machine with embedded defaults —
 * the hub (signaling, media, record, console), the booth host (session
 * machine, simulated devices, store) and the kiosk in Chromium app/kiosk mode
 * when a display exists (otherwise the URLs are printed).
 *
 * The hub and the host are supervised as a booth's systemd would
 * (scripts/supervise.mjs): one that stops is started again with a growing
 * delay, and the demo gives up with a message after too many quick failures.
 * The host comes back on the same port with the same launch secret, so the
 * open kiosk page reconnects by itself; the hub on the same port and data, so
 * the booth and the console reconnect and a call resumes. Each child runs in
 * its own process group, killed whole when the child stops (the host's socat
 * processes die with it, even after a SIGKILL). Everything temporary lives
 * in one folder of the demo's, removed on every way out: Ctrl-C, SIGTERM, a
 * child that cannot be restarted, an exception.
 *
 * Environment: CABINE_HUB_PORT (8443), CABINE_CONFIG (kiosk-config),
 * CABINE_HUB_CONFIG (hub-config), CABINE_DEMO_VERBOSE (every log line),
 * CABINE_DEMO_TURN_PORT (also run coturn, TURN over TLS on that loopback
 * port, and give the hub its `turn` section: see docs/media.md).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { superviseChild } from './supervise.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const hubPort = process.env.CABINE_HUB_PORT ?? '8443';
const say = (message) => process.stderr.write(`[demo] ${message}\n`);

// ---------------------------------------------------------------------------
// The demo's temporary folder and its ways out
// ---------------------------------------------------------------------------

const demoRoot = mkdtempSync(join(tmpdir(), 'cabine-demo-'));
/** The host's TMPDIR: its simulators' pty folders (cabine-tty-*) land here. */
const hostTmp = join(demoRoot, 'host-tmp');
mkdirSync(hostTmp);
const removeDemoRoot = () => rmSync(demoRoot, { recursive: true, force: true });
/** @type {ReturnType<typeof superviseChild>[]} */
const children = [];
let exiting = false;

async function shutdown(code, why) {
  if (exiting) return;
  exiting = true;
  if (why) say(why);
  await Promise.all(children.map((c) => c.stop()));
  removeDemoRoot();
  process.exit(code);
}
// Last resort on any exit, including process.exit() from elsewhere: synchronous.
process.on('exit', () => {
  for (const c of children) c.killNow();
  removeDemoRoot();
});
process.on('SIGINT', () => {
  // A second Ctrl-C does not wait for clean stops.
  if (exiting) process.exit(130);
  void shutdown(0);
});
process.on('SIGTERM', () => void shutdown(0));
// The children are in their own process groups: a closed terminal's SIGHUP reaches only us.
process.on('SIGHUP', () => void shutdown(0));
process.on('uncaughtException', (error) => void shutdown(1, `unexpected error, stopping the demo: ${error.stack ?? error}`));
process.on('unhandledRejection', (error) => void shutdown(1, `unexpected error, stopping the demo: ${error?.stack ?? error}`));

/** The children's log lines: warnings and errors only, unless CABINE_DEMO_VERBOSE. */
const show = (name) => (line) => {
  if (process.env.CABINE_DEMO_VERBOSE || /"level":(40|50|60)/.test(line)) process.stderr.write(`[${name}] ${line}\n`);
};

function supervise(name, options) {
  const child = superviseChild({
    name,
    cwd: root,
    command: process.execPath,
    report: say,
    onGiveUp: (why) => void shutdown(1, `stopping the demo: ${why.split('\n')[0]}`),
    ...options,
  });
  children.push(child);
  return child;
}

const tsx = ['--import', 'tsx'];

// ---------------------------------------------------------------------------
// TURN over TLS (opt-in): coturn on loopback, a certificate made here, the hub told
// ---------------------------------------------------------------------------

/**
 * Starts coturn (TLS only, on 127.0.0.1:`port`, the REST API's shared secret)
 * and returns a hub config file: the demo's own with a `turn` section naming
 * it. The certificate is self-signed: a browser uses this relay only once it
 * trusts it (on loopback the call never needs it); production takes a
 * certificate from a public authority (docs/media.md).
 */
function startTurn(port) {
  if (spawnSync('turnserver', ['-h'], { stdio: 'ignore' }).error) {
    say('CABINE_DEMO_TURN_PORT is set but coturn is not installed: apt-get install coturn');
    process.exit(1);
  }
  const dir = join(demoRoot, 'turn');
  mkdirSync(dir, { mode: 0o700 });
  const cert = join(dir, 'turn.pem');
  const key = join(dir, 'turn.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=Cabine demo TURN', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-addext', 'extendedKeyUsage=serverAuth'], { stdio: 'ignore' });
  const secret = randomBytes(32).toString('hex');
  supervise('coturn', {
    command: 'turnserver',
    args: () => [
      '-n', '--listening-ip', '127.0.0.1', '--relay-ip', '127.0.0.1', '--tls-listening-port', String(port), '--listening-port', String(Number(port) + 1),
      '--no-udp', '--no-tcp', '--no-dtls', '--no-tlsv1', '--no-tlsv1_1', '--cert', cert, '--pkey', key,
      '--use-auth-secret', '--static-auth-secret', secret, '--realm', 'cabine.demo', '--allow-loopback-peers',
      '--fingerprint', '--no-cli', '--no-software-attribute', '--userdb', join(dir, 'turndb'), '--pidfile', join(dir, 'turnserver.pid'),
      '--log-file', 'stdout', '--simple-log',
    ],
    onLine: (line) => { if (process.env.CABINE_DEMO_VERBOSE || /error/i.test(line)) process.stderr.write(`[coturn] ${line}\n`); },
  });
  const source = resolve(root, process.env.CABINE_HUB_CONFIG ?? 'hub-config/default.json');
  const config = JSON.parse(readFileSync(source, 'utf8'));
  // The doctors' photos are named relative to the config file: the derived file lives elsewhere.
  for (const s of config.specialists ?? []) if (typeof s.photo === 'string') s.photo = resolve(dirname(source), s.photo);
  const file = join(dir, 'hub-config.json');
  writeFileSync(file, JSON.stringify({ ...config, turn: { urls: [`turns:127.0.0.1:${port}?transport=tcp`], secret, ttlSeconds: 3600 } }), { mode: 0o600 });
  say(`TURN over TLS on 127.0.0.1:${port} (coturn; self-signed certificate ${cert})`);
  return file;
}

const turnPort = process.env.CABINE_DEMO_TURN_PORT;
const hubConfig = turnPort ? startTurn(turnPort) : process.env.CABINE_HUB_CONFIG;

// ---------------------------------------------------------------------------
// Hub
// ---------------------------------------------------------------------------

const hubUrl = await new Promise((resolveUrl) => {
  const log = show('hub');
  supervise('hub', {
    args: () => [...tsx, 'src/hub/main.ts', '--port', hubPort, ...(hubConfig ? ['--config', hubConfig] : [])],
    env: () => ({ ...process.env, CABINE_HUB_PORT: hubPort }),
    onLine: (line) => (line.startsWith('HUB_URL=') ? resolveUrl(line.slice(8)) : log(line)),
  });
});

// ---------------------------------------------------------------------------
// Host
// ---------------------------------------------------------------------------

/** The booth talks to this demo's hub, whatever port its kiosk-config names. */
function kioskConfigFile() {
  const file = process.env.CABINE_CONFIG ?? 'kiosk-config/default.json';
  let config;
  try {
    config = JSON.parse(readFileSync(resolve(root, file), 'utf8'));
  } catch {
    return file; // the host says what is wrong with it (exit code 2, not restarted)
  }
  const derived = join(demoRoot, 'kiosk-config.json');
  writeFileSync(derived, JSON.stringify({ ...config, hub: { ...config.hub, url: `ws://127.0.0.1:${hubPort}/booth` } }));
  return derived;
}
const hostConfig = kioskConfigFile();
/** Kept across restarts so the open kiosk page finds the new host where the old one was. */
const kioskSecret = randomBytes(24).toString('base64url');
let kioskPort;

const kioskUrl = await new Promise((resolveUrl) => {
  const log = show('host');
  supervise('host', {
    args: () => [...tsx, 'src/host/main.ts', '--config', hostConfig, ...(kioskPort ? ['--port', kioskPort] : [])],
    env: () => ({ ...process.env, CABINE_HUB_PORT: hubPort, CABINE_KIOSK_SECRET: kioskSecret, TMPDIR: hostTmp }),
    onLine: (line) => {
      if (!line.startsWith('KIOSK_URL=')) return log(line);
      const url = line.slice(10);
      kioskPort ??= new URL(url).port;
      resolveUrl(url);
    },
    onGiveUp: (why) => {
      if (hostConfig !== (process.env.CABINE_CONFIG ?? 'kiosk-config/default.json')) {
        say(`the booth's configuration is ${process.env.CABINE_CONFIG ?? 'kiosk-config/default.json'} (its hub.url pointed at this demo's hub).`);
      }
      void shutdown(1, `stopping the demo: ${why.split('\n')[0]}`);
    },
    // A host killed hard leaves its simulators' pty folders: the next one makes new ones.
    onStopped: () => {
      let entries = [];
      try {
        entries = readdirSync(hostTmp);
      } catch {
        return; // the demo's folder is already gone (on the way out)
      }
      for (const entry of entries) if (entry.startsWith('cabine-tty-')) rmSync(join(hostTmp, entry), { recursive: true, force: true });
    },
  });
});

process.stdout.write(`
  Cabine demo is running.
  Kiosk (patient screen):   ${kioskUrl}
  Specialist console:       ${hubUrl}/   (login: dr.martin@cabine.example / consultation-demo, general medicine;
                                          dr.bernard@cabine.example / consultation-demo, dermatology cases)
  Pharmacy counter:         ${hubUrl}/counter/   (login: marie@pharmacie-place.example / comptoir-demo)
  Assistant PIN:            1234 (hold the top-left corner of the kiosk for 3 s)
  Press Ctrl-C to stop.
`);

// The stethoscope's simulator: heart sounds at 72 /min that Chromium's fake microphones play (kiosk-config
// media.stethoscope names "Fake Audio Input 2"; the call's microphone hears them too, muted on the console while listening).
const heartWav = join(demoRoot, 'heart-sounds.wav');
if (process.env.CABINE_FAKE_CAMERA) {
  const made = spawnSync(process.execPath, [...tsx, 'devices/simulate.ts', 'stethoscope', heartWav], { cwd: root, encoding: 'utf8' });
  if (made.status !== 0) say(`no simulated stethoscope: ${made.stderr.split('\n')[0]}`);
}

if (process.env.DISPLAY && !process.argv.includes('--no-browser')) {
  const profile = mkdtempSync(join(demoRoot, 'chromium-'));
  // The window is not restarted: a person closed it, or can open the URL again.
  supervise('chromium', { command: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', restart: false, onGiveUp: () => say('the kiosk window closed; the demo goes on (Ctrl-C to stop).'), args: () => [
    `--app=${kioskUrl}`, '--kiosk', '--window-position=0,0', '--window-size=1280,800', `--user-data-dir=${profile}`,
    '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic',
    '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required',
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    // Four fake cameras as in the tests: the call's is the first, the dermatoscope the third, the otoscope the fourth
    // (kiosk-config `media`; Chromium's second sends Y16 frames WebRTC never encodes).
    ...(process.env.CABINE_FAKE_CAMERA ? ['--use-fake-device-for-media-stream=device-count=4'] : []),
    ...(process.env.CABINE_FAKE_CAMERA && existsSync(heartWav) ? [`--use-file-for-fake-audio-capture=${heartWav}`] : []),
  ] });
} else {
  process.stdout.write('  No display: open the kiosk URL above in Chromium (or run under Xvfb with DISPLAY set).\n');
  if (process.env.CABINE_FAKE_CAMERA && existsSync(heartWav)) {
    // The kit's fake instruments for a browser started by hand: four cameras (the otoscope is the fourth), the stethoscope's heart sounds.
    process.stdout.write(`  Fake instruments: chromium --use-fake-device-for-media-stream=device-count=4 --use-file-for-fake-audio-capture=${heartWav}\n`);
  }
}
