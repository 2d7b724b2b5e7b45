/**
 * The device contract (DESIGN §3, STYLE rule 1): every instrument sits behind
 * this small interface, with a `fake.ts` beside each real driver. Bytes stay
 * in the driver: above it, only `Reading` and `DeviceStatus`.
 */
import type { EventEmitter } from 'node:events';
import type { DeviceInfo, DeviceKind, DeviceStatus, Reading } from '../src/shared/domain';
import { CabineError, type LocalisedMessage } from '../src/shared/errors';

export type { DeviceInfo, DeviceKind, DeviceStatus, Reading };

export const DEVICE_ERROR_CODES = [
  'PORT_NOT_FOUND',
  'PERMISSION_DENIED',
  'PORT_BUSY',
  'TIMEOUT',
  'BAD_FRAME',
  'OUT_OF_RANGE',
  'DEVICE_REPORTED_ERROR',
  'DISCONNECTED',
  'DRIVER_UNAVAILABLE',
] as const;
export type DeviceErrorCode = (typeof DEVICE_ERROR_CODES)[number];

/** A device problem the pharmacist can act on ("vérifiez le câble USB"). */
export class DeviceError extends CabineError {
  override readonly code: DeviceErrorCode;
  readonly deviceId: string;
  constructor(code: DeviceErrorCode, deviceId: string, message: LocalisedMessage, options?: { cause?: unknown; detail?: string }) {
    super(code, message, options);
    this.code = code;
    this.deviceId = deviceId;
  }
}

/** Readings carry the session they belong to; the driver doesn't know it. */
export type DriverReading = Omit<Reading, 'sessionId'>;

export interface DriverEvents {
  status: [DeviceStatus];
  reading: [DriverReading];
  error: [DeviceError];
}

export interface Driver extends EventEmitter<DriverEvents> {
  readonly id: string;
  readonly kind: DeviceKind;
  /** Opens the device and keeps it open, reconnecting after an unplug. */
  start(): Promise<void>;
  /** Starts a measurement (BP: inflate; thermometer: send last; others: no-op). */
  measure(): Promise<void>;
  /** Cancels a measurement in progress (BP: deflate). */
  cancel(): Promise<void>;
  status(): DeviceStatus;
  stop(): Promise<void>;
}
