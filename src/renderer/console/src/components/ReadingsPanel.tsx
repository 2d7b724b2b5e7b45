import { memo, useMemo } from 'react';
import type { MeasurementKind, Reading } from '../../../../shared/domain';
import { readingsOfKind, type CuffGauge as Gauge } from '../consult-state';
import { FLAG_LABEL, KIND_LABEL, readingParts, SEVERE_FLAGS, timeText, trendQuantity, UNIT_LABEL } from '../format';

const GAUGE_MAX = 300;

/** The cuff's pressure while it inflates and deflates: a half-dial from 0 to 300 mmHg. */
export function CuffGauge({ gauge }: { gauge: Gauge }) {
  const unit = UNIT_LABEL[gauge.unit];
  const f = Math.min(1, Math.max(0, gauge.value / GAUGE_MAX));
  // Arc from the left (0) over the top to the right (max), radius 80 around (100, 100).
  const angle = Math.PI * (1 - f);
  const x = 100 + 80 * Math.cos(angle);
  const y = 100 - 80 * Math.sin(angle);
  return (
    <div className="gauge" data-testid="cuff-gauge" role="meter" aria-label="Pression du brassard" aria-valuemin={0} aria-valuemax={GAUGE_MAX} aria-valuenow={Math.round(gauge.value)} aria-valuetext={`${Math.round(gauge.value)} ${unit}`}>
      <svg viewBox="0 0 200 112" width="200" height="112" aria-hidden="true">
        <path d="M 20 100 A 80 80 0 0 1 180 100" className="gauge__track" />
        {f > 0 && <path d={`M 20 100 A 80 80 0 0 1 ${x.toFixed(1)} ${y.toFixed(1)}`} className="gauge__fill" />}
      </svg>
      <div className="gauge__value"><strong>{Math.round(gauge.value)}</strong> {unit}</div>
      <div className="gauge__label">Brassard en cours de gonflage</div>
    </div>
  );
}

/** A small line of the successive values of one kind, with the values written for screen readers and the eye. */
/** Smallest vertical span drawn, so that noise (97 → 98 %) does not look like a swing. */
const MIN_SPAN: Partial<Record<MeasurementKind, number>> = { temperature: 1, 'blood-pressure': 20, spo2: 5 };
const TREND_POINTS = 20;

