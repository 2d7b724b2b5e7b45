/**
 * A forwarded case and its answer as the hub records them (each parsed by its
 * contract's schema, so the fixtures cannot drift from it): a dermatology case
 * answered with advice and a prescription, and a general case not answered yet.
 */
import { CaseAnswer, CounterCase } from '../../src/shared/case-protocol';
import { CaseManifest, type ChecklistItem } from '../../src/shared/case-record';

export const DERMA_CASE_ID = '0190b6a8-0000-7000-8000-00000000ca5e';
export const GENERAL_CASE_ID = '0190b6a8-0000-7000-8000-00000000ca5f';
export const PHOTO_ID = '0190b6a8-0000-7000-8000-000000000042';
export const VIDEO_ID = '0190b6a8-0000-7000-8000-0000000000f1';
export const CLIP_ID = '0190b6a8-0000-7000-8000-0000000000c1';

export function manifest(over: { caseId: string; specialty: 'general' | 'dermatology'; checklist: ChecklistItem[]; entries: CaseManifest['entries']; note?: string }): CaseManifest {
  return CaseManifest.parse({
    caseId: over.caseId,
    sessionId: `session-${over.caseId.slice(-4)}`,
    specialty: over.specialty,
    question: over.specialty === 'dermatology' ? 'Cette lésion est-elle suspecte ?' : 'Faut-il une consultation rapide pour cette toux ?',
    note: over.note ?? 'Lésion apparue il y a trois semaines, grossit.',
    contactPhone: '0612345678',
    patient: {
      birthName: 'MARTIN', firstNames: 'Jeanne', birthDate: '1961-04-12', sex: 'F',
      reason: { code: 'skin' }, pathway: { pathway: 'gp-known' }, consentAt: '2026-03-02T09:00:00.000Z', gp: null, reportToGp: false,
    },
    caseConsentAt: '2026-03-02T09:00:00.000Z',
    compiledBy: { staffId: 'staff-claire', name: 'Claire Dubois', pharmacy: { name: 'Pharmacie du Marché', city: 'Arles' } },
    pickupCode: 'K7M4QP',
    checklist: over.checklist,
    entries: over.entries,
    completedAt: '2026-03-02T09:20:00.000Z',
  });
}

export function dermatologyAnswer(): CaseAnswer {
  return CaseAnswer.parse({
    caseId: DERMA_CASE_ID,
    kind: 'advice',
    advice: 'Lésion bénigne (kératose séborrhéique). Appliquer la crème deux fois par jour et revoir votre médecin traitant si elle saigne.',
    urgency: 'routine',
    prescription: {
      number: 'RX-2026-000123',
      issuedAt: '2026-03-03T14:05:00.000Z',
      sessionId: null,
      boothId: 'booth-arles-1',
      prescriber: { id: 'dr-leroy', name: 'Dr Anne Leroy', specialty: 'Dermatologie' },
      patient: { firstName: 'Jeanne', age: 64 },
      items: [{ name: 'Crème émolliente 200 ml', dosage: '2 applications par jour', duration: '15 jours', quantity: '1 tube' }],
      instructions: 'Éviter le soleil.',
      qr: 'CABRX1|RX-2026-000123|2026-03-03|dr-leroy|abc123|c2lnbmF0dXJl',
    },
    answeredBy: { id: 'dr-leroy', name: 'Dr Anne Leroy', specialty: 'Dermatologie' },
    answeredAt: '2026-03-03T14:05:00.000Z',
    signature: 'Zm9vYmFyLXNpZ25hdHVyZS0xMjM0NTY3ODkw_-x',
  });
}

export function counterCase(answer: CaseAnswer | null): CounterCase {
  return CounterCase.parse({
    caseId: DERMA_CASE_ID,
    boothId: 'booth-arles-1',
    pickupCode: 'K7M4QP',
    patient: { birthName: 'MARTIN', firstNames: 'Jeanne', birthDate: '1961-04-12' },
    contactPhone: '0612345678',
    specialty: 'dermatology',
    compiledBy: 'Claire Dubois',
    receivedAt: '2026-03-02T09:21:00.000Z',
    state: answer ? 'answered' : 'waiting',
    answer,
    acknowledgedBy: null,
  });
}
