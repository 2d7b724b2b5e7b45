/** The prescription form's rows, checked before anything is sent to the hub. */
import type { PrescriptionItem } from '../../../shared/consult-protocol';

export interface Row { key: number; name: string; dosage: string; duration: string; quantity: string }

/** Rows to items: blank rows are dropped; a row with a medication but no posology (or the reverse) is an error to fix. */
export function rowsToItems(rows: readonly Omit<Row, 'key'>[]): { items: PrescriptionItem[] } | { error: string } {
  const items: PrescriptionItem[] = [];
  for (const [i, r] of rows.entries()) {
    const name = r.name.trim();
    const dosage = r.dosage.trim();
    const duration = r.duration.trim();
    const quantity = r.quantity.trim();
    if (!name && !dosage && !duration && !quantity) continue;
    if (!name) return { error: `Ligne ${i + 1} : indiquez le médicament.` };
    if (!dosage) return { error: `Ligne ${i + 1} : indiquez la posologie de « ${name} ».` };
    items.push({ name, dosage, ...(duration ? { duration } : {}), ...(quantity ? { quantity } : {}) });
  }
  if (items.length === 0) return { error: 'Ajoutez au moins un médicament avec sa posologie.' };
  if (items.length > 20) return { error: 'Une ordonnance compte au plus 20 lignes.' };
  return { items };
}

