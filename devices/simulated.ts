/**
 * Simulated devices run by the host itself (kiosk-config connection type
 * "simulated"; DESIGN §7): a serial device gets a socat pty pair in a
 * temporary folder with its simulator on one end and the REAL driver on the
 * other; an HID device gets a fake HID bus with its simulator. The scenario
 * "unplug-replug" kills and recreates the pty pair at the same path.
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import type { DeviceStatus, Driver, DriverEvents } from './contracts';
import type { DriverTiming } from './drivers/base';
import { BpCuffDriver } from './drivers/bp-cuff/driver';
import { BpCuffSimulator } from './drivers/bp-cuff/simulator';
import { DermatoscopeDriver, type CaptureRequest } from './drivers/dermatoscope/driver';
import { DermatoscopeSimulator, SIMULATED_DERMATOSCOPE } from './drivers/dermatoscope/simulator';
import { FakeHidBus } from './drivers/hid/fake';
import { OximeterDriver } from './drivers/oximeter/driver';
import { OximeterSimulator, SIMULATED_OXIMETER } from './drivers/oximeter/simulator';
import type { FakeSerialDevice } from './drivers/serial/fake';
import { ThermometerDriver } from './drivers/thermometer/driver';
import { ThermometerSimulator } from './drivers/thermometer/simulator';
import { createPair, recreatePair, removeDir, type VirtualSerialPair } from './virtual-serial';

/** Runs a serial simulator on one end of a socat pair; the other end is `devicePath`. */
export class PtySimulation {
  private pair: VirtualSerialPair | undefined;
  private port: SerialPort | undefined;
  private replugTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly device: FakeSerialDevice,
    private readonly options: { unplugEveryMs?: number; unpluggedForMs?: number } = {},
  ) {}

  /** The path the driver opens. */
  get devicePath(): string {
    if (!this.pair) throw new Error('simulation not started');
    return this.pair.b;
  }

  get simulatorPath(): string {
    if (!this.pair) throw new Error('simulation not started');
    return this.pair.a;
  }

  async start(): Promise<void> {
    this.pair = await createPair();
    await this.attach();
    if (this.options.unplugEveryMs) this.scheduleUnplug(this.options.unplugEveryMs);
  }

  private async attach(): Promise<void> {
    const pair = this.pair;
    if (!pair) return;
    const port = new SerialPort({ path: pair.a, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    port.on('error', () => undefined);
    port.on('data', (chunk: Buffer) => this.device.receive(chunk));
    this.port = port;
    this.device.attach((bytes) => {
      if (port.isOpen) port.write(Buffer.from(bytes));
    });
  }

  /** Unplug: kills socat (the driver sees its port close). */
  async unplug(): Promise<void> {
    this.device.detach?.();
    this.port?.removeAllListeners('data');
    this.port = undefined;
    await this.pair?.kill();
  }

  /** Replug: a new pair at the same paths, simulator attached again. */
  async replug(): Promise<void> {
    if (!this.pair || this.stopped) return;
    this.pair = await recreatePair(this.pair);
    await this.attach();
  }

  private scheduleUnplug(every: number): void {
    this.replugTimer = setTimeout(() => {
      void (async () => {
        await this.unplug();
        this.replugTimer = setTimeout(() => void this.replug().then(() => this.scheduleUnplug(every)), this.options.unpluggedForMs ?? 3000);
      })();
    }, every);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.replugTimer);
    await this.unplug();
    if (this.pair) removeDir(this.pair.dir);
  }
}

/** A Driver that owns its simulator: start() starts both, stop() tears both down. */
export class SimulatedDevice extends EventEmitter<DriverEvents> implements Driver {
  readonly id: string;
  readonly kind: Driver['kind'];
  constructor(
    readonly driver: Driver,
    private readonly startSim: () => Promise<void>,
    private readonly stopSim: () => Promise<void>,
  ) {
    super();
    this.id = driver.id;
    this.kind = driver.kind;
    driver.on('status', (s) => this.emit('status', s));
    driver.on('reading', (r) => this.emit('reading', r));
    driver.on('error', (e) => {
      if (this.listenerCount('error') > 0) this.emit('error', e);
    });
  }
  async start(): Promise<void> {
    await this.startSim();
    await this.driver.start();
  }
  measure(): Promise<void> {
    return this.driver.measure();
  }
  cancel(): Promise<void> {
    return this.driver.cancel();
  }
  status(): DeviceStatus {
    return this.driver.status();
  }
  async stop(): Promise<void> {
    await this.driver.stop();
    await this.stopSim();
  }
  /** Dermatoscope only: capture-button presses. */
  onCapture(listener: (request: CaptureRequest) => void): () => void {
    return this.driver instanceof DermatoscopeDriver ? this.driver.onCapture(listener) : () => false;
  }
}

