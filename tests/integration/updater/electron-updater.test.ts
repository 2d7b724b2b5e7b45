/**
 * The REAL electron-updater against a feed served on loopback: only what the
 * Electron binary itself provides (app, net.request, session) is stubbed, in
 * require.cache, since vi.mock does not reach electron-updater's own require
 * (notes/ENVIRONMENT.md). Proves that our adapter (src/main/updater.ts)
 * takes a good file and refuses a tampered one with ERR_CHECKSUM_MISMATCH,
 * which the policy turns into "mark bad, never install".
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppImageUpdater } from 'electron-updater';
import { FakeClock } from '../../../src/shared/fake-clock';
import { memoryRecordStore, UpdateController } from '../../../src/host/update-controller';
import { createElectronUpdaterBackend } from '../../../src/main/updater';
import { createLogger } from '../../../src/node/logger';
import { testConfig } from '../../helpers/config';

const require = createRequire(import.meta.url);
const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const dir = mkdtempSync(join(tmpdir(), 'cabine-updater-'));
const good = Buffer.from('#!/bin/sh\necho "Cabine 1.1.0"\n'.repeat(200));
const sha512 = (b: Buffer): string => createHash('sha512').update(b).digest('base64');

let server: Server;
let base = '';
/** What the feed serves as the file; the yml always declares the good file's hash. */
let served: Buffer = good;

function stubElectron(): void {
  const appStub = {
    isPackaged: true,
    getVersion: () => '1.0.0',
    getName: () => 'Cabine',
    getAppPath: () => dir,
    getPath: () => join(dir, 'userData'),
    whenReady: () => Promise.resolve(),
    on: () => appStub, once: () => appStub, quit: () => undefined, relaunch: () => undefined,
  };
  const net = {
    // Electron's net.request, played by Node's http (loopback only).
    request(options: { protocol?: string; hostname?: string; host?: string; port?: number; path?: string; method?: string; headers?: Record<string, string> }) {
      const req = httpRequest({ hostname: options.hostname ?? options.host, port: options.port, path: options.path, method: options.method ?? 'GET', headers: options.headers });
      const wrapped = Object.assign(req, { followRedirect: () => undefined });
      return wrapped;
    },
  };
  const session = { fromPartition: () => ({ setProxy: async () => undefined, resolveProxy: async () => 'DIRECT' }) };
  const electronPath = require.resolve('electron');
  require.cache[electronPath] = { id: electronPath, filename: electronPath, loaded: true, exports: { app: appStub, net, session } } as unknown as NodeJS.Module;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/updates/stable/latest-linux.yml') {
      res.writeHead(200, { 'Content-Type': 'text/yaml' }).end([
        'version: 1.1.0',
        'files:',
        '  - url: cabine-1.1.0-x86_64.AppImage',
        `    sha512: ${sha512(good)}`,
        `    size: ${good.length}`,
        'path: cabine-1.1.0-x86_64.AppImage',
        `sha512: ${sha512(good)}`,
        "releaseDate: '2025-03-11T09:00:00.000Z'",
        '',
      ].join('\n'));
    } else if (path === '/updates/stable/cabine-1.1.0-x86_64.AppImage') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': served.length }).end(served);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const resources = join(dir, 'resources');
  mkdirSync(resources, { recursive: true });
  writeFileSync(join(resources, 'app-update.yml'), `provider: generic\nurl: ${base}/updates/stable\nupdaterCacheDirName: cabine-updater\n`);
  (process as { resourcesPath?: string }).resourcesPath = resources;
  process.env.XDG_CACHE_HOME = join(dir, 'cache');
  process.env.APPIMAGE = join(dir, 'Cabine-1.0.0.AppImage');
  writeFileSync(process.env.APPIMAGE, 'old version');
  stubElectron();
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

function makeBackend(name: string) {
  const { AppImageUpdater: Updater } = require('electron-updater') as { AppImageUpdater: new () => AppImageUpdater };
  const updater = new Updater();
  updater.disableDifferentialDownload = true;
  const keepDir = join(dir, name, 'rollback');
  const backend = createElectronUpdaterBackend({
    updater, hubUrl: `ws://127.0.0.1:${new URL(base).port}/booth`, channel: 'stable', currentVersion: '1.0.0', keepDir,
    platform: 'linux', appImagePath: process.env.APPIMAGE, relaunch: () => undefined, quit: () => undefined, log: silent,
  });
  return { backend, keepDir };
}

describe('electron-updater against a loopback feed', () => {
  it('refuses a tampered file with ERR_CHECKSUM_MISMATCH and the policy marks the version bad', async () => {
    served = Buffer.from(good);
    served[10] = (served[10] ?? 0) ^ 0xff;
    const { backend } = makeBackend('tampered');
    expect(await backend.check()).toEqual({ version: '1.1.0' });
    await expect(backend.download()).rejects.toMatchObject({ code: 'ERR_CHECKSUM_MISMATCH' });

    // Through the controller: same real updater, decision "bad signature", nothing installed.
    const store = memoryRecordStore();
    const controller = new UpdateController({
      backend, clock: new FakeClock(Date.parse('2025-03-11T21:00:00Z')), config: testConfig(), store, log: silent,
      onStatus: () => undefined,
    });
    await controller.checkNow();
    expect(store.current.badVersions).toEqual(['1.1.0']);
    expect(controller.status).toMatchObject({ state: 'error', message: 'bad-signature' });
  });

  it('accepts the good file and keeps a copy of it and of the running version for rollback', async () => {
    served = good;
    const { backend, keepDir } = makeBackend('good');
    expect(await backend.check()).toEqual({ version: '1.1.0' });
    await expect(backend.download()).resolves.toEqual({ version: '1.1.0' });
    expect(readFileSync(join(keepDir, 'cabine-1.1.0.AppImage'))).toEqual(good);
    const previous = await backend.preserveCurrentVersion();
    expect(previous).toBe(join(keepDir, 'cabine-1.0.0.AppImage'));
    expect(readFileSync(previous!, 'utf8')).toBe('old version');
    expect(readdirSync(keepDir).sort()).toEqual(['cabine-1.0.0.AppImage', 'cabine-1.1.0.AppImage']);
  });
});
