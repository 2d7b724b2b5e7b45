/** In-memory BP cuff for host and UI tests (no bytes). */
import { LOINC } from '../../../src/shared/domain';
import { FakeDriver } from '../fake-driver';

export class FakeBpCuff extends FakeDriver {
  constructor(id = 'bp-cuff-1') {
    super(id, 'bp-cuff');
  }
  emitCuffPressure(mmHg: number) {
    return this.emitReading({
      kind: 'cuff-pressure',
      code: LOINC.cuffPressure,
      values: [{ code: LOINC.cuffPressure, name: 'Cuff pressure', value: mmHg, unit: 'mm[Hg]' }],
      flags: ['intermediate'],
    });
  }
  emitBloodPressure(systolic: number, diastolic: number, pulse: number) {
    return this.emitReading({
      kind: 'blood-pressure',
      code: LOINC.bpPanel,
      values: [
        { code: LOINC.systolic, name: 'Systolic blood pressure', value: systolic, unit: 'mm[Hg]' },
        { code: LOINC.diastolic, name: 'Diastolic blood pressure', value: diastolic, unit: 'mm[Hg]' },
        { code: LOINC.heartRate, name: 'Heart rate', value: pulse, unit: '/min' },
      ],
    });
  }
}
