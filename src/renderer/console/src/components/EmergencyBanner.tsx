import type { EmergencyNote } from '../../../../shared/counter-protocol';

/**
 * The patient pressed "Urgence" during the call: a banner the doctor cannot
 * miss, until the pharmacy answers (then who is going) and the alert ends.
 * The pharmacy's counter is alerted at the same time, by the hub; the
 * consultation holds the note (consult-state.ts), from the hub's notes and
 * from its catch-up when the console opens or reloads.
 */
export function EmergencyBanner({ note }: { note: EmergencyNote | null }) {
  if (!note || note.state === 'resolved') return null;
  const by = note.state === 'acknowledged' ? note.acknowledgedBy : null;
  const answer = !by
    ? 'La pharmacie est alertée ; guidez le patient, appelez le 15 si besoin.'
    // Acknowledged at the booth: the pharmacist unlocked it with the PIN, they are with the patient.
    : by.via === 'booth' ? `La pharmacie a répondu : ${by.name ?? 'le pharmacien'} est à la cabine.` : `La pharmacie a répondu : ${by.name ?? 'quelqu’un'} se rend à la cabine.`;
  return (
    <div className="banner banner--emergency" role="alert" data-testid="emergency-banner" data-state={note.state}>
      <strong>URGENCE — le patient a appuyé sur « Urgence ».</strong>{' '}
      <span>{answer}</span>
    </div>
  );
}
