/**
 * Runs the update policy over time: schedules checks, downloads in the
 * background, installs only when `decideInstall` says so, runs the start-up
 * health check and the rollback. Plain Node: the updater itself (electron-
 * updater in `src/main/updater.ts`, a fake in `src/main/fake-updater.ts`),
 * the clock and the record file are injected.
 */
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock';
import type { KioskConfig } from '../shared/config';
import { codeOf } from '../shared/errors';
import type { EventData } from '../shared/kiosk-api';
import {
  decideHealth, decideInstall, decideOffer, decideOnFailure, EMPTY_RECORD, isSessionIdle, planStartup, records,
  type HealthSignals, type StartupPlan, type UpdateRecord,
} from './update-policy';

export type UpdateStatus = EventData<'updateStatus'>;

/** The one interface over an updater (STYLE rule 1). */
export interface UpdaterBackend {
  readonly currentVersion: string;
  /** The version the feed offers, or null when there is none newer. */
  check(): Promise<{ version: string } | null>;
  /** Downloads the offered version; rejects with electron-updater's error (with `code`). */
  download(): Promise<{ version: string }>;
  /** Keeps what reinstalls the running version; returns its path, or null when this platform cannot. */
  preserveCurrentVersion(): Promise<string | null>;
  /** Quits and installs the downloaded version. */
  install(): void;
  /** Reinstalls the previous version from what `preserveCurrentVersion` kept. */
  rollback(installerPath: string): Promise<void>;
}

export interface RecordStore {
  load(): UpdateRecord;
  save(record: UpdateRecord): void;
}

export function memoryRecordStore(initial: UpdateRecord = EMPTY_RECORD): RecordStore & { current: UpdateRecord } {
  const store = {
    current: structuredClone(initial),
    load: () => structuredClone(store.current),
    save: (r: UpdateRecord) => { store.current = structuredClone(r); },
  };
  return store;
}

export interface UpdateIncident {
  code: 'UPDATE_BAD_SIGNATURE' | 'UPDATE_HEALTH_FAILED' | 'UPDATE_ROLLBACK_IMPOSSIBLE';
  message: { fr: string; en: string };
}

export interface UpdateControllerOptions {
  backend: UpdaterBackend;
  clock: Clock;
  config: Pick<KioskConfig, 'openingHours' | 'update'>;
  store: RecordStore;
  log: Logger;
  onStatus(status: UpdateStatus): void;
  onIncident?(incident: UpdateIncident): void;
  /** Seconds a freshly installed version has to prove it starts. */
  healthDeadlineSeconds?: number;
}

export class UpdateController {
  private readonly o: UpdateControllerOptions;
  private sessionState = 'attract';
  private idleSinceMs: number | null;
  private downloaded: string | null = null;
  private available: string | null = null;
  private busy = false;
  private failures = 0;
  private checkTimer: unknown = null;
  private installTimer: unknown = null;
  private healthTimer: unknown = null;
  private plan: StartupPlan = { kind: 'normal' };
  private signals: HealthSignals = { hostStarted: false, kioskLoaded: false };
  private stopped = false;
  status: UpdateStatus;

  constructor(options: UpdateControllerOptions) {
    this.o = options;
    this.idleSinceMs = options.clock.now();
    this.status = { state: 'idle', currentVersion: options.backend.currentVersion, availableVersion: null };
  }

  /** Starts the schedule: a first check now, then every `update.checkEveryHours`. */
  start(): void {
    this.stopped = false;
    this.scheduleCheck(0);
  }

  stop(): void {
    this.stopped = true;
    for (const t of [this.checkTimer, this.installTimer, this.healthTimer]) if (t !== null) this.o.clock.clearTimeout(t);
    this.checkTimer = this.installTimer = this.healthTimer = null;
  }

  /** Feed every `host.view().state` here (on each snapshot). */
  notifySessionState(state: string): void {
    const wasIdle = isSessionIdle(this.sessionState);
    this.sessionState = state;
    if (isSessionIdle(state) && !wasIdle) this.idleSinceMs = this.o.clock.now();
    if (!isSessionIdle(state)) this.idleSinceMs = null;
    if (isSessionIdle(state) && !wasIdle) this.maybeInstall();
  }

  /** Call once at start: begins the health check when this is a freshly installed version. */
  beginStartup(): StartupPlan {
    const record = this.o.store.load();
    this.plan = planStartup(record, this.o.backend.currentVersion, this.o.clock.now(), this.o.healthDeadlineSeconds ?? 120);
    if (this.plan.kind === 'verify') {
      this.o.log.info({ version: this.plan.version }, 'first start after an update: health check running');
      this.healthTimer = this.o.clock.setTimeout(() => { void this.evaluateHealth(); }, this.plan.deadlineMs - this.o.clock.now());
    }
    return this.plan;
  }

  /** The shell reports each health signal as it happens. */
  reportHealth(signal: keyof HealthSignals): void {
    this.signals = { ...this.signals, [signal]: true };
    void this.evaluateHealth();
  }

