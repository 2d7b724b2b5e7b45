import { describe, expect, it } from 'vitest';
import { rowsToItems } from '../../../../src/renderer/console/src/prescription-rows';

const row = (name: string, dosage: string, duration = '', quantity = '') => ({ name, dosage, duration, quantity });

describe('prescription form rows', () => {
  it('drops blank rows and leaves optional fields out when empty', () => {
    expect(rowsToItems([row(' Paracétamol 500 mg ', '1 cp 3 fois par jour', '5 jours'), row('', '')])).toEqual({
      items: [{ name: 'Paracétamol 500 mg', dosage: '1 cp 3 fois par jour', duration: '5 jours' }],
    });
  });

  it('names the row and what is missing when a medication has no posology', () => {
    expect(rowsToItems([row('Paracétamol', '1 cp'), row('Ibuprofène', '')])).toEqual({ error: 'Ligne 2 : indiquez la posologie de « Ibuprofène ».' });
    expect(rowsToItems([row('', '2 fois par jour')])).toEqual({ error: 'Ligne 1 : indiquez le médicament.' });
  });

  it('refuses an empty prescription', () => {
    expect(rowsToItems([row('', '')])).toEqual({ error: 'Ajoutez au moins un médicament avec sa posologie.' });
  });
});
