/**
 * The kiosk window's options (DESIGN §1): full screen, no frame, no menu,
 * renderer isolated and sandboxed with no Node, devtools only when unpackaged.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

export function kioskWindowOptions(opts: { preloadPath: string; isPackaged: boolean }): BrowserWindowConstructorOptions {
  return {
    kiosk: true,
    fullscreen: true,
    frame: false,
    autoHideMenuBar: true,
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: {
      preload: opts.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      devTools: !opts.isPackaged,
      spellcheck: false,
      zoomFactor: 1,
    },
  };
}

/** Pinch and Ctrl+wheel zoom would break the layout for the next patient: fixed at 1. */
export function lockZoom(webContents: { setZoomFactor(f: number): void; setVisualZoomLevelLimits(min: number, max: number): Promise<void> }): Promise<void> {
  webContents.setZoomFactor(1);
  return webContents.setVisualZoomLevelLimits(1, 1);
}
