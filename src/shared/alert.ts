/**
 * The booth's local alert as staff read it (the assistant panel's incident
 * list, and any later staff page): why it was raised, who answered.
 * The patient's own words are in the kiosk's catalogue.
 */
import type { LocalisedMessage } from './errors';
import type { AlertAcknowledger, AlertReason } from './session-view';

/** Incident codes of the alert's life, stored as session events of type `incident`. */
export const ALERT_INCIDENT = { raised: 'ALERT_RAISED', acknowledged: 'ALERT_ACKNOWLEDGED', resolved: 'ALERT_RESOLVED' } as const;

export const ALERT_REASON_WORDS: Record<AlertReason, LocalisedMessage> = {
  help: { fr: 'Le patient demande le pharmacien.', en: 'The patient asks for the pharmacist.' },
  'device-fault': { fr: 'Le patient signale un appareil qui ne répond plus.', en: 'The patient reports a device that does not respond.' },
  'video-failed': { fr: 'La vidéo de la consultation n’a pas pu démarrer.', en: 'The consultation video could not start.' },
  'call-not-recovering': { fr: 'L’appel ne se rétablit pas : le serveur reste injoignable.', en: 'The call is not coming back: the server cannot be reached.' },
  'technical-incident': { fr: 'Un incident technique a interrompu la consultation (redémarrage de la cabine).', en: 'A technical incident interrupted the consultation (the booth restarted).' },
  'out-of-service': { fr: 'Cabine hors service : sa clé de chiffrement est perdue ou remplacée. Des données non transmises peuvent être perdues.', en: 'Booth out of service: its encryption key is lost or replaced. Untransmitted data may be lost.' },
  emergency: { fr: 'URGENCE : le patient a appuyé sur « Urgence ».', en: 'EMERGENCY: the patient pressed "Emergency".' },
};

/** "à la cabine" / "au comptoir (Marie)". */
export function acknowledgerWords(by: AlertAcknowledger): LocalisedMessage {
  const name = by.name ? ` (${by.name})` : '';
  return by.via === 'booth'
    ? { fr: `à la cabine${name}`, en: `at the booth${name}` }
    : { fr: `au comptoir${name}`, en: `at the counter${name}` };
}

/** The incident line for one change of an alert. */
export function alertIncidentMessage(change: keyof typeof ALERT_INCIDENT, reason: AlertReason, by: AlertAcknowledger | null): LocalisedMessage {
  const why = ALERT_REASON_WORDS[reason];
  if (change === 'raised') return { fr: `Alerte : ${why.fr}`, en: `Alert: ${why.en}` };
  const where = by ? acknowledgerWords(by) : { fr: '', en: '' };
  if (change === 'acknowledged') return { fr: `Alerte prise en charge ${where.fr} — ${why.fr}`, en: `Alert acknowledged ${where.en} — ${why.en}` };
  return { fr: `Alerte terminée ${where.fr}`.trim(), en: `Alert resolved ${where.en}`.trim() };
}
