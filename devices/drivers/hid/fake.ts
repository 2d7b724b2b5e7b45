/**
 * A fake HID bus for unit tests and the simulated demo: devices appear in
 * `devices()` when plugged, deliver the report bytes you push, record what the
 * driver writes, and fail with a read error when unplugged — as node-hid does.
 */
import { EventEmitter } from 'node:events';
import type { HidBackend, HidDeviceInfo, HidDeviceLike } from './device';

export class FakeHidDevice extends EventEmitter implements HidDeviceLike {
  closed = false;
  /** Every output report the driver wrote. */
  readonly writes: number[][] = [];
  constructor(readonly info: HidDeviceInfo) {
    super();
  }
  write(values: number[] | Buffer): number {
    if (this.closed) throw new Error('Cannot write to hid device');
    this.writes.push([...values]);
    return values.length;
  }
  close(): void {
    this.closed = true;
  }
}

export class FakeHidBus implements HidBackend {
  private readonly plugged = new Map<string, HidDeviceInfo>();
  private readonly handles = new Map<string, FakeHidDevice>();
  /** How many times `devices()` was called (the finder polls it). */
  polls = 0;

  plug(info: HidDeviceInfo & { path: string }): void {
    this.plugged.set(info.path, info);
  }

  /** Unplug: an open handle gets a read error ("could not read from HID device"), enumeration forgets it. */
  unplug(path: string): void {
    this.plugged.delete(path);
    const dev = this.handles.get(path);
    this.handles.delete(path);
    if (dev && !dev.closed) dev.emit('error', new Error('could not read from HID device'));
  }

  /** Pushes an input report (report id first) to the open handle of `path`; false when nobody has it open. */
  send(path: string, report: Uint8Array): boolean {
    const dev = this.handles.get(path);
    if (!dev || dev.closed) return false;
    dev.emit('data', Buffer.from(report));
    return true;
  }

  /** The open handle of `path`, if any. */
  handle(path: string): FakeHidDevice | undefined {
    return this.handles.get(path);
  }

  devices(): HidDeviceInfo[] {
    this.polls += 1;
    return [...this.plugged.values()];
  }

  open(path: string): FakeHidDevice {
    const info = this.plugged.get(path);
    if (!info) throw new Error(`cannot open device with path ${path}`);
    const dev = new FakeHidDevice(info);
    this.handles.set(path, dev);
    return dev;
  }
}
