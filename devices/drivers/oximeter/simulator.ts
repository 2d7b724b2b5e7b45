/**
 * A simulated HID pulse oximeter: pushes real 0x01 reports into a
 * {@link FakeHidBus} (no virtual HID exists on our machines). Scenarios:
 * normal, hypoxia, finger-out, device-error (sensor fault), garbage-bursts
 * (malformed reports between good ones), slow (a report every 3 s),
 * unplug-replug (unplugs, then plugs back a few seconds later).
 */
import { encodeOximeterReport } from '../../protocols/oximeter-hid';
import type { HidDeviceInfo } from '../hid/device';
import type { FakeHidBus } from '../hid/fake';
import { OXIMETER_USB_ID } from './driver';

export const OXIMETER_SCENARIOS = ['normal', 'hypoxia', 'finger-out', 'device-error', 'garbage-bursts', 'slow', 'unplug-replug', 'out-of-range'] as const;

export const SIMULATED_OXIMETER: HidDeviceInfo & { path: string } = {
  ...OXIMETER_USB_ID,
  path: 'sim-hid-oximeter',
  product: 'CabineOx O3 (sim)',
  serialNumber: 'SIM-O-0007',
  manufacturer: 'Cabine',
  release: 0x0103,
};

export class OximeterSimulator {
  private timer: NodeJS.Timeout | undefined;
  private tick = 0;
  constructor(
    private readonly bus: FakeHidBus,
    readonly scenario = 'normal',
    private readonly options: { periodMs?: number; info?: HidDeviceInfo & { path: string } } = {},
  ) {}

  get path(): string {
    return (this.options.info ?? SIMULATED_OXIMETER).path;
  }

  start(): void {
    this.bus.plug(this.options.info ?? SIMULATED_OXIMETER);
    const period = (this.options.periodMs ?? 1000) * (this.scenario === 'slow' ? 3 : 1);
    this.timer = setInterval(() => this.step(), period);
  }

  stop(): void {
    clearInterval(this.timer);
    this.bus.unplug(this.path);
  }

  /** The report bytes of the current tick (exported for tests and captures). */
  report(): Uint8Array {
    const t = this.tick;
    const pleth = Array.from({ length: 8 }, (_, i) => Math.round(128 + 100 * Math.sin((t * 8 + i) / 4)));
    const fingerOut = this.scenario === 'finger-out' && t % 6 < 3;
    const spo2 = this.scenario === 'hypoxia' ? 88 : this.scenario === 'out-of-range' ? 40 : 97 + (t % 2);
    return encodeOximeterReport({
      fingerOut,
      searching: false,
      lowPerfusion: false,
      sensorFault: this.scenario === 'device-error',
      spo2: fingerOut ? { ok: false, special: 'unknown' } : { ok: true, value: spo2 },
      pulseRate: fingerOut ? { ok: false, special: 'unknown' } : { ok: true, value: 70 + (t % 5) },
      perfusionIndex: 4.2,
      pleth,
    });
  }

  step(): void {
    this.tick += 1;
    if (this.scenario === 'unplug-replug' && this.tick % 10 === 0) {
      this.bus.unplug(this.path);
      setTimeout(() => this.bus.plug(this.options.info ?? SIMULATED_OXIMETER), 3 * (this.options.periodMs ?? 1000));
      return;
    }
    if (this.scenario === 'garbage-bursts') this.bus.send(this.path, Uint8Array.of(0x01, 0xff, 0xee, 0x00));
    this.bus.send(this.path, this.report());
  }
}
