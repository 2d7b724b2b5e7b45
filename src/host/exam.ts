/**
 * The booth's side of a forwarded case ("examen différé", issue #20): the
 * session machine compiles the checklist (flow.exam); here the host stamps
 * the case (a UUIDv7 and a pick-up code drawn with crypto), stores the
 * patient's video and, on "Envoyer le dossier", the `case` manifest — after
 * every part, through the same in-order writer, so the outbox sends it last
 * — then prints the pick-up ticket. Offline, all of it waits in the outbox.
 * Nothing here logs a name, a phone number, a question or a byte.
 */
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import PDFDocument from 'pdfkit';
import { v7 as uuidv7 } from 'uuid';
import {
  CaseManifest, MAX_VIDEO_BYTES, MAX_VIDEO_MS, PICKUP_ALPHABET, TARGET_ANSWER_HOURS, VIDEO_CONTENT_TYPES, formatPickupCode,
  type CaseEntry,
} from '../shared/case-record';
import { CabineError, codeOf } from '../shared/errors';
import { doctorIntake } from '../shared/intake';
import type { KioskConfig } from '../shared/config';
import type { SessionContext } from '../session/machine';
import type { PrescriptionPrinter, PrintOutcome } from './prescription';
import type { HostSession } from './session';
import type { VideoInput } from './store/store';
import type { DurableWriter } from './store/writer';

/** The pick-up code's length (PickupCode). */
const PICKUP_LENGTH = 6;

/** A pick-up code: six characters of PICKUP_ALPHABET, each drawn with the OS's CSPRNG (never Math.random). */
export function drawPickupCode(draw: (max: number) => number = (max) => randomInt(max)): string {
  return Array.from({ length: PICKUP_LENGTH }, () => PICKUP_ALPHABET[draw(PICKUP_ALPHABET.length)]).join('');
}

/** A video or a case the booth refuses, with words the patient or the pharmacist can act on. */
export class ExamError extends CabineError {}

/**
 * The manifest of the case the session compiled, or why it cannot be one
 * (an item still to do, no intake): checked against the record's schema
 * before it is stored, so the outbox never holds a case the hub refuses.
 */
export function caseManifest(context: SessionContext, completedAt: string): CaseManifest {
  const { exam, intake, sessionId } = context;
  if (!exam || !intake || !sessionId || !exam.caseId || !exam.pickupCode) {
    throw new ExamError('CASE_INCOMPLETE', { fr: 'Le dossier est incomplet : reprenez la liste.', en: 'The case is incomplete: go back to the list.' }, { detail: 'no exam, intake, session or stamp' });
  }
  const entries: CaseEntry[] = exam.request.checklist.map((item) => {
    const state = exam.items[item.id];
    if (state?.state === 'done') return { checklistId: item.id, kind: item.kind, itemId: state.itemId };
    if (state?.state === 'skipped') return { checklistId: item.id, kind: item.kind, itemId: null, skipped: state.reason };
    throw new ExamError('CASE_INCOMPLETE', { fr: 'Un élément de la liste reste à faire.', en: 'An item of the list is still to do.' }, { detail: `item ${item.id} to do` });
  });
  return CaseManifest.parse({
    caseId: exam.caseId,
    sessionId,
    specialty: exam.request.specialty,
    question: exam.request.question,
    note: exam.request.note,
    contactPhone: exam.request.contactPhone,
    patient: doctorIntake(intake, context.consentAt),
    caseConsentAt: exam.consentAt,
    compiledBy: exam.compiledBy,
    pickupCode: exam.pickupCode,
    checklist: exam.request.checklist,
    entries,
    completedAt,
  });
}

