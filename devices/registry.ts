/**
 * kiosk-config `devices[]` → drivers: one factory per device kind; the host
 * asks the registry for drivers and never sees bytes.
 */
import type { DeviceConfig } from '../src/shared/config';
import type { Driver } from './contracts';
import type { DriverTiming } from './drivers/base';
import { BpCuffDriver } from './drivers/bp-cuff/driver';
import { DERMATOSCOPE_USB_ID, DermatoscopeDriver } from './drivers/dermatoscope/driver';
import type { HidBackend } from './drivers/hid/device';
import { OXIMETER_USB_ID, OximeterDriver } from './drivers/oximeter/driver';
import type { PortLister, SerialOpener } from './drivers/serial/link';
import { ThermometerDriver } from './drivers/thermometer/driver';
import { simulatedHidDevice, simulatedSerialDevice } from './simulated';

export type DriverFactory = (config: DeviceConfig) => Driver;

export class DeviceRegistry {
  private readonly factories = new Map<string, DriverFactory>();

  register(kind: DeviceConfig['kind'], factory: DriverFactory): this {
    this.factories.set(kind, factory);
    return this;
  }

  create(configs: DeviceConfig[]): Driver[] {
    return configs.flatMap((config) => {
      const factory = this.factories.get(config.kind);
      return factory ? [factory(config)] : [];
    });
  }
}

/** Injectable I/O for {@link createDefaultRegistry} (tests pass fakes). */
export interface DefaultRegistryOptions {
  portLister?: PortLister;
  serialOpener?: SerialOpener;
  hidBackend?: HidBackend;
  timing?: Partial<DriverTiming>;
  /** Scale of simulator delays for "simulated" devices (1 = demo speed). */
  simulatorSpeed?: number;
}

/** thermometer and bp-cuff over serial, oximeter and dermatoscope over HID; "simulated" runs the simulator too. */
export function createDefaultRegistry(options: DefaultRegistryOptions = {}): DeviceRegistry {
  const serial = (kind: 'thermometer' | 'bp-cuff') => (config: DeviceConfig): Driver => {
    const c = config.connection;
    if (c.type === 'simulated') return simulatedSerialDevice(kind, { id: config.id, scenario: c.scenario, timing: options.timing, speed: options.simulatorSpeed });
    if (c.type !== 'serial') throw new Error(`${config.id}: a ${kind} connects over "serial", not "${c.type}"`);
    const driverOptions = {
      id: config.id,
      path: c.path,
      vendorId: c.vendorId,
      productId: c.productId,
      baudRate: c.baudRate,
      opener: options.serialOpener,
      lister: options.portLister,
      timing: options.timing,
    };
    return kind === 'thermometer' ? new ThermometerDriver(driverOptions) : new BpCuffDriver(driverOptions);
  };
  const hid = (kind: 'oximeter' | 'dermatoscope') => (config: DeviceConfig): Driver => {
    const c = config.connection;
    if (c.type === 'simulated') return simulatedHidDevice(kind, { id: config.id, scenario: c.scenario, timing: options.timing, speed: options.simulatorSpeed });
    const ids = kind === 'oximeter' ? OXIMETER_USB_ID : DERMATOSCOPE_USB_ID;
    const driverOptions = {
      id: config.id,
      vendorId: c.type === 'hid' ? c.vendorId : ids.vendorId,
      productId: c.type === 'hid' ? c.productId : ids.productId,
      path: c.path,
      backend: options.hidBackend,
      timing: options.timing,
    };
    return kind === 'oximeter' ? new OximeterDriver(driverOptions) : new DermatoscopeDriver(driverOptions);
  };
  return new DeviceRegistry()
    .register('thermometer', serial('thermometer'))
    .register('bp-cuff', serial('bp-cuff'))
    .register('oximeter', hid('oximeter'))
    .register('dermatoscope', hid('dermatoscope'));
}
