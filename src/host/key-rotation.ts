/**
 * The booth's data key rotates on its own (issue #21): at start and once a
 * day, a key older than `store.rotateKeyEveryDays` (90 when absent) is
 * replaced, then the rows on the old key are re-sealed in small batches
 * while no session is in progress (a patient arriving pauses the work
 * between two batches), then the old key leaves the key file. A rotation
 * interrupted (SIGKILL, power cut) resumes at the next start. Each step is
 * an incident on the assistant panel and in the log (ids and counts only).
 */
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock';
import type { FileKeyProvider } from '../node/keys';
import { RotationSchedule, SealedKeyRotation, type RotationStep } from '../node/key-rotation';
import { SqliteSealedRows } from '../node/reseal';
import type { Incident } from './incidents';
import type { BoothStore } from './store/store';
import { BOOTH_SEALED_COLUMNS } from './store/sealed-columns';

export const DEFAULT_ROTATE_KEY_EVERY_DAYS = 90;

export interface BoothKeyRotationOptions {
  store: BoothStore;
  keys: FileKeyProvider;
  /** `store.rotateKeyEveryDays` (90 when absent). */
  periodDays?: number;
  clock: Clock;
  /** Whether the booth is between sessions (batches run only then). */
  idle: () => boolean;
  /** How often to look again whether the booth became idle (30 s by default). */
  idleRecheckMs?: number;
  batchSize?: number;
  checkEveryMs?: number;
  log: Logger;
  /** The incident to show and keep (assistant panel). */
  onIncident: (incident: Incident) => void;
}

const MESSAGES: Record<RotationStep['kind'], (step: RotationStep) => { fr: string; en: string }> = {
  added: (s) => ({ fr: `Nouvelle clé de chiffrement (n° ${s.keyId}) : les données existantes sont rechiffrées entre deux sessions.`, en: `New encryption key (#${s.keyId}): existing data is being re-encrypted between sessions.` }),
  resealed: (s) => ({ fr: `Données rechiffrées avec la clé n° ${s.keyId} (${'rows' in s ? s.rows : 0} éléments).`, en: `Data re-encrypted with key #${s.keyId} (${'rows' in s ? s.rows : 0} items).` }),
  unreadable: (s) => ({ fr: `${'rows' in s ? s.rows : 0} éléments illisibles n’ont pas pu être rechiffrés : appelez le support.`, en: `${'rows' in s ? s.rows : 0} unreadable items could not be re-encrypted: call support.` }),
  retired: (s) => ({ fr: `Ancienne clé de chiffrement n° ${s.keyId} retirée : plus aucune donnée ne l’utilise.`, en: `Old encryption key #${s.keyId} retired: no data uses it any more.` }),
};

const CODES: Record<RotationStep['kind'], string> = {
  added: 'KEY_ROTATED',
  resealed: 'KEY_RESEALED',
  unreadable: 'KEY_RESEAL_UNREADABLE',
  retired: 'KEY_RETIRED',
};

export interface BoothKeySchedule {
  start(): void;
  /** One check now; resolves when its work is done (tests). */
  check(): Promise<void>;
  /** Stops between two batches; what is done stays done, the next start resumes. */
  stop(): Promise<void>;
}

/** The booth's rotation schedule; start() it with the host, stop() it before the store closes. */
export function boothKeyRotation(opts: BoothKeyRotationOptions): BoothKeySchedule {
  let stopped = false;
  let wake: (() => void) | null = null;
  const log = opts.log.child({ module: 'host.keys' });
  const waitIdle = async (): Promise<void> => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (!stopped && !opts.idle()) {
      await new Promise<void>((resolve) => {
        const timer = opts.clock.setTimeout(() => {
          wake = null;
          resolve();
        }, opts.idleRecheckMs ?? 30_000);
        wake = () => {
          opts.clock.clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  const rotation = new SealedKeyRotation({
    name: 'booth.key',
    keys: opts.keys,
    db: new SqliteSealedRows(opts.store.db),
    columns: BOOTH_SEALED_COLUMNS,
    // One process holds the booth's key: the store seals with the same provider, no grace needed.
    graceMs: 0,
    clock: opts.clock,
    pause: waitIdle,
    ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
    onStep: (step) => {
      const rows = 'rows' in step ? step.rows : undefined;
      const level = step.kind === 'unreadable' ? 'error' : 'info';
      log[level]({ step: step.kind, keyId: step.keyId, rows }, 'booth key rotation');
      opts.onIncident({ code: CODES[step.kind], message: MESSAGES[step.kind](step), at: new Date(opts.clock.now()).toISOString() });
    },
  });
  const schedule = new RotationSchedule({
    periodDays: opts.periodDays ?? DEFAULT_ROTATE_KEY_EVERY_DAYS,
    rotations: () => [rotation],
    clock: opts.clock,
    ...(opts.checkEveryMs ? { checkEveryMs: opts.checkEveryMs } : {}),
    // The first batch waits for an idle booth too.
    exclusive: async (work) => {
      if (!opts.idle()) await waitIdle();
      return stopped ? { ran: false } : { ran: true, value: await work() };
    },
    onError: (error) => log.error({ code: (error as { code?: string }).code }, 'booth key rotation failed; the next check resumes it'),
  });
  return {
    start: () => schedule.start(),
    check: () => schedule.check(),
    stop: async () => {
      stopped = true;
      wake?.();
      await schedule.stop();
    },
  };
}
