/**
 * The booth's side of the consultation (consult-protocol.ts):
 * - the specialist's measurement requests (`consult.measurementRequested`)
 *   move the session machine, and every stage of every measurement goes back
 *   as `consult.progress` (guidance step, measuring, done, error with its
 *   message, cancelled), one message per change;
 * - the booth's devices go to the hub on every connection and change
 *   (`consult.devices`);
 * - the hub's `queue.position` notes become QUEUE_UPDATE, `room.closed`
 *   becomes CALL_ENDED, and a session that leaves the call any other way
 *   tells the hub `room.leave`;
 * - the identity and the pathway reach the record as session events
 *   (sealed, then synced by the outbox);
 * - the doctor's auscultation (`consult.auscultationRequested`: a point, a
 *   breath instruction, stop) moves the session machine, and every change of
 *   the listening (the point, the breath, the kiosk's stethoscope) goes back
 *   as `consult.auscultation`, one message per change;
 * - the prescription (`consult.prescription`) is kept for the session in
 *   memory, recorded (its number), printed or saved for the session, and
 *   wiped with the patient's data.
 * Health data never goes to the log: codes, ids and kinds only.
 */
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { systemClock, type Clock } from '../shared/clock';
import { QUEUE, ROOM, type QueueJoin } from '../shared/media-protocol';
import { ageOn } from '../shared/birth-date';
import { doctorIntake, reasonText } from '../shared/intake';
import type { KioskConfig } from '../shared/config';
import { STETHOSCOPE_ERROR_WORDING } from '../shared/auscultation';
import {
  AUSCULTATION, AuscultationRequested, CONSULT, MeasurementRequested, PrescriptionDelivery,
  type AuscultationProgress, type MeasurementProgress, type Prescription, type ProgressStage,
} from '../shared/consult-protocol';
import type { DeviceStatus, SessionEvent } from '../shared/domain';
import { CabineError, codeOf } from '../shared/errors';
import { recoveryMessage } from '../shared/recovery-messages';
import type { Intake } from '../shared/intake';
import type { Identity } from '../shared/session-view';
import { GUIDANCE_STEPS, type MeasurementContext, type PrintState, type SessionContext } from '../session/machine';
import type { HubChannel } from './hub-link';
import type { HostSession } from './session';
import { prescriptionQrSvg, renderPrescriptionPdf, type PrescriptionPrinter, type PrescriptionView, type PrintOutcome } from './prescription';

/** A hub request the booth refuses (malformed, or not for this booth): nothing is acted on. */
export class ConsultRequestError extends CabineError {}

function invalid(what: string, issues: { path: PropertyKey[] }[]): ConsultRequestError {
  // Paths only: a value may be health data.
  const paths = [...new Set(issues.map((i) => i.path.map(String).join('.') || '(root)'))].slice(0, 8).join(', ');
  return new ConsultRequestError('INVALID_PARAMS', {
    fr: `${what} refusé par la cabine : champs invalides (${paths}).`,
    en: `${what} refused by the booth: invalid fields (${paths}).`,
  });
}

/** The age sent with queue.join (whole years on the booth's Paris calendar day) lives in src/shared/birth-date.ts, shared with the kiosk. */
export { ageOn };

/**
 * The patient context of `queue.join` (QueueJoin in src/shared/media-protocol.ts):
 * first name, age and reason for the list every console sees; the intake
 * (surname, birth date…) only for the doctor who claims the booth.
 */
export function queueJoinDetails(context: SessionContext, at: number): QueueJoin {
  const patient: { firstName?: string; age?: number } = {};
  if (context.identity) {
    patient.firstName = context.identity.firstName.slice(0, 60);
    const age = ageOn(context.identity.birthDate, at);
    if (age !== null) patient.age = age;
  }
  return {
    ...(context.identity ? { patient } : {}),
    ...(context.pathway ? { pathway: context.pathway } : {}),
    ...(context.exceptionReason ? { exceptionReason: context.exceptionReason } : {}),
    ...(context.sessionId ? { sessionId: context.sessionId } : {}),
    ...(context.intake ? { reason: reasonText(context.intake.reason, 'fr').slice(0, 200), intake: doctorIntake(context.intake, context.consentAt) } : {}),
    language: context.language,
  };
}

