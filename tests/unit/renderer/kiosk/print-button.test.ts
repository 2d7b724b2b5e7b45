/**
 * The prescription screen's print button shows where the paper really is
 * (the host's print state in the snapshot, and whether the kiosk's own
 * request is still on its way): no "Imprimer à nouveau" before a first
 * print; sent → printing → printed, or failed → "Demandez au pharmacien".
 */
import { describe, expect, it } from 'vitest';
import { printButton } from '../../../../src/renderer/kiosk/src/print-button';
import { t } from '../../../../src/renderer/kiosk/src/i18n';

const label = (...a: Parameters<typeof printButton>) => t('fr', printButton(...a).label);

describe('the prescription print button', () => {
  it('offers a first print, not a reprint, before any print was attempted', () => {
    expect(label('saved', false)).toBe('Imprimer');
    expect(label('none', false)).toBe('Imprimer');
    expect(printButton('saved', false)).toMatchObject({ disabled: false, action: 'print' });
  });

  it('shows the request sent, then printing, both waiting', () => {
    expect(printButton('saved', true)).toMatchObject({ shown: 'sent', disabled: true });
    expect(label('saved', true)).toBe('Envoi à l’imprimante…');
    expect(printButton('printing', true)).toMatchObject({ shown: 'printing', disabled: true });
    expect(label('printing', false)).toBe('Impression en cours…');
  });

  it('offers to print again once printed', () => {
    expect(printButton('printed', false)).toMatchObject({ shown: 'printed', disabled: false, action: 'print' });
    expect(label('printed', false)).toBe('Imprimer à nouveau');
  });

  it('sends the patient to the pharmacist when the print failed', () => {
    expect(printButton('failed', false)).toMatchObject({ shown: 'failed', disabled: false, action: 'callPharmacist' });
    expect(label('failed', false)).toBe('Demandez au pharmacien');
    expect(t('en', printButton('failed', false).label)).toBe('Ask the pharmacist');
  });
});
