/**
 * One logger, namespaced, no console (STYLE rule 8). Personal data never goes
 * to a log in clear: the fields below are redacted wherever they appear.
 */
import { pino, type Logger } from 'pino';

export const REDACTED_FIELDS = [
  'patient', 'identity', 'firstName', 'lastName', 'name', 'birthDate', 'nir', 'values', 'value', 'notes',
  'photo', 'image', 'token', 'secret', 'pin', 'password', 'pinHash', 'prescription',
];

const paths = REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

let root: Logger | undefined;

export function rootLogger(): Logger {
  root ??= pino({
    level: process.env.CABINE_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
    redact: { paths, censor: '[redacted]' },
    base: { pid: process.pid },
  });
  return root;
}

/** A child logger for one module, e.g. `createLogger('host.transport-ws')`. */
export function createLogger(module: string, destination?: NodeJS.WritableStream): Logger {
  if (destination) {
    return pino({ level: 'debug', redact: { paths, censor: '[redacted]' } }, destination).child({ module });
  }
  return rootLogger().child({ module });
}
