/**
 * What every driver shares: typed status events, reading construction,
 * range checks, and the reconnect loop (open → handshake → ready; on unplug
 * → disconnected → retry with backoff, without restarting the host).
 * Transport details (serial, HID) live in the subclasses.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { backoffDelay, NO_JITTER } from '../../src/shared/backoff';
import { systemClock, type Clock } from '../../src/shared/clock';
import type { DeviceState, MeasurementKind, Quantity, ReadingFlag } from '../../src/shared/domain';
import { createLogger } from '../../src/node/logger';
import { DeviceError, type DeviceErrorCode, type DeviceInfo, type DeviceKind, type DeviceStatus, type Driver, type DriverEvents, type DriverReading } from '../contracts';
import { deviceError } from './messages';

/** Delays of a driver; tests shorten them, they never assert them. */
export interface DriverTiming {
  /** First retry after a failed open or an unplug. */
  backoffInitialMs: number;
  /** Retries back off exponentially up to this delay. */
  backoffMaxMs: number;
  /** How long to wait for the device's hello after opening. */
  helloTimeoutMs: number;
  /** How long a measurement may take before it is abandoned (BP: cancelled and deflated). */
  measureTimeoutMs: number;
  /** Quiet time on the line after which a partial frame is given up (serial). */
  idleFlushMs: number;
}

export const DEFAULT_TIMING: DriverTiming = {
  backoffInitialMs: 250,
  backoffMaxMs: 5000,
  helloTimeoutMs: 3000,
  measureTimeoutMs: 10_000,
  idleFlushMs: 100,
};

export interface BaseDriverOptions {
  id: string;
  timing?: Partial<DriverTiming>;
  /** Wall clock (tests may pin it). */
  clock?: Pick<Clock, 'now'>;
  log?: Logger;
}

export abstract class BaseDriver extends EventEmitter<DriverEvents> implements Driver {
  readonly id: string;
  abstract readonly kind: DeviceKind;
  protected readonly timing: DriverTiming;
  private readonly clock: Pick<Clock, 'now'>;
  protected readonly log: Logger;
  /** Identity from the last hello; carried on every reading. */
  protected info: DeviceInfo | undefined;
  private current: DeviceStatus | undefined;
  private stopped = true;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Bumped on every connection, so late events of an old one are ignored. */
  protected generation = 0;
  private connected = false;
  private lastBadFrameAt = 0;

  constructor(options: BaseDriverOptions) {
    super();
    this.id = options.id;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? createLogger(`devices.${options.id}`);
  }

  /** The wall-clock time now. */
  protected now(): Date {
    return new Date(this.clock.now());
  }

  /** Opens the transport and completes the hello; throws a DeviceError. */
  protected abstract connect(generation: number): Promise<void>;
  /** Closes the transport (idempotent, never throws). */
  protected abstract disconnect(): Promise<void>;

  status(): DeviceStatus {
    return this.current ?? { deviceId: this.id, kind: this.kind, state: 'disconnected', at: this.now().toISOString() };
  }

  /** The identity from the last hello, if any. */
  deviceInfo(): DeviceInfo | undefined {
    return this.info;
  }

  /** Resolves after the first attempt to open; keeps retrying in the background if it failed. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempts = 0;
    await this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.generation += 1;
    this.connected = false;
    await this.disconnect();
    this.setState('disconnected');
  }

  async measure(): Promise<void> {}

  async cancel(): Promise<void> {}

  protected get isReady(): boolean {
    return this.connected && !this.stopped;
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    this.setState('connecting');
    try {
      await this.connect(generation);
      if (generation !== this.generation) return;
      this.attempts = 0;
      this.connected = true;
      this.setState('ready');
      this.log.info({ model: this.info?.model, firmware: this.info?.firmware }, 'device ready');
    } catch (cause) {
      if (generation !== this.generation || this.stopped) return;
      const error = this.asDeviceError(cause, 'DISCONNECTED');
      await this.disconnect();
      this.fail(error);
    }
  }

  /** The transport of `generation` is gone (unplug, read error): disconnected, then retry. */
  protected connectionLost(generation: number, cause?: unknown): void {
    if (generation !== this.generation || this.stopped) return;
    this.generation += 1;
    this.connected = false;
    void this.disconnect();
    this.fail(this.asDeviceError(cause, 'DISCONNECTED', true));
  }

