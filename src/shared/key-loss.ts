/**
 * What a booth whose key file is lost can no longer send (issue #21): the
 * outbox items the hub never acknowledged, counted by kind, with the time
 * range they were written in — from the store's plain metadata columns only,
 * never the data itself (no identity, no values). What the hub acknowledged
 * is safe in the hub's record. Shown to the pharmacist (counter page) and the
 * operator (log line), never to the patient.
 */
import { z } from 'zod';
import type { LocalisedMessage } from './errors';

export const KeyLossReason = z.enum([
  /** The key file is gone while the store holds sealed data or key checks. */
  'key-file-missing',
  /** The key file holds a key whose check does not match: another booth's, or a fresh one. */
  'key-mismatch',
  /** Rows are sealed with a key id the file does not hold. */
  'unknown-key-id',
]);
export type KeyLossReason = z.infer<typeof KeyLossReason>;

export const KeyLossReport = z.object({
  reason: KeyLossReason,
  /** The key ids the store needs that the file lacks or holds wrong. */
  keyIds: z.array(z.number().int().min(1).max(0xffff)).max(64),
  /** Unacknowledged outbox items (lost unless the key file comes back). */
  unacknowledged: z.object({
    total: z.number().int().min(0),
    byKind: z.record(z.string().max(32), z.number().int().min(0)),
    /** When the oldest and newest of them were written (null when none). */
    from: z.iso.datetime({ offset: true }).nullable(),
    to: z.iso.datetime({ offset: true }).nullable(),
  }).strict(),
  /** Items the hub acknowledged (safe there), still in the store until retention purges them. */
  acknowledged: z.number().int().min(0),
}).strict();
export type KeyLossReport = z.infer<typeof KeyLossReport>;

const KIND_WORDS: Record<string, LocalisedMessage> = {
  reading: { fr: 'mesure(s)', en: 'reading(s)' },
  sessionEvent: { fr: 'événement(s) de séance', en: 'session event(s)' },
  photo: { fr: 'photo(s)', en: 'photo(s)' },
  clip: { fr: 'enregistrement(s) du stéthoscope', en: 'stethoscope clip(s)' },
  video: { fr: 'vidéo(s)', en: 'video(s)' },
  case: { fr: 'dossier(s) d’examen différé', en: 'forwarded case(s)' },
};

/** "3 mesure(s), 1 photo(s) — du … au …", for staff and the operator. */
export function describeKeyLoss(report: KeyLossReport, lang: 'fr' | 'en'): string {
  const { unacknowledged: u } = report;
  if (u.total === 0) {
    return lang === 'fr'
      ? 'Aucune donnée non transmise n’est perdue : tout ce que la cabine tenait est déjà sur le serveur.'
      : 'No untransmitted data is lost: everything the booth held is already on the server.';
  }
  const parts = Object.entries(u.byKind).filter(([, n]) => n > 0).map(([kind, n]) => `${n} ${KIND_WORDS[kind]?.[lang] ?? kind}`);
  // The reader's own time zone, like the rest of the counter page (the booth's pharmacy's, in service).
  const when = (iso: string): string => new Date(iso).toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
  const range = u.from && u.to ? (lang === 'fr' ? ` — écrites du ${when(u.from)} au ${when(u.to)}` : ` — written from ${when(u.from)} to ${when(u.to)}`) : '';
  return lang === 'fr'
    ? `Données jamais transmises au serveur, illisibles sans la clé : ${parts.join(', ')}${range}.`
    : `Data never sent to the server, unreadable without the key: ${parts.join(', ')}${range}.`;
}
