/**
 * A hub in this process with the real mediasoup worker, for integration and
 * e2e tests: the demo booths' secrets and the demo specialist, hashed here
 * with a cheap scrypt cost so tests stay quick. Each hub gets a fresh data
 * directory (its record and its restored queue, claims and logins) unless
 * one is given: a restart passes the same one.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { hashSecret, type HubConfig } from '../../src/hub/directory';
import { startHub, type Hub, type HubOptions } from '../../src/hub/server';
import { createLogger } from '../../src/node/logger';
import { ROOT } from './config';
import { PG_URL_ENV } from '../support/pg-global';

export const CONSOLE_DIST = resolve(ROOT, 'dist/renderer/console');
export const BOOTH_SECRETS = { 'demo-booth-1': 'demo-booth-1-secret-change-me-0000', 'demo-booth-2': 'demo-booth-2-secret-change-me-0000' } as const;
/** Pharmacy staff: Marie at demo-booth-1's pharmacy, Paul at demo-booth-2's. */
export const STAFF = [
  { id: 'marie', email: 'marie@pharmacie-test-1.example', password: 'comptoir-marie', name: 'Marie Dubois', firstName: 'Marie', pharmacyId: 'pharmacie-test-1' },
  { id: 'paul', email: 'paul@pharmacie-test-2.example', password: 'comptoir-paul', name: 'Paul Roux', firstName: 'Paul', pharmacyId: 'pharmacie-test-2' },
] as const;
export const SPECIALISTS = [
  { id: 'dr-martin', email: 'dr.martin@cabine.example', password: 'consultation-demo', name: 'Dr Claire Martin' },
  { id: 'dr-durand', email: 'dr.durand@cabine.example', password: 'autre-mot-de-passe', name: 'Dr Paul Durand' },
] as const;

export function ensureRenderersBuilt(): void {
  if (!existsSync(resolve(CONSOLE_DIST, 'index.html')) || !existsSync(resolve(ROOT, 'dist/renderer/kiosk/index.html'))) {
    execFileSync(process.execPath, ['scripts/build.mjs', 'kiosk', 'console'], { cwd: ROOT, stdio: 'inherit' });
  }
}

/** A fresh, empty hub data directory. */
export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'cabine-hub-'));
}

/**
 * With CABINE_TEST_HUB_STORE=postgresql (tests/support/pg-global.ts), a hub
 * data folder's store is a database of its own on the run's cluster, the
 * same for the same folder (a restarted hub finds its state), its keys in
 * that folder; otherwise SQLite in the folder.
 */