  private fail(error: DeviceError): void {
    this.connected = false;
    const unplugged = error.code === 'DISCONNECTED' || error.code === 'PORT_NOT_FOUND';
    this.setState(unplugged ? 'disconnected' : 'error', error);
    this.raise(error);
    this.log.warn({ code: error.code, detail: error.message }, 'device unavailable, will retry');
    const delay = backoffDelay(this.attempts, { baseMs: this.timing.backoffInitialMs, maxMs: this.timing.backoffMaxMs }, NO_JITTER);
    this.attempts += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.attempt(), delay);
  }

  protected setState(state: DeviceState, error?: DeviceError): void {
    const status: DeviceStatus = {
      deviceId: this.id,
      kind: this.kind,
      state,
      ...(this.info ? { info: this.info } : {}),
      ...(error ? { error: { code: error.code, message: error.userMessage } } : {}),
      at: this.now().toISOString(),
    };
    this.current = status;
    this.emit('status', status);
  }

  protected error(code: DeviceErrorCode, options?: { cause?: unknown; detail?: string }): DeviceError {
    return deviceError(this.kind, this.id, code, options);
  }

  private asDeviceError(cause: unknown, fallback: DeviceErrorCode, forceFallback = false): DeviceError {
    if (cause instanceof DeviceError && !forceFallback) return cause;
    if (cause instanceof DeviceError) return cause.code === fallback ? cause : this.error(fallback, { cause });
    return this.error(fallback, { cause, detail: cause instanceof Error ? cause.message : undefined });
  }

  /** Emits `error` only when someone listens (an unheard 'error' would throw). */
  protected raise(error: DeviceError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /** Bad bytes: reported at most once a second, so line noise does not flood the assistant. */
  protected badFrame(detail: string, cause?: unknown): void {
    this.log.debug({ detail }, 'bad frame');
    const t = Date.now();
    if (t - this.lastBadFrameAt < 1000) return;
    this.lastBadFrameAt = t;
    this.raise(this.error('BAD_FRAME', { cause, detail }));
  }

  /** Builds a reading carrying the device identity; range-checks are the caller's. */
  protected makeReading(input: {
    kind: MeasurementKind;
    code: string;
    values: Quantity[];
    flags: ReadingFlag[];
    takenAt?: Date;
    meta?: Record<string, string | number | boolean>;
  }): DriverReading {
    const receivedAt = this.now();
    const info = this.info ?? { id: this.id, kind: this.kind, model: '', serial: '', firmware: '' };
    return {
      id: uuidv7(),
      kind: input.kind,
      code: input.code,
      values: input.values,
      takenAt: (input.takenAt ?? receivedAt).toISOString(),
      receivedAt: receivedAt.toISOString(),
      device: info,
      flags: [...new Set(input.flags)],
      ...(input.meta ? { meta: input.meta } : {}),
    };
  }

  /** Emits a reading; an out-of-range one also raises OUT_OF_RANGE so nobody takes it as valid. */
  protected deliver(reading: DriverReading): void {
    this.emit('reading', reading);
    if (reading.flags.includes('out-of-range')) {
      this.raise(this.error('OUT_OF_RANGE', { detail: `${reading.kind} outside physiological range` }));
    }
  }
}

/** True when `value` lies inside `[min, max]`. */
export function inRange(value: number, range: readonly [number, number]): boolean {
  return value >= range[0] && value <= range[1];
}
