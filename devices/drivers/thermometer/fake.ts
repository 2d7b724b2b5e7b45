/** In-memory thermometer for host and UI tests (no bytes). */
import { LOINC } from '../../../src/shared/domain';
import { FakeDriver } from '../fake-driver';

export class FakeThermometer extends FakeDriver {
  constructor(id = 'thermometer-1') {
    super(id, 'thermometer');
  }
  /** Emits a body temperature in °C; outside 30–45 it carries 'out-of-range', as the real driver does. */
  emitTemperature(celsius: number) {
    const flags = celsius < 30 || celsius > 45 ? (['out-of-range'] as const) : [];
    return this.emitReading({
      kind: 'temperature',
      code: LOINC.bodyTemperature,
      values: [{ code: LOINC.bodyTemperature, name: 'Body temperature', value: celsius, unit: 'Cel' }],
      flags: [...flags],
    });
  }
}
