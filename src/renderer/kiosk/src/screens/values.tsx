/** A measured value with its unit, as a patient reads it. Values only: no interpretation, no diagnosis. */
import type { Quantity } from '../../../../shared/domain';
import type { Language } from '../../../../shared/session-view';
import { quantityWording, UNIT_SYMBOL } from '../../../../shared/wording';

export function formatValue(value: number, unit: string, lang: Language): string {
  const digits = unit === 'Cel' || unit === '[degF]' ? 1 : 0;
  const n = new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  const u = (UNIT_SYMBOL as Record<string, string>)[unit] ?? unit;
  return u ? `${n}\u00a0${u}` : n;
}

export function QuantityLine({ q, lang }: { q: Quantity; lang: Language }) {
  const name = quantityWording(q.code)?.kiosk[lang] ?? q.name;
  return (
    <span className="quantity" data-testid={`value-${q.code}`}>
      <span className="quantity__name">{name}</span> <strong className="quantity__value">{formatValue(q.value, q.unit, lang)}</strong>
    </span>
  );
}
