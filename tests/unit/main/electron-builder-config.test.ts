/**
 * electron-builder cannot package here (it downloads Electron), so the config
 * is checked offline: against electron-builder's own schema, and for the
 * fields the updater depends on.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/config';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, debug: { add(k: string, v: unknown): void; isEnabled: boolean }): Promise<void>;
};
const debug = { add: () => undefined, isEnabled: false };

type Config = Record<string, unknown> & {
  publish: { provider: string; url: string }[];
  linux: { target: { target: string }[] };
  win: { target: { target: string }[] };
  deb: { afterInstall: string };
  asarUnpack: string[];
  files: string[];
};
const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Config;

describe('electron-builder.yml', () => {
  it('passes electron-builder\'s own schema, which does refuse a bad field', async () => {
    await expect(validateConfiguration(config, debug)).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, publsh: config.publish }, debug)).rejects.toThrow(/configuration/i);
  });

  it('publishes to the hub\'s generic feed per channel, under a stable artifact name', () => {
    expect(config.appId).toBe('fr.cabine.kiosk');
    expect(config.productName).toBe('Cabine');
    expect(config.publish).toEqual([expect.objectContaining({ provider: 'generic', url: expect.stringMatching(/^https:\/\/[^/]+\/updates\/\$\{channel\}$/) })]);
    // No ${buildNumber} or date: the feed's latest*.yml names the file booths fetch.
    expect(config.artifactName).toBe('cabine-${version}-${arch}.${ext}');
  });

  it('builds AppImage and deb for Linux, NSIS for Windows, with native modules outside the asar', () => {
    expect(config.linux.target.map((t) => t.target)).toEqual(['AppImage', 'deb']);
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis']);
    for (const mod of ['better-sqlite3', 'serialport', '@serialport', 'node-hid']) {
      expect(config.asarUnpack.some((g) => g.includes(`/node_modules/${mod}/`)), mod).toBe(true);
    }
    expect(config.asarUnpack.some((g) => g.includes('mediasoup'))).toBe(false);
    expect(config.files).toEqual(expect.arrayContaining(['dist/main/**', 'dist/preload/**', 'dist/renderer/kiosk/**', 'kiosk-config/**', 'package.json']));
  });

  it('installs the autostart entry from the deb, with an executable script', () => {
    const script = join(ROOT, config.deb.afterInstall);
    expect(readFileSync(script, 'utf8')).toContain('/etc/xdg/autostart/fr.cabine.kiosk.desktop');
    expect(statSync(script).mode & 0o111).not.toBe(0);
  });

  it('points package.json main at the bundled main process', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/main/main.cjs');
  });
});
