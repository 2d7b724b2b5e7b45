/** The answer to a forwarded case as the counter prints it. */
import { describe, expect, it } from 'vitest';
import { caseAnswerPdf, CaseNotAnsweredError } from '../../../src/hub/consult/case-answer-pdf';
import { counterCase, dermatologyAnswer } from '../../helpers/case-answer';
import { pdfText } from '../../helpers/pdf-text';

const pharmacy = { name: 'Pharmacie du Marché', city: 'Arles' };
/** The PDF's text on one line per paragraph-ish: pdfkit breaks long lines where it wraps them. */
const flat = (text: string): string => text.replace(/\s+/g, ' ');

describe('the printed answer to a case', () => {
  it('shows the pharmacy, the patient, the pick-up code, the specialty, the answer in words, the doctor, when, and the signature’s start', async () => {
    const text = flat(pdfText(await caseAnswerPdf(counterCase(dermatologyAnswer()), pharmacy)));
    expect(text).toContain('Pharmacie : Pharmacie du Marché, Arles');
    expect(text).toContain('Nom : Jeanne MARTIN');
    expect(text).toContain('Date de naissance : 12/04/1961');
    expect(text).toContain('Code de retrait : K7M-4QP');
    expect(text).toContain('Spécialité consultée : Dermatologie');
    expect(text).toContain('Type de réponse : Conseil au patient');
    expect(text).toContain('Urgence : Non urgent');
    expect(text).toContain('Lésion bénigne (kératose séborrhéique). Appliquer la crème deux fois par jour');
    expect(text).toContain('Dr Anne Leroy (Dermatologie)');
    expect(text).toContain('Réponse donnée le 3 mars 2026 à 15:05');
    expect(text).toContain('Réponse signée électroniquement (Zm9vYmFyLXNp…)');
    expect(text).not.toContain('Zm9vYmFyLXNpZ'); // 12 characters, not the whole signature
  });

  it('prints the prescription with its number, items and signed QR code', async () => {
    const pdf = await caseAnswerPdf(counterCase(dermatologyAnswer()), pharmacy);
    const text = flat(pdfText(pdf));
    expect(text).toContain('N° RX-2026-000123');
    expect(text).toContain('• Crème émolliente 200 ml — 2 applications par jour (pendant 15 jours, quantité : 1 tube)');
    expect(text).toContain('Consignes : Éviter le soleil.');
    expect(text).toContain('CABRX1|RX-2026-000123|2026-03-03|dr-leroy|abc123|c2lnbmF0dXJl');
    expect(pdf.toString('latin1')).toMatch(/\/Subtype \/Image/);
  });

  it('words a live consultation’s delay, an urgency and a referral, and says when there is no prescription', async () => {
    const base = dermatologyAnswer();
    const live = flat(pdfText(await caseAnswerPdf(counterCase({ ...base, kind: 'live-needed', urgency: 'urgent', liveWithin: '48h', prescription: undefined }), pharmacy)));
    expect(live).toContain('Type de réponse : Téléconsultation en direct nécessaire');
    expect(live).toContain('Urgence : Urgent : rappeler le patient sans attendre');
    expect(live).toContain('Téléconsultation en direct à prévoir : sous 48 heures');
    expect(live).toContain('Aucune ordonnance.');
    const referred = flat(pdfText(await caseAnswerPdf(counterCase({ ...base, kind: 'referral', referral: { to: 'Dermatologue en cabinet', reason: 'exérèse à prévoir' } }), pharmacy)));
    expect(referred).toContain('Orientation vers : Dermatologue en cabinet — motif : exérèse à prévoir');
  });

  it('refuses a case not answered yet with a typed error a pharmacist can read', async () => {
    const refused = caseAnswerPdf(counterCase(null), pharmacy);
    await expect(refused).rejects.toBeInstanceOf(CaseNotAnsweredError);
    await expect(refused).rejects.toMatchObject({ code: 'CASE_NOT_ANSWERED', userMessage: { fr: expect.stringContaining('pas encore de réponse') } });
  });
});
