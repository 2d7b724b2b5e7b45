/**
 * A simulated serial blood-pressure cuff speaking real frames: on "start" it
 * inflates (0x2A36 every step), deflates while measuring, then sends the
 * result (0x2A35); "cancel" deflates at once. Scenarios: normal,
 * hypertension, irregular-pulse, cuff-too-loose, out-of-range, device-error
 * (fails mid-inflation), garbage-bursts, slow (never finishes: the host must
 * time out and deflate), unplug-replug (see `devices/simulated.ts`).
 */
import {
  BLOOD_PRESSURE_MEASUREMENT_UUID,
  INTERMEDIATE_CUFF_PRESSURE_UUID,
  encodeBloodPressureMeasurement,
  encodeIntermediateCuffPressure,
  type MeasurementStatus,
} from '../../protocols/blood-pressure';
import { dateTimeFromDate } from '../../protocols/date-time';
import type { CommandMessage } from '../../protocols/serial-frame';
import { SerialSimulator, type SerialSimulatorOptions } from '../serial/simulator-base';
import { BpState } from './wire';

export const BP_SCENARIOS = [
  'normal', 'hypertension', 'irregular-pulse', 'cuff-too-loose', 'out-of-range', 'device-error', 'garbage-bursts', 'slow', 'unplug-replug',
] as const;

const RESULTS: Record<string, { sys: number; dia: number; pulse: number }> = {
  normal: { sys: 122, dia: 78, pulse: 68 },
  hypertension: { sys: 168, dia: 102, pulse: 81 },
  'irregular-pulse': { sys: 134, dia: 86, pulse: 92 },
  'out-of-range': { sys: 310, dia: 90, pulse: 70 },
};

export class BpCuffSimulator extends SerialSimulator {
  /** Set while a measurement runs. */
  inflating = false;
  /** Commands received, in order (tests check that a timeout deflates). */
  readonly commands: string[] = [];
  private readonly stepMs: number;

  constructor(options: Partial<SerialSimulatorOptions> & { stepMs?: number } = {}) {
    super({ model: 'CabinePress B2 (sim)', serial: 'SIM-B-0042', firmware: '2.0.7', ...options });
    this.stepMs = options.stepMs ?? 150;
  }

  protected onCommand(command: CommandMessage): void {
    this.commands.push(command.command);
    if (command.command === 'start' && !this.inflating) this.run();
    if (command.command === 'cancel') this.deflate();
  }

  private deflate(): void {
    this.cancelTimers();
    this.inflating = false;
    this.sendMessage({ kind: 'status', state: BpState.idle, code: 0 });
  }

  private cuff(pressure: number): void {
    this.sendMessage({ kind: 'measurement', characteristic: INTERMEDIATE_CUFF_PRESSURE_UUID, data: encodeIntermediateCuffPressure({ unit: 'mm[Hg]', cuffPressure: pressure }) });
  }

  private run(): void {
    this.inflating = true;
    this.sendMessage({ kind: 'status', state: BpState.inflating, code: 0 });
    const target = this.scenario === 'hypertension' ? 200 : 170;
    const inflate: number[] = [];
    for (let p = 20; p <= target; p += 30) inflate.push(p);
    const deflate: number[] = [];
    for (let p = target - 10; p >= 60; p -= 20) deflate.push(p);
    let t = 0;
    for (const p of inflate) this.after((t += this.stepMs), () => this.cuff(p));
    if (this.scenario === 'device-error') {
      this.after((t += this.stepMs), () => {
        this.inflating = false;
        this.sendMessage({ kind: 'error', code: 2, text: 'cuff leak' });
        this.sendMessage({ kind: 'status', state: BpState.idle, code: 2 });
      });
      return;
    }
    if (this.scenario === 'slow') return; // holds pressure forever: the host must time out and deflate
    this.after((t += this.stepMs), () => this.sendMessage({ kind: 'status', state: BpState.deflating, code: 0 }));
    for (const p of deflate) this.after((t += this.stepMs), () => this.cuff(p));
    this.after((t += this.stepMs), () => {
      this.inflating = false;
      this.sendResult();
      this.sendMessage({ kind: 'status', state: BpState.idle, code: 0 });
    });
  }

  /** The result frame of this scenario. */
  sendResult(): void {
    const r = RESULTS[this.scenario] ?? RESULTS.normal ?? { sys: 122, dia: 78, pulse: 68 };
    const status: MeasurementStatus = {
      bodyMovement: false,
      cuffTooLoose: this.scenario === 'cuff-too-loose',
      irregularPulse: this.scenario === 'irregular-pulse',
      pulseRateRange: 'within',
      improperPosition: false,
    };
    const data = encodeBloodPressureMeasurement({
      unit: 'mm[Hg]',
      systolic: r.sys,
      diastolic: r.dia,
      meanArterialPressure: Math.round(r.dia + (r.sys - r.dia) / 3),
      timestamp: dateTimeFromDate(new Date(), 'local'),
      pulseRate: r.pulse,
      userId: 1,
      status,
    });
    this.sendMessage({ kind: 'measurement', characteristic: BLOOD_PRESSURE_MEASUREMENT_UUID, data });
  }
}
