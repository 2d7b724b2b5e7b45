/**
 * An in-memory Driver for host and UI tests: no bytes at all. Push readings
 * and statuses by hand; `measure()` and `cancel()` calls are recorded.
 */
import { EventEmitter } from 'node:events';
import { v7 as uuidv7 } from 'uuid';
import type { DeviceInfo, DeviceKind, DeviceStatus, Driver, DriverEvents, DriverReading } from '../contracts';

export class FakeDriver extends EventEmitter<DriverEvents> implements Driver {
  readonly calls: ('start' | 'measure' | 'cancel' | 'stop')[] = [];
  readonly info: DeviceInfo;
  private current: DeviceStatus;

  constructor(readonly id: string, readonly kind: DeviceKind, info: Partial<DeviceInfo> = {}) {
    super();
    this.info = { id, kind, model: `Fake ${kind}`, serial: 'FAKE-0001', firmware: '0.0.1', ...info };
    this.current = { deviceId: id, kind, state: 'disconnected', at: new Date().toISOString() };
  }

  async start(): Promise<void> {
    this.calls.push('start');
    this.setState('ready');
  }
  async measure(): Promise<void> {
    this.calls.push('measure');
    this.setState('measuring');
  }
  async cancel(): Promise<void> {
    this.calls.push('cancel');
    this.setState('ready');
  }
  async stop(): Promise<void> {
    this.calls.push('stop');
    this.setState('disconnected');
  }
  status(): DeviceStatus {
    return this.current;
  }

  setState(state: DeviceStatus['state']): void {
    this.current = { deviceId: this.id, kind: this.kind, state, info: this.info, at: new Date().toISOString() };
    this.emit('status', this.current);
  }

  /** Emits a reading built from `partial` with this device's identity. */
  emitReading(partial: Pick<DriverReading, 'kind' | 'code' | 'values'> & Partial<DriverReading>): DriverReading {
    const now = new Date().toISOString();
    const reading: DriverReading = { id: uuidv7(), takenAt: now, receivedAt: now, device: this.info, flags: [], ...partial };
    this.emit('reading', reading);
    return reading;
  }
}
