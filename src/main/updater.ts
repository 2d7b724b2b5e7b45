/**
 * electron-updater behind the UpdaterBackend interface (the policy lives in
 * src/host/update-policy.ts): generic provider at `<hub>/updates/<channel>/`,
 * never automatic download or install — the controller decides. electron-
 * updater verifies each file's sha512 against the feed before it is used
 * (ERR_CHECKSUM_MISMATCH otherwise).
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { AppUpdater } from 'electron-updater';
import type { Logger } from 'pino';
import type { UpdaterBackend } from '../host/update-controller';

/** `wss://hub.example.fr/booth` + `stable` → `https://hub.example.fr/updates/stable/`. */
export function updateFeedUrl(hubUrl: string, channel: string): string {
  const u = new URL(hubUrl);
  const protocol = u.protocol === 'wss:' || u.protocol === 'https:' ? 'https:' : 'http:';
  return `${protocol}//${u.host}/updates/${encodeURIComponent(channel)}/`;
}

export interface ElectronUpdaterOptions {
  updater: AppUpdater;
  hubUrl: string;
  channel: string;
  currentVersion: string;
  /** Where installers are kept for rollback (under userData). */
  keepDir: string;
  platform: NodeJS.Platform;
  /** Set by the AppImage runtime: the running AppImage file. */
  appImagePath?: string | undefined;
  /** Quits and starts again (app.relaunch + app.exit). */
  relaunch(): void;
  quit(): void;
  log: Logger;
}

export function configureUpdater(o: Pick<ElectronUpdaterOptions, 'updater' | 'hubUrl' | 'channel' | 'log'>): void {
  const u = o.updater;
  u.autoDownload = false;
  u.autoInstallOnAppQuit = false;
  u.allowDowngrade = false;
  u.allowPrerelease = false;
  u.disableWebInstaller = true;
  u.setFeedURL({ provider: 'generic', url: updateFeedUrl(o.hubUrl, o.channel) });
  const log = o.log;
  u.logger = {
    info: (m?: unknown) => log.info(String(m)),
    warn: (m?: unknown) => log.warn(String(m)),
    error: (m?: unknown) => log.error(String(m)),
    debug: (m: string) => log.debug(m),
  };
}

export function createElectronUpdaterBackend(o: ElectronUpdaterOptions): UpdaterBackend {
  configureUpdater(o);
  mkdirSync(o.keepDir, { recursive: true });
  const keptFor = (version: string): string | null => {
    const hit = readdirSync(o.keepDir).find((f) => f.startsWith(`cabine-${version}.`));
    return hit ? join(o.keepDir, hit) : null;
  };
  let offered: string | null = null;

  return {
    currentVersion: o.currentVersion,
    async check() {
      const result = await o.updater.checkForUpdates();
      if (!result?.isUpdateAvailable) return null;
      offered = result.updateInfo.version;
      return { version: offered };
    },
    async download() {
      const files = await o.updater.downloadUpdate();
      const version = offered ?? 'unknown';
      const file = files[0];
      // Keep this installer: it is what restores this version if the next one fails.
      if (file && existsSync(file)) copyFileSync(file, join(o.keepDir, `cabine-${version}${extname(file)}`));
      prune(o.keepDir, [o.currentVersion, version]);
      return { version };
    },
    async preserveCurrentVersion() {
      if (o.platform === 'linux' && o.appImagePath && existsSync(o.appImagePath)) {
        const target = join(o.keepDir, `cabine-${o.currentVersion}.AppImage`);
        copyFileSync(o.appImagePath, `${target}.tmp`);
        renameSync(`${target}.tmp`, target);
        return target;
      }
      return keptFor(o.currentVersion);
    },
    install() {
      o.updater.quitAndInstall(true, true);
    },
    async rollback(installerPath) {
      o.log.warn({ installer: basename(installerPath) }, 'rolling back to the previous version');
      if (installerPath.endsWith('.AppImage') && o.appImagePath) {
        copyFileSync(installerPath, `${o.appImagePath}.rollback`);
        chmodSync(`${o.appImagePath}.rollback`, 0o755);
        renameSync(`${o.appImagePath}.rollback`, o.appImagePath);
        o.relaunch();
        return;
      }
      if (installerPath.endsWith('.exe')) {
        // NSIS: silent install, start the app afterwards; allowed to downgrade by default.
        spawn(installerPath, ['/S', '--force-run'], { detached: true, stdio: 'ignore' }).unref();
        o.quit();
        return;
      }
      if (installerPath.endsWith('.deb')) {
        // NOTE: needs root; the deb's after-install grants this one command via polkit (tests/manual/updates.md).
        spawn('pkexec', ['apt-get', 'install', '-y', '--allow-downgrades', installerPath], { detached: true, stdio: 'ignore' }).unref();
        return;
      }
      o.log.error({ installer: basename(installerPath) }, 'no rollback method for this installer');
    },
  };
}

/** Keeps only the installers of the given versions. */
function prune(dir: string, keep: string[]): void {
  for (const f of readdirSync(dir)) {
    if (!keep.some((v) => f.startsWith(`cabine-${v}.`))) rmSync(join(dir, f), { force: true });
  }
}
