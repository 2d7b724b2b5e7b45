import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { APP_ORIGIN, appResponse, ELECTRON_KIOSK_CSP, enforceCsp, resolveAppUrl } from '../../../src/main/app-protocol';
import { createCallPowerGuard, isCallState } from '../../../src/main/call-power';
import { blockKioskShortcuts, isBlockedShortcut } from '../../../src/main/kiosk-shortcuts';
import { applyLoginItem } from '../../../src/main/login-item';
import { guardNavigation, isOwnOrigin } from '../../../src/main/navigation-guard';
import { installPermissionPolicy, isPermissionGranted } from '../../../src/main/permission-policy';
import { watchRenderer, type WatchdogIncident } from '../../../src/main/renderer-watchdog';
import { updateFeedUrl } from '../../../src/main/updater';
import { kioskWindowOptions, lockZoom } from '../../../src/main/window-options';
import { createLogger } from '../../../src/node/logger';

// The modules take Electron's objects as parameters; nothing here may load the real binary.
vi.mock('electron', () => ({}));

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);

/** A WebContents-shaped emitter: records handlers so the test can fire Electron's events. */
function fakeContents() {
  const emitter = new EventEmitter();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  return {
    on: (name: string, fn: (...a: unknown[]) => void) => { emitter.on(name, fn); return undefined as never; },
    emit: (name: string, ...args: unknown[]) => emitter.emit(name, ...args),
    setWindowOpenHandler: (fn: (d: { url: string }) => { action: string }) => { openHandler = fn; },
    open: (url: string) => openHandler?.({ url }),
    forcefullyCrashRenderer: vi.fn(),
  };
}
const event = () => ({ prevented: false, preventDefault() { this.prevented = true; } });

describe('kiosk window', () => {
  it('is full-screen kiosk, frameless, isolated, sandboxed, with no Node and no devtools when packaged', () => {
    const o = kioskWindowOptions({ preloadPath: '/app/dist/preload/preload.cjs', isPackaged: true });
    expect(o).toMatchObject({ kiosk: true, fullscreen: true, frame: false, autoHideMenuBar: true });
    expect(o.webPreferences).toMatchObject({
      preload: '/app/dist/preload/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false,
      nodeIntegrationInSubFrames: false, nodeIntegrationInWorker: false, webSecurity: true, webviewTag: false, devTools: false,
    });
    expect(kioskWindowOptions({ preloadPath: 'p', isPackaged: false }).webPreferences?.devTools).toBe(true);
  });

  it('locks the zoom at 1', async () => {
    const wc = { setZoomFactor: vi.fn(), setVisualZoomLevelLimits: vi.fn(async () => undefined) };
    await lockZoom(wc);
    expect(wc.setZoomFactor).toHaveBeenCalledWith(1);
    expect(wc.setVisualZoomLevelLimits).toHaveBeenCalledWith(1, 1);
  });
});

describe('navigation guard', () => {
  it('knows our origin from look-alikes', () => {
    expect(isOwnOrigin('app://kiosk/index.html#/consent', APP_ORIGIN)).toBe(true);
    for (const url of ['app://kiosk.evil/index.html', 'https://kiosk/', 'file:///etc/passwd', 'app://other/', 'not a url', 'javascript:alert(1)']) {
      expect(isOwnOrigin(url, APP_ORIGIN), url).toBe(false);
    }
  });

  it('blocks navigation and redirects away from our origin, lets our own pages through, denies every pop-up', () => {
    const wc = fakeContents();
    guardNavigation(wc as never, APP_ORIGIN, silent);
    for (const name of ['will-navigate', 'will-redirect']) {
      const away = event();
      wc.emit(name, away, 'https://www.google.com/');
      expect(away.prevented, name).toBe(true);
      const home = event();
      wc.emit(name, home, 'app://kiosk/index.html');
      expect(home.prevented, name).toBe(false);
    }
    expect(wc.open('https://example.org/')).toEqual({ action: 'deny' });
    expect(wc.open('app://kiosk/index.html')).toEqual({ action: 'deny' });
    const webview = event();
    wc.emit('will-attach-webview', webview);
    expect(webview.prevented).toBe(true);
  });
});

