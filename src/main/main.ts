/**
 * The Electron shell (DESIGN §1): one locked-down kiosk window; the host runs
 * in this process and speaks KioskApi over IPC. Started by `npm start`.
 */
import { app, BrowserWindow, ipcMain } from 'electron';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Host } from '../host/host';
import { loadKioskConfig } from '../shared/config';
import { createLogger } from '../shared/logger';
import { registerKioskIpc } from './ipc-transport';

const appRoot = resolve(__dirname, '../..');

export function kioskWindowOptions(preloadPath: string): Electron.BrowserWindowConstructorOptions {
  return {
    kiosk: true,
    fullscreen: true,
    frame: false,
    autoHideMenuBar: true,
    backgroundColor: '#ffffff',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      devTools: !app.isPackaged,
      spellcheck: false,
    },
  };
}

async function start(): Promise<void> {
  const log = createLogger('main');
  const configPath = process.env.CABINE_CONFIG ?? join(appRoot, 'kiosk-config/default.json');
  const host = new Host(loadKioskConfig(configPath), log.child({ module: 'host' }));
  const indexUrl = pathToFileURL(join(appRoot, 'dist/renderer/kiosk/index.html')).href;
  const win = new BrowserWindow(kioskWindowOptions(join(appRoot, 'dist/preload/preload.cjs')));
  const ipc = registerKioskIpc({
    ipcMain,
    dispatch: host.dispatch,
    isTrustedSender: (e) => e.sender === win.webContents && e.senderFrame?.url.startsWith(indexUrl.replace(/index\.html$/, '')) === true,
    log,
  });
  host.on('kioskEvent', (event) => ipc.sendEvent(win.webContents, event));
  host.start();
  await win.loadURL(indexUrl);
}

if (!app.requestSingleInstanceLock()) app.quit();
else void app.whenReady().then(start);
