/**
 * A simulated serial thermometer speaking real frames. Scenarios: normal,
 * fever, hypothermia, out-of-range, device-error, garbage-bursts, slow
 * (answers late), unplug-replug (the runner unplugs the port; see
 * `devices/simulated.ts`). It answers "send last" and, with `autoEveryMs`,
 * also measures on its own as a patient pressing its button would.
 */
import { dateTimeFromDate } from '../../protocols/date-time';
import { TEMPERATURE_MEASUREMENT_UUID, encodeTemperatureMeasurement } from '../../protocols/health-thermometer';
import type { CommandMessage } from '../../protocols/serial-frame';
import { SerialSimulator, type SerialSimulatorOptions } from '../serial/simulator-base';

export const THERMOMETER_SCENARIOS = ['normal', 'fever', 'hypothermia', 'out-of-range', 'device-error', 'garbage-bursts', 'slow', 'unplug-replug'] as const;

const TEMPERATURES: Record<string, number> = { fever: 39.4, hypothermia: 34.2, 'out-of-range': 28.1 };

export class ThermometerSimulator extends SerialSimulator {
  private readonly autoEveryMs: number | undefined;

  constructor(options: Partial<SerialSimulatorOptions> & { autoEveryMs?: number } = {}) {
    super({ model: 'CabineTherm T1 (sim)', serial: 'SIM-T-0001', firmware: '1.4.2', ...options });
    this.autoEveryMs = options.autoEveryMs;
  }

  override attach(send: (bytes: Uint8Array) => void): void {
    super.attach(send);
    const every = this.autoEveryMs;
    if (!every) return;
    const tick = (): void => this.after(every, () => {
      this.measureNow();
      tick();
    });
    tick();
  }

  /** The temperature this scenario reports, in °C. */
  temperature(): number {
    return TEMPERATURES[this.scenario] ?? 36.8;
  }

  protected onCommand(command: CommandMessage): void {
    if (command.command !== 'send-last') return;
    this.after(this.scenario === 'slow' ? 2000 : 50, () => this.measureNow());
  }

  /** Sends a measurement now (or the scenario's error). */
  measureNow(): void {
    if (this.scenario === 'device-error') {
      this.sendMessage({ kind: 'error', code: 3, text: 'probe fault' });
      return;
    }
    const data = encodeTemperatureMeasurement({
      unit: 'Cel',
      temperature: { mantissa: Math.round(this.temperature() * 10), exponent: -1 },
      timestamp: dateTimeFromDate(new Date(), 'local'),
      site: 'tympanum',
    });
    this.sendMessage({ kind: 'measurement', characteristic: TEMPERATURE_MEASUREMENT_UUID, data });
  }
}