export function Sparkline({ kind, readings }: { kind: MeasurementKind; readings: Reading[] }) {
  const points = readings.slice(-TREND_POINTS).flatMap((r) => {
    const q = trendQuantity(r);
    return q && !r.flags.includes('out-of-range') ? [{ r, v: q.value, unit: q.unit }] : [];
  });
  if (points.length < 2) return null;
  const values = points.map((p) => p.v);
  const span = Math.max(Math.max(...values) - Math.min(...values), MIN_SPAN[kind] ?? 1);
  const min = (Math.max(...values) + Math.min(...values)) / 2 - span / 2;
  const w = 140;
  const h = 36;
  const xy = points.map((p, i) => [4 + (i * (w - 8)) / (points.length - 1), h - 4 - ((p.v - min) * (h - 8)) / span] as const);
  const unit = UNIT_LABEL[points[0]!.unit];
  const label = kind === 'blood-pressure' ? 'Systolique' : KIND_LABEL[kind];
  const all = values.map((v) => v.toLocaleString('fr-FR', { maximumFractionDigits: 1 }));
  const text = all.join(' → ');
  const shown = (all.length > 5 ? ['…', ...all.slice(-5)] : all).join(' → ');
  return (
    <figure className="trend" data-trend={kind}>
      <figcaption>{label}</figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={`Tendance ${label} : ${text} ${unit}`}>
        <polyline points={xy.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')} className="trend__line" />
        {xy.map(([x, y], i) => <circle key={points[i]!.r.id} cx={x} cy={y} r={3} className="trend__dot" />)}
      </svg>
      <span className="trend__values" aria-hidden="true">{shown} {unit}</span>
    </figure>
  );
}

function Flags({ flags }: { flags: Reading['flags'] }) {
  const shown = flags.filter((f) => f !== 'intermediate');
  if (shown.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="flags" aria-label="Indicateurs">
      {shown.map((f) => <li key={f} className={`badge ${SEVERE_FLAGS.has(f) ? 'badge--severe' : 'badge--warn'}`} data-flag={f}>{FLAG_LABEL[f]}</li>)}
    </ul>
  );
}

const TREND_KINDS: MeasurementKind[] = ['temperature', 'blood-pressure', 'spo2'];

/** The latest value of each kind, large, with its trend when measured more than once. */
function Latest({ rows }: { rows: Reading[] }) {
  const kinds = TREND_KINDS.filter((k) => rows.some((r) => r.kind === k));
  if (kinds.length === 0) return null;
  return (
    <ul className="latest" aria-label="Dernières valeurs">
      {kinds.map((k) => {
        const list = readingsOfKind(rows, k);
        const last = list[list.length - 1]!;
        const parts = readingParts(last);
        return (
          <li key={k} className={last.flags.includes('out-of-range') ? 'latest__card reading--invalid' : 'latest__card'} data-latest-kind={k}>
            <span className="latest__kind">{KIND_LABEL[k]}</span>
            <span className="reading__main">{parts[0]?.text}</span>
            {parts.slice(1).map((p) => <span key={p.label} className="reading__extra"><span className="muted">{p.label} </span>{p.text}</span>)}
            <span className="muted mono">{timeText(last.takenAt)}{list.length > 1 ? ` · ${list.length} mesures` : ''}</span>
            {last.flags.some((f) => f !== 'intermediate') && <Flags flags={last.flags} />}
            <Sparkline kind={k} readings={list} />
          </li>
        );
      })}
    </ul>
  );
}

/** One row of the history; a reading never changes, so a row renders once. */
const ReadingRow = memo(function ReadingRow({ reading: r }: { reading: Reading }) {
  const invalid = r.flags.includes('out-of-range');
  return (
    <tr data-reading-id={r.id} data-kind={r.kind} className={invalid ? 'reading--invalid' : undefined}>
      <th scope="row">{KIND_LABEL[r.kind]}</th>
      <td className="reading__values">
        {readingParts(r).map((p, i) => (
          <span key={p.label} className={i === 0 ? 'reading__value' : 'reading__extra'}>
            {i > 0 && <span className="muted">{p.label} </span>}{p.text}
          </span>
        ))}
        {invalid && <span className="sr-only"> (valeur non valide)</span>}
      </td>
      <td className="mono"><time dateTime={r.takenAt}>{timeText(r.takenAt)}</time></td>
      <td>{r.device.model} <span className="muted mono">{r.device.serial}</span></td>
      <td><Flags flags={r.flags} /></td>
    </tr>
  );
});

/** Every reading of this consultation, newest first, as the hub stored it; the cuff gauge while inflating; the latest values with their trends. */
export const ReadingsPanel = memo(function ReadingsPanel({ readings, cuff }: { readings: Reading[]; cuff: Gauge | null }) {
  // The state keeps them in the order taken; newest first here.
  const taken = useMemo(() => readings.filter((r) => r.kind !== 'dermatoscope-photo'), [readings]);
  const rows = useMemo(() => [...taken].reverse(), [taken]);
  return (
    <section className="panel readings" aria-labelledby="readings-title">
      <h2 id="readings-title">Mesures</h2>
      <div className="readings__top">
        {cuff?.active && <CuffGauge gauge={cuff} />}
        <Latest rows={taken} />
      </div>
      {rows.length === 0 ? <p className="empty">Aucune mesure reçue pour l’instant.</p> : (
        <div className="readings__history" tabIndex={0} role="region" aria-label="Historique des mesures">
          <table className="readings__table">
            <thead><tr><th scope="col">Mesure</th><th scope="col">Valeur</th><th scope="col">Heure</th><th scope="col">Appareil</th><th scope="col">Indicateurs</th></tr></thead>
            <tbody>
              {rows.map((r) => <ReadingRow key={r.id} reading={r} />)}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
});
