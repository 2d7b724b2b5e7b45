/**
 * "Examen différé" in the counter's intake: the specialty, the question for
 * the doctor, the pharmacist's note, the phone to call the patient back, the
 * checklist edited from the specialty's default, and the patient's consent.
 * Each problem is said beside its field (deferred.ts), in the page's language.
 */
import { AUSCULTATION_POINTS, type AuscultationPoint } from '../../../shared/auscultation';
import { CASE_SPECIALTIES, SPECIALTY_LABEL, type ChecklistItem, type ChecklistKind } from '../../../shared/case-record';
import { EAR_SIDES, type Ear } from '../../../shared/domain';
import { EAR_WORDING } from '../../../shared/wording';
import { useState } from 'react';
import { ADDABLE_KINDS, addItem, canAdd, removeItem, setDetail, withSpecialty, type DeferredDraft, type DeferredProblems } from './deferred';
import { t, type Key, type Lang } from './i18n';

export function itemWords(lang: Lang, item: ChecklistItem): string {
  const kind = t(lang, `item.${item.kind}` as Key);
  if (item.kind === 'dermatoscope-photo') return item.bodySite.trim() ? `${kind} — ${item.bodySite.trim()}` : kind;
  if (item.kind === 'otoscope-photo') return `${kind} — ${EAR_WORDING[item.ear][lang]}`;
  if (item.kind === 'auscultation') return `${kind} — ${t(lang, `point.${item.point}` as Key)}`;
  return kind;
}

function Problem({ id, lang, problem }: { id: string; lang: Lang; problem: Key | undefined }) {
  return problem ? <span id={`counter-problem-${id}`} className="cintake__problem" role="alert" data-testid={`problem-${id}`}>{t(lang, problem)}</span> : null;
}

export function DeferredFields({ lang, draft, onChange, problems }: { lang: Lang; draft: DeferredDraft; onChange: (d: DeferredDraft) => void; problems: DeferredProblems }) {
  const d = draft;
  const [adding, setAdding] = useState<ChecklistKind>('dermatoscope-photo');
  const set = <K extends keyof DeferredDraft>(key: K, value: DeferredDraft[K]): void => onChange({ ...d, [key]: value });
  const invalid = (field: string, id: string) => (problems.has(field) ? { 'aria-invalid': true, 'aria-describedby': `counter-problem-${id}` } : {});
  return (
    <fieldset className="cintake__section cdeferred" data-testid="deferred">
      <legend>{t(lang, 'deferred.title')}</legend>
      <fieldset className="cintake__choices">
        <legend>{t(lang, 'deferred.specialty')}</legend>
        <div className="cintake__options">
          {CASE_SPECIALTIES.map((s) => (
            <label key={s} className="cintake__option">
              <input type="radio" name="counter-specialty" data-testid={`specialty-${s}`} checked={d.specialty === s} onChange={() => onChange(withSpecialty(d, s))} />
              {SPECIALTY_LABEL[lang][s]}
            </label>
          ))}
        </div>
      </fieldset>
      <label className="cintake__field">{t(lang, 'deferred.question')}
        <textarea data-testid="case-question" rows={2} maxLength={1000} value={d.question} onChange={(e) => set('question', e.target.value)} {...invalid('question', 'case-question')} />
        <Problem id="case-question" lang={lang} problem={problems.get('question')} />
      </label>
      <label className="cintake__field">{t(lang, 'deferred.note')}
        <textarea data-testid="case-note" rows={3} maxLength={2000} value={d.note} onChange={(e) => set('note', e.target.value)} {...invalid('note', 'case-note')} />
        <Problem id="case-note" lang={lang} problem={problems.get('note')} />
      </label>
      <label className="cintake__field">{t(lang, 'deferred.phone')}
        <input data-testid="case-phone" type="tel" autoComplete="off" inputMode="tel" maxLength={20} value={d.contactPhone} onChange={(e) => set('contactPhone', e.target.value)} {...invalid('contactPhone', 'case-phone')} />
        <Problem id="case-phone" lang={lang} problem={problems.get('contactPhone')} />
      </label>
      <fieldset className="cdeferred__checklist" {...(problems.has('checklist') ? { 'aria-describedby': 'counter-problem-checklist' } : {})}>
        <legend>{t(lang, 'deferred.checklist')}</legend>
        <ol className="cdeferred__items" data-testid="checklist">
          {d.checklist.map((item) => (
            <li key={item.id} data-item={item.id} data-kind={item.kind}>
              <span className="cdeferred__what">{t(lang, `item.${item.kind}` as Key)}</span>
              {item.kind === 'dermatoscope-photo' && (
                <label className="cintake__field">{t(lang, 'deferred.bodySite')}
                  <input data-testid={`body-site-${item.id}`} maxLength={120} value={item.bodySite} onChange={(e) => set('checklist', setDetail(d.checklist, item.id, { bodySite: e.target.value }))}
                    {...invalid(`checklist.${item.id}`, `body-site-${item.id}`)} />
                  <Problem id={`body-site-${item.id}`} lang={lang} problem={problems.get(`checklist.${item.id}`)} />
                </label>
              )}
              {item.kind === 'otoscope-photo' && (
                <label className="cintake__field">{t(lang, 'deferred.ear')}
                  <select data-testid={`ear-${item.id}`} value={item.ear} onChange={(e) => set('checklist', setDetail(d.checklist, item.id, { ear: e.target.value as Ear }))}>
                    {EAR_SIDES.map((s) => <option key={s} value={s}>{EAR_WORDING[s][lang]}</option>)}
                  </select>
                </label>
              )}
              {item.kind === 'auscultation' && (
                <label className="cintake__field">{t(lang, 'deferred.point')}
                  <select data-testid={`point-${item.id}`} value={item.point} onChange={(e) => set('checklist', setDetail(d.checklist, item.id, { point: e.target.value as AuscultationPoint }))}>
                    {AUSCULTATION_POINTS.map((p) => <option key={p} value={p}>{t(lang, `point.${p}` as Key)}</option>)}
                  </select>
                </label>
              )}
              <button type="button" className="link" data-testid={`remove-${item.id}`} onClick={() => set('checklist', removeItem(d.checklist, item.id))}>
                {t(lang, 'deferred.remove', { item: itemWords(lang, item) })}
              </button>
            </li>
          ))}
        </ol>
        <div className="cintake__row">
          <label className="cintake__field">{t(lang, 'deferred.addKind')}
            <select data-testid="add-kind" value={adding} onChange={(e) => setAdding(e.target.value as ChecklistKind)}>
              {ADDABLE_KINDS.map((k) => <option key={k} value={k} disabled={!canAdd(d.checklist, k)}>{t(lang, `item.${k}` as Key)}</option>)}
            </select>
          </label>
          <button type="button" className="primary" data-testid="add-item" disabled={!canAdd(d.checklist, adding)} onClick={() => set('checklist', addItem(d.checklist, adding))}>{t(lang, 'deferred.add')}</button>
        </div>
        <Problem id="checklist" lang={lang} problem={problems.get('checklist')} />
      </fieldset>
      <label className="cintake__option">
        <input type="checkbox" data-testid="case-consent" checked={d.consent} onChange={(e) => set('consent', e.target.checked)} required
          {...invalid('consent', 'case-consent')} />
        {t(lang, 'deferred.consent')}
      </label>
      <Problem id="case-consent" lang={lang} problem={problems.get('consent')} />
    </fieldset>
  );
}
