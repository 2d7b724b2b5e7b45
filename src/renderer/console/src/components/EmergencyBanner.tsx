import { useEffect, useState } from 'react';
import { COUNTER, EmergencyNote } from '../../../../shared/counter-protocol';
import type { HubClient } from '../hub-client';

/**
 * The patient pressed "Urgence" during the call: a banner the doctor cannot
 * miss, until the pharmacy answers (then who is going) and the alert ends.
 * The pharmacy's counter is alerted at the same time, by the hub.
 */
export function EmergencyBanner({ hub, boothId }: { hub: HubClient; boothId: string }) {
  const [note, setNote] = useState<EmergencyNote | null>(null);
  useEffect(() => hub.onNotification((m, d) => {
    if (m !== COUNTER.emergencyNote) return;
    const parsed = EmergencyNote.safeParse(d);
    if (!parsed.success || parsed.data.boothId !== boothId) return;
    setNote(parsed.data.state === 'resolved' ? null : parsed.data);
  }), [hub, boothId]);
  if (!note) return null;
  const coming = note.state === 'acknowledged' ? note.acknowledgedBy?.name ?? 'Quelqu’un' : null;
  return (
    <div className="banner banner--emergency" role="alert" data-testid="emergency-banner" data-state={note.state}>
      <strong>URGENCE — le patient a appuyé sur « Urgence ».</strong>{' '}
      <span>{coming ? `La pharmacie a répondu : ${coming} se rend à la cabine.` : 'La pharmacie est alertée ; guidez le patient, appelez le 15 si besoin.'}</span>
    </div>
  );
}
