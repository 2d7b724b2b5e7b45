/**
 * The update policy (DESIGN §1): pure decisions, no I/O, no
 * `electron`. `src/main/updater.ts` wires electron-updater to these and to
 * the host's session state; tests drive them with a fake clock.
 *
 * The rules, in order of precedence:
 * - never install while a session is in progress (any state but `attract`);
 * - when idle, install outside opening hours, or inside them once the booth
 *   has been idle for `idleMinutesBeforeInstall`;
 * - a download whose sha512 does not match (electron-updater's
 *   `ERR_CHECKSUM_MISMATCH`) is a bad signature: the file is discarded and
 *   the version marked bad, never installed;
 * - any other download failure is retried later with a bounded backoff;
 * - after an update, the first start must pass a health check (host started,
 *   kiosk loaded) within a deadline, else the version is marked bad and the
 *   previous one restored.
 */
import { backoffDelay, NO_JITTER } from '../shared/backoff';
import type { OpeningHours } from '../shared/config';

/** The idle state of the session machine: anything else is a session in progress. */
export const IDLE_STATE = 'attract';

export function isSessionIdle(state: string): boolean {
  return state === IDLE_STATE;
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Weekday = (typeof WEEKDAYS)[number];

/** Day of week and minutes since midnight of `at` in `timeZone` (Intl, so DST is right). */
export function localTime(at: Date, timeZone: string): { day: Weekday; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const day = get('weekday').toLowerCase().slice(0, 3) as Weekday;
  if (!WEEKDAYS.includes(day)) throw new RangeError(`cannot read the weekday of ${at.toISOString()} in ${timeZone}`);
  return { day, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** True when the pharmacy is open at `at` (ranges are [open, close), in the config's time zone). */
export function isWithinOpeningHours(hours: OpeningHours, at: Date): boolean {
  const { day, minutes } = localTime(at, hours.timeZone || 'Europe/Paris');
  return hours[day].some(([open, close]) => minutes >= toMinutes(open) && minutes < toMinutes(close));
}

export interface InstallContext {
  /** host.view().state */
  sessionState: string;
  /** When the session last became idle (epoch ms), or null if it is not idle. */
  idleSinceMs: number | null;
  nowMs: number;
  openingHours: OpeningHours;
  idleMinutesBeforeInstall: number;
}

export type InstallDecision =
  | { action: 'install'; reason: 'out-of-hours' | 'long-idle' }
  | { action: 'wait'; reason: 'in-session' | 'short-idle'; /** When to look again at the earliest (epoch ms), if known. */ recheckAtMs: number | null };

/** May a downloaded update be installed now? */
export function decideInstall(ctx: InstallContext): InstallDecision {
  if (!isSessionIdle(ctx.sessionState) || ctx.idleSinceMs === null) {
    return { action: 'wait', reason: 'in-session', recheckAtMs: null };
  }
  if (!isWithinOpeningHours(ctx.openingHours, new Date(ctx.nowMs))) return { action: 'install', reason: 'out-of-hours' };
  const idleEnoughAt = ctx.idleSinceMs + ctx.idleMinutesBeforeInstall * 60_000;
  if (ctx.nowMs >= idleEnoughAt) return { action: 'install', reason: 'long-idle' };
  return { action: 'wait', reason: 'short-idle', recheckAtMs: idleEnoughAt };
}

/** The error code electron-updater gives a file whose sha512 differs from the feed's. */
export const CHECKSUM_MISMATCH = 'ERR_CHECKSUM_MISMATCH';

export type FailureDecision =
  | { action: 'discard-and-mark-bad'; reason: 'bad-signature' }
  | { action: 'retry'; reason: 'download-failed' | 'check-failed'; retryInMs: number };

export const RETRY_BASE_MS = 5 * 60_000;
export const RETRY_MAX_MS = 4 * 3_600_000;

/**
 * What to do after a failed check or download. `attempt` counts consecutive
 * failures from 1. A checksum mismatch is never retried for the same version:
 * a feed serving a tampered file must not get a second chance.
 */
export function decideOnFailure(error: { code?: unknown; message?: unknown }, phase: 'check' | 'download', attempt: number): FailureDecision {
  const text = `${String(error.code ?? '')} ${String(error.message ?? '')}`;
  if (error.code === CHECKSUM_MISMATCH || /sha512 checksum mismatch/i.test(text)) {
    return { action: 'discard-and-mark-bad', reason: 'bad-signature' };
  }
  const retryInMs = backoffDelay(attempt - 1, { baseMs: RETRY_BASE_MS, maxMs: RETRY_MAX_MS }, NO_JITTER);
  return { action: 'retry', reason: phase === 'check' ? 'check-failed' : 'download-failed', retryInMs };
}

/** Should an offered version be downloaded at all? */
export function decideOffer(offered: string, current: string, badVersions: readonly string[]): { download: boolean; reason: 'new' | 'same-version' | 'known-bad' } {
  if (offered === current) return { download: false, reason: 'same-version' };
  if (badVersions.includes(offered)) return { download: false, reason: 'known-bad' };
  return { download: true, reason: 'new' };
}

/** What survives a restart, kept by the shell in a small JSON file. */
export interface UpdateRecord {
  /** The version being installed; on the next start it must pass the health check. */
  pendingVersion: string | null;
  /** The version that ran before it, and what reinstalls it (installer, AppImage copy). */
  previousVersion: string | null;
  previousInstallerPath: string | null;
  /** Versions that failed a health check or a checksum: never offered again. */
  badVersions: string[];
}

export const EMPTY_RECORD: UpdateRecord = { pendingVersion: null, previousVersion: null, previousInstallerPath: null, badVersions: [] };

export type StartupPlan = { kind: 'normal' } | { kind: 'verify'; version: string; deadlineMs: number };

/** On start: is this the first run of a freshly installed version? */
export function planStartup(record: UpdateRecord, currentVersion: string, nowMs: number, healthDeadlineSeconds: number): StartupPlan {
  if (record.pendingVersion !== null && record.pendingVersion === currentVersion) {
    return { kind: 'verify', version: currentVersion, deadlineMs: nowMs + healthDeadlineSeconds * 1000 };
  }
  return { kind: 'normal' };
}

export interface HealthSignals {
  hostStarted: boolean;
  kioskLoaded: boolean;
}

export type HealthDecision =
  | { action: 'healthy' }
  | { action: 'pending' }
  | { action: 'rollback'; reason: 'health-check-failed'; missing: (keyof HealthSignals)[]; installerPath: string | null; markBad: string };

/** The start-up health check after an update. */
export function decideHealth(plan: StartupPlan, signals: HealthSignals, nowMs: number, record: UpdateRecord): HealthDecision {
  if (plan.kind === 'normal') return { action: 'healthy' };
  if (signals.hostStarted && signals.kioskLoaded) return { action: 'healthy' };
  if (nowMs < plan.deadlineMs) return { action: 'pending' };
  const missing = (Object.keys(signals) as (keyof HealthSignals)[]).filter((k) => !signals[k]);
  return { action: 'rollback', reason: 'health-check-failed', missing, installerPath: record.previousInstallerPath, markBad: plan.version };
}

/** The record after each outcome: pure, so the shell only reads and writes it. */
export const records = {
  beforeInstall(record: UpdateRecord, current: string, next: string, previousInstallerPath: string | null): UpdateRecord {
    return { ...record, pendingVersion: next, previousVersion: current, previousInstallerPath };
  },
  healthy(record: UpdateRecord): UpdateRecord {
    return { ...record, pendingVersion: null };
  },
  markBad(record: UpdateRecord, version: string): UpdateRecord {
    const badVersions = record.badVersions.includes(version) ? record.badVersions : [...record.badVersions, version];
    return { ...record, pendingVersion: record.pendingVersion === version ? null : record.pendingVersion, badVersions };
  },
};