describe('permission policy', () => {
  it.each([
    ['camera on our origin', { permission: 'media', origin: 'app://kiosk', mediaTypes: ['video'] }, true],
    ['camera and microphone on our origin', { permission: 'media', origin: 'app://kiosk/index.html', mediaTypes: ['video', 'audio'] }, true],
    ['camera for another origin', { permission: 'media', origin: 'https://evil.example', mediaTypes: ['video'] }, false],
    ['media of unknown type', { permission: 'media', origin: 'app://kiosk', mediaTypes: ['unknown'] }, false],
    ['media with no type', { permission: 'media', origin: 'app://kiosk', mediaTypes: [] }, false],
    ['screen capture', { permission: 'display-capture', origin: 'app://kiosk', mediaTypes: [] }, false],
    ['geolocation', { permission: 'geolocation', origin: 'app://kiosk', mediaTypes: [] }, false],
    ['notifications', { permission: 'notifications', origin: 'app://kiosk', mediaTypes: [] }, false],
    ['opening an external link', { permission: 'openExternal', origin: 'app://kiosk', mediaTypes: [] }, false],
    ['HID from the page', { permission: 'hid', origin: 'app://kiosk', mediaTypes: [] }, false],
  ])('%s → %s', (_name, query, granted) => {
    expect(isPermissionGranted(query, APP_ORIGIN)).toBe(granted);
  });

  it('answers Electron\'s request and check handlers with the same policy, and refuses device pickers', () => {
    const handlers: Record<string, (...a: never[]) => unknown> = {};
    const ses = {
      setPermissionRequestHandler: (fn: never) => { handlers.request = fn; },
      setPermissionCheckHandler: (fn: never) => { handlers.check = fn; },
      setDevicePermissionHandler: (fn: never) => { handlers.device = fn; },
    };
    installPermissionPolicy(ses as never, APP_ORIGIN, silent);
    const answers: boolean[] = [];
    const request = handlers.request as (wc: unknown, p: string, cb: (g: boolean) => void, d: object) => void;
    request({}, 'media', (g) => answers.push(g), { requestingUrl: 'app://kiosk/index.html', isMainFrame: true, mediaTypes: ['video', 'audio'], securityOrigin: 'app://kiosk/' });
    request({}, 'media', (g) => answers.push(g), { requestingUrl: 'https://evil.example/', isMainFrame: false, mediaTypes: ['video'] });
    request({}, 'geolocation', (g) => answers.push(g), { requestingUrl: 'app://kiosk/index.html', isMainFrame: true });
    expect(answers).toEqual([true, false, false]);
    const check = handlers.check as (wc: unknown, p: string, origin: string, d: object) => boolean;
    expect(check(null, 'media', 'app://kiosk', { isMainFrame: true, mediaType: 'audio' })).toBe(true);
    expect(check(null, 'media', 'https://evil.example', { isMainFrame: true, mediaType: 'video' })).toBe(false);
    expect(check(null, 'serial', 'app://kiosk', { isMainFrame: true })).toBe(false);
    expect((handlers.device as () => boolean)()).toBe(false);
  });
});

describe('app:// origin and CSP', () => {
  const root = mkdtempSync(join(tmpdir(), 'cabine-app-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>k</title>');
  writeFileSync(join(root, 'app.js'), 'void 0');

  it('serves files under the build folder only', () => {
    expect(resolveAppUrl('app://kiosk/app.js', root)).toBe(join(root, 'app.js'));
    expect(resolveAppUrl('app://kiosk/', root)).toBe(join(root, 'index.html'));
    // Dot segments, encoded or not, stay clamped inside the folder.
    expect(resolveAppUrl('app://kiosk/%2e%2e/%2e%2e/etc/passwd', root)).toBe(join(root, 'etc/passwd'));
    expect(resolveAppUrl('app://kiosk/..%2f..%2fetc%2fpasswd', root)).toBe(join(root, 'etc/passwd'));
    expect(resolveAppUrl('app://kiosk/a%00b', root)).toBeNull();
    expect(resolveAppUrl('app://other/app.js', root)).toBeNull();
  });

  it('puts the CSP on HTML, never serves a file outside the folder and refuses a NUL byte', async () => {
    const page = await appResponse('app://kiosk/index.html', root);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(ELECTRON_KIOSK_CSP);
    expect(ELECTRON_KIOSK_CSP).toContain("script-src 'self'");
    expect(ELECTRON_KIOSK_CSP).toContain("object-src 'none'");
    expect((await appResponse('app://kiosk/app.js', root)).headers.get('content-type')).toMatch(/javascript/);
    expect((await appResponse('app://kiosk/..%2f..%2fetc%2fpasswd', root)).status).toBe(404);
    expect((await appResponse('app://kiosk/a%00b', root)).status).toBe(400);
    expect((await appResponse('app://kiosk/missing.js', root)).status).toBe(404);
  });

  it('adds the CSP to any http response reaching the window', () => {
    let handler!: (d: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void;
    enforceCsp({ webRequest: { onHeadersReceived: (fn: typeof handler) => { handler = fn; } } } as never);
    let out: Record<string, string[]> = {};
    handler({ responseHeaders: { 'Content-Type': ['text/html'] } }, (r) => { out = r.responseHeaders; });
    expect(out).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [ELECTRON_KIOSK_CSP] });
  });
});

