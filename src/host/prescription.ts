/**
 * The prescription at the booth (consult-protocol
 * `consult.prescription`): the hub delivers the specialist's signed
 * prescription; the booth keeps it for the session in memory only (like the
 * identity), turns it into a PDF with its QR code and hands it to the
 * pharmacy's printer — or, with no printer, saves the PDF (mode 0600) for
 * the session only: it is health data in clear, so the privacy wipe deletes
 * it. Nothing here logs a name, an item or the QR text: only the number's
 * length and codes.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { Logger } from 'pino';
import type { KioskConfig } from '../shared/config';
import type { Prescription } from '../shared/consult-protocol';
import { codeOf } from '../shared/errors';
import { parisDateTime } from '../shared/wording';

/** What the kiosk shows of the prescription (KioskApi getPrescription). */
export interface PrescriptionView {
  number: string;
  issuedAt: string;
  prescriber: { name: string; specialty: string };
  items: Prescription['items'];
  instructions: string;
  /** The QR code as an SVG document (host-rendered, 4-module quiet zone). */
  qrSvg: string;
  pdf: { printed: boolean; file?: string };
}

export type PrinterConfig = KioskConfig['printer'];

/** The QR code of a prescription as SVG text (quiet zone of 4 modules, error correction M). */
export function prescriptionQrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', margin: 4, errorCorrectionLevel: 'M' });
}

/** The printable prescription: pharmacy, date, prescriber, patient first name, items, instructions, number and QR code. */
export async function renderPrescriptionPdf(p: Prescription, pharmacy: { name: string; city: string }): Promise<Buffer> {
  const qrPng = await QRCode.toBuffer(p.qr, { type: 'png', margin: 4, errorCorrectionLevel: 'M', scale: 8 });
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `Ordonnance ${p.number}`, Producer: 'Cabine' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font('Helvetica-Bold').fontSize(20).text('Ordonnance');
  doc.moveDown(0.3).font('Helvetica').fontSize(11)
    .text(`Téléconsultation en pharmacie — ${pharmacy.name}, ${pharmacy.city}`)
    .text(`Le ${parisDateTime(p.issuedAt)}`);
  doc.moveDown(0.8).font('Helvetica-Bold').fontSize(12).text(p.prescriber.name)
    .font('Helvetica').fontSize(11).text(p.prescriber.specialty);
  doc.moveDown(0.8).fontSize(12).text(`Patient : ${p.patient.firstName ?? '—'}${p.patient.age !== null ? `, ${p.patient.age} ans` : ''}`);
  doc.moveDown(1);
  p.items.forEach((item, i) => {
    doc.font('Helvetica-Bold').fontSize(12).text(`${i + 1}. ${item.name}`);
    doc.font('Helvetica').fontSize(11).text(item.dosage, { indent: 16 });
    const extra = [item.duration && `Durée : ${item.duration}`, item.quantity && `Quantité : ${item.quantity}`].filter(Boolean).join(' — ');
    if (extra) doc.text(extra, { indent: 16 });
    doc.moveDown(0.5);
  });
  if (p.instructions) {
    doc.moveDown(0.5).font('Helvetica-Bold').text('Consignes').font('Helvetica').text(p.instructions);
  }
  doc.moveDown(1).font('Courier-Bold').fontSize(14).text(`N° ${p.number}`);
  doc.image(qrPng, { fit: [200, 200] });
  doc.end();
  return done;
}

/** Where a PDF went: printed by the pharmacy's printer, or saved to a session-only file. */
export interface PrintOutcome {
  printed: boolean;
  file?: string;
}

/**
 * Sends a PDF to the configured printer. A printer command gets the PDF on
 * stdin (`lp` reads stdin when given no file); when it fails, the PDF is
 * saved to the file directory instead so the pharmacist can print it again.
 */
export class PrescriptionPrinter {
  constructor(private readonly config: PrinterConfig, private readonly log: Logger, private readonly fallbackDir = '.cabine/prints') {}

  /** Whether a print reaches paper (a printer command) or only a file the pharmacist prints. */
  get onPaper(): boolean {
    return this.config.kind === 'command';
  }

  async print(pdf: Buffer, number: string): Promise<PrintOutcome> {
    if (this.config.kind === 'command') {
      const ok = await this.runCommand(this.config.command, pdf);
      if (ok) return { printed: true };
      this.log.warn({ code: 'PRINTER_FAILED' }, 'printer command failed: the prescription is saved to a file instead');
      return { printed: false, file: this.save(this.fallbackDir, pdf, number) };
    }
    return { printed: false, file: this.save(this.config.dir, pdf, number) };
  }

  /** Deletes a saved PDF (privacy wipe). */
  discard(file: string | undefined): void {
    if (file) rmSync(file, { force: true });
  }

  /**
   * Deletes prescription PDFs a previous run left (a crash or power cut
   * before the privacy wipe): they belonged to a session that is over.
   * Returns how many were deleted.
   */
  sweep(): number {
    let removed = 0;
    for (const dir of new Set([this.config.kind === 'file' ? this.config.dir : this.fallbackDir, this.fallbackDir])) {
      let names: string[];
      try {
        names = readdirSync(resolvePath(dir));
      } catch {
        continue;
      }
      for (const name of names.filter((n) => /^ordonnance-[A-Z0-9-]+\.pdf$/.test(n))) {
        rmSync(resolvePath(dir, name), { force: true });
        removed += 1;
      }
    }
    if (removed > 0) this.log.warn({ removed }, 'deleted prescription PDFs left by an interrupted session');
    return removed;
  }

  private save(dir: string, pdf: Buffer, number: string): string {
    const abs = resolvePath(dir);
    mkdirSync(abs, { recursive: true, mode: 0o700 });
    const file = resolvePath(abs, `ordonnance-${number}.pdf`);
    // 0600 from creation: health data in clear, for this session only.
    writeFileSync(file, pdf, { mode: 0o600 });
    return file;
  }

  private runCommand(command: string[], pdf: Buffer): Promise<boolean> {
    return new Promise((resolve) => {
      const [bin, ...args] = command as [string, ...string[]];
      const child = spawn(bin, args, { stdio: ['pipe', 'ignore', 'ignore'] });
      child.on('error', (error) => {
        this.log.warn({ code: codeOf(error) }, 'printer command could not start');
        resolve(false);
      });
      child.on('close', (code) => resolve(code === 0));
      child.stdin.on('error', () => undefined);
      child.stdin.end(pdf);
    });
  }
}
