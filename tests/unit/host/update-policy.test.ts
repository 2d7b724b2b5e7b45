import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/shared/fake-clock';
import { memoryRecordStore, UpdateController, type UpdateIncident, type UpdateStatus } from '../../../src/host/update-controller';
import {
  decideHealth, decideInstall, decideOffer, decideOnFailure, EMPTY_RECORD, isWithinOpeningHours, planStartup,
  RETRY_BASE_MS, RETRY_MAX_MS, type UpdateRecord,
} from '../../../src/host/update-policy';
import { FakeUpdater } from '../../../src/main/fake-updater';
import { createLogger } from '../../../src/node/logger';
import { testConfig } from '../../helpers/config';

// A pharmacy's usual hours (the demo's config opens all day): open weekdays and Saturday, closed Sunday.
const config = testConfig({
  openingHours: {
    timeZone: 'Europe/Paris', mon: [['08:30', '19:30']], tue: [['08:30', '19:30']], wed: [['08:30', '19:30']], thu: [['08:30', '19:30']],
    fri: [['08:30', '19:30']], sat: [['09:00', '19:00']], sun: [],
  },
});
const hours = config.openingHours;
const MIN = 60_000;
// Tuesday 11 March 2025: Paris is UTC+1.
const TUE_10H_PARIS = Date.parse('2025-03-11T09:00:00Z');
const TUE_22H_PARIS = Date.parse('2025-03-11T21:00:00Z');
const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);

describe('opening hours (Europe/Paris through Intl)', () => {
  it('reads the weekday and hour in Paris, not in UTC', () => {
    expect(isWithinOpeningHours(hours, new Date(TUE_10H_PARIS))).toBe(true);
    expect(isWithinOpeningHours(hours, new Date(TUE_22H_PARIS))).toBe(false);
    // 19:00 UTC on a Tuesday in summer is 21:00 in Paris (CEST): closed.
    expect(isWithinOpeningHours(hours, new Date('2025-07-08T19:00:00Z'))).toBe(false);
    // 06:45 UTC in summer is 08:45 in Paris: open; in winter 07:45 Paris: closed.
    expect(isWithinOpeningHours(hours, new Date('2025-07-08T06:45:00Z'))).toBe(true);
    expect(isWithinOpeningHours(hours, new Date('2025-01-07T06:45:00Z'))).toBe(false);
  });

  it('keeps Sunday closed all day and treats closing time as closed', () => {
    expect(isWithinOpeningHours(hours, new Date('2025-03-16T11:00:00Z'))).toBe(false);
    expect(isWithinOpeningHours(hours, new Date('2025-03-11T18:30:00Z'))).toBe(false); // 19:30 Paris
    expect(isWithinOpeningHours(hours, new Date('2025-03-11T18:29:00Z'))).toBe(true);
  });
});

