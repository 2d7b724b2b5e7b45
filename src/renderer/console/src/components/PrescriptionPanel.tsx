import { memo, useEffect, useState } from 'react';
import QRCode from 'qrcode';
import type { PrescribeParams, Prescription } from '../../../../shared/consult-protocol';
import { timeText } from '../format';
import { rowsToItems, type Row } from '../prescription-rows';

let nextKey = 1;
const blank = (): Row => ({ key: nextKey++, name: '', dosage: '', duration: '', quantity: '' });

function Issued({ prescription, delivery, onAnother }: { prescription: Prescription; delivery: { printed: boolean } | undefined; onAnother: (() => void) | null }) {
  const [qr, setQr] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(prescription.qr, { errorCorrectionLevel: 'M', margin: 1, width: 160 }).then((url) => { if (live) setQr(url); }, () => undefined);
    return () => { live = false; };
  }, [prescription.qr]);
  return (
    <div className="issued" data-prescription={prescription.number}>
      {qr && <img className="issued__qr" src={qr} width={160} height={160} alt={`Code QR de l’ordonnance ${prescription.number}`} />}
      <div>
        <p className="issued__number">Ordonnance n° <strong className="mono">{prescription.number}</strong></p>
        <p className={delivery ? 'issued__sent' : 'issued__pending'} role="status" data-delivered={delivery ? 'yes' : 'no'}>
          {delivery ? `Envoyée à la cabine${delivery.printed ? ' et imprimée' : ''}` : 'Signée, envoi à la cabine…'} · {timeText(prescription.issuedAt)}
        </p>
        <ul className="issued__items">
          {prescription.items.map((it, i) => <li key={i}><strong>{it.name}</strong> — {it.dosage}{it.duration ? `, ${it.duration}` : ''}{it.quantity ? ` (${it.quantity})` : ''}</li>)}
        </ul>
        {prescription.instructions && <p className="muted">{prescription.instructions}</p>}
        {onAnother && <button type="button" className="secondary" onClick={onAnother}>Rédiger une autre ordonnance</button>}
      </div>
    </div>
  );
}

/** The prescription form: rows of medication, posology, duration, quantity; signed and sent by the hub (`consult.prescribe`). */
export const PrescriptionPanel = memo(function PrescriptionPanel({ prescribe, issued, delivered, canPrescribe }: {
  prescribe: (p: PrescribeParams) => Promise<Prescription>; issued: Prescription[]; delivered: Record<string, { printed: boolean }>; canPrescribe: boolean;
}) {
  const [rows, setRows] = useState<Row[]>(() => [blank()]);
  const [instructions, setInstructions] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [writing, setWriting] = useState(true);
  const update = (key: number, field: keyof Omit<Row, 'key'>, value: string): void => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, [field]: value } : r)));
  const submit = async (): Promise<void> => {
    const parsed = rowsToItems(rows);
    if ('error' in parsed) {
      setError(parsed.error);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await prescribe({ items: parsed.items, instructions: instructions.trim() });
      setRows([blank()]);
      setInstructions('');
      setWriting(false);
    } catch (e) {
      setError(`Ordonnance non envoyée : ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const showForm = canPrescribe && (writing || issued.length === 0);
  return (
    <section className="panel prescription" aria-labelledby="rx-title">
      <h2 id="rx-title">Ordonnance</h2>
      {issued.map((p, i) => <Issued key={p.number} prescription={p} delivery={delivered[p.number]} onAnother={!showForm && canPrescribe && i === issued.length - 1 ? () => setWriting(true) : null} />)}
      {!canPrescribe && issued.length === 0 && <p className="muted">Aucune ordonnance pour cette consultation.</p>}
      {showForm && (
        <form onSubmit={(e) => { e.preventDefault(); void submit(); }} aria-label="Nouvelle ordonnance">
          <table className="rx">
            <thead><tr><th scope="col">Médicament</th><th scope="col">Posologie</th><th scope="col">Durée</th><th scope="col">Quantité</th><th scope="col"><span className="sr-only">Retirer</span></th></tr></thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={r.key} data-rx-row={i + 1}>
                  <td><input aria-label={`Médicament, ligne ${i + 1}`} value={r.name} maxLength={200} placeholder="ex. Paracétamol 500 mg" onChange={(e) => update(r.key, 'name', e.target.value)} /></td>
                  <td><input aria-label={`Posologie, ligne ${i + 1}`} value={r.dosage} maxLength={300} placeholder="ex. 1 comprimé 3 fois par jour" onChange={(e) => update(r.key, 'dosage', e.target.value)} /></td>
                  <td><input aria-label={`Durée, ligne ${i + 1}`} value={r.duration} maxLength={100} placeholder="ex. 5 jours" onChange={(e) => update(r.key, 'duration', e.target.value)} /></td>
                  <td><input aria-label={`Quantité, ligne ${i + 1}`} value={r.quantity} maxLength={100} placeholder="ex. 1 boîte" onChange={(e) => update(r.key, 'quantity', e.target.value)} /></td>
                  <td><button type="button" className="icon" aria-label={`Retirer la ligne ${i + 1}`} disabled={rows.length === 1} onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}>×</button></td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" className="secondary" onClick={() => setRows((rs) => [...rs, blank()])} disabled={rows.length >= 20}>Ajouter une ligne</button>
          <label className="rx__instructions">Instructions au patient
            <textarea value={instructions} maxLength={2000} rows={2} onChange={(e) => setInstructions(e.target.value)} placeholder="ex. À prendre au cours des repas" />
          </label>
          {error && <p className="error" role="alert">{error}</p>}
          <button type="submit" disabled={busy}>{busy ? 'Envoi…' : 'Signer et envoyer'}</button>
        </form>
      )}
    </section>
  );
});