/** The small pick-up ticket: the code, the pharmacy, the answer time and the patient's first name — no other health data. */
export async function renderPickupTicket(t: { code: string; pharmacy: { name: string; city: string }; answerHours: number; firstName: string | null }): Promise<Buffer> {
  const doc = new PDFDocument({ size: [226, 340], margin: 16, info: { Title: 'Retrait de dossier', Producer: 'Cabine' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font('Helvetica-Bold').fontSize(13).text(t.pharmacy.name, { align: 'center' });
  doc.font('Helvetica').fontSize(10).text(t.pharmacy.city, { align: 'center' });
  doc.moveDown(0.8).fontSize(11).text(`Examen envoyé au médecin${t.firstName ? ` — ${t.firstName}` : ''}`, { align: 'center' });
  doc.moveDown(0.6).text('Votre code de retrait :', { align: 'center' });
  doc.moveDown(0.3).font('Courier-Bold').fontSize(30).text(formatPickupCode(t.code), { align: 'center' });
  doc.moveDown(0.6).font('Helvetica').fontSize(11).text(`Réponse sous ${t.answerHours} h.`, { align: 'center' });
  doc.text('Présentez ce code au comptoir de la pharmacie.', { align: 'center' });
  doc.end();
  return done;
}

export interface BoothExamOptions {
  session: Pick<HostSession, 'flow' | 'context' | 'send'>;
  writer: Pick<DurableWriter, 'write'>;
  printer: Pick<PrescriptionPrinter, 'print' | 'discard'>;
  config: Pick<KioskConfig, 'pharmacy'>;
  log: Logger;
  now?: () => number;
}

/** What the kiosk says about its video when it hands it over (KioskApi `saveExamVideo`). */
export interface VideoParams {
  durationMs: number;
  width: number;
  height: number;
}

export class BoothExam {
  private readonly now: () => number;
  /** The ticket saved to a file (no printer): deleted with the session. */
  private ticketFile: string | undefined;

  constructor(private readonly o: BoothExamOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The case's id and pick-up code (the machine's `stampCase`). */
  stamp(): { caseId: string; pickupCode: string } {
    return { caseId: uuidv7(), pickupCode: drawPickupCode() };
  }

  /**
   * "Envoyer le dossier": the manifest, written after every part already in
   * the writer's queue (so the outbox sends it last), then the pick-up screen
   * and its ticket. The machine stays on "sending" until it is on disk.
   */
  async store(context: SessionContext): Promise<void> {
    const manifest = caseManifest(context, new Date(this.now()).toISOString());
    await this.o.writer.write({ kind: 'case', manifest });
    this.o.log.info({ caseId: manifest.caseId, entries: manifest.entries.length, specialty: manifest.specialty }, 'case stored');
    this.o.session.send({ type: 'CASE_STORED' });
    try {
      const pdf = await renderPickupTicket({
        code: manifest.pickupCode, pharmacy: this.o.config.pharmacy, answerHours: TARGET_ANSWER_HOURS[manifest.specialty], firstName: context.identity?.firstName ?? null,
      });
      const outcome: PrintOutcome = await this.o.printer.print(pdf, `RETRAIT-${manifest.pickupCode}`);
      this.ticketFile = outcome.file;
    } catch (error) {
      this.o.log.warn({ code: codeOf(error) ?? 'PRINT_FAILED' }, 'pick-up ticket not printed (the code stays on screen)');
    }
  }

  /**
   * The patient's video, kept after the replay: checked (format, size,
   * length), sealed in the store and queued, then the item is done.
   */
  async saveVideo(params: VideoParams, upload: { contentType: string; bytes: Buffer }): Promise<{ videoId: string }> {
    const { session } = this.o;
    if (session.flow() !== 'exam.video') {
      throw new ExamError('NOT_IN_EXAM', { fr: 'La vidéo n’est plus attendue : reprenez la liste.', en: 'The video is no longer expected: go back to the list.' });
    }
    if (upload.bytes.length > MAX_VIDEO_BYTES || params.durationMs > MAX_VIDEO_MS + 1_000) {
      throw new ExamError('VIDEO_TOO_LARGE', {
        fr: `La vidéo dépasse ${MAX_VIDEO_MS / 1000} secondes ou ${MAX_VIDEO_BYTES / 1024 / 1024} Mo : enregistrez-la à nouveau, plus courte.`,
        en: `The video is over ${MAX_VIDEO_MS / 1000} seconds or ${MAX_VIDEO_BYTES / 1024 / 1024} MB: record it again, shorter.`,
      });
    }
    const mime = VIDEO_CONTENT_TYPES.find((t) => t === upload.contentType);
    if (!mime || upload.bytes.length === 0 || params.durationMs <= 0) {
      throw new ExamError('VIDEO_REFUSED', { fr: 'La vidéo n’a pas pu être lue : enregistrez-la à nouveau.', en: 'The video could not be read: record it again.' });
    }
    const video: VideoInput = {
      id: uuidv7(), sessionId: session.context().sessionId, mime, durationMs: Math.round(params.durationMs), width: params.width, height: params.height,
      recordedAt: new Date(this.now() - params.durationMs).toISOString(), bytes: upload.bytes,
    };
    await this.o.writer.write({ kind: 'video', video });
    this.o.log.info({ videoId: video.id, bytes: upload.bytes.length }, 'exam video stored');
    session.send({ type: 'VIDEO_SAVED', videoId: video.id });
    return { videoId: video.id };
  }

  /** Privacy wipe: a ticket saved to a file goes with the session. */
  wipe(): void {
    this.o.printer.discard(this.ticketFile);
    this.ticketFile = undefined;
  }
}
