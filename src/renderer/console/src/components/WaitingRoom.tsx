import { useEffect, useState } from 'react';
import { etaText, pathwayText, waitedText } from '../format';
import type { Waiting } from '../types';

/** The current time, refreshed every `everyMs` (waiting times move without a new queue note). */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** The booths waiting for a doctor, oldest first, each with what the doctor needs to choose. */
export function WaitingRoom({ queue, onClaim, busy }: { queue: Waiting[]; onClaim: (w: Waiting) => void; busy: string | null }) {
  const now = useNow(30_000);
  return (
    <section className="panel waiting" aria-labelledby="waiting-title">
      <h2 id="waiting-title">Salle d’attente <span className="count">{queue.length === 0 ? '' : `${queue.length} cabine${queue.length > 1 ? 's' : ''}`}</span></h2>
      {queue.length === 0 ? <p className="empty">Aucune cabine en attente.</p> : (
        <ul className="queue">
          {queue.map((w) => {
            const patient = [w.firstName, w.age !== null ? `${w.age} ans` : null].filter(Boolean).join(', ');
            return (
              <li key={w.boothId} data-booth={w.boothId}>
                <div className="queue__where">
                  <strong>{w.pharmacy ? w.pharmacy.name : w.boothId}</strong>
                  {w.pharmacy && <span className="queue__city">{w.pharmacy.city}</span>}
                  <span className="mono">{w.boothId}</span>
                </div>
                <div className="queue__who">
                  <strong>{patient || 'Patient non identifié'}</strong>
                  <span className={w.reason ? 'queue__reason' : 'queue__reason muted'}>{w.reason ?? 'Motif non précisé'}</span>
                  <span className="queue__pathway">{pathwayText(w.pathway, w.exceptionReason)}</span>
                </div>
                <dl className="queue__times">
                  <div><dt>En attente</dt><dd>{waitedText(w.since, now)}</dd></div>
                  <div><dt>Attente estimée</dt><dd>{etaText(w.etaMinutes)}</dd></div>
                </dl>
                <button type="button" onClick={() => onClaim(w)} disabled={busy !== null}>Prendre en charge</button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
