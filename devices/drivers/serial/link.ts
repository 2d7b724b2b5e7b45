/**
 * The serial transport behind the thermometer and BP cuff drivers: a small
 * Promise-based interface (STYLE rule 1) with the real serialport
 * implementation here and an in-memory one in `fake.ts`.
 */
import { EventEmitter } from 'node:events';
import { access } from 'node:fs/promises';
import { SerialPort } from 'serialport';

export interface SerialConnectionEvents {
  data: [Uint8Array];
  /** The port went away (unplug, socat killed) or was closed. */
  close: [Error | undefined];
}

/** An open port. */
export interface SerialConnection extends EventEmitter<SerialConnectionEvents> {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Opens ports by path. Errors keep the OS wording (mapped by {@link classifyOpenError}). */
export interface SerialOpener {
  open(path: string, baudRate: number): Promise<SerialConnection>;
  /** Whether the device node still exists (a second sign of an unplug). */
  present?(path: string): Promise<boolean>;
}

/** What a lister reports; ids are hex strings as SerialPort.list() gives them ("1209"). */
export interface SerialPortInfo {
  path: string;
  vendorId?: string | undefined;
  productId?: string | undefined;
}

/** NOTE: SerialPort.list() needs udevadm and never lists ptys; tests inject their own. */
export type PortLister = () => Promise<SerialPortInfo[]>;

export const listSerialPorts: PortLister = async () => SerialPort.list();

/** The first port whose USB ids match, or undefined. */
export async function findPortByUsbId(lister: PortLister, vendorId: number, productId: number): Promise<string | undefined> {
  const ports = await lister();
  const match = ports.find(
    (p) => p.vendorId !== undefined && p.productId !== undefined && Number.parseInt(p.vendorId, 16) === vendorId && Number.parseInt(p.productId, 16) === productId,
  );
  return match?.path;
}

/** Maps serialport's open error text to a device error code. */
export function classifyOpenError(error: unknown): 'PORT_NOT_FOUND' | 'PERMISSION_DENIED' | 'PORT_BUSY' | 'DISCONNECTED' {
  const text = error instanceof Error ? error.message : String(error);
  // NOTE: @serialport/bindings-cpp (Linux) reports errno text, not codes:
  // "No such file or directory, cannot open …", "Permission denied, cannot
  // open …", "Error Resource temporarily unavailable Cannot lock port".
  if (/No such file|ENOENT/i.test(text)) return 'PORT_NOT_FOUND';
  if (/Permission denied|EACCES|EPERM/i.test(text)) return 'PERMISSION_DENIED';
  if (/Cannot lock port|Resource busy|EBUSY|temporarily unavailable/i.test(text)) return 'PORT_BUSY';
  return 'DISCONNECTED';
}

class NodeSerialConnection extends EventEmitter<SerialConnectionEvents> implements SerialConnection {
  constructor(private readonly port: SerialPort) {
    super();
    port.on('data', (chunk: Buffer) => this.emit('data', chunk));
    port.on('close', (error?: Error | null) => this.emit('close', error ?? undefined));
    // An 'error' without a close (e.g. a failed write) is followed by a close
    // from serialport when the fd is dead; keep it from throwing meanwhile.
    port.on('error', () => undefined);
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (error) => (error ? reject(error) : resolve()));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.port.isOpen) return resolve();
      this.port.close(() => resolve());
    });
  }
}

/** The real opener (serialport 13, exclusive lock). */
export const nodeSerialOpener: SerialOpener = {
  open(path, baudRate) {
    const port = new SerialPort({ path, baudRate, autoOpen: false, lock: true });
    return new Promise((resolve, reject) => {
      port.open((error) => (error ? reject(error) : resolve(new NodeSerialConnection(port))));
    });
  },
  present: (path) => access(path).then(() => true, () => false),
};
