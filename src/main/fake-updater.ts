/**
 * An in-memory UpdaterBackend, beside the electron-updater one (updater.ts):
 * the test says what the feed offers and how the download ends, and reads
 * back what was installed or rolled back.
 */
import type { UpdaterBackend } from '../host/update-controller';

export class FakeUpdater implements UpdaterBackend {
  currentVersion: string;
  offer: string | null = null;
  /** What the next download does: succeed, or reject with this error. */
  downloadError: (Error & { code?: string }) | null = null;
  preservedPath: string | null = '/var/lib/cabine/rollback/previous.AppImage';
  readonly calls = { check: 0, download: 0, install: [] as string[], rollback: [] as string[] };

  constructor(currentVersion = '1.0.0') {
    this.currentVersion = currentVersion;
  }

  async check(): Promise<{ version: string } | null> {
    this.calls.check += 1;
    return this.offer === null ? null : { version: this.offer };
  }

  async download(): Promise<{ version: string }> {
    this.calls.download += 1;
    if (this.downloadError) throw this.downloadError;
    if (this.offer === null) throw Object.assign(new Error('nothing to download'), { code: 'ERR_UPDATER_NO_UPDATE' });
    return { version: this.offer };
  }

  async preserveCurrentVersion(): Promise<string | null> {
    return this.preservedPath;
  }

  install(): void {
    this.calls.install.push(this.offer ?? '?');
  }

  async rollback(installerPath: string): Promise<void> {
    this.calls.rollback.push(installerPath);
  }
}
