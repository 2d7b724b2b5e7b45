/** Sandboxed preload, bundled to CommonJS: exposes the KioskApi bridge only. */
import { contextBridge, ipcRenderer } from 'electron';
import { buildKioskBridge } from './kiosk-bridge';

contextBridge.exposeInMainWorld('cabine', buildKioskBridge(ipcRenderer));