async function storeOf(dataDir: string): Promise<Pick<HubConfig, 'store' | 'keyDir'>> {
  const clusterUrl = process.env[PG_URL_ENV];
  if (process.env.CABINE_TEST_HUB_STORE !== 'postgresql') return { store: { engine: 'sqlite' } };
  if (!clusterUrl) throw new Error('CABINE_TEST_HUB_STORE=postgresql without a cluster: run through vitest (tests/support/pg-global.ts starts it)');
  const name = `hub_${createHash('sha256').update(dataDir).digest('hex').slice(0, 24)}`;
  const client = new pg.Client({ connectionString: clusterUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    // 42P04: duplicate_database — the same folder's hub again (a restart).
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
  return { store: { engine: 'postgresql', url: clusterUrl.replace(/\/postgres$/, `/${name}`) }, keyDir: dataDir };
}

export async function testHubConfig(dataDir: string = freshDataDir()): Promise<HubConfig> {
  return {
    ...(await storeOf(dataDir)),
    booths: await Promise.all(Object.entries(BOOTH_SECRETS).map(async ([boothId, secret], i) => ({
      boothId, tokenHash: await hashSecret(secret, 1024), pharmacyId: `pharmacie-test-${i + 1}`, pharmacy: { name: `Pharmacie test ${i + 1}`, city: 'Aurillac' },
    }))),
    staff: await Promise.all(STAFF.map(async ({ password, ...s }) => ({ ...s, passwordHash: await hashSecret(password, 1024) }))),
    specialists: await Promise.all(SPECIALISTS.map(async (s) => ({
      id: s.id, email: s.email, name: s.name, specialty: 'Médecine générale', passwordHash: await hashSecret(s.password, 1024), cases: ['general' as const],
    }))),
    counter: { ringAgainSeconds: 60 },
    media: { listenIp: '127.0.0.1', rtcMinPort: 40000, rtcMaxPort: 40999, workers: 1 },
    allowedOrigins: [],
    localSignIn: { requireTotp: false },
    journal: { exportHeadEveryMinutes: 15 },
    retention: { recordDays: 7305, purgeEveryHours: 24 },
    keys: { rotateEveryDays: 90 },
    dataDir,
  };
}

export async function startTestHub(opts: Partial<HubOptions> = {}): Promise<Hub> {
  return startHub({
    consoleDir: CONSOLE_DIST,
    log: createLogger('test-hub', { write: () => true } as unknown as NodeJS.WritableStream),
    config: await testHubConfig(),
    ...opts,
  });
}

/** A hub running as its own process (`src/hub/main.ts`), to be killed and started again on the same port and data. */
export interface HubProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** SIGKILL: no shutdown, no flush — what a crash does. */
  kill(): Promise<void>;
  /** SIGTERM: the hub closes cleanly. */
  stop(): Promise<void>;
  /** The last lines it logged (its level: CABINE_LOG_LEVEL, warn by default), for a failed test to print. */
  output(): string;
}

/** A loopback port free right now (for a hub that must come back on the same one). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Writes a hub config (test secrets, `dataDir`) to a file in the data directory; returns its path. */
export async function writeHubConfigFile(dataDir: string): Promise<string> {
  const file = join(dataDir, 'hub-config.json');
  writeFileSync(file, JSON.stringify(await testHubConfig(dataDir)));
  return file;
}

/** Starts `src/hub/main.ts` in a child process; resolves once it listens. */
export async function spawnHubProcess(configFile: string, port: number): Promise<HubProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/hub/main.ts', '--port', String(port), '--config', configFile, '--console-dir', CONSOLE_DIST], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CABINE_LOG_LEVEL: process.env.CABINE_LOG_LEVEL ?? 'warn' },
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let stderr = '';
  let logged = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  child.stdout!.on('data', (d: Buffer) => { logged = (logged + d.toString()).slice(-64_000); });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-8000);
      const m = /HUB_URL=(\S+)/.exec(out);
      if (m) resolveUrl(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the hub exited (${code}) before listening: ${stderr}`)));
  });
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, port, child, kill: () => end('SIGKILL'), stop: () => end('SIGTERM'), output: () => `${logged}${stderr}` };
}

/** A booth or doctor added by `withCrowd`: who, and the secret they present. */
export interface CrowdBooth { boothId: string; secret: string }
export interface CrowdDoctor { id: string; email: string; password: string; name: string }

/**
 * A test config with `booths` more booths (each in a pharmacy of its own)
 * and `doctors` more specialists, for network tests and benches that need
 * more than the two of each the test config has; their secrets beside.
 */
export async function withCrowd<C extends Pick<HubConfig, 'booths' | 'specialists'>>(base: C, count: { booths: number; doctors: number }, prefix = 'crowd'): Promise<{ config: C; booths: CrowdBooth[]; doctors: CrowdDoctor[] }> {
  const booths = Array.from({ length: count.booths }, (_, i) => ({ boothId: `${prefix}-booth-${i}`, secret: `${prefix}-booth-${i}-secret-change-me-000000` }));
  const doctors = Array.from({ length: count.doctors }, (_, i) => ({ id: `dr-${prefix}-${i}`, email: `dr.${prefix}.${i}@cabine.example`, password: `${prefix}-doctor-${i}-password`, name: `Dr ${prefix} ${i}` }));
  const config = {
    ...base,
    booths: [...base.booths, ...await Promise.all(booths.map(async ({ boothId, secret }, i) => ({
      boothId, tokenHash: await hashSecret(secret, 1024), pharmacyId: `pharmacie-${prefix}-${i}`, pharmacy: { name: `Pharmacie ${prefix} ${i}`, city: 'Mauriac' },
    })))],
    specialists: [...base.specialists, ...await Promise.all(doctors.map(async ({ password, ...d }) => ({ ...d, specialty: 'Médecine générale', passwordHash: await hashSecret(password, 1024) })))],
  };
  return { config, booths, doctors };
}
