/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload for plain Node */
/**
 * A stand-in for the `electron` module, so that the shipped main-process
 * bundle (`dist/main/main.cjs`) runs under plain Node with its own code and
 * its own `require`s — only Electron's API is replaced (ENVIRONMENT.md: the
 * Electron binary cannot be downloaded on our build machines).
 *
 *   node --require ./src/main/electron-stand-in.cjs dist/main/main.cjs
 *
 * `require('electron')`, from the bundle or from electron-updater, resolves
 * to this file. The window is headless: `loadURL` resolves at once and fires
 * `did-finish-load`. When started with an IPC channel (child_process.fork or
 * spawn with 'ipc'), the parent plays the kiosk renderer:
 *   parent → { type: 'invoke', id, method, params }  KioskApi call through the
 *            real IPC handler, as the trusted kiosk frame
 *   child  → { type: 'reply', id, reply }            the handler's answer
 *   child  → { type: 'event', name, data }           what main sent the window
 *   parent → { type: 'quit' }                        app.quit(): before-quit, then exit
 */
'use strict';
const Module = require('node:module');
const { EventEmitter } = require('node:events');
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolve(request, ...rest) {
  if (request === 'electron') return __filename;
  return resolveFilename.call(this, request, ...rest);
};

const send = (message) => { if (process.send && process.connected) process.send(message); };
const KIOSK_URL = 'app://kiosk/index.html';

class WebContents extends EventEmitter {
  constructor() {
    super();
    this.destroyed = false;
    this.url = '';
  }
  async loadURL(url) {
    this.url = url;
    setImmediate(() => this.emit('did-finish-load'));
  }
  send(channel, ...args) {
    if (channel === 'cabine:kiosk-event') send({ type: 'event', name: args[0], data: args[1] });
  }
  isDestroyed() { return this.destroyed; }
  setWindowOpenHandler() {}
  closeDevTools() {}
  forcefullyCrashRenderer() {}
  async setVisualZoomLevelLimits() {}
  setZoomFactor() {}
}

const windows = [];
class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    windows.push(this);
    setImmediate(() => this.emit('ready-to-show'));
  }
  static getAllWindows() { return windows.slice(); }
  show() {}
  focus() {}
}

const handlers = new Map();
const ipcMain = {
  handle(channel, fn) { handlers.set(channel, fn); },
  removeHandler(channel) { handlers.delete(channel); },
};

const userData = mkdtempSync(join(tmpdir(), 'cabine-electron-stand-in-'));
const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  requestSingleInstanceLock: () => true,
  whenReady: () => Promise.resolve(),
  getPath: (name) => join(userData, name),
  getVersion: () => require(join(__dirname, '../../package.json')).version,
  setLoginItemSettings() {},
  relaunch() {},
  exit(code = 0) { process.exit(code); },
  // As Electron: a before-quit listener may prevent the quit (and call quit() again when ready).
  quit() {
    let prevented = false;
    app.emit('before-quit', { preventDefault() { prevented = true; } });
    if (prevented) return;
    app.emit('will-quit', { preventDefault() {} });
    process.exit(0);
  },
});

const webRequest = { onHeadersReceived() {} };
const defaultSession = {
  webRequest,
  setPermissionRequestHandler() {},
  setPermissionCheckHandler() {},
  setDevicePermissionHandler() {},
};

module.exports = {
  app,
  BrowserWindow,
  ipcMain,
  Menu: { setApplicationMenu() {} },
  powerSaveBlocker: { start: () => 1, stop() {}, isStarted: () => false },
  protocol: { registerSchemesAsPrivileged() {}, handle() {} },
  session: { defaultSession, fromPartition: () => defaultSession },
  net: { request() { throw new Error('no network in the electron stand-in'); } },
};

process.on('message', (message) => {
  if (message?.type === 'quit') return app.quit();
  if (message?.type !== 'invoke') return;
  const handler = handlers.get('cabine:kiosk-call');
  const contents = windows[0]?.webContents;
  if (!handler || !contents) return send({ type: 'reply', id: message.id, reply: { ok: false, error: { code: 'NOT_READY', message: 'no KioskApi handler yet' } } });
  const event = { sender: contents, senderFrame: { parent: null, url: KIOSK_URL } };
  Promise.resolve(handler(event, message.method, message.params)).then(
    (reply) => send({ type: 'reply', id: message.id, reply }),
    (error) => send({ type: 'reply', id: message.id, reply: { ok: false, error: { code: 'THROWN', message: String(error) } } }),
  );
});
