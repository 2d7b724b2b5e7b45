/**
 * Common part of the HID drivers (oximeter, dermatoscope button): find the
 * device by polling `devices()`, open it, take its identity from the
 * enumeration (product, serial number, bcdDevice: the HID "hello"), and treat
 * a read error as an unplug, after which the base loop polls again.
 */
import { BaseDriver, type BaseDriverOptions } from '../base';
import { HidDeviceFinder, firmwareFromRelease, nodeHidBackend, type HidBackend, type HidDeviceLike } from './device';

export interface HidDriverOptions extends BaseDriverOptions {
  vendorId: number;
  productId: number;
  path?: string;
  backend?: HidBackend;
}

export abstract class HidDriver extends BaseDriver {
  protected readonly backend: HidBackend;
  private readonly finder: HidDeviceFinder;
  private handle: HidDeviceLike | undefined;

  constructor(options: HidDriverOptions) {
    // NOTE: the reconnect backoff is the polling interval of devices():
    // cap it low so a replugged device is found within a second or so.
    super({ ...options, timing: { backoffMaxMs: 1000, ...options.timing } });
    this.backend = options.backend ?? nodeHidBackend;
    this.finder = new HidDeviceFinder(this.backend, options);
  }

  protected abstract onReport(report: Uint8Array): void;
  protected onUnplug(): void {}

  protected async connect(generation: number): Promise<void> {
    let found;
    try {
      found = await this.finder.find();
    } catch (cause) {
      // NOTE: enumeration fails when the native binding cannot load (missing
      // libusb, a bundle that cannot resolve node-hid), not when a cable is out.
      throw this.error('DRIVER_UNAVAILABLE', { cause, detail: `HID enumeration failed: ${cause instanceof Error ? cause.message : String(cause)}` });
    }
    if (!found?.path) throw this.error('PORT_NOT_FOUND', { detail: 'not in devices()' });
    let handle: HidDeviceLike;
    try {
      handle = this.backend.open(found.path);
    } catch (cause) {
      const text = cause instanceof Error ? cause.message : String(cause);
      throw this.error(/permission|access/i.test(text) ? 'PERMISSION_DENIED' : 'PORT_BUSY', { cause, detail: text });
    }
    this.handle = handle;
    this.info = {
      id: this.id,
      kind: this.kind,
      model: found.product ?? `${found.vendorId.toString(16)}:${found.productId.toString(16)}`,
      serial: found.serialNumber ?? '',
      firmware: firmwareFromRelease(found.release),
    };
    handle.on('data', (data) => {
      if (generation === this.generation) this.onReport(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    });
    // NOTE: node-hid reports an unplug as a read error on the open handle.
    handle.on('error', (cause) => {
      this.onUnplug();
      this.connectionLost(generation, cause);
    });
  }

  protected async disconnect(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (!handle) return;
    handle.removeAllListeners('data');
    handle.removeAllListeners('error');
    handle.on('error', () => undefined);
    try {
      handle.close();
    } catch {
      // already gone
    }
  }
}