describe('shortcuts that leave the kiosk', () => {
  const key = (k: string, mods: Partial<{ control: boolean; alt: boolean; shift: boolean; meta: boolean }> = {}) =>
    ({ type: 'keyDown', key: k, control: false, alt: false, shift: false, meta: false, ...mods });

  it.each([
    ['Alt+F4', key('F4', { alt: true })], ['Ctrl+W', key('w', { control: true })], ['Ctrl+Q', key('q', { control: true })],
    ['F11', key('F11')], ['Ctrl+Shift+I', key('I', { control: true, shift: true })], ['Ctrl+R', key('r', { control: true })],
    ['F5', key('F5')], ['F12', key('F12')], ['Ctrl+Plus', key('+', { control: true })], ['Cmd+Q', key('q', { meta: true })],
  ])('swallows %s', (_name, input) => {
    expect(isBlockedShortcut(input)).toBe(true);
  });

  it('lets ordinary typing through (a PIN, a name)', () => {
    for (const k of ['1', 'a', 'Enter', 'Backspace', 'A', 'é']) expect(isBlockedShortcut(key(k)), k).toBe(false);
    expect(isBlockedShortcut(key('a', { shift: true }))).toBe(false);
  });

  it('prevents the default action through before-input-event', () => {
    const wc = fakeContents();
    blockKioskShortcuts(wc as never);
    const quit = event();
    wc.emit('before-input-event', quit, key('F4', { alt: true }));
    const digit = event();
    wc.emit('before-input-event', digit, key('4'));
    expect([quit.prevented, digit.prevented]).toEqual([true, false]);
  });
});

describe('renderer crash and hang', () => {
  it('reloads the start page and records an incident when the renderer crashes, not on a clean exit', () => {
    const wc = fakeContents();
    const reload = vi.fn();
    const incidents: WatchdogIncident[] = [];
    watchRenderer(wc as never, { reload, reportIncident: (i) => incidents.push(i), log: silent });
    wc.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 });
    expect(reload).not.toHaveBeenCalled();
    wc.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(reload).toHaveBeenCalledTimes(1);
    expect(incidents).toMatchObject([{ code: 'RENDERER_GONE', detail: 'crashed' }]);
  });

  it('reloads a renderer that stays unresponsive past the grace period, not one that recovers', () => {
    const wc = fakeContents();
    const reload = vi.fn();
    const incidents: WatchdogIncident[] = [];
    const timers: (() => void)[] = [];
    const opts = { reload, reportIncident: (i: WatchdogIncident) => incidents.push(i), log: silent, setTimeout: (fn: () => void) => timers.push(fn), clearTimeout: () => { timers.length = 0; } };
    watchRenderer(wc as never, opts);
    wc.emit('unresponsive');
    wc.emit('responsive');
    expect(timers).toHaveLength(0);
    wc.emit('unresponsive');
    timers.shift()?.();
    expect(wc.forcefullyCrashRenderer).toHaveBeenCalledTimes(1);
    expect(reload).toHaveBeenCalledTimes(1);
    expect(incidents.map((i) => i.code)).toEqual(['RENDERER_UNRESPONSIVE']);
  });
});

describe('power and login', () => {
  it('keeps the display awake during a call only', () => {
    const started = new Set<number>();
    let next = 1;
    const blocker = {
      start: vi.fn(() => { started.add(next); return next++; }),
      stop: vi.fn((id: number) => started.delete(id)),
      isStarted: (id: number) => started.has(id),
    };
    const guard = createCallPowerGuard(blocker);
    guard.onState('attract');
    expect(blocker.start).not.toHaveBeenCalled();
    guard.onState('consultation.call');
    guard.onState('consultation.measuring');
    expect(blocker.start).toHaveBeenCalledTimes(1);
    expect(blocker.start).toHaveBeenCalledWith('prevent-display-sleep');
    guard.onState('wrapUp');
    expect(started.size).toBe(0);
    expect(isCallState('consultationish')).toBe(false);
  });

  it('registers start at login on a packaged Windows booth only', () => {
    const app = { setLoginItemSettings: vi.fn(), isPackaged: true };
    expect(applyLoginItem(app, 'win32')).toBe(true);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith(expect.objectContaining({ openAtLogin: true }));
    expect(applyLoginItem({ ...app, setLoginItemSettings: vi.fn() }, 'linux')).toBe(false);
    expect(applyLoginItem({ setLoginItemSettings: vi.fn(), isPackaged: false }, 'win32')).toBe(false);
  });
});

describe('update feed URL', () => {
  it('derives the hub\'s HTTPS feed per channel from its WebSocket URL', () => {
    expect(updateFeedUrl('wss://hub.example.fr/booth', 'stable')).toBe('https://hub.example.fr/updates/stable/');
    expect(updateFeedUrl('ws://127.0.0.1:8443/booth', 'beta')).toBe('http://127.0.0.1:8443/updates/beta/');
  });
});
