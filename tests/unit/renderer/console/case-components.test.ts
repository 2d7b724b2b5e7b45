/**
 * The console's deferred cases rendered as components (static markup: no
 * effects run): the queue marks an overdue case in words and for the eye;
 * the answer form says that urgent rings the pharmacy; a signed answer shows
 * who answered and the prescription's number.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { caseBundleUrl, type CaseAnswer, type CaseSummary } from '../../../../src/shared/case-protocol';
import { CaseQueue } from '../../../../src/renderer/console/src/components/CaseQueue';
import { AnswerForm, AnswerView, CaseExportLink } from '../../../../src/renderer/console/src/components/CaseReview';

const text = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const H = 3_600_000;
const summary = (id: string, dueInMs: number, over: Partial<CaseSummary> = {}): CaseSummary => ({
  caseId: `0190a000-0000-7000-8000-00000000000${id}`, specialty: 'dermatology', state: 'waiting',
  patient: { firstName: 'Jeanne', age: 71 }, reason: 'Problème de peau', question: 'Cette lésion est-elle suspecte ?',
  pharmacy: { name: 'Pharmacie du Centre', city: 'Laval' }, receivedAt: new Date(Date.now() - 72 * H).toISOString(),
  dueAt: new Date(Date.now() + dueInMs).toISOString(), answeredBy: null, ...over,
});

describe('the console’s deferred cases, rendered', () => {
  it('marks an overdue case in red and in words, beside one still on time', () => {
    const html = renderToStaticMarkup(createElement(CaseQueue, { cases: [summary('1', -3 * H), summary('2', 5 * H)], onOpen: () => undefined, busy: null }));
    expect(html).toMatch(/data-overdue="yes" class="case--overdue"/);
    expect(text(html)).toMatch(/En retard de 3 h 0\d/);
    expect(text(html)).toMatch(/À rendre dans (4 h 5\d|5 h 00)/);
    expect(text(html)).toContain('Jeanne, 71 ans');
    expect(text(html)).toContain('« Cette lésion est-elle suspecte ? »');
    expect(text(html)).toContain('2 à traiter');
    expect(html).toContain('aria-label="Ouvrir le cas de Jeanne, 71 ans, Pharmacie du Centre"');
  });

  it('does not offer to open a case whose parts are still arriving', () => {
    const html = renderToStaticMarkup(createElement(CaseQueue, { cases: [summary('3', H, { state: 'incomplete' })], onOpen: () => undefined, busy: null }));
    expect(html).toMatch(/<button type="button" disabled=""[^>]*>Ouvrir le cas<\/button>/);
  });

  it('says, beside the urgency, that an urgent answer rings the pharmacy', () => {
    const html = renderToStaticMarkup(createElement(AnswerForm, { caseId: 'x', send: () => Promise.resolve(null) }));
    expect(text(html)).toContain('Une réponse urgente fait sonner le comptoir de la pharmacie');
    expect(html).toContain('<input type="radio" aria-describedby="answer-urgent-note" name="answer-urgency" value="urgent"/>');
    for (const kind of ['Conseil au patient', 'Consultation en direct nécessaire', 'Orientation vers un autre médecin']) expect(text(html)).toContain(kind);
  });

  it('shows the signed answer with who answered and the prescription issued', () => {
    const answer: CaseAnswer = {
      caseId: '0190a000-0000-7000-8000-000000000001', kind: 'live-needed', advice: 'Une consultation est nécessaire.', urgency: 'urgent', liveWithin: '48h',
      prescription: { number: 'RX-2026-000123', issuedAt: '2026-12-02T10:00:00Z', sessionId: null, boothId: 'b', prescriber: { id: 'd', name: 'Dr Martin', specialty: 'general' }, patient: { firstName: 'Jeanne', age: 71 }, items: [{ name: 'Paracétamol 500 mg', dosage: '1 comprimé 3 fois par jour' }], instructions: '', qr: 'x' },
      answeredBy: { id: 'd', name: 'Dr Martin', specialty: 'Médecine générale' }, answeredAt: '2026-12-02T10:00:00Z', signature: 'sig',
    };
    const t = text(renderToStaticMarkup(createElement(AnswerView, { answer })));
    expect(t).toContain('Réponse — Consultation en direct nécessaire (urgente)');
    expect(t).toContain('Par Dr Martin (Médecine générale)');
    expect(t).toContain('Consultation en direct : sous 48 h');
    expect(t).toContain('RX-2026-000123');
  });

  it('offers the case as FHIR at the hub\'s export address, named in words', () => {
    const caseId = '0190a000-0000-7000-8000-0000000000e1';
    const html = renderToStaticMarkup(createElement(CaseExportLink, { caseId }));
    expect(html).toContain(`href="${caseBundleUrl(caseId)}"`);
    expect(text(html)).toContain('Dossier au format FHIR');
  });
});
