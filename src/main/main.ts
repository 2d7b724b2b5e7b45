/**
 * The Electron shell (DESIGN §1): one locked-down kiosk window; the host runs
 * in this process and speaks KioskApi over IPC; updates never interrupt a
 * session. Started by `npm start`. Each concern lives in its own module,
 * tested with `vi.mock('electron')`; this file only wires them.
 */
import { app, BrowserWindow, ipcMain, Menu, powerSaveBlocker, protocol, session } from 'electron';
import { autoUpdater } from 'electron-updater';
import { join, resolve } from 'node:path';
import { Host } from '../host/host';
import { UpdateController } from '../host/update-controller';
import { fileRecordStore } from '../host/update-record-file';
import { loadKioskConfig } from '../node/config-file';
import { createLogger } from '../node/logger';
import { systemClock } from '../shared/clock';
import { APP_ORIGIN, APP_SCHEME_PRIVILEGES, APP_START_URL, enforceCsp, registerAppProtocol } from './app-protocol';
import { createCallPowerGuard } from './call-power';
import { registerKioskIpc } from './ipc-transport';
import { blockKioskShortcuts } from './kiosk-shortcuts';
import { applyLoginItem } from './login-item';
import { guardNavigation, isOwnOrigin } from './navigation-guard';
import { installPermissionPolicy } from './permission-policy';
import { watchRenderer } from './renderer-watchdog';
import { createElectronUpdaterBackend } from './updater';
import { kioskWindowOptions, lockZoom } from './window-options';

const appRoot = resolve(__dirname, '../..');

async function start(): Promise<void> {
  const log = createLogger('main');
  Menu.setApplicationMenu(null);
  applyLoginItem(app, process.platform);

  const configPath = process.env.CABINE_CONFIG ?? join(appRoot, 'kiosk-config/default.json');
  const config = loadKioskConfig(configPath);
  const host = new Host(config, log.child({ module: 'host' }));

  const ses = session.defaultSession;
  registerAppProtocol(protocol, join(appRoot, 'dist/renderer/kiosk'));
  enforceCsp(ses);
  installPermissionPolicy(ses, APP_ORIGIN, log.child({ module: 'main.permissions' }));

  const win = new BrowserWindow(kioskWindowOptions({ preloadPath: join(appRoot, 'dist/preload/preload.cjs'), isPackaged: app.isPackaged }));
  const contents = win.webContents;
  guardNavigation(contents, APP_ORIGIN, log.child({ module: 'main.navigation' }));
  blockKioskShortcuts(contents);
  if (app.isPackaged) contents.on('devtools-opened', () => contents.closeDevTools());

  const incident = (code: string, message: { fr: string; en: string }): void => {
    host.emit('kioskEvent', { name: 'incident', data: { code, message, at: new Date().toISOString() } });
  };
  const reload = (): void => { void contents.loadURL(APP_START_URL).catch((e: unknown) => log.error({ err: e }, 'kiosk reload failed')); };
  watchRenderer(contents, { reload, reportIncident: (i) => incident(i.code, i.message), log: log.child({ module: 'main.watchdog' }) });

  const ipc = registerKioskIpc({
    ipcMain,
    dispatch: host.dispatch,
    isTrustedSender: (e) => e.sender === contents && e.senderFrame !== null && e.senderFrame.parent === null && isOwnOrigin(e.senderFrame.url, APP_ORIGIN),
    log,
  });

  const power = createCallPowerGuard(powerSaveBlocker);
  const updates = new UpdateController({
    backend: createElectronUpdaterBackend({
      updater: autoUpdater,
      hubUrl: config.hub.url,
      channel: config.update.channel,
      currentVersion: app.getVersion(),
      keepDir: join(app.getPath('userData'), 'rollback'),
      platform: process.platform,
      appImagePath: process.env.APPIMAGE,
      relaunch: () => { app.relaunch(); app.exit(0); },
      quit: () => app.quit(),
      log: log.child({ module: 'main.updater' }),
    }),
    clock: systemClock,
    config,
    store: fileRecordStore(join(app.getPath('userData'), 'update-record.json')),
    log: log.child({ module: 'host.updates' }),
    onStatus: (status) => host.emit('kioskEvent', { name: 'updateStatus', data: status }),
    onIncident: (i) => incident(i.code, i.message),
  });

  host.on('kioskEvent', (event) => {
    ipc.sendEvent(contents, event);
    if (event.name === 'snapshot') {
      power.onState(event.data.state);
      updates.notifySessionState(event.data.state);
    }
  });
  updates.beginStartup();
  host.start();
  updates.reportHealth('hostStarted');
  contents.once('did-finish-load', () => {
    updates.reportHealth('kioskLoaded');
    // The kiosk asks for a snapshot at load; it also gets the update status straight away.
    ipc.sendEvent(contents, { name: 'updateStatus', data: updates.status });
  });
  win.once('ready-to-show', () => win.show());
  await contents.loadURL(APP_START_URL);
  await lockZoom(contents);
  // Only an unpackaged (developer) run skips the feed: there is no app-update.yml.
  if (app.isPackaged) updates.start();

  // The quit waits for the host: devices closed (socat, HID handles), the store closed and checkpointed.
  let stopping = false;
  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    updates.stop(); power.dispose(); ipc.dispose();
    void host.stop()
      .catch((error: unknown) => log.error({ err: error }, 'the host did not stop cleanly'))
      .finally(() => { stopped = true; app.quit(); });
  });
}

protocol.registerSchemesAsPrivileged(APP_SCHEME_PRIVILEGES);
if (!app.requestSingleInstanceLock()) app.quit();
else {
  app.on('second-instance', () => { BrowserWindow.getAllWindows()[0]?.focus(); });
  app.on('web-contents-created', (_e, wc) => { wc.setWindowOpenHandler(() => ({ action: 'deny' })); });
  void app.whenReady().then(start).catch((error: unknown) => {
    createLogger('main').fatal({ err: error }, 'the kiosk could not start');
    app.exit(1);
  });
}
