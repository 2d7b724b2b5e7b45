/**
 * Common part of the serial drivers (thermometer, BP cuff): find and open
 * the port, decode frames, the hello handshake, commands, reconnection.
 * Bytes stop here: subclasses see typed messages only.
 */
import { SerialFrameDecoder, decodeMessage, encodeMessage } from '../../protocols/serial-frame';
import type { ErrorMessage, MeasurementMessage, SerialMessage, StatusMessage } from '../../protocols/serial-frame';
import { BaseDriver, type BaseDriverOptions } from '../base';
import { classifyOpenError, findPortByUsbId, listSerialPorts, nodeSerialOpener, type PortLister, type SerialConnection, type SerialOpener } from './link';

export interface SerialDriverOptions extends BaseDriverOptions {
  /** Explicit path (ptys, or a udev symlink). */
  path?: string;
  /** Or USB ids, looked up through `lister` on every (re)connection. */
  vendorId?: number;
  productId?: number;
  baudRate?: number;
  opener?: SerialOpener;
  lister?: PortLister;
}

export abstract class SerialDriver extends BaseDriver {
  private readonly options: SerialDriverOptions;
  private readonly opener: SerialOpener;
  private readonly lister: PortLister;
  private connection: SerialConnection | undefined;
  private readonly decoder = new SerialFrameDecoder();
  private flushTimer: NodeJS.Timeout | undefined;
  private seq = 0;
  private helloWaiter: ((m: SerialMessage) => void) | undefined;
  private presenceTimer: NodeJS.Timeout | undefined;

  constructor(options: SerialDriverOptions) {
    super(options);
    this.options = options;
    this.opener = options.opener ?? nodeSerialOpener;
    this.lister = options.lister ?? listSerialPorts;
  }

  protected abstract onMeasurement(message: MeasurementMessage): void;
  protected abstract onStatus(message: StatusMessage): void;
  protected abstract onDeviceError(message: ErrorMessage): void;

  private async resolvePath(): Promise<string> {
    if (this.options.path) return this.options.path;
    const { vendorId, productId } = this.options;
    if (vendorId === undefined || productId === undefined) throw this.error('PORT_NOT_FOUND', { detail: 'no path and no USB ids' });
    let path: string | undefined;
    try {
      path = await findPortByUsbId(this.lister, vendorId, productId);
    } catch (cause) {
      throw this.error('PORT_NOT_FOUND', { cause, detail: 'listing serial ports failed' });
    }
    if (!path) throw this.error('PORT_NOT_FOUND', { detail: `no port with USB id ${vendorId.toString(16)}:${productId.toString(16)}` });
    return path;
  }

  protected async connect(generation: number): Promise<void> {
    const path = await this.resolvePath();
    let conn: SerialConnection;
    try {
      conn = await this.opener.open(path, this.options.baudRate ?? 115200);
    } catch (cause) {
      throw this.error(classifyOpenError(cause), { cause, detail: path });
    }
    this.connection = conn;
    this.decoder.reset();
    conn.on('data', (chunk) => {
      if (generation === this.generation) this.onBytes(chunk);
    });
    conn.on('close', (cause) => this.connectionLost(generation, cause));
    await this.handshake(conn);
    // NOTE: serialport usually reports an unplug as a close ("bad file
    // descriptor"), but we saw it miss the hang-up of a pty whose socat died
    // right after opening; the device node (or pty link) vanishing is the
    // other sign of an unplug, so check for it too.
    clearInterval(this.presenceTimer);
    const present = this.opener.present?.bind(this.opener);
    if (present) {
      this.presenceTimer = setInterval(() => {
        void present(path).then((yes) => {
          if (!yes) this.connectionLost(generation, new Error(`${path} vanished`));
        });
      }, 250);
    }
  }

  /**
   * NOTE: our devices send hello at power-up, which the host may miss; so the
   * host announces itself with an `11 ack` (seq 0) and the device answers with
   * hello. Repeated a few times within helloTimeoutMs, in case the first one
   * was lost while the device was booting.
   */
  private async handshake(conn: SerialConnection): Promise<void> {
    const hello = new Promise<SerialMessage>((resolve) => {
      this.helloWaiter = resolve;
    });
    const probes = 3;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      let sent = 0;
      const probe = (): void => {
        if (sent === probes) {
          reject(this.error('TIMEOUT', { detail: 'no hello from the device' }));
          return;
        }
        sent += 1;
        conn.write(encodeMessage({ kind: 'ack', ackSeq: 0 }, this.nextSeq())).catch(() => undefined);
        timer = setTimeout(probe, this.timing.helloTimeoutMs / probes);
      };
      probe();
    });
    try {
      const message = await Promise.race([hello, timeout]);
      if (message.kind === 'hello') this.setInfo(message.model, message.serial, message.firmware);
    } finally {
      clearTimeout(timer);
      this.helloWaiter = undefined;
    }
  }

  private setInfo(model: string, serial: string, firmware: string): void {
    this.info = { id: this.id, kind: this.kind, model, serial, firmware };
  }

  protected async disconnect(): Promise<void> {
    clearTimeout(this.flushTimer);
    clearInterval(this.presenceTimer);
    const conn = this.connection;
    this.connection = undefined;
    if (conn) {
      conn.removeAllListeners('close');
      await conn.close().catch(() => undefined);
    }
  }

  private onBytes(chunk: Uint8Array): void {
    for (const result of this.decoder.push(chunk)) this.onFrameResult(result);
    clearTimeout(this.flushTimer);
    if (this.decoder.pendingBytes > 0) {
      // A stray A5 may hold good frames hostage: give up on it after a quiet gap.
      this.flushTimer = setTimeout(() => {
        for (const result of this.decoder.flush()) this.onFrameResult(result);
      }, this.timing.idleFlushMs);
    }
  }

  private onFrameResult(result: ReturnType<SerialFrameDecoder['push']>[number]): void {
    if (!result.ok) return this.badFrame(`${result.error.code}: ${result.error.message}`, result.error);
    const decoded = decodeMessage(result.value);
    if (!decoded.ok) return this.badFrame(`${decoded.error.code}: ${decoded.error.message}`, decoded.error);
    const message = decoded.value;
    switch (message.kind) {
      case 'hello':
        if (this.helloWaiter) this.helloWaiter(message);
        else this.setInfo(message.model, message.serial, message.firmware); // the device rebooted
        return;
      case 'measurement':
        if (this.helloWaiter) return; // not greeted yet: identity unknown, the reading would not be traceable
        return this.onMeasurement(message);
      case 'status':
        return this.onStatus(message);
      case 'error':
        return this.onDeviceError(message);
      case 'ack':
        return;
      case 'command':
        return this.badFrame('device sent a host command');
    }
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) & 0xff;
    return this.seq;
  }

  /** Sends a command; rejects with DISCONNECTED when the port is not open. */
  protected async command(command: 'start' | 'cancel' | 'send-last'): Promise<void> {
    const conn = this.connection;
    if (!conn || !this.isReady) throw this.error('DISCONNECTED', { detail: `cannot send ${command}` });
    try {
      await conn.write(encodeMessage({ kind: 'command', command }, this.nextSeq()));
    } catch (cause) {
      throw this.error('DISCONNECTED', { cause, detail: `writing ${command} failed` });
    }
  }
}

