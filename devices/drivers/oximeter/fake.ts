/** In-memory oximeter for host and UI tests (no bytes). */
import { LOINC } from '../../../src/shared/domain';
import { FakeDriver } from '../fake-driver';

export class FakeOximeter extends FakeDriver {
  constructor(id = 'oximeter-1') {
    super(id, 'oximeter');
  }
  emitSpo2(percent: number, pulse: number) {
    return this.emitReading({
      kind: 'spo2',
      code: LOINC.spo2,
      values: [
        { code: LOINC.spo2, name: 'Oxygen saturation', value: percent, unit: '%' },
        { code: LOINC.heartRate, name: 'Heart rate', value: pulse, unit: '/min' },
      ],
    });
  }
}
