/**
 * The report to the patient's GP after a consultation (DESIGN §5 wrap-up):
 * one PDF (pdfkit) and the same content as a FHIR R4 Bundle. Both come from
 * the hub's record only: the identity and pathway the booth sent as session
 * events, the readings, photos and stethoscope clips, the specialist's notes and the
 * prescriptions (with their signed QR code).
 */
import type { Bundle } from 'fhir/r4';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { createHash } from 'node:crypto';
import type { Prescription } from '../../shared/consult-protocol';
import type { Reading } from '../../shared/domain';
import { AUSCULTATION_WORDING } from '../../shared/auscultation';
import type { ClipMeta, PhotoMeta } from '../../shared/record-protocol';
import type { HubConfig } from '../directory';
import { exportSession } from '../record/export';
import type { ClaimRecord, RecordRepository, SessionNotes } from '../record/repository';
import { EAR_WORDING, EXCEPTION_LABEL_FR, parisDateTime, parisTime, PATHWAY_LABEL_FR, quantityWording, UNIT_SYMBOL } from '../../shared/wording';

export interface SessionReport {
  sessionId: string;
  boothId: string;
  pharmacy: { name: string; city: string } | null;
  /** When the consultation began (the first claim). */
  date: string;
  patient: { firstName: string | null; lastName: string | null; birthDate: string | null; age: number | null };
  pathway: string | null;
  exceptionReason: string | null;
  readings: Reading[];
  photos: PhotoMeta[];
  /** Stethoscope clips, each with its auscultation point. */
  clips: ClipMeta[];
  notes: (SessionNotes & { authorName: string }) | null;
  prescriptions: Prescription[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** Gathers a session's report from the record; `claims` are the reader's claims on it (at least one). */
export async function gatherReport(repo: RecordRepository, config: HubConfig, sessionId: string, claims: ClaimRecord[]): Promise<SessionReport> {
  const first = claims[0]!;
  const report: SessionReport = {
    sessionId,
    boothId: first.boothId,
    pharmacy: config.booths.find((b) => b.boothId === first.boothId)?.pharmacy ?? null,
    date: first.claimedAt,
    patient: { firstName: first.patient.firstName, lastName: null, birthDate: null, age: first.patient.age },
    pathway: first.patient.pathway,
    exceptionReason: first.patient.exceptionReason,
    readings: [],
    photos: [],
    clips: [],
    notes: null,
    prescriptions: [],
  };
  for (const { item } of await repo.sessionItems(sessionId)) {
    if (item.boothId !== first.boothId) continue;
    if (item.kind === 'reading') report.readings.push(item.data);
    else if (item.kind === 'photo') report.photos.push(item.data);
    else if (item.kind === 'clip') report.clips.push(item.data);
    else if (item.kind !== 'sessionEvent') continue;
    else if (item.data.type === 'identity') {
      const d = item.data.data ?? {};
      report.patient = { ...report.patient, firstName: str(d.firstName) ?? report.patient.firstName, lastName: str(d.lastName), birthDate: str(d.birthDate) };
    } else if (item.data.type === 'pathway') {
      const d = item.data.data ?? {};
      report.pathway = str(d.pathway) ?? report.pathway;
      report.exceptionReason = str(d.exceptionReason);
    }
  }
  const notes = await repo.notes(sessionId);
  if (notes) report.notes = { ...notes, authorName: config.specialists.find((s) => s.id === notes.authorId)?.name ?? notes.authorId };
  report.prescriptions = (await repo.sessionPrescriptions(sessionId)).map((s) => s.prescription).filter((p) => p.boothId === first.boothId);
  return report;
}

/** A stable pseudonym for the FHIR subject (no name in the bundle: the PDF carries the identity). */
export function pseudonym(sessionId: string): string {
  return `P-${createHash('sha256').update(`cabine-subject:${sessionId}`).digest('hex').slice(0, 10).toUpperCase()}`;
}

export async function reportBundle(repo: RecordRepository, r: SessionReport): Promise<Bundle> {
  return exportSession(repo, r.sessionId, pseudonym(r.sessionId), {
    boothId: r.boothId,
    notes: r.notes ? { text: r.notes.text, at: r.notes.at, author: { id: r.notes.authorId, name: r.notes.authorName } } : null,
    prescriptions: r.prescriptions,
  });
}

// ---- PDF -------------------------------------------------------------------------

// The pathway in the console's words (src/shared/wording.ts), so the doctor reads one vocabulary;
// the exception reason in lower case, inside the sentence. Unknown values (untyped session events) as sent.
const pathwayLabel = (p: string): string => (PATHWAY_LABEL_FR as Record<string, string>)[p] ?? p;
const exceptionText = (e: string): string => (EXCEPTION_LABEL_FR as Record<string, string>)[e]?.toLowerCase() ?? e;
const KIND_FR: Record<string, string> = {
  temperature: 'Température',
  'blood-pressure': 'Tension artérielle',
  'cuff-pressure': 'Pression du brassard',
  spo2: 'Saturation en oxygène',
};
const FLAG_FR: Record<string, string> = {
  'out-of-range': 'hors des valeurs possibles',
  'body-movement': 'mouvement pendant la mesure',
  'cuff-too-loose': 'brassard trop lâche',
  'irregular-pulse': 'pouls irrégulier',
  'pulse-rate-out-of-range': 'pouls hors plage',
  'improper-position': 'position incorrecte',
  'finger-out': 'doigt retiré',
  searching: 'recherche du signal',
  'low-perfusion': 'perfusion faible',
  'sensor-fault': 'défaut du capteur',
  intermediate: 'valeur intermédiaire',
};

const frNumber = (n: number): string => String(n).replace('.', ',');

function readingLine(r: Reading): string {
  const one = r.values.length === 1;
  const values = r.values.map((v) => `${one ? '' : `${quantityWording(v.code)?.report ?? v.name} `}${frNumber(v.value)} ${UNIT_SYMBOL[v.unit]}`.trim()).join(' ; ');
  const flags = r.flags.length > 0 ? ` — à vérifier : ${r.flags.map((f) => FLAG_FR[f] ?? f).join(', ')}` : '';
  return `${KIND_FR[r.kind] ?? r.kind} : ${values} (${parisTime(r.takenAt)}, ${r.device.model} n° ${r.device.serial})${flags}`;
}

/** The GP report as a PDF (A4, French). */
/** A photo's line in the report: "Otoscope — oreille gauche — 10:02, 1280×960 (réf. …)", or a dermatoscope still's site and light. */
export function photoLine(ph: PhotoMeta): string {
  const pol = ph.polarisation === 'none' ? '' : `, lumière ${ph.polarisation === 'uv' ? 'UV' : 'polarisée'}`;
  // A photo stored before the otoscope has no modality: the dermatoscope's.
  const what = ph.modality === 'otoscope' ? `Otoscope — ${ph.ear ? EAR_WORDING[ph.ear].fr : 'oreille non précisée'}` : ph.bodySite ?? 'site non précisé';
  return `${what} — ${parisTime(ph.takenAt)}, ${ph.width}×${ph.height}${pol} (réf. ${ph.id})`;
}

/**
 * A French A4 document as every Cabine PDF starts (the GP report, the printed
 * answer to a case): `finish()` ends it and gives its bytes.
 */
export function startPdf(title: string): { doc: PDFKit.PDFDocument; finish: () => Promise<Buffer> } {
  // NOTE: no patient data in the PDF's metadata (Title, Subject): file managers and indexers show it.
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: title, Author: 'Cabine' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  return {
    doc,
    finish: async () => {
      doc.end();
      await done;
      return Buffer.concat(chunks);
    },
  };
}

/** A section title, then body text. */
export function pdfHeading(doc: PDFKit.PDFDocument, text: string): void {
  doc.moveDown(0.8).font('Helvetica-Bold').fontSize(13).text(text).moveDown(0.3).font('Helvetica').fontSize(10.5);
}

/** A prescription on paper: its number, prescriber, items, instructions and its signed QR code (with the payload in clear below). */
export async function drawPrescription(doc: PDFKit.PDFDocument, rx: Prescription): Promise<void> {
  doc.font('Helvetica-Bold').text(`N° ${rx.number}`).font('Helvetica');
  doc.text(`Prescrite le ${parisDateTime(rx.issuedAt)} par ${rx.prescriber.name} (${rx.prescriber.specialty})`);
  for (const item of rx.items) {
    const extra = [item.duration ? `pendant ${item.duration}` : null, item.quantity ? `quantité : ${item.quantity}` : null].filter(Boolean).join(', ');
    doc.text(`• ${item.name} — ${item.dosage}${extra ? ` (${extra})` : ''}`);
  }
  if (rx.instructions) doc.text(`Consignes : ${rx.instructions}`);
  const png = await QRCode.toBuffer(rx.qr, { type: 'png', errorCorrectionLevel: 'M', margin: 1, width: 240 });
  if (doc.y + 130 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  doc.moveDown(0.3).image(png, { width: 120 });
  doc.moveDown(0.3).fontSize(8).fillColor('#444').text(rx.qr).fillColor('black').fontSize(10.5).moveDown(0.5);
}

export async function reportPdf(r: SessionReport): Promise<Buffer> {
  const { doc, finish } = startPdf('Compte rendu de téléconsultation');
  const heading = (text: string): void => pdfHeading(doc, text);
  doc.font('Helvetica-Bold').fontSize(18).text('Compte rendu de téléconsultation');
  doc.font('Helvetica').fontSize(10.5).moveDown(0.5);
  doc.text(`Date : ${parisDateTime(r.date)}`);
  if (r.pharmacy) doc.text(`Pharmacie : ${r.pharmacy.name}, ${r.pharmacy.city} (cabine ${r.boothId})`);
  doc.text(`Session : ${r.sessionId}`);

  heading('Patient');
  const p = r.patient;
  const name = [p.firstName, p.lastName?.toUpperCase()].filter(Boolean).join(' ') || 'Non renseigné';
  doc.text(`Nom : ${name}`);
  if (p.birthDate) doc.text(`Date de naissance : ${p.birthDate.split('-').reverse().join('/')}`);
  else if (p.age !== null) doc.text(`Âge : ${p.age} ans`);
  if (r.pathway) {
    const reason = r.exceptionReason ? ` (${exceptionText(r.exceptionReason)})` : '';
    doc.text(`Parcours de soins : ${pathwayLabel(r.pathway)}${reason}`);
  }

  heading('Mesures');
  if (r.readings.length === 0) doc.text('Aucune mesure.');
  for (const reading of r.readings.filter((x) => x.kind !== 'cuff-pressure')) doc.text(`• ${readingLine(reading)}`);

  heading('Photos (dermatoscope, otoscope)');
  if (r.photos.length === 0) doc.text('Aucune photo.');
  for (const ph of r.photos) doc.text(`• ${photoLine(ph)}`);

  heading('Auscultation (stéthoscope)');
  if (r.clips.length === 0) doc.text('Aucun enregistrement.');
  for (const c of r.clips) {
    const seconds = Math.round(c.durationMs / 100) / 10;
    doc.text(`• ${AUSCULTATION_WORDING[c.point].name} — ${parisTime(c.recordedAt)}, ${frNumber(seconds)} s, WAV ${c.sampleRate / 1000} kHz ${c.bitsPerSample} bits (réf. ${c.id})`);
  }

  heading('Notes du médecin');
  if (r.notes && r.notes.text.trim() !== '') {
    doc.text(r.notes.text);
    doc.moveDown(0.2).fillColor('#444').text(`${r.notes.authorName}, ${parisDateTime(r.notes.at)}`).fillColor('black');
  } else doc.text('Aucune note.');

  heading('Ordonnance');
  if (r.prescriptions.length === 0) doc.text('Aucune ordonnance.');
  for (const rx of r.prescriptions) await drawPrescription(doc, rx);
  return finish();
}
