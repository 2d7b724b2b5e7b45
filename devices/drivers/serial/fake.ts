/**
 * In-memory serial ports for unit tests: the test (or a simulator) plays the
 * device on the other end, sees every byte the driver writes, and can unplug
 * and replug the port.
 */
import { EventEmitter } from 'node:events';
import type { SerialConnection, SerialConnectionEvents, SerialOpener, SerialPortInfo } from './link';

/** The device side of a fake port. */
export interface FakeSerialDevice {
  /** Called with each chunk the driver writes. */
  receive(bytes: Uint8Array): void;
  /** Called when the driver opens the port; `send` writes to the driver. */
  attach(send: (bytes: Uint8Array) => void): void;
  detach?(): void;
}

class FakeConnection extends EventEmitter<SerialConnectionEvents> implements SerialConnection {
  open = true;
  constructor(private readonly onWrite: (bytes: Uint8Array) => void, private readonly onClose: () => void) {
    super();
  }
  async write(bytes: Uint8Array): Promise<void> {
    if (!this.open) throw new Error('Port is not open');
    this.onWrite(Uint8Array.from(bytes));
  }
  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.onClose();
    this.emit('close', undefined);
  }
}

interface Slot {
  device: FakeSerialDevice;
  vendorId?: string;
  productId?: string;
  connection?: FakeConnection;
  busy?: boolean;
  denied?: boolean;
}

/** A set of fake ports by path: plug a device in, open it from a driver, unplug it. */
export class FakeSerialBus implements SerialOpener {
  private readonly slots = new Map<string, Slot>();
  /** Every chunk written by a driver, per path, in order. */
  readonly written = new Map<string, Uint8Array[]>();

  plug(path: string, device: FakeSerialDevice, usb?: { vendorId: string; productId: string; busy?: boolean; denied?: boolean }): void {
    this.slots.set(path, { device, ...usb });
  }

  /** Unplug: the open connection closes with an error, and opening fails until replugged. */
  unplug(path: string): void {
    const slot = this.slots.get(path);
    this.slots.delete(path);
    const conn = slot?.connection;
    if (conn?.open) {
      conn.open = false;
      slot?.device.detach?.();
      conn.emit('close', new Error('bad file descriptor'));
    }
  }

  /** The fake lister (what SerialPort.list() would report). */
  list = async (): Promise<SerialPortInfo[]> =>
    [...this.slots].map(([path, s]) => ({ path, vendorId: s.vendorId, productId: s.productId }));

  async open(path: string): Promise<SerialConnection> {
    const slot = this.slots.get(path);
    if (!slot) throw new Error(`No such file or directory, cannot open ${path}`);
    if (slot.denied) throw new Error(`Permission denied, cannot open ${path}`);
    if (slot.busy || slot.connection?.open) throw new Error('Error Resource temporarily unavailable Cannot lock port');
    const log = this.written.get(path) ?? [];
    this.written.set(path, log);
    const conn: FakeConnection = new FakeConnection(
      (bytes) => {
        log.push(bytes);
        slot.device.receive(bytes);
      },
      () => slot.device.detach?.(),
    );
    slot.connection = conn;
    slot.device.attach((bytes) => {
      if (conn.open) queueMicrotask(() => conn.emit('data', Uint8Array.from(bytes)));
    });
    return conn;
  }
}