describe('update policy decisions', () => {
  const base = { openingHours: hours, idleMinutesBeforeInstall: 30 };
  const failed = (attempt: number) => decideOnFailure({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'download', attempt);
  const record: UpdateRecord = { ...EMPTY_RECORD, pendingVersion: '1.1.0', previousVersion: '1.0.0', previousInstallerPath: '/rb/1.0.0.AppImage' };
  const verify = planStartup(record, '1.1.0', TUE_10H_PARIS, 90);

  it.each([
    ['in a session, even out of hours', { sessionState: 'consultation.call', idleSinceMs: null, nowMs: TUE_22H_PARIS }, { action: 'wait', reason: 'in-session', recheckAtMs: null }],
    ['in a session that is not a call', { sessionState: 'consent', idleSinceMs: null, nowMs: TUE_10H_PARIS }, { action: 'wait', reason: 'in-session', recheckAtMs: null }],
    ['idle 5 min in opening hours', { sessionState: 'attract', idleSinceMs: TUE_10H_PARIS - 5 * MIN, nowMs: TUE_10H_PARIS }, { action: 'wait', reason: 'short-idle', recheckAtMs: TUE_10H_PARIS + 25 * MIN }],
    ['idle 45 min in opening hours', { sessionState: 'attract', idleSinceMs: TUE_10H_PARIS - 45 * MIN, nowMs: TUE_10H_PARIS }, { action: 'install', reason: 'long-idle' }],
    ['idle 1 min out of hours', { sessionState: 'attract', idleSinceMs: TUE_22H_PARIS - MIN, nowMs: TUE_22H_PARIS }, { action: 'install', reason: 'out-of-hours' }],
  ])('install decision: %s', (_name, ctx, expected) => {
    expect(decideInstall({ ...base, ...ctx })).toEqual(expected);
  });

  it('retries a failed download later, backing off up to a cap', () => {
    expect(failed(1)).toEqual({ action: 'retry', reason: 'download-failed', retryInMs: RETRY_BASE_MS });
    expect(failed(2)).toEqual({ action: 'retry', reason: 'download-failed', retryInMs: 2 * RETRY_BASE_MS });
    expect(failed(30)).toEqual({ action: 'retry', reason: 'download-failed', retryInMs: RETRY_MAX_MS });
    expect(decideOnFailure({ message: 'HttpError: 503' }, 'check', 1).reason).toBe('check-failed');
  });

  it('treats a sha512 mismatch as a bad signature, never retried', () => {
    expect(decideOnFailure({ code: 'ERR_CHECKSUM_MISMATCH', message: 'sha512 checksum mismatch, expected x, got y' }, 'download', 1))
      .toEqual({ action: 'discard-and-mark-bad', reason: 'bad-signature' });
  });

  it('skips a version marked bad and the running version', () => {
    expect(decideOffer('1.1.0', '1.0.0', ['1.1.0'])).toEqual({ download: false, reason: 'known-bad' });
    expect(decideOffer('1.0.0', '1.0.0', [])).toEqual({ download: false, reason: 'same-version' });
    expect(decideOffer('1.2.0', '1.0.0', ['1.1.0'])).toEqual({ download: true, reason: 'new' });
  });

  it('health check: healthy with both signals, pending before the deadline, rollback after it', () => {
    expect(verify).toEqual({ kind: 'verify', version: '1.1.0', deadlineMs: TUE_10H_PARIS + 90_000 });
    expect(decideHealth(verify, { hostStarted: true, kioskLoaded: true }, TUE_10H_PARIS + 1000, record)).toEqual({ action: 'healthy' });
    expect(decideHealth(verify, { hostStarted: true, kioskLoaded: false }, TUE_10H_PARIS + 1000, record)).toEqual({ action: 'pending' });
    expect(decideHealth(verify, { hostStarted: true, kioskLoaded: false }, TUE_10H_PARIS + 90_000, record)).toEqual({
      action: 'rollback', reason: 'health-check-failed', missing: ['kioskLoaded'], installerPath: '/rb/1.0.0.AppImage', markBad: '1.1.0',
    });
    expect(planStartup(record, '1.0.0', TUE_10H_PARIS, 90)).toEqual({ kind: 'normal' });
  });
});

function harness(start: number, initial: UpdateRecord = EMPTY_RECORD, current = '1.0.0') {
  const clock = new FakeClock(start);
  const updater = new FakeUpdater(current);
  const store = memoryRecordStore(initial);
  const statuses: UpdateStatus[] = [];
  const incidents: UpdateIncident[] = [];
  const controller = new UpdateController({
    backend: updater, clock, config, store, log: silent, healthDeadlineSeconds: 90,
    onStatus: (s) => statuses.push(s), onIncident: (i) => incidents.push(i),
  });
  return { clock, updater, store, statuses, incidents, controller };
}

describe('update controller over time (fake clock)', () => {
  it('downloads during a consultation but installs only once the booth has been idle long enough', async () => {
    const { clock, updater, controller, statuses } = harness(TUE_10H_PARIS);
    updater.offer = '1.1.0';
    controller.notifySessionState('consultation.call');
    controller.start();
    await clock.advance(0);
    expect(updater.calls.download).toBe(1);
    expect(statuses.at(-1)).toEqual({ state: 'ready', currentVersion: '1.0.0', availableVersion: '1.1.0' });
    await clock.advance(3 * 60 * MIN);
    expect(updater.calls.install).toEqual([]);

    controller.notifySessionState('attract');
    await clock.advance(29 * MIN);
    expect(updater.calls.install).toEqual([]);
    await clock.advance(1 * MIN);
    expect(updater.calls.install).toEqual(['1.1.0']);
    expect(statuses.at(-1)?.state).toBe('installing');
  });

  it('installs at once when idle out of opening hours', async () => {
    const { clock, updater, controller, store } = harness(TUE_22H_PARIS);
    updater.offer = '1.1.0';
    controller.start();
    await clock.advance(0);
    expect(updater.calls.install).toEqual(['1.1.0']);
    expect(store.current).toMatchObject({ pendingVersion: '1.1.0', previousVersion: '1.0.0', previousInstallerPath: updater.preservedPath });
  });

  it('does not install when a patient starts a session while the previous version is being kept', async () => {
    const { clock, updater, controller } = harness(TUE_22H_PARIS);
    updater.offer = '1.1.0';
    let release!: (p: string) => void;
    updater.preserveCurrentVersion = () => new Promise((r) => { release = r; });
    controller.start();
    await clock.advance(0);
    controller.notifySessionState('language');
    release('/rb/1.0.0');
    await clock.advance(0);
    expect(updater.calls.install).toEqual([]);
  });

  it('refuses a tampered download, marks the version bad and does not fetch it again', async () => {
    const { clock, updater, controller, store, incidents, statuses } = harness(TUE_22H_PARIS);
    updater.offer = '1.1.0';
    updater.downloadError = Object.assign(new Error('sha512 checksum mismatch'), { code: 'ERR_CHECKSUM_MISMATCH' });
    controller.start();
    await clock.advance(0);
    expect(store.current.badVersions).toEqual(['1.1.0']);
    expect(incidents.map((i) => i.code)).toEqual(['UPDATE_BAD_SIGNATURE']);
    expect(statuses.at(-1)).toMatchObject({ state: 'error', message: 'bad-signature' });
    await clock.advance(config.update.checkEveryHours * 60 * MIN);
    expect(updater.calls.check).toBe(2);
    expect(updater.calls.download).toBe(1);
    expect(updater.calls.install).toEqual([]);
  });

  it('retries a failed download after the backoff and installs the retried one', async () => {
    const { clock, updater, controller, statuses } = harness(TUE_22H_PARIS);
    updater.offer = '1.1.0';
    updater.downloadError = Object.assign(new Error('net::ERR_CONNECTION_RESET'), { code: 'ERR_CONNECTION_RESET' });
    controller.start();
    await clock.advance(0);
    expect(statuses.at(-1)).toMatchObject({ state: 'error', message: 'download-failed' });
    updater.downloadError = null;
    await clock.advance(RETRY_BASE_MS - 1);
    expect(updater.calls.download).toBe(1);
    await clock.advance(1);
    expect(updater.calls.download).toBe(2);
    expect(updater.calls.install).toEqual(['1.1.0']);
  });

  it('keeps a freshly installed version that starts the host and loads the kiosk in time', async () => {
    const pending: UpdateRecord = { ...EMPTY_RECORD, pendingVersion: '1.1.0', previousVersion: '1.0.0', previousInstallerPath: '/rb/1.0.0' };
    const { clock, updater, controller, store } = harness(TUE_10H_PARIS, pending, '1.1.0');
    expect(controller.beginStartup().kind).toBe('verify');
    controller.reportHealth('hostStarted');
    await clock.advance(10_000);
    controller.reportHealth('kioskLoaded');
    await clock.advance(200_000);
    expect(store.current.pendingVersion).toBeNull();
    expect(store.current.badVersions).toEqual([]);
    expect(updater.calls.rollback).toEqual([]);
  });

  it('rolls back and marks the version bad when the kiosk never loads after an update', async () => {
    const pending: UpdateRecord = { ...EMPTY_RECORD, pendingVersion: '1.1.0', previousVersion: '1.0.0', previousInstallerPath: '/rb/1.0.0' };
    const { clock, updater, controller, store, incidents } = harness(TUE_10H_PARIS, pending, '1.1.0');
    controller.beginStartup();
    controller.reportHealth('hostStarted');
    await clock.advance(89_000);
    expect(updater.calls.rollback).toEqual([]);
    await clock.advance(1_000);
    expect(updater.calls.rollback).toEqual(['/rb/1.0.0']);
    expect(store.current).toMatchObject({ pendingVersion: null, badVersions: ['1.1.0'] });
    expect(incidents.map((i) => i.code)).toEqual(['UPDATE_HEALTH_FAILED']);
  });

  it('raises an incident instead of looping when no previous version was kept', async () => {
    const pending: UpdateRecord = { ...EMPTY_RECORD, pendingVersion: '1.1.0', previousVersion: '1.0.0', previousInstallerPath: null };
    const { clock, updater, controller, incidents, statuses } = harness(TUE_10H_PARIS, pending, '1.1.0');
    controller.beginStartup();
    await clock.advance(90_000);
    expect(updater.calls.rollback).toEqual([]);
    expect(incidents.map((i) => i.code)).toEqual(['UPDATE_ROLLBACK_IMPOSSIBLE']);
    expect(statuses.at(-1)).toMatchObject({ state: 'error', message: 'rollback-impossible' });
  });
});
