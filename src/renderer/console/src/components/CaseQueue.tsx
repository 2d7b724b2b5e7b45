import { CASE_STATE_LABEL, dueText, oneLine } from '../case-queue';
import type { CaseSummary } from '../../../../shared/case-protocol';
import { SPECIALTY_LABEL } from '../../../../shared/case-record';
import { useNow } from './WaitingRoom';

/**
 * "Examens différés": the cases of the doctor's specialties, beside the live
 * waiting room; already ordered (overdue first, case-queue.ts). Each says
 * who (first name, age), why, the question on one line, the pharmacy, when
 * it is due (an overdue one in red, and said so in words) and its state.
 */
export function CaseQueue({ cases, onOpen, busy }: { cases: CaseSummary[]; onOpen: (c: CaseSummary) => void; busy: string | null }) {
  const now = useNow(60_000);
  const open = cases.filter((c) => c.state !== 'answered').length;
  return (
    <section className="panel cases" aria-labelledby="cases-title">
      <h2 id="cases-title">Examens différés <span className="count">{open === 0 ? '' : `${open} à traiter`}</span></h2>
      {cases.length === 0 ? <p className="empty">Aucun examen différé pour vos spécialités.</p> : (
        <ul className="queue case-queue">
          {cases.map((c) => {
            const due = dueText(c, now);
            const patient = [c.patient.firstName, c.patient.age !== null ? `${c.patient.age} ans` : null].filter(Boolean).join(', ');
            return (
              <li key={c.caseId} data-case={c.caseId} data-state={c.state} data-overdue={due.overdue ? 'yes' : 'no'} className={due.overdue ? 'case--overdue' : undefined}>
                <div className="queue__where">
                  <strong>{c.pharmacy.name}</strong>
                  <span className="queue__city">{c.pharmacy.city}</span>
                  <span className="muted">{SPECIALTY_LABEL.fr[c.specialty]}</span>
                </div>
                <div className="queue__who">
                  <strong>{patient || 'Patient non identifié'}</strong>
                  <span className="queue__reason">{c.reason || 'Motif non précisé'}</span>
                  <span className="case__question" title={c.question}>« {oneLine(c.question)} »</span>
                </div>
                <dl className="queue__times">
                  <div><dt>Échéance</dt><dd className={due.overdue ? 'case__due case__due--overdue' : 'case__due'} data-testid="case-due">{due.text}</dd></div>
                  <div><dt>État</dt><dd data-testid="case-state">{CASE_STATE_LABEL[c.state]}{c.answeredBy ? ` (${c.answeredBy})` : ''}</dd></div>
                </dl>
                <button type="button" onClick={() => onOpen(c)} disabled={busy !== null || c.state === 'incomplete'}
                  aria-label={`Ouvrir le cas de ${patient || 'patient non identifié'}, ${c.pharmacy.name}`}>
                  {c.state === 'answered' ? 'Relire' : 'Ouvrir le cas'}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
