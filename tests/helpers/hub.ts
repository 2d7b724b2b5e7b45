/**
 * A hub in this process with the real mediasoup worker, for integration and
 * e2e tests: the demo booths' secrets and the demo specialist, hashed here
 * with a cheap scrypt cost so tests stay quick. Each hub gets a fresh data
 * directory (its record and its restored queue, claims and logins) unless
 * one is given: a restart passes the same one.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hashSecret, type HubConfig } from '../../src/hub/directory';
import { startHub, type Hub, type HubOptions } from '../../src/hub/server';
import { createLogger } from '../../src/shared/logger';
import { ROOT } from './config';

export const CONSOLE_DIST = resolve(ROOT, 'dist/renderer/console');
export const BOOTH_SECRETS = { 'demo-booth-1': 'demo-booth-1-secret-change-me-0000', 'demo-booth-2': 'demo-booth-2-secret-change-me-0000' } as const;
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

export async function testHubConfig(dataDir: string = freshDataDir()): Promise<HubConfig> {
  return {
    booths: await Promise.all(Object.entries(BOOTH_SECRETS).map(async ([boothId, secret], i) => ({
      boothId, tokenHash: await hashSecret(secret, 1024), pharmacy: { name: `Pharmacie test ${i + 1}`, city: 'Aurillac' },
    }))),
    specialists: await Promise.all(SPECIALISTS.map(async (s) => ({
      id: s.id, email: s.email, name: s.name, specialty: 'Médecine générale', passwordHash: await hashSecret(s.password, 1024),
    }))),
    media: { listenIp: '127.0.0.1', rtcMinPort: 40000, rtcMaxPort: 40999, workers: 1 },
    allowedOrigins: [],
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
