/**
 * Pulse oximeter over HID (report 0x01): each report with a known SpO2 and
 * pulse becomes a `spo2` reading; finger-out, searching, low perfusion and
 * sensor faults become flags. Unknown values never become numbers.
 */
import { LOINC, PHYSIOLOGICAL_RANGES, type Quantity, type ReadingFlag } from '../../../src/shared/domain';
import { decodeOximeterReport } from '../../protocols/oximeter-hid';
import { inRange } from '../base';
import { HidDriver, type HidDriverOptions } from '../hid/hid-driver';

export type OximeterDriverOptions = HidDriverOptions;

/** Demo ids (pid.codes test vendor, DESIGN §3). */
export const OXIMETER_USB_ID = { vendorId: 0x1209, productId: 0x0001 } as const;

export class OximeterDriver extends HidDriver {
  readonly kind = 'oximeter' as const;
  private lastFlags = '';

  protected onReport(bytes: Uint8Array): void {
    const decoded = decodeOximeterReport(bytes);
    if (!decoded.ok) return this.badFrame(`${decoded.error.code}: ${decoded.error.message}`, decoded.error);
    const r = decoded.value;
    const flags: ReadingFlag[] = [];
    if (r.fingerOut) flags.push('finger-out');
    if (r.searching) flags.push('searching');
    if (r.lowPerfusion) flags.push('low-perfusion');
    if (r.sensorFault) flags.push('sensor-fault');
    const key = flags.join(',');
    if (key !== this.lastFlags) {
      this.lastFlags = key;
      if (r.sensorFault) {
        const error = this.error('DEVICE_REPORTED_ERROR', { detail: 'sensor fault' });
        this.setState('error', error);
        this.raise(error);
      } else {
        this.setState(r.fingerOut ? 'ready' : 'measuring');
      }
    }
    if (!r.spo2.ok || !r.pulseRate.ok || r.fingerOut || r.sensorFault) return;
    if (!inRange(r.spo2.value, PHYSIOLOGICAL_RANGES.spo2Percent) || !inRange(r.pulseRate.value, PHYSIOLOGICAL_RANGES.pulsePerMin)) {
      flags.push('out-of-range');
    }
    const values: Quantity[] = [
      { code: LOINC.spo2, name: 'Oxygen saturation', value: r.spo2.value, unit: '%' },
      { code: LOINC.heartRate, name: 'Heart rate', value: r.pulseRate.value, unit: '/min' },
    ];
    this.deliver(this.makeReading({ kind: 'spo2', code: LOINC.spo2, values, flags, meta: { perfusionIndex: r.perfusionIndex } }));
  }

  protected override onUnplug(): void {
    this.lastFlags = '';
  }
}
