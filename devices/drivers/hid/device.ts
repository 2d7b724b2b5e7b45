/**
 * The HID transport behind the oximeter and the dermatoscope button: a small
 * interface shaped like node-hid's `HID` object (on('data'), on('error'),
 * write, close) plus `devices()` enumeration, with the real node-hid backend
 * here and a fake in `fake.ts` (no virtual HID device can be created on our
 * build machines, ENVIRONMENT.md).
 */
import { createRequire } from 'node:module';

/** What enumeration reports (a subset of node-hid's `Device`). */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
  /** bcdDevice: firmware release, e.g. 0x0102 for 1.02. */
  release: number;
}

/** An open HID device, shaped like node-hid's `HID`. */
export interface HidDeviceLike {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeAllListeners(event?: string): unknown;
  write(values: number[] | Buffer): number;
  close(): void;
}

/** Enumerates and opens HID devices. */
export interface HidBackend {
  devices(): HidDeviceInfo[] | Promise<HidDeviceInfo[]>;
  open(path: string): HidDeviceLike;
}

interface NodeHidModule {
  devices(): HidDeviceInfo[];
  HID: new (path: string) => HidDeviceLike;
}

let nodeHid: NodeHidModule | undefined;

/** Loads the native node-hid binding on first use (needs apt libusb-1.0-0). */
export function loadNodeHid(): NodeHidModule {
  nodeHid ??= createRequire(import.meta.url)('node-hid') as NodeHidModule;
  return nodeHid;
}

/** The real backend. */
export const nodeHidBackend: HidBackend = {
  devices: () => loadNodeHid().devices(),
  open: (path) => new (loadNodeHid().HID)(path),
};

/** Finds a device by USB ids (and path, when the config names one) by polling `devices()`. */
export class HidDeviceFinder {
  constructor(
    private readonly backend: HidBackend,
    private readonly match: { vendorId: number; productId: number; path?: string | undefined },
  ) {}

  /** One look at `devices()`. */
  async find(): Promise<HidDeviceInfo | undefined> {
    const list = await this.backend.devices();
    return list.find(
      (d) => d.vendorId === this.match.vendorId && d.productId === this.match.productId && d.path !== undefined && (this.match.path === undefined || d.path === this.match.path),
    );
  }

  /** Polls every `intervalMs` until the device appears or `signal` aborts. */
  async waitFor(intervalMs: number, signal?: AbortSignal): Promise<HidDeviceInfo | undefined> {
    while (!signal?.aborted) {
      const found = await this.find();
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    return undefined;
  }
}

/** bcdDevice 0x0102 → "1.02". */
export function firmwareFromRelease(release: number): string {
  const major = (release >> 8) & 0xff;
  const minor = release & 0xff;
  return `${major.toString(16)}.${minor.toString(16).padStart(2, '0')}`;
}
