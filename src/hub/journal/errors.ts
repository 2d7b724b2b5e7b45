/**
 * The journal's errors (./types.ts): a read or write whose entry cannot be
 * written is refused with JOURNAL_UNAVAILABLE (HTTP 503, or a WebSocket
 * error of that code) and the data does not leave the hub.
 */
import { CabineError } from '../../shared/errors';

/** The access journal could not record an entry: the access it was for is refused. */
export class JournalUnavailableError extends CabineError {
  constructor(cause?: unknown) {
    super(
      'JOURNAL_UNAVAILABLE',
      {
        fr: 'Le journal des accès est momentanément indisponible : par sécurité, rien n’a été affiché ni enregistré. Réessayez dans un instant ; si cela dure, prévenez le support technique.',
        en: 'The access journal is unavailable for now: for safety, nothing was shown or stored. Try again in a moment; if it lasts, tell technical support.',
      },
      { cause },
    );
  }
}
