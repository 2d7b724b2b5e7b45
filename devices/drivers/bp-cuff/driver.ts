/**
 * Serial blood-pressure cuff driver: Intermediate Cuff Pressure (0x2A36)
 * while the cuff inflates and deflates (a live gauge), then Blood Pressure
 * Measurement (0x2A35). The host starts and cancels a measurement; one that
 * never ends is cancelled (the cuff deflates) and reported as TIMEOUT.
 */
import { LOINC, PHYSIOLOGICAL_RANGES, type Quantity, type ReadingFlag } from '../../../src/shared/domain';
import {
  BLOOD_PRESSURE_MEASUREMENT_UUID,
  INTERMEDIATE_CUFF_PRESSURE_UUID,
  decodeBloodPressureMeasurement,
  decodeIntermediateCuffPressure,
  type MeasurementStatus,
  type PressureUnit,
} from '../../protocols/blood-pressure';
import { dateTimeToDate } from '../../protocols/date-time';
import type { ErrorMessage, MeasurementMessage, StatusMessage } from '../../protocols/serial-frame';
import { inRange } from '../base';
import { SerialDriver, type SerialDriverOptions } from '../serial/serial-driver';
import { BpState } from './wire';

export type BpCuffDriverOptions = SerialDriverOptions;

const KPA_TO_MMHG = 7.500_616_827;

function statusFlags(status: MeasurementStatus | undefined): ReadingFlag[] {
  if (!status) return [];
  const flags: ReadingFlag[] = [];
  if (status.bodyMovement) flags.push('body-movement');
  if (status.cuffTooLoose) flags.push('cuff-too-loose');
  if (status.irregularPulse) flags.push('irregular-pulse');
  if (status.pulseRateRange !== 'within') flags.push('pulse-rate-out-of-range');
  if (status.improperPosition) flags.push('improper-position');
  return flags;
}

export class BpCuffDriver extends SerialDriver {
  readonly kind = 'bp-cuff' as const;
  private deadline: NodeJS.Timeout | undefined;

  constructor(options: BpCuffDriverOptions) {
    // NOTE: an oscillometric measurement takes 30–60 s (longer on a second
    // inflation); 90 s before giving up and deflating.
    super({ ...options, timing: { measureTimeoutMs: 90_000, ...options.timing } });
  }

  /** Starts inflating; the result (or TIMEOUT) comes as events. */
  override async measure(): Promise<void> {
    await this.command('start');
    this.setState('measuring');
    clearTimeout(this.deadline);
    this.deadline = setTimeout(() => void this.timedOut(), this.timing.measureTimeoutMs);
  }

  /** Deflates the cuff and abandons the measurement. */
  override async cancel(): Promise<void> {
    this.clearDeadline();
    await this.command('cancel');
    this.setState('ready');
  }

  private async timedOut(): Promise<void> {
    this.deadline = undefined;
    // NOTE: a cuff left inflated hurts; deflate first, then tell.
    await this.command('cancel').catch(() => undefined);
    const error = this.error('TIMEOUT', { detail: `no result within ${this.timing.measureTimeoutMs} ms` });
    this.setState('error', error);
    this.raise(error);
  }

  private clearDeadline(): void {
    clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  protected override async disconnect(): Promise<void> {
    this.clearDeadline();
    await super.disconnect();
  }

  protected onMeasurement(message: MeasurementMessage): void {
    if (message.characteristic === INTERMEDIATE_CUFF_PRESSURE_UUID) return this.onCuffPressure(message.data);
    if (message.characteristic === BLOOD_PRESSURE_MEASUREMENT_UUID) return this.onResult(message.data);
    this.badFrame(`unexpected characteristic 0x${message.characteristic.toString(16)}`);
  }

  private onCuffPressure(data: Uint8Array): void {
    const decoded = decodeIntermediateCuffPressure(data);
    if (!decoded.ok) return this.badFrame(`${decoded.error.code}: ${decoded.error.message}`, decoded.error);
    const m = decoded.value;
    if (!m.cuffPressure.ok) return;
    if (this.status().state !== 'measuring') this.setState('measuring');
    this.deliver(
      this.makeReading({
        kind: 'cuff-pressure',
        code: LOINC.cuffPressure,
        values: [{ code: LOINC.cuffPressure, name: 'Cuff pressure', value: m.cuffPressure.value, unit: m.unit }],
        flags: ['intermediate', ...statusFlags(m.status)],
      }),
    );
  }

  private onResult(data: Uint8Array): void {
    const decoded = decodeBloodPressureMeasurement(data);
    if (!decoded.ok) return this.badFrame(`${decoded.error.code}: ${decoded.error.message}`, decoded.error);
    this.clearDeadline();
    const m = decoded.value;
    if (!m.systolic.ok || !m.diastolic.ok) {
      const error = this.error('DEVICE_REPORTED_ERROR', { detail: 'systolic or diastolic not measured' });
      this.setState('error', error);
      this.raise(error);
      return;
    }
    const mmHg = (v: number, unit: PressureUnit): number => (unit === 'kPa' ? v * KPA_TO_MMHG : v);
    const flags = statusFlags(m.status);
    let outOfRange =
      !inRange(mmHg(m.systolic.value, m.unit), PHYSIOLOGICAL_RANGES.systolicMmHg) ||
      !inRange(mmHg(m.diastolic.value, m.unit), PHYSIOLOGICAL_RANGES.diastolicMmHg) ||
      m.diastolic.value >= m.systolic.value;
    const values: Quantity[] = [
      { code: LOINC.systolic, name: 'Systolic blood pressure', value: m.systolic.value, unit: m.unit },
      { code: LOINC.diastolic, name: 'Diastolic blood pressure', value: m.diastolic.value, unit: m.unit },
    ];
    if (m.meanArterialPressure.ok) {
      values.push({ code: LOINC.meanArterial, name: 'Mean blood pressure', value: m.meanArterialPressure.value, unit: m.unit });
    }
    if (m.pulseRate?.ok) {
      values.push({ code: LOINC.heartRate, name: 'Heart rate', value: m.pulseRate.value, unit: '/min' });
      if (!inRange(m.pulseRate.value, PHYSIOLOGICAL_RANGES.pulsePerMin)) outOfRange = true;
    }
    if (outOfRange) flags.push('out-of-range');
    const takenAt = m.timestamp ? dateTimeToDate(m.timestamp, 'local') : undefined;
    const meta = m.userId?.ok ? { userId: m.userId.value } : undefined;
    this.deliver(this.makeReading({ kind: 'blood-pressure', code: LOINC.bpPanel, values, flags, takenAt, ...(meta ? { meta } : {}) }));
    this.setState('ready');
  }

  protected onStatus(message: StatusMessage): void {
    if (message.state === BpState.idle && this.deadline === undefined && this.status().state === 'measuring') this.setState('ready');
    else if (message.state !== BpState.idle && this.status().state !== 'measuring') this.setState('measuring');
  }

  protected onDeviceError(message: ErrorMessage): void {
    this.clearDeadline();
    const error = this.error('DEVICE_REPORTED_ERROR', { detail: `device error ${message.code}: ${message.text}` });
    this.setState('error', error);
    this.raise(error);
  }
}
