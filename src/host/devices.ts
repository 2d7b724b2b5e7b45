/**
 * The host's side of the devices (DESIGN §1, §3): starts the drivers named
 * in kiosk-config, stamps each reading with the current session, and hands
 * readings and statuses to the Host's single entry points. Bytes never get
 * here: only `Reading` and `DeviceStatus`.
 */
import type { Logger } from 'pino';
import type { Driver } from '../../devices/contracts';
import type { DeviceRegistry } from '../../devices/registry';
import type { DeviceConfig } from '../shared/config';
import type { DeviceKind, DeviceStatus, MeasurementKind, Reading } from '../shared/domain';
import { ApiRequestError } from '../shared/errors';

export interface DeviceSink {
  acceptReading(reading: Reading): Promise<void>;
  acceptDeviceStatus(status: DeviceStatus): void;
}

/** Which instrument takes each kind of measurement. */
export const DEVICE_FOR_MEASUREMENT: Record<MeasurementKind, DeviceKind> = {
  temperature: 'thermometer',
  'blood-pressure': 'bp-cuff',
  'cuff-pressure': 'bp-cuff',
  spo2: 'oximeter',
  'dermatoscope-photo': 'dermatoscope',
  'otoscope-photo': 'otoscope',
};

export class DeviceManager {
  readonly drivers: Driver[];
  private started = false;

  constructor(
    private readonly options: {
      sink: DeviceSink;
      /** The current session id (null outside a session). */
      sessionId: () => string | null;
      log: Logger;
      /** Either ready drivers (tests), or a registry and configs. */
      drivers?: Driver[];
      registry?: DeviceRegistry;
      configs?: DeviceConfig[];
    },
  ) {
    this.drivers = options.drivers ?? options.registry?.create(options.configs ?? []) ?? [];
    for (const driver of this.drivers) {
      driver.on('status', (status) => options.sink.acceptDeviceStatus(status));
      driver.on('reading', (reading) => {
        const stamped: Reading = { ...reading, sessionId: options.sessionId() };
        options.sink.acceptReading(stamped).catch((error: unknown) => {
          options.log.error({ err: error, deviceId: driver.id, readingId: reading.id }, 'reading not accepted');
        });
      });
      driver.on('error', (error) => options.log.warn({ deviceId: driver.id, code: error.code }, 'device error'));
    }
  }

  /** Starts every driver; a missing device does not stop the others (its driver keeps retrying). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await Promise.all(
      this.drivers.map((d) =>
        d.start().catch((error: unknown) => this.options.log.error({ err: error, deviceId: d.id }, 'driver failed to start')),
      ),
    );
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await Promise.all(this.drivers.map((d) => d.stop().catch(() => undefined)));
  }

  /** The driver for a measurement kind, if the booth has one. */
  driverFor(kind: MeasurementKind): Driver | undefined {
    const deviceKind = DEVICE_FOR_MEASUREMENT[kind];
    return this.drivers.find((d) => d.kind === deviceKind);
  }

  /** Asks the right instrument to measure; a refusal is a typed ApiRequestError. */
  async measure(kind: MeasurementKind): Promise<{ accepted: boolean }> {
    const driver = this.driverFor(kind);
    if (!driver) {
      throw new ApiRequestError('DEVICE_NOT_CONFIGURED', {
        fr: `Aucun appareil de ce type n'est installé dans cette cabine (${kind}).`,
        en: `No device of this kind is installed in this booth (${kind}).`,
      });
    }
    await driver.measure();
    return { accepted: true };
  }
}
