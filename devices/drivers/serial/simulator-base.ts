/**
 * Common part of the serial device simulators: speaks real Cabine frames,
 * answers the host's hello probe, and can sprinkle line noise
 * (garbage-bursts). Transport-agnostic: `attach(send)` gives it a way to
 * write; `receive(bytes)` feeds it what the host wrote. Runs over a socat pty
 * (see `devices/simulated.ts`) or a {@link FakeSerialBus} in unit tests.
 */
import { SerialFrameDecoder, decodeMessage, encodeMessage } from '../../protocols/serial-frame';
import type { CommandMessage, FrameResult, SerialMessage } from '../../protocols/serial-frame';
import type { FakeSerialDevice } from './fake';

export interface SerialSimulatorOptions {
  scenario?: string;
  model: string;
  serial: string;
  firmware: string;
  /** Scale of the simulator's delays (1 = demo speed; tests use ~0.01). */
  speed?: number;
  /** Deterministic noise for tests. */
  random?: () => number;
}

export abstract class SerialSimulator implements FakeSerialDevice {
  readonly scenario: string;
  protected readonly options: SerialSimulatorOptions;
  private send: ((bytes: Uint8Array) => void) | undefined;
  private readonly decoder = new SerialFrameDecoder();
  private seq = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The last frames the simulator sent (at most MAX_SENT_KEPT), for tests that check the bytes. */
  readonly sent: Uint8Array[] = [];
  /** A simulated device runs for days in the demo: keep a window, not every frame (the soak found this). */
  static readonly MAX_SENT_KEPT = 256;
  /** Quiet gap after which the simulator gives up waiting for the rest of a held frame. */
  static readonly IDLE_FLUSH_MS = 20;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(options: SerialSimulatorOptions) {
    this.options = options;
    this.scenario = options.scenario ?? 'normal';
  }

  protected abstract onCommand(command: CommandMessage): void;

  attach(send: (bytes: Uint8Array) => void): void {
    this.send = send;
    this.decoder.reset();
    // Power-up hello (the host may miss it; it will probe).
    this.sendMessage(this.hello());
  }

  detach(): void {
    this.send = undefined;
    clearTimeout(this.flushTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  receive(bytes: Uint8Array): void {
    this.handle(this.decoder.push(bytes));
    // As the driver does: a frame held by the decoder (a stray A5, or a CRC
    // ending in A5) is released once the line has been quiet for a moment.
    clearTimeout(this.flushTimer);
    this.flushTimer = this.decoder.pendingBytes > 0 ? setTimeout(() => this.handle(this.decoder.flush()), SerialSimulator.IDLE_FLUSH_MS) : undefined;
  }

  private handle(results: FrameResult[]): void {
    for (const result of results) {
      if (!result.ok) continue;
      const decoded = decodeMessage(result.value);
      if (!decoded.ok) continue;
      const message = decoded.value;
      if (message.kind === 'ack') this.sendMessage(this.hello());
      else if (message.kind === 'command') {
        this.sendMessage({ kind: 'ack', ackSeq: result.value.seq });
        this.onCommand(message);
      }
    }
  }

  private hello(): SerialMessage {
    return { kind: 'hello', model: this.options.model, serial: this.options.serial, firmware: this.options.firmware };
  }

  protected sendMessage(message: SerialMessage): void {
    if (!this.send) return;
    this.seq = (this.seq + 1) & 0xff;
    const frame = encodeMessage(message, this.seq);
    this.sent.push(frame);
    if (this.sent.length > SerialSimulator.MAX_SENT_KEPT) this.sent.splice(0, this.sent.length - SerialSimulator.MAX_SENT_KEPT);
    if (this.scenario === 'garbage-bursts') this.send(this.garbage());
    this.send(frame);
  }

  /** Line noise, including stray sync bytes and fake headers. */
  protected garbage(): Uint8Array {
    const random = this.options.random ?? Math.random;
    const out = new Uint8Array(4 + Math.floor(random() * 24));
    for (let i = 0; i < out.length; i += 1) out[i] = Math.floor(random() * 256);
    out[Math.floor(random() * out.length)] = 0xa5;
    return out;
  }

  /** A timer scaled by `speed`, cleared on detach. */
  protected after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms * (this.options.speed ?? 1));
    this.timers.add(timer);
  }

  protected cancelTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