/** Where the current measurement is, from the patient's screen (null when none is in progress). */
export function measurementStage(flow: string, m: MeasurementContext | null): { serial: number; stage: ProgressStage; step?: number; code?: string } | null {
  const [top, sub] = flow.split('.');
  if (top !== 'consultation' || !m) return null;
  switch (sub) {
    case 'guidance': return { serial: m.serial, stage: 'guidance', step: m.step + 1 };
    case 'measuring': return { serial: m.serial, stage: 'measuring' };
    case 'result': return { serial: m.serial, stage: 'done' };
    case 'recovery': return { serial: m.serial, stage: 'error', code: m.error ?? 'other' };
    default: return null;
  }
}

export interface BoothConsultOptions {
  link: HubChannel;
  /** The session: the patient's screen and context, and the hub's events for it (whether the machine took each). */
  session: Pick<HostSession, 'flow' | 'context' | 'send' | 'subscribe'>;
  config: Pick<KioskConfig, 'boothId' | 'pharmacy'>;
  printer: PrescriptionPrinter;
  log: Logger;
  /** Host.recordSessionEvent: sealed in the store, then synced by the outbox. */
  recordSessionEvent: (event: SessionEvent) => Promise<void>;
  /** Every device's current status. */
  deviceStatuses: () => DeviceStatus[];
  /** The prescription changed (arrived, wiped): tell the kiosk. */
  onPrescription?: (view: PrescriptionView | null) => void;
  clock?: Pick<Clock, 'now'>;
}

interface HeldPrescription {
  prescription: Prescription;
  view: PrescriptionView;
  pdf: Buffer;
}

/** How many numbers of prescriptions delivered outside a session are remembered (hub retries are idempotent). */
const MAX_REMEMBERED = 64;

export class BoothConsult {
  private readonly clock: Pick<Clock, 'now'>;
  private lastProgressKey: string | null = null;
  /** The last auscultation change sent to the hub (null: none under way). */
  private lastAuscultationKey: string | null = null;
  private current: { serial: number; requestId: string | null; kind: MeasurementProgress['kind']; stage: ProgressStage } | null = null;
  private lastIdentity: Identity | null = null;
  private lastIntake: Intake | null = null;
  private lastPathwayKey: string | null = null;
  private lastTop: string | null = null;
  private roomClosed = false;
  private held: HeldPrescription | null = null;
  private readonly delivered = new Map<string, { stored: true; printed: boolean }>();
  private readonly disposers: (() => void)[] = [];

  constructor(private readonly opts: BoothConsultOptions) {
    this.clock = opts.clock ?? systemClock;
    const { link, session } = opts;
    link.handle(CONSULT.measurementRequested, (params) => this.measurementRequested(params));
    link.handle(CONSULT.prescription, (params) => this.deliverPrescription(params));
    link.handle(AUSCULTATION.requested, (params) => this.auscultationRequested(params));
    const onNote = (method: string, params: unknown): void => this.onNote(method, params);
    link.on('note', onNote);
    const onStatus = (status: string): void => {
      if (status === 'online') this.sendDevices();
    };
    link.on('status', onStatus);
    this.disposers.push(() => link.off('note', onNote), () => link.off('status', onStatus));
    this.disposers.push(session.subscribe(() => this.onSessionChange()));
  }

