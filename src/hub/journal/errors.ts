/**
 * The journal's typed failure: an entry that cannot be written. A read that
 * waits for its entry is refused with it (HTTP 503) rather than served
 * without a trace; a hub whose journal cannot be opened does not start.
 */
import { CabineError } from '../../shared/errors';

export class JournalUnavailableError extends CabineError {
  declare readonly code: 'JOURNAL_UNAVAILABLE';
  constructor(options?: { cause?: unknown; detail?: string }) {
    super('JOURNAL_UNAVAILABLE', {
      fr: 'Le journal des accès ne peut pas être écrit : la donnée n’est pas servie tant qu’on ne peut pas garder la trace de qui la consulte. Réessayez dans un instant ; si cela dure, vérifiez la base de données du hub et son disque.',
      en: 'The access journal cannot be written: the data is not served while nobody could know who saw it. Try again in a moment; if it lasts, check the hub\'s database and its disk.',
    }, options);
  }
}