export interface SimulationOptions {
  id: string;
  scenario: string;
  timing?: Partial<DriverTiming>;
  /** Scale of simulator delays (1 = demo speed). */
  speed?: number;
}

const UNPLUG = { unplugEveryMs: 20_000, unpluggedForMs: 4000 };

/** A simulated serial device: simulator on a socat pty, the real driver on the other end. */
export function simulatedSerialDevice(kind: 'thermometer' | 'bp-cuff', options: SimulationOptions): SimulatedDevice {
  const speed = options.speed ?? 1;
  const sim = kind === 'thermometer' ? new ThermometerSimulator({ scenario: options.scenario, speed }) : new BpCuffSimulator({ scenario: options.scenario, speed });
  const pty = new PtySimulation(sim, options.scenario === 'unplug-replug' ? { unplugEveryMs: UNPLUG.unplugEveryMs * speed, unpluggedForMs: UNPLUG.unpluggedForMs * speed } : {});
  let driver: Driver | undefined;
  const lazy = new LazyDriver(options.id, kind, () => {
    const common = { id: options.id, path: pty.devicePath, timing: { measureTimeoutMs: 30_000, ...options.timing } };
    driver = kind === 'thermometer' ? new ThermometerDriver(common) : new BpCuffDriver(common);
    return driver;
  });
  return new SimulatedDevice(lazy, () => pty.start(), () => pty.stop());
}

/** A simulated HID device: simulator and real driver over a fake HID bus. */
export function simulatedHidDevice(kind: 'oximeter' | 'dermatoscope', options: SimulationOptions): SimulatedDevice {
  const bus = new FakeHidBus();
  const speed = options.speed ?? 1;
  if (kind === 'oximeter') {
    const sim = new OximeterSimulator(bus, options.scenario, { periodMs: 1000 * speed });
    const driver = new OximeterDriver({ id: options.id, ...SIMULATED_OXIMETER, backend: bus, timing: options.timing });
    return new SimulatedDevice(driver, async () => sim.start(), async () => sim.stop());
  }
  const sim = new DermatoscopeSimulator(bus, options.scenario, { pressEveryMs: 20_000 * speed });
  const driver = new DermatoscopeDriver({ id: options.id, ...SIMULATED_DERMATOSCOPE, backend: bus, timing: options.timing });
  return new SimulatedDevice(driver, async () => sim.start(), async () => sim.stop());
}

/** Builds its driver on start(), once the pty path is known. */
class LazyDriver extends EventEmitter<DriverEvents> implements Driver {
  private inner: Driver | undefined;
  constructor(
    readonly id: string,
    readonly kind: Driver['kind'],
    private readonly build: () => Driver,
  ) {
    super();
  }
  async start(): Promise<void> {
    if (!this.inner) {
      const inner = this.build();
      inner.on('status', (s) => this.emit('status', s));
      inner.on('reading', (r) => this.emit('reading', r));
      inner.on('error', (e) => {
        if (this.listenerCount('error') > 0) this.emit('error', e);
      });
      this.inner = inner;
    }
    await this.inner.start();
  }
  async measure(): Promise<void> {
    if (!this.inner) throw new Error('not started');
    await this.inner.measure();
  }
  async cancel(): Promise<void> {
    await this.inner?.cancel();
  }
  status(): DeviceStatus {
    return this.inner?.status() ?? { deviceId: this.id, kind: this.kind, state: 'disconnected', at: new Date().toISOString() };
  }
  async stop(): Promise<void> {
    await this.inner?.stop();
  }
}