  /** Stops listening; the session's prescription (memory and saved PDF) goes with it. */
  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
    this.wipe();
  }

  /** At start: PDFs a crashed run left behind are deleted (they belonged to a session that is over). */
  sweepLeftovers(): number {
    return this.opts.printer.sweep();
  }

  /** Sends every device's status to the hub (on connect and on each change). */
  sendDevices(): void {
    if (this.opts.link.status !== 'online') return;
    const devices = this.opts.deviceStatuses().slice(0, 16);
    this.opts.link.request(CONSULT.devices, { devices }).catch((error: unknown) => {
      this.opts.log.debug({ code: codeOf(error) }, 'devices not acknowledged by the hub');
    });
  }

  /** The prescription of this session, for the kiosk (null when none). */
  prescription(): PrescriptionView | null {
    return this.held?.view ?? null;
  }

  /** Prints the session's prescription again (the file printer saves it again). */
  async reprint(): Promise<{ printed: boolean }> {
    const held = this.held;
    if (!held) {
      throw new ConsultRequestError('NO_PRESCRIPTION', {
        fr: 'Il n’y a pas d’ordonnance pour cette consultation.',
        en: 'There is no prescription for this consultation.',
      });
    }
    // The kiosk's button follows the paper: printing now, then printed, saved or failed.
    this.opts.session.send({ type: 'PRINT_STATE', state: 'printing' });
    let outcome: PrintOutcome;
    try {
      this.opts.printer.discard(held.view.pdf.file);
      outcome = await this.opts.printer.print(held.pdf, held.prescription.number);
    } catch (error) {
      this.opts.session.send({ type: 'PRINT_STATE', state: 'failed' });
      throw error;
    }
    this.opts.session.send({ type: 'PRINT_STATE', state: this.printState(outcome) });
    held.view = { ...held.view, pdf: outcome };
    this.opts.onPrescription?.(held.view);
    return { printed: outcome.printed };
  }

  /** Privacy wipe: the prescription leaves memory and its saved PDF is deleted. */
  wipe(): void {
    const held = this.held;
    this.held = null;
    if (held) {
      this.opts.printer.discard(held.view.pdf.file);
      this.opts.onPrescription?.(null);
    }
    this.lastIdentity = null;
    this.lastIntake = null;
    this.lastPathwayKey = null;
  }

  // ---- hub requests -------------------------------------------------------------------

  /** The hub's `consult.measurementRequested` (also callable by tests standing in for the hub). */
  measurementRequested(params: unknown): { accepted: boolean } {
    const parsed = MeasurementRequested.safeParse(params);
    if (!parsed.success) throw invalid('Demande de mesure', parsed.error.issues);
    const { kind, requestId, note, bodySite, ear } = parsed.data;
    const accepted = this.opts.session.send({
      type: 'MEASUREMENT_REQUESTED', kind, requestId, ...(note ? { note } : {}), ...(bodySite ? { bodySite } : {}), ...(ear ? { ear } : {}),
    });
    this.opts.log.info({ kind, requestId, accepted }, 'measurement requested by the specialist');
    return { accepted };
  }

  /** The hub's `consult.auscultationRequested` (also callable by tests standing in for the hub). */
  auscultationRequested(params: unknown): { accepted: boolean } {
    const parsed = AuscultationRequested.safeParse(params);
    if (!parsed.success) throw invalid('Demande d’auscultation', parsed.error.issues);
    const r = parsed.data;
    const taken = this.opts.session.send(r.action === 'listen' ? { type: 'AUSCULTATE', point: r.point }
      : r.action === 'breath' ? { type: 'BREATH', instruction: r.instruction } : { type: 'STOP_AUSCULTATION' });
    // A stop with nothing listening has nothing left to do: done, not refused.
    const accepted = taken || (r.action === 'stop' && this.opts.session.context().auscultation === null);
    this.opts.log.info({ action: r.action, accepted }, 'auscultation requested by the specialist');
    return { accepted };
  }

  /** The hub's `consult.prescription` (also callable by tests standing in for the hub). */
  async deliverPrescription(params: unknown): Promise<{ stored: true; printed: boolean }> {
    const parsed = PrescriptionDelivery.safeParse(params);
    if (!parsed.success) throw invalid('Ordonnance', parsed.error.issues);
    const p = parsed.data.prescription;
    if (p.boothId !== this.opts.config.boothId) {
      throw new ConsultRequestError('WRONG_BOOTH', {
        fr: 'Cette ordonnance est destinée à une autre cabine.',
        en: 'This prescription is meant for another booth.',
      });
    }
    // The hub retries until acknowledged: a second delivery of the same number is answered, not printed again.
    if (this.held?.prescription.number === p.number) return { stored: true, printed: this.held.view.pdf.printed };
    const known = this.delivered.get(p.number);
    if (known) return known;

    const top = this.opts.session.flow().split('.')[0];
    const sessionId = this.opts.session.context().sessionId;
    const forThisSession = (top === 'consultation' || top === 'wrapUp') && (p.sessionId === null || p.sessionId === sessionId);
    const eventSessionId = p.sessionId ?? (forThisSession ? sessionId : null);
    if (eventSessionId) {
      await this.opts.recordSessionEvent({
        id: uuidv7(), sessionId: eventSessionId, type: 'prescription.received', at: new Date(this.clock.now()).toISOString(), data: { number: p.number },
      });
    }
    const pdf = await renderPrescriptionPdf(p, this.opts.config.pharmacy);
    if (!forThisSession) {
      // The patient has gone (a delivery retried after the session ended): only a real printer gets it, no file lingers.
      const outcome = await this.opts.printer.print(pdf, p.number);
      if (!outcome.printed) this.opts.printer.discard(outcome.file);
      const answer = { stored: true as const, printed: outcome.printed };
      this.remember(p.number, answer);
      this.opts.log.warn({ printed: outcome.printed }, 'prescription delivered outside its session');
      return answer;
    }
    const outcome = await this.opts.printer.print(pdf, p.number);
    const view: PrescriptionView = {
      number: p.number, issuedAt: p.issuedAt, prescriber: { name: p.prescriber.name, specialty: p.prescriber.specialty },
      items: p.items, instructions: p.instructions, qrSvg: await prescriptionQrSvg(p.qr), pdf: outcome,
    };
    if (this.held) this.opts.printer.discard(this.held.view.pdf.file);
    this.held = { prescription: p, view, pdf };
    this.opts.session.send({ type: 'PRESCRIPTION_RECEIVED', number: p.number, print: this.printState(outcome) });
    this.opts.onPrescription?.(view);
    this.opts.log.info({ printed: outcome.printed, saved: outcome.file !== undefined }, 'prescription received');
    return { stored: true, printed: outcome.printed };
  }

  /** A printer command that failed fell back to a file: that is a failed print, not a saved one. */
  private printState(outcome: PrintOutcome): PrintState {
    if (outcome.printed) return 'printed';
    return this.opts.printer.onPaper ? 'failed' : 'saved';
  }

  private remember(number: string, answer: { stored: true; printed: boolean }): void {
    this.delivered.set(number, answer);
    if (this.delivered.size > MAX_REMEMBERED) this.delivered.delete(this.delivered.keys().next().value as string);
  }

  // ---- hub notes ------------------------------------------------------------------------

  private onNote(method: string, params: unknown): void {
    const data = (params !== null && typeof params === 'object' ? params : {}) as Record<string, unknown>;
    if (method === QUEUE.position) {
      const position = data.position;
      const eta = data.etaMinutes;
      if (typeof position !== 'number' || !Number.isInteger(position) || position < 0) return;
      const etaMinutes = typeof eta === 'number' && Number.isFinite(eta) && eta >= 0 ? Math.round(eta) : null;
      const doctors = data.doctorsOnline;
      const doctorsOnline = typeof doctors === 'number' && Number.isInteger(doctors) && doctors >= 0 ? { doctorsOnline: doctors } : {};
      this.opts.session.send({ type: 'QUEUE_UPDATE', position, etaMinutes, ...doctorsOnline });
    } else if (method === ROOM.closed) {
      this.roomClosed = true;
      // The hub closes a room 'ended' when the doctor leaves it; any other reason is a side or the media lost.
      this.opts.session.send({ type: 'CALL_ENDED', endedBy: data.reason === 'ended' ? 'doctor' : 'connection' });
    }
  }

  // ---- the session machine -------------------------------------------------------------

  private onSessionChange(): void {
    const c = this.opts.session.context();
    const flow = this.opts.session.flow();
    const top = flow.split('.')[0] ?? '';
    this.trackProgress(flow, c);
    this.trackAuscultation(c);
    this.trackRecord(c, top);
    // Leaving the call without the hub closing it (cancel, the pharmacist ends or restarts): tell the hub.
    if (this.lastTop === 'consultation' && top !== 'consultation' && !this.roomClosed) {
      this.opts.link.request(ROOM.leave, {}).catch((error: unknown) => {
        this.opts.log.debug({ code: codeOf(error) }, 'room.leave not acknowledged');
      });
    }
    if (top === 'consultation' && this.lastTop !== 'consultation') this.roomClosed = false;
    this.lastTop = top;
  }

  private trackProgress(flow: string, c: SessionContext): void {
    const now = measurementStage(flow, c.measurement);
    const m = c.measurement;
    const previous = this.current;
    if (previous && previous.stage !== 'done' && previous.stage !== 'cancelled' && (!now || now.serial !== previous.serial)) {
      this.sendProgress({ requestId: previous.requestId, kind: previous.kind, stage: 'cancelled' });
      this.current = null;
    }
    if (!now || !m) {
      if (previous?.stage === 'done') this.current = null;
      return;
    }
    const key = `${c.sessionId ?? ''}:${now.serial}:${now.stage}:${now.step ?? ''}:${now.code ?? ''}`;
    this.current = { serial: now.serial, requestId: m.requestId, kind: m.kind, stage: now.stage };
    if (key === this.lastProgressKey) return;
    this.lastProgressKey = key;
    this.sendProgress({
      requestId: m.requestId, kind: m.kind, stage: now.stage,
      ...(now.stage === 'guidance' ? { step: now.step, steps: GUIDANCE_STEPS[m.kind] } : {}),
      ...(now.stage === 'error' ? { error: { code: (now.code ?? 'other').slice(0, 64), message: recoveryMessage(now.code ?? null) } } : {}),
    });
  }

  private sendProgress(p: Omit<MeasurementProgress, 'at'>): void {
    if (p.stage === 'cancelled') this.lastProgressKey = null;
    const progress: MeasurementProgress = { ...p, at: new Date(this.clock.now()).toISOString() };
    if (this.opts.link.status !== 'online') return;
    this.opts.link.request(CONSULT.progress, progress).catch((error: unknown) => {
      this.opts.log.debug({ code: codeOf(error), stage: p.stage }, 'progress not acknowledged by the hub');
    });
  }

  private trackAuscultation(c: SessionContext): void {
    const a = c.auscultation;
    if (!a) {
      if (this.lastAuscultationKey !== null) {
        this.lastAuscultationKey = null;
        this.sendAuscultation({ point: null, stage: 'stopped', breath: null });
      }
      return;
    }
    const key = `${a.point}:${a.status}:${a.breath ?? ''}:${a.error ?? ''}`;
    if (key === this.lastAuscultationKey) return;
    this.lastAuscultationKey = key;
    this.sendAuscultation({
      point: a.point, stage: a.status, breath: a.breath,
      ...(a.status === 'error' && a.error ? { error: { code: a.error, message: STETHOSCOPE_ERROR_WORDING[a.error] } } : {}),
    });
  }

  private sendAuscultation(p: Omit<AuscultationProgress, 'at'>): void {
    if (this.opts.link.status !== 'online') return;
    const progress: AuscultationProgress = { ...p, at: new Date(this.clock.now()).toISOString() };
    this.opts.link.request(AUSCULTATION.progress, progress).catch((error: unknown) => {
      this.opts.log.debug({ code: codeOf(error), stage: p.stage }, 'auscultation progress not acknowledged by the hub');
    });
  }

  private trackRecord(c: SessionContext, top: string): void {
    if (!c.sessionId) return;
    // Each change of the intake is an event of the session naming who made it (the latest is the one in force).
    if (c.intake && c.intake !== this.lastIntake) {
      this.lastIntake = c.intake;
      this.record(c.sessionId, 'intake', { by: c.intakeBy, intake: c.intake });
    }
    if (c.identity && c.identity !== this.lastIdentity) {
      this.lastIdentity = c.identity;
      const { firstName, lastName, birthDate } = c.identity;
      this.record(c.sessionId, 'identity', { firstName, lastName, birthDate });
    }
    // The pathway is chosen once the patient reaches the waiting room (an exception needs its reason first).
    if (top === 'waitingRoom' && c.pathway) {
      const key = `${c.sessionId}:${c.pathway}:${c.exceptionReason ?? ''}`;
      if (key !== this.lastPathwayKey) {
        this.lastPathwayKey = key;
        this.record(c.sessionId, 'pathway', { pathway: c.pathway, exceptionReason: c.exceptionReason });
      }
    }
  }

  private record(sessionId: string, type: string, data: Record<string, unknown>): void {
    this.opts.recordSessionEvent({ id: uuidv7(), sessionId, type, at: new Date(this.clock.now()).toISOString(), data }).catch((error: unknown) => {
      this.opts.log.error({ code: codeOf(error), type }, 'session event not stored');
    });
  }
}
