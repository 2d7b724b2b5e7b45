/**
 * A simulated dermatoscope capture button: real 0x02 reports into a
 * {@link FakeHidBus}. `press()` sends held-then-released; scenario `normal`
 * presses every 20 s in the demo, `unplug-replug` also unplugs now and then,
 * `garbage-bursts` adds malformed reports.
 */
import { encodeDermatoscopeReport, type Polarisation } from '../../protocols/dermatoscope-hid';
import type { HidDeviceInfo } from '../hid/device';
import type { FakeHidBus } from '../hid/fake';
import { DERMATOSCOPE_USB_ID } from './driver';

export const DERMATOSCOPE_SCENARIOS = ['normal', 'garbage-bursts', 'unplug-replug'] as const;

export const SIMULATED_DERMATOSCOPE: HidDeviceInfo & { path: string } = {
  ...DERMATOSCOPE_USB_ID,
  path: 'sim-hid-dermatoscope',
  product: 'CabineDerm D1 (sim)',
  serialNumber: 'SIM-D-0003',
  manufacturer: 'Cabine',
  release: 0x0210,
};

export class DermatoscopeSimulator {
  private timer: NodeJS.Timeout | undefined;
  private count = 0;
  constructor(
    private readonly bus: FakeHidBus,
    readonly scenario = 'normal',
    private readonly options: { pressEveryMs?: number; polarisation?: Polarisation } = {},
  ) {}

  get path(): string {
    return SIMULATED_DERMATOSCOPE.path;
  }

  start(): void {
    this.bus.plug(SIMULATED_DERMATOSCOPE);
    const every = this.options.pressEveryMs ?? 20_000;
    this.timer = setInterval(() => {
      this.count += 1;
      if (this.scenario === 'unplug-replug' && this.count % 3 === 0) {
        this.bus.unplug(this.path);
        setTimeout(() => this.bus.plug(SIMULATED_DERMATOSCOPE), every / 2);
        return;
      }
      this.press();
    }, every);
  }

  stop(): void {
    clearInterval(this.timer);
    this.bus.unplug(this.path);
  }

  /** One press and release of the capture button. */
  press(): void {
    const polarisation = this.options.polarisation ?? 'polarised';
    if (this.scenario === 'garbage-bursts') this.bus.send(this.path, Uint8Array.of(0x02, 0xff, 0x09));
    this.bus.send(this.path, encodeDermatoscopeReport({ capture: true, polarisation }, { padTo: 8 }));
    this.bus.send(this.path, encodeDermatoscopeReport({ capture: false, polarisation }, { padTo: 8 }));
  }
}
