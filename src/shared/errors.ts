/**
 * The one error base of Cabine. Every error a person may see carries a stable
 * `code` (for logs, tests and support), a message in French and English that
 * the pharmacist or nurse can act on, and the underlying cause.
 */
export type Lang = 'fr' | 'en';

export interface LocalisedMessage {
  fr: string;
  en: string;
}

export class CabineError extends Error {
  readonly code: string;
  readonly userMessage: LocalisedMessage;

  constructor(code: string, userMessage: LocalisedMessage, options?: { cause?: unknown; detail?: string }) {
    super(options?.detail ? `${userMessage.en} (${options.detail})` : userMessage.en, { cause: options?.cause });
    this.name = new.target.name;
    this.code = code;
    this.userMessage = userMessage;
  }

  /** The message for a person, in their language. */
  messageFor(lang: Lang): string {
    return this.userMessage[lang];
  }

  toJSON(): { code: string; message: string; userMessage: LocalisedMessage } {
    return { code: this.code, message: this.message, userMessage: this.userMessage };
  }
}

/** A configuration file that cannot be used; names the file and the field. */
export class ConfigError extends CabineError {
  readonly file: string;
  readonly issues: { path: string; expected: string }[];

  constructor(file: string, issues: { path: string; expected: string }[], cause?: unknown) {
    const lines = issues.map((i) => `  - ${i.path || '(file)'}: ${i.expected}`).join('\n');
    super(
      'CONFIG_INVALID',
      {
        fr: `Le fichier de configuration ${file} est invalide :\n${lines}`,
        en: `The configuration file ${file} is invalid:\n${lines}`,
      },
      { cause },
    );
    this.file = file;
    this.issues = issues;
  }
}

/** A KioskApi message that failed validation: refused, logged, never acted on. */
export class ApiValidationError extends CabineError {
  constructor(detail: string, cause?: unknown) {
    super(
      'API_INVALID_MESSAGE',
      {
        fr: 'Message refusé : il ne respecte pas le contrat de l’interface.',
        en: 'Message refused: it does not match the interface contract.',
      },
      { cause, detail },
    );
  }
}

/** A KioskApi request the host refused to run (e.g. not allowed in this state). */
export class ApiRequestError extends CabineError {}

export function isCabineError(e: unknown): e is CabineError {
  return e instanceof CabineError;
}

/**
 * The stable `code` of anything thrown: ours (CabineError), Node's (`EEXIST`),
 * SQLite's (`SQLITE_FULL`), the hub's answers; undefined when there is none
 * or it is not a string.
 */
export function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
