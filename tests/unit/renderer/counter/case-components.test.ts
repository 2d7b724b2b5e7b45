/**
 * The counter page's deferred exam rendered (static markup): the form's
 * checklist with each item's detail and a way to remove it, the consent
 * required; the cases list with the print link; an urgent answer on top
 * with the number to call.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { CounterCase } from '../../../../src/shared/case-protocol';
import { CaseRings, CasesSection } from '../../../../src/renderer/counter/src/CasesSection';
import { DeferredFields } from '../../../../src/renderer/counter/src/DeferredFields';
import { newDeferred } from '../../../../src/renderer/counter/src/deferred';

const text = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const urgent: CounterCase = {
  caseId: '0190a000-0000-7000-8000-000000000001', boothId: 'demo-booth-1', pickupCode: 'K7M4QP',
  patient: { birthName: 'Durand', firstNames: 'Jeanne', birthDate: '1955-03-01' }, contactPhone: '0612345678', specialty: 'dermatology',
  compiledBy: 'Marie', receivedAt: '2026-12-02T08:00:00Z', state: 'answered', acknowledgedBy: null,
  answer: { caseId: '0190a000-0000-7000-8000-000000000001', kind: 'advice', advice: 'Rappelez la patiente.', urgency: 'urgent', answeredBy: { id: 'd', name: 'Dr Martin', specialty: 'dermatology' }, answeredAt: '2026-12-02T10:00:00Z', signature: 's' },
};

describe('the counter’s deferred exam, rendered', () => {
  it('lists the general checklist with each point to choose and a button to remove each item', () => {
    const html = renderToStaticMarkup(createElement(DeferredFields, { lang: 'fr', draft: newDeferred('general'), onChange: () => undefined, problems: new Map() }));
    expect(html.match(/data-testid="remove-i\d"/g)).toHaveLength(6);
    expect(html).toContain('data-testid="point-i4"');
    expect(text(html)).toContain('Retirer « Auscultation — Foyer mitral »');
    expect(html).toMatch(/<option value="video" disabled="">/);
    expect(html).toMatch(/data-testid="case-consent"[^>]*required/);
  });

  it('says a problem beside its field and marks the field invalid', () => {
    const d = { ...newDeferred('dermatology'), checklist: [{ id: 'i1', kind: 'dermatoscope-photo' as const, bodySite: '' }] };
    const html = renderToStaticMarkup(createElement(DeferredFields, { lang: 'en', draft: d, onChange: () => undefined, problems: new Map([['checklist.i1', 'deferred.problem.bodySite' as const]]) }));
    expect(html).toMatch(/data-testid="body-site-i1"[^>]*aria-invalid="true"[^>]*aria-describedby="counter-problem-body-site-i1"/);
    expect(text(html)).toContain('Name the body site of this lesion.');
  });

  it('keeps an urgent answer on top with the number to call, until someone called', () => {
    const html = renderToStaticMarkup(createElement(CaseRings, { lang: 'fr', cases: [urgent], onCalled: () => undefined, busy: null }));
    expect(text(html)).toContain('Réponse URGENTE — examen K7M-4QP (DURAND Jeanne)');
    expect(html).toContain('href="tel:0612345678"');
    expect(text(html)).toContain('J’ai appelé le patient');
    const called = { ...urgent, acknowledgedBy: { staffId: 's', name: 'Marie', at: '2026-12-02T10:05:00Z' } };
    expect(renderToStaticMarkup(createElement(CaseRings, { lang: 'fr', cases: [called], onCalled: () => undefined, busy: null }))).toBe('');
  });

  it('lists the cases with their pick-up code and state', () => {
    const waiting: CounterCase = { ...urgent, caseId: '0190a000-0000-7000-8000-000000000002', pickupCode: 'ABC234', state: 'waiting', answer: null };
    const t = text(renderToStaticMarkup(createElement(CasesSection, { lang: 'fr', cases: [waiting, urgent] })));
    expect(t).toMatch(/K7M-4QP DURAND Jeanne Dermatologie Réponse reçue Voir la réponse ABC-234 DURAND Jeanne Dermatologie En attente/);
  });
});