  /** Runs a check cycle now (also what the schedule calls). */
  async checkNow(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      await this.cycle();
    } finally {
      this.busy = false;
    }
  }

  private async cycle(): Promise<void> {
    if (this.downloaded !== null) {
      this.maybeInstall();
      return;
    }
    this.setStatus('checking');
    let offer: { version: string } | null;
    try {
      offer = await this.o.backend.check();
    } catch (error) {
      this.fail(error, 'check');
      return;
    }
    const record = this.o.store.load();
    const verdict = offer ? decideOffer(offer.version, this.o.backend.currentVersion, record.badVersions) : null;
    if (!offer || !verdict?.download) {
      if (offer && verdict) this.o.log.info({ version: offer.version, reason: verdict.reason }, 'update offered, not taken');
      this.failures = 0;
      this.setStatus('idle');
      this.scheduleCheck();
      return;
    }
    this.available = offer.version;
    this.setStatus('downloading');
    try {
      const { version } = await this.o.backend.download();
      this.downloaded = version;
      this.failures = 0;
      this.setStatus('ready');
      this.scheduleCheck();
      this.maybeInstall();
    } catch (error) {
      this.fail(error, 'download');
    }
  }

  private fail(error: unknown, phase: 'check' | 'download'): void {
    this.failures += 1;
    const e = { code: codeOf(error), message: error instanceof Error ? error.message : undefined };
    const decision = decideOnFailure(e, phase, this.failures);
    if (decision.action === 'discard-and-mark-bad') {
      const version = this.available;
      if (version) this.o.store.save(records.markBad(this.o.store.load(), version));
      this.o.log.error({ version, code: e.code }, 'update refused: checksum mismatch');
      this.o.onIncident?.({
        code: 'UPDATE_BAD_SIGNATURE',
        message: {
          fr: `La mise à jour ${version ?? ''} a été refusée : fichier altéré. La cabine reste sur sa version actuelle.`,
          en: `Update ${version ?? ''} was refused: the file was altered. The booth stays on its current version.`,
        },
      });
      this.available = null;
      this.setStatus('error', 'bad-signature');
      this.scheduleCheck();
      return;
    }
    this.o.log.warn({ phase, attempt: this.failures, code: e.code }, 'update step failed, will retry');
    this.setStatus('error', decision.reason);
    this.scheduleCheck(decision.retryInMs);
  }

  private maybeInstall(): void {
    if (this.downloaded === null || this.stopped) return;
    if (this.installTimer !== null) { this.o.clock.clearTimeout(this.installTimer); this.installTimer = null; }
    const decision = decideInstall({
      sessionState: this.sessionState,
      idleSinceMs: this.idleSinceMs,
      nowMs: this.o.clock.now(),
      openingHours: this.o.config.openingHours,
      idleMinutesBeforeInstall: this.o.config.update.idleMinutesBeforeInstall,
    });
    if (decision.action === 'wait') {
      if (decision.recheckAtMs !== null) {
        this.installTimer = this.o.clock.setTimeout(() => { this.installTimer = null; this.maybeInstall(); }, decision.recheckAtMs - this.o.clock.now());
      }
      return;
    }
    void this.install(this.downloaded, decision.reason);
  }

  private async install(version: string, reason: string): Promise<void> {
    const installerPath = await this.o.backend.preserveCurrentVersion();
    // NOTE: preserving is async; a patient may have touched the screen meanwhile.
    if (!isSessionIdle(this.sessionState)) return;
    this.o.store.save(records.beforeInstall(this.o.store.load(), this.o.backend.currentVersion, version, installerPath));
    this.o.log.info({ version, reason }, 'installing update');
    this.setStatus('installing');
    this.downloaded = null;
    this.o.backend.install();
  }

  private async evaluateHealth(): Promise<void> {
    if (this.plan.kind === 'normal') return;
    const record = this.o.store.load();
    const decision = decideHealth(this.plan, this.signals, this.o.clock.now(), record);
    if (decision.action === 'pending') return;
    if (this.healthTimer !== null) { this.o.clock.clearTimeout(this.healthTimer); this.healthTimer = null; }
    this.plan = { kind: 'normal' };
    if (decision.action === 'healthy') {
      this.o.store.save(records.healthy(record));
      this.o.log.info({ version: this.o.backend.currentVersion }, 'update health check passed');
      return;
    }
    this.o.store.save(records.markBad(record, decision.markBad));
    this.o.log.error({ version: decision.markBad, missing: decision.missing }, 'update health check failed');
    if (decision.installerPath === null) {
      this.setStatus('error', 'rollback-impossible');
      this.o.onIncident?.({
        code: 'UPDATE_ROLLBACK_IMPOSSIBLE',
        message: {
          fr: `La version ${decision.markBad} démarre mal et la version précédente n'a pas été conservée. Appelez le support.`,
          en: `Version ${decision.markBad} does not start properly and the previous version was not kept. Call support.`,
        },
      });
      return;
    }
    this.o.onIncident?.({
      code: 'UPDATE_HEALTH_FAILED',
      message: {
        fr: `La version ${decision.markBad} démarre mal : retour à la version précédente.`,
        en: `Version ${decision.markBad} does not start properly: going back to the previous version.`,
      },
    });
    this.setStatus('installing', 'rollback');
    await this.o.backend.rollback(decision.installerPath);
  }

  private scheduleCheck(inMs = this.o.config.update.checkEveryHours * 3_600_000): void {
    if (this.stopped) return;
    if (this.checkTimer !== null) this.o.clock.clearTimeout(this.checkTimer);
    this.checkTimer = this.o.clock.setTimeout(() => { this.checkTimer = null; void this.checkNow(); }, inMs);
  }

  private setStatus(state: UpdateStatus['state'], message?: string): void {
    this.status = {
      state,
      currentVersion: this.o.backend.currentVersion,
      availableVersion: this.available,
      ...(message ? { message } : {}),
    };
    this.o.onStatus(this.status);
  }
}
