/**
 * Start at login. Windows: the registry Run key through
 * app.setLoginItemSettings. Linux: the deb installs an XDG autostart entry
 * (build/linux/after-install.sh); an AppImage booth gets one from the
 * installation procedure (docs/electron.md).
 */
import type { App } from 'electron';

export function applyLoginItem(app: Pick<App, 'setLoginItemSettings' | 'isPackaged'>, platform: NodeJS.Platform): boolean {
  if (platform !== 'win32' || !app.isPackaged) return false;
  app.setLoginItemSettings({ openAtLogin: true, openAsHidden: false, args: [] });
  return true;
}
