/**
 * Where a reading and a device status go once the devices layer hands them
 * to the host: a reading that belongs to the measurement in progress is
 * written to the store, then shown, then given to the session; any other
 * goes no further. A status reaches the kiosk, the assistant's incident
 * list, the hub (through the consultation) and the session.
 */
import type { Logger } from 'pino';
import type { DeviceStatus, Reading } from '../shared/domain';
import type { KioskEvent } from '../shared/kiosk-api';
import { isIntermediate, recordsReading } from '../session/readings';
import type { IncidentLog } from './incidents';
import type { HostSession } from './session';
import type { DurableWriter } from './store/writer';

/** Reading flags that mean "put the instrument back right", each with its own recovery screen. */
const RECOVERABLE_FLAGS = new Set(['cuff-too-loose', 'improper-position', 'body-movement', 'finger-out', 'low-perfusion', 'sensor-fault', 'out-of-range']);

export interface ReadingRoutingPorts {
  session: Pick<HostSession, 'running' | 'flow' | 'context' | 'send'>;
  writer: Pick<DurableWriter, 'write'>;
  emit(event: KioskEvent): void;
  incidents: Pick<IncidentLog, 'note'>;
  /** The hub hears of every device change (consult.devices). */
  devicesChanged(): void;
  log: Logger;
}

export class ReadingRouting {
  constructor(private readonly ports: ReadingRoutingPorts) {}

  /**
   * An instrument's reading: it belongs to a measurement the specialist or
   * the pharmacist asked for, or it goes no further — not stored, sent nor
   * shown (the oximeter streams every second whatever is measured). The
   * device's status still reaches the pharmacist.
   */
  async acceptReading(reading: Reading): Promise<void> {
    if (!this.belongsToMeasurement(reading)) {
      this.ports.log.debug({ deviceId: reading.device.id, kind: reading.kind }, 'reading outside a requested measurement: not recorded');
      return;
    }
    await this.recordReading(reading);
  }

  /**
   * The one path of a measurement's reading to the screen and the hub:
   * written to the store first (DESIGN §4: write before show), then shown,
   * then given to the session (live value, result or recovery screen).
   */
  async recordReading(reading: Reading): Promise<void> {
    await this.ports.writer.write({ kind: 'reading', reading });
    this.ports.emit({ name: 'reading', data: reading });
    // The session machine shows it: a live value, the result, or a recovery screen.
    const problem = reading.flags.find((f) => RECOVERABLE_FLAGS.has(f));
    if (problem) {
      this.ports.session.send({ type: 'MEASUREMENT_ERROR', code: problem, deviceId: reading.device.id });
      return;
    }
    this.ports.session.send({ type: 'READING', kind: reading.kind, deviceId: reading.device.id, values: reading.values, intermediate: isIntermediate(reading), readingId: reading.id });
  }

  /** Whether this reading belongs to the measurement in progress, as the session stands now. */
  private belongsToMeasurement(reading: Reading): boolean {
    const { session } = this.ports;
    if (!session.running()) return false;
    const { sessionId, measurement } = session.context();
    return recordsReading({ flow: session.flow(), sessionId, measurement }, reading);
  }

  /** A device status change, shown to the assistant and the kiosk. */
  acceptDeviceStatus(status: DeviceStatus): void {
    const { session, incidents } = this.ports;
    this.ports.emit({ name: 'deviceStatus', data: status });
    this.ports.devicesChanged();
    if (status.state === 'error' && status.error) {
      incidents.note({ code: status.error.code, message: status.error.message, at: status.at });
      session.send({ type: 'MEASUREMENT_ERROR', code: status.error.code, deviceId: status.deviceId });
    } else if (status.state === 'disconnected') {
      incidents.note({ code: 'DISCONNECTED', message: status.error?.message ?? { fr: `Appareil débranché (${status.deviceId}).`, en: `Device unplugged (${status.deviceId}).` }, at: status.at });
      session.send({ type: 'DEVICE_FAULT', deviceId: status.deviceId, kind: status.kind, code: status.error?.code ?? 'DISCONNECTED' });
    } else if (status.state === 'ready') {
      session.send({ type: 'DEVICE_RECOVERED', deviceId: status.deviceId });
    }
  }
}
