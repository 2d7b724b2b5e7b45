import { waitingCountText } from '../format';

/**
 * The end of the wrap-up: how many patients wait, and the way back to the
 * waiting room to take the next one, once the notes, the prescription and
 * the report are done above.
 */
export function NextPatient({ waiting, onBack }: { waiting: number; onBack: () => void }) {
  return (
    <section className="panel next" aria-labelledby="next-title">
      <h2 id="next-title">Patient suivant</h2>
      <p>{waitingCountText(waiting)}</p>
      <button type="button" onClick={onBack}>{waiting > 0 ? `Retour à la salle d’attente (${waiting})` : 'Retour à la salle d’attente'}</button>
    </section>
  );
}
