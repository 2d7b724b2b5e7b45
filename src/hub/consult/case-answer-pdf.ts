/**
 * The answer to a forwarded case as the pharmacy prints it for the patient
 * (case-protocol.ts: served at `caseAnswerPdfUrl(caseId)` to the pharmacy's
 * staff): who the patient is and their pick-up code, what the doctor
 * answers in words, the prescription with its signed QR code, who answered,
 * when, and the start of the hub's signature. Built like the GP report
 * (report.ts: same document, headings and prescription block). The patient's
 * name is on it: the pharmacy compiled the case and hands the paper over.
 */
import { type CounterCase } from '../../shared/case-protocol';
import { formatPickupCode, SPECIALTY_LABEL } from '../../shared/case-record';
import { ANSWER_KIND_WORDING, LIVE_WITHIN_WORDING, URGENCY_WORDING } from '../../shared/case-wording';
import { CabineError } from '../../shared/errors';
import { parisDateTime } from '../../shared/wording';
import { drawPrescription, pdfHeading, startPdf } from './report';

/** How much of the signature the paper shows: enough to compare with the record, not meant to be checked by eye in full. */
export const PRINTED_SIGNATURE_CHARS = 12;

/** A case with no answer yet has nothing to print. */
export class CaseNotAnsweredError extends CabineError {
  constructor(readonly caseId: string) {
    super('CASE_NOT_ANSWERED', {
      fr: 'Ce dossier n’a pas encore de réponse du médecin : il n’y a rien à imprimer. La réponse s’affichera ici dès qu’elle arrivera.',
      en: 'No doctor has answered this case yet: there is nothing to print. The answer will show here as soon as it arrives.',
    }, { detail: `case ${caseId}` });
  }
}

const frenchDate = (iso: string): string => iso.split('-').reverse().join('/');

/** The printed answer (A4, French). Refuses a case not answered yet (CaseNotAnsweredError). */
export async function caseAnswerPdf(c: CounterCase, pharmacy: { name: string; city: string }): Promise<Buffer> {
  const a = c.answer;
  if (!a) throw new CaseNotAnsweredError(c.caseId);
  const { doc, finish } = startPdf('Réponse du médecin (téléexpertise)');

  doc.font('Helvetica-Bold').fontSize(18).text('Réponse du médecin');
  doc.font('Helvetica').fontSize(10.5).moveDown(0.5);
  doc.text(`Pharmacie : ${pharmacy.name}, ${pharmacy.city}`);
  doc.font('Helvetica-Bold').text(`Code de retrait : ${formatPickupCode(c.pickupCode)}`).font('Helvetica');
  doc.text(`Dossier transmis le ${parisDateTime(c.receivedAt)} par ${c.compiledBy}`);

  pdfHeading(doc, 'Patient');
  doc.text(`Nom : ${c.patient.firstNames} ${c.patient.birthName.toUpperCase()}`);
  doc.text(`Date de naissance : ${frenchDate(c.patient.birthDate)}`);
  doc.text(`Spécialité consultée : ${SPECIALTY_LABEL.fr[c.specialty]}`);

  pdfHeading(doc, 'Réponse');
  doc.text(`Type de réponse : ${ANSWER_KIND_WORDING[a.kind].fr}`);
  doc.text(`Urgence : ${URGENCY_WORDING[a.urgency].fr}`);
  if (a.liveWithin) doc.text(`Téléconsultation en direct à prévoir : ${LIVE_WITHIN_WORDING[a.liveWithin].fr}`);
  if (a.referral) doc.text(`Orientation vers : ${a.referral.to} — motif : ${a.referral.reason}`);
  doc.moveDown(0.4).font('Helvetica-Bold').text('Conseil du médecin :').font('Helvetica').text(a.advice);

  pdfHeading(doc, 'Ordonnance');
  if (a.prescription) await drawPrescription(doc, a.prescription);
  else doc.text('Aucune ordonnance.');

  pdfHeading(doc, 'Médecin');
  doc.text(`${a.answeredBy.name} (${a.answeredBy.specialty})`);
  doc.text(`Réponse donnée le ${parisDateTime(a.answeredAt)}`);
  doc.moveDown(0.3).fillColor('#444').text(`Réponse signée électroniquement (${a.signature.slice(0, PRINTED_SIGNATURE_CHARS)}…)`).fillColor('black');
  return finish();
}
