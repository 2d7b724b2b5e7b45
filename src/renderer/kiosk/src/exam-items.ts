/** The words of a forwarded case's checklist items on the kiosk (the exam screens and the assistant panel). */
import { AUSCULTATION_WORDING } from '../../../shared/auscultation';
import type { ChecklistItem } from '../../../shared/case-record';
import type { Language } from '../../../shared/session-view';
import { EAR_WORDING } from '../../../shared/wording';
import { t, type MessageKey } from './i18n';

/** An item's name in the patient's language, with its site (body site, ear, stethoscope point). */
export function itemLabel(item: ChecklistItem, l: Language): string {
  switch (item.kind) {
    case 'dermatoscope-photo': return `${t(l, 'measure.dermatoscope-photo')} · ${item.bodySite}`;
    case 'otoscope-photo': return `${t(l, 'measure.otoscope-photo')} · ${EAR_WORDING[item.ear][l]}`;
    case 'auscultation': return t(l, 'exam.item.auscultation', { point: AUSCULTATION_WORDING[item.point].name });
    case 'video': return t(l, 'exam.item.video');
    default: return t(l, `measure.${item.kind}` as MessageKey);
  }
}

