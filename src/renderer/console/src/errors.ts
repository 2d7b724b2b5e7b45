/**
 * What the doctor reads when something fails: French, and what to do. The
 * hub's media and room refusals carry English text meant for logs and
 * developers ("no such transport in your room"); the console shows its own
 * sentence per stable `code` instead, never that text. The consultation's
 * own methods (`consult.*`) already answer in French for the doctor, so
 * their message is shown as is.
 */

import { CASE_ERRORS } from '../../../shared/case-protocol';
import { alreadyAnsweredText } from './case-review';

/** A failure the console reports: a stable `code`, and a message already in French for the doctor. */
export class ConsoleError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** The doctor's sentence for a hub refusal of `method` with `code`; `message` is the hub's. */
export function frenchError(method: string, code: string, message: string): string {
  // The refusal names who answered first: the doctor reads that name.
  if (code === CASE_ERRORS.alreadyAnswered) return alreadyAnsweredText(message);
  // The case methods answer in French too.
  if ((method.startsWith('consult.') || method.startsWith('case.')) && message && code !== 'INTERNAL' && code !== 'INVALID_PARAMS') return message;
  return HUB_CODES[code] ?? `Le serveur a refusé l’opération (code ${code}) : réessayez ; si cela se répète, prévenez le support technique.`;
}

const HUB_CODES: Record<string, string> = {
  ELSEWHERE: 'La consultation est ouverte dans un autre onglet : reprenez-la ici pour continuer.',
  NO_ROOM: 'Aucune consultation en cours : prenez d’abord un patient dans la salle d’attente.',
  NOT_FOUND: 'La liaison vidéo a changé entre-temps : elle se rétablit d’elle-même ; si l’image ne revient pas, rechargez la page.',
  MEDIA_RESTARTING: 'Le serveur vidéo redémarre : l’appel se rétablit dans quelques secondes.',
  MEDIA_REFUSED: 'Le serveur vidéo a refusé ce flux : si l’image ne revient pas, rechargez la page.',
  LIMIT: 'Trop de flux vidéo ouverts pour cet appel : rechargez la page.',
  BUSY: 'Terminez la consultation en cours avant de prendre un autre patient.',
  NOT_WAITING: 'Cette cabine n’est plus en attente (prise en charge par un autre médecin, ou partie).',
  BOOTH_OFFLINE: 'La cabine est momentanément hors ligne : réessayez dans quelques secondes.',
  NODE_FENCED: 'Ce serveur vient de perdre sa place dans le réseau : la console se reconnecte ; reprenez le patient dans quelques secondes.',
  CLAIM_NOT_SAVED: 'La prise en charge n’a pas pu être enregistrée : réessayez dans quelques secondes.',
  CLOSED: 'Connexion au serveur perdue : reconnexion en cours.',
  PEER_GONE: 'Connexion au serveur perdue : reconnexion en cours.',
  TIMEOUT: 'Le serveur ne répond pas : réessayez dans quelques secondes.',
  INVALID_PARAMS: 'La console a envoyé une demande que le serveur ne comprend pas : rechargez la page.',
  UNKNOWN_METHOD: 'La console n’est pas à jour avec le serveur : rechargez la page.',
  [CASE_ERRORS.unknownCase]: 'Ce cas n’existe plus sur le serveur : la liste des examens différés va se mettre à jour.',
  [CASE_ERRORS.notYourSpecialty]: 'Ce cas relève d’une spécialité que votre compte ne traite pas.',
  [CASE_ERRORS.incomplete]: 'Toutes les pièces de ce cas ne sont pas encore arrivées : réessayez dans quelques minutes.',
  INTERNAL: 'Erreur interne du serveur : réessayez ; si cela se répète, prévenez le support technique.',
};

/**
 * Any error a call's media reports (a hub refusal already in French, or the
 * browser's own: camera refused, WebRTC failure), as a sentence for the doctor.
 */
export function mediaErrorText(error: unknown): string {
  if (error instanceof ConsoleError) return error.message;
  const e = error as { name?: string } | null;
  if (e?.name === 'NotAllowedError') return 'Le navigateur refuse l’accès à la caméra ou au micro : autorisez-les pour ce site, puis rechargez la page.';
  if (e?.name === 'NotFoundError' || e?.name === 'OverconstrainedError') return 'Aucune caméra ou aucun micro utilisable sur cet ordinateur : branchez-en un, puis rechargez la page.';
  if (e?.name === 'NotReadableError') return 'La caméra ou le micro est utilisé par une autre application : fermez-la, puis rechargez la page.';
  return 'Problème de vidéo : l’appel tente de se rétablir ; si l’image ne revient pas, rechargez la page.';
}
