/**
 * Serial thermometer driver: Temperature Measurement (0x2A1C) in Cabine
 * serial frames. `measure()` asks for the last measurement ("send last");
 * the thermometer also sends one on its own when the patient measures.
 */
import { LOINC, PHYSIOLOGICAL_RANGES, type Quantity, type ReadingFlag } from '../../../src/shared/domain';
import { dateTimeToDate } from '../../protocols/date-time';
import { TEMPERATURE_MEASUREMENT_UUID, decodeTemperatureMeasurement } from '../../protocols/health-thermometer';
import type { ErrorMessage, MeasurementMessage, StatusMessage } from '../../protocols/serial-frame';
import { inRange } from '../base';
import { SerialDriver, type SerialDriverOptions } from '../serial/serial-driver';

export type ThermometerDriverOptions = SerialDriverOptions;

export class ThermometerDriver extends SerialDriver {
  readonly kind = 'thermometer' as const;
  private pending: NodeJS.Timeout | undefined;

  override async measure(): Promise<void> {
    await this.command('send-last');
    this.setState('measuring');
    clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      this.pending = undefined;
      const error = this.error('TIMEOUT', { detail: 'no measurement after "send last"' });
      this.setState('error', error);
      this.raise(error);
    }, this.timing.measureTimeoutMs);
  }

  override async cancel(): Promise<void> {
    if (this.pending === undefined) return;
    clearTimeout(this.pending);
    this.pending = undefined;
    this.setState('ready');
  }

  protected override async disconnect(): Promise<void> {
    clearTimeout(this.pending);
    this.pending = undefined;
    await super.disconnect();
  }

  protected onMeasurement(message: MeasurementMessage): void {
    if (message.characteristic !== TEMPERATURE_MEASUREMENT_UUID) {
      return this.badFrame(`unexpected characteristic 0x${message.characteristic.toString(16)}`);
    }
    const decoded = decodeTemperatureMeasurement(message.data);
    if (!decoded.ok) return this.badFrame(`${decoded.error.code}: ${decoded.error.message}`, decoded.error);
    const m = decoded.value;
    if (this.pending !== undefined) {
      clearTimeout(this.pending);
      this.pending = undefined;
    }
    if (!m.temperature.ok) {
      // NaN / NRes / ±INF: the device could not measure; nothing to show.
      const error = this.error('DEVICE_REPORTED_ERROR', { detail: `temperature is ${m.temperature.special}` });
      this.setState('error', error);
      this.raise(error);
      return;
    }
    const value = m.temperature.value;
    const celsius = m.unit === 'Cel' ? value : ((value - 32) * 5) / 9;
    const flags: ReadingFlag[] = inRange(celsius, PHYSIOLOGICAL_RANGES.temperatureCel) ? [] : ['out-of-range'];
    const quantity: Quantity = { code: LOINC.bodyTemperature, name: 'Body temperature', value, unit: m.unit };
    const takenAt = m.timestamp ? dateTimeToDate(m.timestamp, 'local') : undefined;
    this.deliver(
      this.makeReading({
        kind: 'temperature',
        code: LOINC.bodyTemperature,
        values: [quantity],
        flags,
        takenAt,
        ...(m.site ? { meta: { site: m.site } } : {}),
      }),
    );
    this.setState('ready');
  }

  protected onStatus(_message: StatusMessage): void {}

  protected onDeviceError(message: ErrorMessage): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    const error = this.error('DEVICE_REPORTED_ERROR', { detail: `device error ${message.code}: ${message.text}` });
    this.setState('error', error);
    this.raise(error);
  }
}
