/**
 * The pharmacy's deferred cases on the counter page: the urgent answers
 * that ring, on top until someone has called the patient (with the number
 * to call), then every case with its pick-up code, patient, specialty and
 * state, searchable by pick-up code; an answer opens its text, its
 * prescription and "Imprimer" (the PDF, in a new tab).
 */
import { useState } from 'react';
import { caseAnswerPdfUrl, type CaseAnswer, type CounterCase } from '../../../shared/case-protocol';
import { formatPickupCode, SPECIALTY_LABEL } from '../../../shared/case-record';
import { counterState, filterCases, orderCounterCases, ringingCases } from './cases';
import { t, type Key, type Lang } from './i18n';

const patientName = (c: CounterCase): string => `${c.patient.birthName.toUpperCase()} ${c.patient.firstNames}`.trim();
const whenText = (iso: string, lang: Lang): string =>
  new Date(iso).toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB', { day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });

/** The urgent answers nobody has called the patient about: they ring, and stay on top of the page. */
export function CaseRings({ lang, cases, onCalled, busy }: { lang: Lang; cases: CounterCase[]; onCalled: (c: CounterCase) => void; busy: string | null }) {
  const ringing = ringingCases(cases);
  if (ringing.length === 0) return null;
  return (
    <section className="case-rings" aria-label={t(lang, 'cases.title')} data-testid="case-rings">
      {ringing.map((c) => (
        <div key={c.caseId} className="case-ring" role="alert" data-testid={`case-ring-${c.pickupCode}`}>
          <p className="case-ring__what">{t(lang, 'cases.urgent', { code: formatPickupCode(c.pickupCode), name: patientName(c) })}</p>
          <p className="case-ring__call">{t(lang, 'cases.call', { phone: '' })}<a href={`tel:${c.contactPhone}`} data-testid={`case-phone-${c.pickupCode}`}>{c.contactPhone.replace(/(\d{2})(?=\d)/g, '$1 ')}</a></p>
          {c.answer && <p className="case-ring__advice">{c.answer.advice}</p>}
          <button type="button" className="primary big" data-testid={`case-called-${c.pickupCode}`} disabled={busy === c.caseId} onClick={() => onCalled(c)}>{t(lang, 'cases.called')}</button>
        </div>
      ))}
    </section>
  );
}

function AnswerText({ lang, c, answer }: { lang: Lang; c: CounterCase; answer: CaseAnswer }) {
  return (
    <div className="case-answer" id={`case-answer-${c.caseId}`} data-testid={`case-answer-${c.pickupCode}`}>
      <p className="case-answer__kind"><strong>{t(lang, `cases.kind.${answer.kind}` as Key)}</strong>{answer.urgency === 'urgent' ? ' · URGENT' : ''}</p>
      <p className="muted">{t(lang, 'cases.answeredBy', { name: answer.answeredBy.name, time: whenText(answer.answeredAt, lang) })}</p>
      {answer.liveWithin && <p>{t(lang, 'cases.liveWithin', { when: t(lang, `cases.within.${answer.liveWithin}` as Key) })}</p>}
      {answer.referral && <p>{t(lang, 'cases.referral', { to: answer.referral.to, reason: answer.referral.reason })}</p>}
      <p className="case-answer__advice">{answer.advice}</p>
      {answer.prescription && (
        <div>
          <p><strong>{t(lang, 'cases.prescription', { number: answer.prescription.number })}</strong></p>
          <ul>
            {answer.prescription.items.map((it, i) => <li key={i}><strong>{it.name}</strong> — {it.dosage}{it.duration ? `, ${it.duration}` : ''}{it.quantity ? ` (${it.quantity})` : ''}</li>)}
          </ul>
          {answer.prescription.instructions && <p>{answer.prescription.instructions}</p>}
        </div>
      )}
      {c.acknowledgedBy && <p className="cintake__ok">{t(lang, 'cases.calledBy', { name: c.acknowledgedBy.name })}</p>}
      <a className="button primary" href={caseAnswerPdfUrl(c.caseId)} target="_blank" rel="noopener" data-testid={`case-print-${c.pickupCode}`}>{t(lang, 'cases.print')}</a>
    </div>
  );
}

export function CasesSection({ lang, cases }: { lang: Lang; cases: CounterCase[] }) {
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const shown = orderCounterCases(filterCases(cases, query));
  return (
    <section className="cases" aria-labelledby="cases-title" data-testid="cases">
      <h2 id="cases-title">{t(lang, 'cases.title')}</h2>
      <label className="cintake__field cases__search">{t(lang, 'cases.search')}
        <input type="search" data-testid="case-search" autoComplete="off" maxLength={12} value={query} onChange={(e) => setQuery(e.target.value)} placeholder="K7M-4QP" />
      </label>
      {shown.length === 0 ? <p role="status">{t(lang, query.trim() ? 'cases.none' : 'cases.empty')}</p> : (
        <table className="cases__table">
          <thead><tr><th scope="col">{t(lang, 'cases.code')}</th><th scope="col">{t(lang, 'cases.patient')}</th><th scope="col">{t(lang, 'cases.specialty')}</th><th scope="col">{t(lang, 'cases.state')}</th><th scope="col"><span className="sr-only">{t(lang, 'cases.open')}</span></th></tr></thead>
          <tbody>
            {shown.map((c) => {
              const state = counterState(c);
              const expanded = open === c.caseId;
              return [
                <tr key={c.caseId} data-testid={`case-${c.pickupCode}`} data-state={state}>
                  <td className="mono">{formatPickupCode(c.pickupCode)}</td>
                  <td>{patientName(c)}</td>
                  <td>{SPECIALTY_LABEL[lang][c.specialty]}</td>
                  <td>{t(lang, `cases.state.${state}`)}</td>
                  <td>{c.answer && (
                    <button type="button" className="link" aria-expanded={expanded} aria-controls={`case-answer-${c.caseId}`} data-testid={`case-open-${c.pickupCode}`}
                      onClick={() => setOpen(expanded ? null : c.caseId)}>{t(lang, expanded ? 'cases.hide' : 'cases.open')}</button>
                  )}</td>
                </tr>,
                expanded && c.answer ? <tr key={`${c.caseId}-answer`}><td colSpan={5}><AnswerText lang={lang} c={c} answer={c.answer} /></td></tr> : null,
              ];
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
