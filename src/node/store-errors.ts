/**
 * Typed store failures (DESIGN §4). Each maps a SQLite condition to a stable
 * code and a message the pharmacist can act on; the reading that could not be
 * written is kept in memory and retried, never dropped.
 */
import { CabineError, codeOf } from '../shared/errors';
import type { KeyLossReport } from '../shared/key-loss';

export type StoreErrorCode = 'DISK_FULL' | 'DB_LOCKED' | 'DB_CORRUPT' | 'KEY_UNAVAILABLE' | 'KEY_LOST' | 'DECRYPT_FAILED' | 'STORE_FAILED';

const MESSAGES: Record<StoreErrorCode, { fr: string; en: string }> = {
  DISK_FULL: {
    fr: 'Le disque de la cabine est plein : la mesure est gardée en mémoire. Libérez de la place ou appelez le support.',
    en: 'The booth disk is full: the measurement is kept in memory. Free some space or call support.',
  },
  DB_LOCKED: {
    fr: 'La base de données de la cabine est occupée : la mesure est gardée et sera enregistrée dans un instant.',
    en: 'The booth database is busy: the measurement is kept and will be saved in a moment.',
  },
  DB_CORRUPT: {
    fr: 'La base de données de la cabine est endommagée : la mesure est gardée en mémoire. Appelez le support.',
    en: 'The booth database is damaged: the measurement is kept in memory. Call support.',
  },
  KEY_UNAVAILABLE: {
    fr: 'La clé de chiffrement de la cabine est introuvable : rien n’est enregistré en clair. Appelez le support.',
    en: 'The booth encryption key is missing: nothing is stored in clear. Call support.',
  },
  KEY_LOST: {
    fr: 'Cabine hors service : sa clé de chiffrement a été perdue ou remplacée, elle ne peut plus lire ses données. Restaurez le fichier de clé depuis la sauvegarde puis redémarrez, ou faites archiver la base par le support.',
    en: 'Booth out of service: its encryption key was lost or replaced and it can no longer read its data. Restore the key file from backup and restart, or have support archive the database.',
  },
  DECRYPT_FAILED: {
    fr: 'Une donnée enregistrée ne peut pas être déchiffrée (clé ou fichier altéré). Appelez le support.',
    en: 'A stored record cannot be decrypted (wrong key or altered file). Call support.',
  },
  STORE_FAILED: {
    fr: 'L’enregistrement local a échoué : la mesure est gardée en mémoire et sera réessayée.',
    en: 'Saving locally failed: the measurement is kept in memory and will be retried.',
  },
};

export class StoreError extends CabineError {
  declare readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, options?: { cause?: unknown; detail?: string }) {
    super(code, MESSAGES[code], options);
  }
}

/**
 * KEY_LOST with what it costs: the store holds sealed data its key file can
 * no longer open. The report counts the unacknowledged items (never the data).
 */
export class KeyLostError extends StoreError {
  constructor(readonly report: KeyLossReport, detail: string) {
    super('KEY_LOST', { detail });
  }
}

/** Maps a better-sqlite3 error (its `code` is the SQLite extended code name) to a StoreError. */
export function toStoreError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const code = codeOf(error) ?? '';
  const detail = (error as Error).message;
  if (code.startsWith('SQLITE_FULL')) return new StoreError('DISK_FULL', { cause: error, detail });
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new StoreError('DB_LOCKED', { cause: error, detail });
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) return new StoreError('DB_CORRUPT', { cause: error, detail });
  return new StoreError('STORE_FAILED', { cause: error, detail });
}
