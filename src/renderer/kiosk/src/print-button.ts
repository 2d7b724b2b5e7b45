/**
 * What the prescription screen's print button says and does, from where the
 * paper really is: the host's print state (snapshot) and whether the kiosk's
 * own request is still on its way. A file printer only saves the PDF for the
 * pharmacist, so before any print reached a printer the button offers a
 * first print, never "again"; a failed print sends the patient to the
 * pharmacist rather than into retries.
 */
import type { SessionViewContext } from '../../../shared/session-view';
import type { MessageKey } from './i18n';

export type PrintState = NonNullable<NonNullable<SessionViewContext['prescription']>['print']>;

export interface PrintButton {
  shown: 'first' | 'sent' | 'printing' | 'printed' | 'failed';
  label: MessageKey;
  disabled: boolean;
  action: 'print' | 'callPharmacist';
}

export function printButton(state: PrintState, sent: boolean): PrintButton {
  if (state === 'printing') return { shown: 'printing', label: 'wrapUp.prescription.printing', disabled: true, action: 'print' };
  if (sent) return { shown: 'sent', label: 'wrapUp.prescription.sent', disabled: true, action: 'print' };
  if (state === 'printed') return { shown: 'printed', label: 'wrapUp.prescription.reprint', disabled: false, action: 'print' };
  if (state === 'failed') return { shown: 'failed', label: 'wrapUp.prescription.askPharmacist', disabled: false, action: 'callPharmacist' };
  return { shown: 'first', label: 'wrapUp.prescription.print', disabled: false, action: 'print' };
}
