/**
 * kiosk-config `devices[]` → drivers. Each device issue registers a factory
 * per kind; the host asks the registry for drivers and never sees bytes.
 */
import type { DeviceConfig } from '../src/shared/config';
import type { Driver } from './contracts';

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
