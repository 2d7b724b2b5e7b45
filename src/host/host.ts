/**
 * The booth's brain (DESIGN §1), as its composition root: builds the session
 * machine, the device drivers, the store's writer and sync, the hub link,
 * the media relay and the consultation, and hands each the narrow part of
 * the others it needs. The KioskApi handlers live in `kiosk-handlers.ts`,
 * where readings go in `reading-routing.ts`; the parts see the session
 * through `session.ts`. Plain Node: it never imports `electron`. Transports
 * call it only through the KioskApi dispatcher.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { assign, createActor, type Actor } from 'xstate';
import { systemClock, type Clock } from '../shared/clock';
import type { KioskConfig } from '../shared/config';
import { MEASUREMENT_KINDS, type DeviceStatus, type MeasurementKind, type Reading } from '../shared/domain';
import { codeOf, ConfigError } from '../shared/errors';
import type { KioskEvent } from '../shared/kiosk-api';
import { createLogger } from '../node/logger';
import type { SessionView } from '../shared/session-view';
import { sessionMachine, type AlertRecord, type MeasuringDevices, type SessionHostEvent, type SessionMachine, type TransitionRecord } from '../session/machine';
import { ALERT_INCIDENT, alertIncidentMessage } from '../shared/alert';
import { v7 as uuidv7 } from 'uuid';
import { AssistantAuth } from './assistant-auth';
import { createDispatcher, type Dispatch } from './api-dispatch';
import { HubLink, openTrusting } from './hub-link';
import { readFileSync } from 'node:fs';
import { MediaRelay } from './media-relay';
import type { Driver } from '../../devices/contracts';
import { createDefaultRegistry, type DeviceRegistry } from '../../devices/registry';
import { DeviceManager } from './devices';
import { InstrumentCameras } from './instrument-cameras';
import { resolve as resolvePath } from 'node:path';
import type { SessionEvent } from '../shared/domain';
import { KeyLostError, type StoreError } from '../node/store-errors';
import { FileKeyProvider, type KeyProvider } from '../node/keys';
import { describeKeyLoss } from '../shared/key-loss';
import type { BoothStore, ClipInput, PhotoInput, VideoInput } from './store/store';
import { openCheckedStore } from './store/key-check';
import { DurableWriter } from './store/writer';
import { OutboxSync } from './sync/outbox-sync';
import { BoothClips } from './clips';
import { BoothConsult, queueJoinDetails } from './consult';
import { BoothExam } from './exam';
import { CounterRelay } from './counter-relay';
import { PrescriptionPrinter } from './prescription';
import { attachCrashRecovery } from './crash-recovery';
import { watchCaptureButton } from './capture-button';
import { IncidentLog } from './incidents';
import { boothKeyRotation, DEFAULT_ROTATE_KEY_EVERY_DAYS, type BoothKeySchedule } from './key-rotation';
import { registerIntakeUpdates } from './intake-updates';
import { createKioskHandlers } from './kiosk-handlers';
import { ReadingRouting } from './reading-routing';
import { sessionOf, type HostSession } from './session';
import { openingStatus } from '../shared/opening-hours';

/** Injected parts (tests): a device registry, or ready-made drivers. */
export interface HostDeps {
  registry?: DeviceRegistry;
  drivers?: Driver[];
  /** A ready store (tests); otherwise opened from `config.store` (paths relative to the process cwd). */
  store?: BoothStore;
  /** Key provider for the store opened from config (default: the 0600 key file `config.store.keyFile`). */
  keys?: KeyProvider;
  /** Retry pacing of failed store writes (tests). */
  storeRetry?: { minDelayMs: number; maxDelayMs: number };
  /** The clock of the store (retention), the assistant lockout and session records (tests). */
  clock?: Pick<Clock, 'now'>;
}

export interface HostEvents {
  /** Every KioskApi event, for whichever transports are attached. */
  kioskEvent: [KioskEvent];
  /** Every session machine transition, as a SessionEvent to store (traceability, DESIGN §5). */
  sessionEvent: [SessionEvent];
}

export class Host extends EventEmitter<HostEvents> {
  readonly config: KioskConfig;
  readonly log: Logger;
  readonly dispatch: Dispatch;
  private readonly actor: Actor<SessionMachine>;
  /** The session as the host's parts see it (selectors and the host's events). */
  readonly session: HostSession;
  readonly devices: DeviceManager;
  /** The instruments that are cameras only the renderer sees (the otoscope). */
  readonly cameras: InstrumentCameras;
  /** The booth's one authenticated connection to the hub (media signaling, outbox sync). */
  readonly hubLink: HubLink;
  /** The booth's alerts to the pharmacy counter, and the counter's acknowledgements back. */
  readonly counter: CounterRelay;
  /** Relays the renderer's media signaling and the waiting-room queue over `hubLink`. */
  readonly media: MediaRelay;
  /** The consultation with the specialist: requests, progress, devices, record events, prescription. */
  readonly consult: BoothConsult;
  /** Stethoscope clips the doctor asks for: the kiosk page records, the host checks and stores. */
  readonly clips: BoothClips;
  /** A forwarded case's exam: its video, its manifest (stored last) and its pick-up ticket. */
  readonly exam: BoothExam;
  /** Every reading, photo and session event goes through here first (write before show). */
  readonly writer: DurableWriter;
  private storeHandle: BoothStore | null;
  /** The key provider the store was opened with (rotation needs the file's). */
  private storeKeys: KeyProvider | null = null;
  private keyRotation: BoothKeySchedule | null = null;
  private readonly ownsStore: boolean;
  private sync: OutboxSync | null = null;
  private purgeTimer: NodeJS.Timeout | null = null;
  /** Looks now and then whether opening or closing time passed, so the attract screen follows. */
  private hoursTimer: NodeJS.Timeout | null = null;
  private readonly openNow: () => boolean;
  private readonly deps: HostDeps;
  /** The last incidents (newest first), for the assistant panel. */
  private readonly incidents = new IncidentLog();
  private readonly readings: ReadingRouting;
  /** Set when the store's key is lost (issue #21): the booth is out of service until repaired and restarted. */
  private keyLost: { error: KeyLostError; since: string } | null = null;

  constructor(config: KioskConfig, log: Logger = createLogger('host'), deps: HostDeps = {}) {
    super();
    this.config = config;
    this.log = log;
    this.devices = new DeviceManager({
      sink: this,
      sessionId: () => this.session.context().sessionId,
      log: log.child({ module: 'host.devices' }),
      ...(deps.drivers ? { drivers: deps.drivers } : { registry: deps.registry ?? createDefaultRegistry(), configs: config.devices }),
    });
    this.cameras = new InstrumentCameras(config.media, this, () => deps.clock?.now() ?? Date.now());
    // The machine knows which instrument takes each measurement: only that one's readings are the measurement's.
    const measuringDevices: MeasuringDevices = {};
    for (const kind of MEASUREMENT_KINDS) {
      const id = this.devices.driverFor(kind)?.id;
      if (id) measuringDevices[kind] = id;
    }
    // Outside opening hours a touch starts no session; the attract screen says when it opens (injected clock).
    const hoursNow = () => openingStatus(config.openingHours, deps.clock?.now() ?? Date.now());
    const { timeZone: _timeZone, ...weekHours } = config.openingHours;
    this.openNow = () => hoursNow().open;
    this.actor = createActor(sessionMachine.provide({
      // Out of service (key lost): no session starts, whatever the hour.
      guards: { withinOpeningHours: () => hoursNow().open && !this.keyLost },
      actions: {
        startSession: assign({ sessionId: () => uuidv7() as string | null }),
        recordTransition: ({ context }, params: TransitionRecord) => this.recordTransition(context.sessionId, params),
        startMeasurement: (_, params: { kind: MeasurementKind }) => {
          // The otoscope is a camera: the kiosk's renderer takes its still, no driver is asked.
          if (params.kind === 'otoscope-photo') return;
          this.devices.measure(params.kind).catch((error: unknown) => {
            const code = codeOf(error) ?? 'DEVICE_REPORTED_ERROR';
            this.log.warn({ code, kind: params.kind }, 'measurement could not start');
            // A task of its own, not a microtask: a device that refuses at once and a retry answered at
            // once would otherwise feed each other forever and starve every timer, socket and device.
            setImmediate(() => this.sendHostEvent({ type: 'MEASUREMENT_ERROR', code }));
          });
        },
        notifyWipe: () => {
          this.consult.wipe();
          this.exam.wipe();
          this.log.info('privacy wipe: patient data dropped from the session');
        },
        stampAlert: assign({
          alert: ({ context }) => (context.alert ? { ...context.alert, id: uuidv7(), raisedAt: new Date(deps.clock?.now() ?? Date.now()).toISOString() } : null),
        }),
        recordAlert: ({ context }, params: AlertRecord) => this.recordAlert(context.sessionId, params),
        stampConsent: assign({ consentAt: () => new Date(deps.clock?.now() ?? Date.now()).toISOString() as string | null }),
        stampCase: assign({ exam: ({ context }) => (context.exam ? { ...context.exam, ...this.exam.stamp() } : null) }),
        storeCase: ({ context }) => {
          this.exam.store(context).catch((error: unknown) => {
            // Nothing half-made is queued: back to the list, every part kept, to send again.
            const code = codeOf(error) ?? 'CASE_NOT_STORED';
            this.log.error({ code }, 'case manifest not stored');
            this.incidents.note({ code, message: { fr: 'Le dossier n’a pas pu être enregistré : renvoyez-le depuis la liste.', en: 'The case could not be stored: send it again from the list.' }, at: new Date(deps.clock?.now() ?? Date.now()).toISOString() });
            this.sendHostEvent({ type: 'CASE_FAILED', code });
          });
        },
        startExamClip: (_, params) => this.clips.startLocal(params.point),
      },
      delays: {
        inactivityPrompt: config.session.inactivityPromptSeconds * 1000,
        inactivityWipe: config.session.wipeAfterPromptSeconds * 1000,
        networkAlert: config.alert.reconnectAlertSeconds * 1000,
      },
    }), { input: { language: config.languages[0], measuringDevices } });
    const chime = config.alert.chime;
    this.session = sessionOf(this.actor, () => ({
      chime: chime.enabled ? { volume: chime.volume } : null,
      alertReach: (alertId) => this.counter.reach(alertId),
      outOfService: this.keyLost ? { since: this.keyLost.since } : null,
      closed: (() => {
        const status = hoursNow();
        return status.open ? null : { hours: weekHours, reopens: status.reopens };
      })(),
    }));
    this.session.subscribe(() => {
      this.emit('kioskEvent', { name: 'snapshot', data: this.session.view() });
    });
    this.hubLink = new HubLink({
      url: config.hub.url, fallbackUrls: config.hub.fallbackUrls, boothId: config.boothId, token: config.hub.token, log: log.child({ module: 'host.hub' }),
      openSocket: openTrusting(config.hub.caFile === undefined ? undefined : hubAuthority(resolvePath(config.hub.caFile))),
    });
    // The call's network: once the link has been up, its loss and return reach the session (banner, "reconnecting").
    let linkWasOnline = false;
    this.hubLink.on('status', (status) => {
      if (status === 'online') {
        linkWasOnline = true;
        this.sendHostEvent({ type: 'NETWORK_RESTORED' });
      } else if (linkWasOnline) {
        this.sendHostEvent({ type: 'NETWORK_LOST' });
      }
    });
    this.counter = new CounterRelay({
      link: this.hubLink,
      session: this.session,
      log: log.child({ module: 'host.counter' }),
      changed: () => this.emit('kioskEvent', { name: 'snapshot', data: this.session.view() }),
    });
    this.media = new MediaRelay({
      link: this.hubLink,
      log: log.child({ module: 'host.media' }),
      emit: (event) => this.emit('kioskEvent', event),
      session: this.session,
      queueDetails: () => queueJoinDetails(this.session.context(), deps.clock?.now() ?? Date.now()),
    });
    // One printer for the prescription and the exam's pick-up ticket.
    const printer = new PrescriptionPrinter(config.printer, log.child({ module: 'host.print' }));
    this.consult = new BoothConsult({
      link: this.hubLink,
      session: this.session,
      config,
      printer,
      log: log.child({ module: 'host.consult' }),
      recordSessionEvent: (event) => this.recordSessionEvent(event),
      deviceStatuses: () => [...this.devices.drivers.map((d) => d.status()), ...this.cameras.statuses()],
      ...(deps.clock ? { clock: deps.clock } : {}),
    });
    this.clips = new BoothClips({
      link: this.hubLink,
      session: this.session,
      emit: (event) => this.emit('kioskEvent', event),
      recordClip: (clip) => this.recordClip(clip),
      log: log.child({ module: 'host.clips' }),
      exam: {
        saved: (clipId) => this.sendHostEvent({ type: 'CLIP_SAVED', clipId }),
        failed: (code) => this.sendHostEvent({ type: 'CLIP_FAILED', code }),
      },
      ...(deps.clock ? { now: () => deps.clock!.now() } : {}),
    });
    this.exam = new BoothExam({
      session: this.session,
      // The writer is built below; the exam writes only once a session runs.
      writer: { write: (write) => this.writer.write(write) },
      printer,
      config,
      log: log.child({ module: 'host.exam' }),
      ...(deps.clock ? { now: () => deps.clock!.now() } : {}),
    });
    // The counter page's intake, handed over by the hub (src/shared/intake-protocol.ts).
    registerIntakeUpdates({
      link: this.hubLink, session: this.session, config, clock: deps.clock ?? { now: () => Date.now() }, log: log.child({ module: 'host.intake' }),
    });
    watchCaptureButton(this.devices.driverFor('dermatoscope-photo'), this.session);
    this.dispatch = createDispatcher(createKioskHandlers({
      session: this.session,
      devices: this.devices,
      assistantAuth: new AssistantAuth({ ...config.assistant, ...(deps.clock ? { clock: deps.clock } : {}) }),
      media: this.media,
      consult: this.consult,
      clips: this.clips,
      exam: this.exam,
      incidents: this.incidents,
      settings: { screenDiagonalInches: config.kiosk.screenDiagonalInches, inactivityWipeSeconds: config.session.wipeAfterPromptSeconds, media: config.media },
      cameras: this.cameras,
      recordPhoto: (photo) => this.recordPhoto(photo),
      now: () => deps.clock?.now() ?? Date.now(),
      log,
    }), log.child({ module: 'host.api' }));
    this.deps = deps;
    this.storeHandle = deps.store ?? null;
    this.ownsStore = !deps.store;
    this.writer = new DurableWriter({
      store: () => this.openStore(),
      onIncident: (error) => this.raiseIncident(error),
      onStored: () => this.sync?.kick(),
      ...(deps.storeRetry ?? {}),
    });
    // Session events (each machine transition): stored, then synced like readings.
    this.on('sessionEvent', (event) => void this.recordSessionEvent(event));
    this.readings = new ReadingRouting({
      session: this.session,
      writer: this.writer,
      emit: (event) => this.emit('kioskEvent', event),
      incidents: this.incidents,
      devicesChanged: () => this.consult.sendDevices(),
      log,
    });
  }

  /** The booth store, opened on first use; throws a StoreError (DB_CORRUPT, KEY_UNAVAILABLE…) if it cannot be. */
  private openStore(): BoothStore {
    if (this.keyLost) throw this.keyLost.error;
    if (!this.storeHandle) {
      // Checked against the key checks the store holds: a lost or replaced key file is KEY_LOST, never a fresh key.
      const opened = openCheckedStore({
        path: resolvePath(this.config.store.path),
        keyFile: resolvePath(this.config.store.keyFile),
        boothId: this.config.boothId,
        ...(this.deps.keys ? { keys: this.deps.keys } : {}),
        ...(this.deps.clock ? { clock: this.deps.clock } : {}),
      });
      this.storeKeys = opened.keys;
      this.storeHandle = opened.store;
    }
    if (!this.sync) {
      this.sync = new OutboxSync({ store: this.storeHandle, channel: this.hubLink, log: this.log.child({ module: 'host.sync' }) });
      this.sync.on('networkStatus', (data) => this.emit('kioskEvent', { name: 'networkStatus', data }));
      this.sync.start();
    }
    return this.storeHandle;
  }

  /** The store when it is open (null while it cannot be opened). */
  get store(): BoothStore | null {
    return this.storeHandle;
  }

  private raiseIncident(error: StoreError): void {
    this.log.error({ code: error.code }, 'store incident: data kept in memory and retried');
    const incident = { code: error.code, message: error.userMessage, at: new Date().toISOString() };
    this.incidents.note(incident);
    this.emit('kioskEvent', { name: 'incident', data: incident });
  }

  /**
   * The store's key is lost or replaced (issue #21): the booth refuses every
   * session and says « hors service » on the kiosk; the counter is alerted
   * with what is lost, and the operator reads it in the log (counts and times,
   * never the data). Nothing is written to the store, nothing is created: the
   * key file from backup and a restart repair it, or the operator archives the
   * store (docs/store.md).
   */
  private outOfService(error: KeyLostError): void {
    const since = new Date(this.deps.clock?.now() ?? Date.now()).toISOString();
    this.keyLost = { error, since };
    this.log.error({
      code: error.code, boothId: this.config.boothId, report: error.report,
      store: resolvePath(this.config.store.path), keyFile: resolvePath(this.config.store.keyFile),
      lost: describeKeyLoss(error.report, 'en'),
    }, 'booth out of service: the store key is lost or replaced (restore the key file from backup and restart, or archive the store: npm run booth-store -- archive-lost)');
    const incident = { code: error.code, message: error.userMessage, at: since };
    this.incidents.note(incident);
    this.counter.outOfService({ alertId: uuidv7(), raisedAt: since, lost: error.report });
    this.emit('kioskEvent', { name: 'snapshot', data: this.session.view() });
  }

  /** Whether the booth is out of service (its store key lost), with the report of what is lost. */
  get outOfServiceReport(): KeyLostError['report'] | null {
    return this.keyLost?.error.report ?? null;
  }

  /** Stores a session event (a machine transition, an incident…); resolves once it is on disk. */
  recordSessionEvent(event: SessionEvent): Promise<void> {
    return this.writer.write({ kind: 'sessionEvent', event });
  }

  /** Stores a dermatoscope photo (sealed chunks, queued for the hub); resolves once it is on disk. */
  recordPhoto(photo: PhotoInput): Promise<void> {
    return this.writer.write({ kind: 'photo', photo });
  }

  /** Stores a stethoscope clip (sealed chunks, queued for the hub); resolves once it is on disk. */
  recordClip(clip: ClipInput): Promise<void> {
    return this.writer.write({ kind: 'clip', clip });
  }

  /** Stores the patient's video of a forwarded case (sealed chunks, queued for the hub); resolves once it is on disk. */
  recordVideo(video: VideoInput): Promise<void> {
    return this.writer.write({ kind: 'video', video });
  }

  /** Deletes acknowledged data older than `store.retentionDays` (never unacknowledged data). */
  purgeExpired(): void {
    try {
      const removed = this.openStore().purge(this.config.store.retentionDays);
      this.log.info(removed, 'purged acknowledged data past retention');
    } catch (error) {
      this.log.warn({ code: codeOf(error) }, 'purge skipped');
    }
  }

  /**
   * The data key's schedule (src/host/key-rotation.ts): rotated when older
   * than `store.rotateKeyEveryDays`, rows re-sealed between sessions. Only
   * for a key file (a test's in-memory keys do not rotate).
   */
  private startKeyRotation(): void {
    const store = this.storeHandle;
    const keys = this.storeKeys;
    if (!store || !(keys instanceof FileKeyProvider)) return;
    this.keyRotation = boothKeyRotation({
      store, keys, log: this.log,
      periodDays: this.config.store.rotateKeyEveryDays ?? DEFAULT_ROTATE_KEY_EVERY_DAYS,
      clock: { ...systemClock, now: () => this.deps.clock?.now() ?? Date.now() },
      idle: () => this.session.view().sessionId === null,
      onIncident: (incident) => {
        this.incidents.note(incident);
        this.emit('kioskEvent', { name: 'incident', data: incident });
      },
    });
    this.keyRotation.start();
  }

  start(): void {
    this.actor.start();
    this.hubLink.start();
    void this.devices.start();
    try {
      this.openStore();
    } catch (error) {
      if (error instanceof KeyLostError) this.outOfService(error);
      else this.raiseIncident(error as StoreError);
    }
    // An interrupted last session gets its incident; the hub hears when this booth holds no call (E, issue #10).
    attachCrashRecovery(this, this.deps.clock);
    this.consult.sweepLeftovers();
    this.purgeExpired();
    this.startKeyRotation();
    this.purgeTimer = setInterval(() => this.purgeExpired(), 6 * 3_600_000);
    this.purgeTimer.unref();
    let wasOpen = this.openNow();
    this.hoursTimer = setInterval(() => {
      const open = this.openNow();
      if (open === wasOpen) return;
      wasOpen = open;
      this.emit('kioskEvent', { name: 'snapshot', data: this.session.view() });
    }, 30_000);
    this.hoursTimer.unref();
    this.log.info({ boothId: this.config.boothId }, 'host started');
  }

  /** Stops the machine, the devices and the hub link; the promise settles once every device and the link are closed, and the store too. */
  async stop(): Promise<void> {
    this.actor.stop();
    const devicesClosed = this.devices.stop();
    this.media.dispose();
    this.consult.dispose();
    this.counter.dispose();
    const rotationStopped = this.keyRotation?.stop();
    if (this.writer.pending() > 0) this.log.error({ pending: this.writer.pending() }, 'stopping with writes not yet on disk (store incident unresolved)');
    this.writer.stop();
    this.sync?.stop();
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    if (this.hoursTimer) clearInterval(this.hoursTimer);
    try {
      await Promise.all([devicesClosed, this.hubLink.stop(), rotationStopped]);
    } finally {
      if (this.ownsStore) this.storeHandle?.close();
    }
  }

  /** An instrument's reading (the devices layer calls this): recorded only when it belongs to the measurement in progress. */
  acceptReading(reading: Reading): Promise<void> {
    return this.readings.acceptReading(reading);
  }

  /** A measurement's reading: stored, then shown, then given to the session. */
  recordReading(reading: Reading): Promise<void> {
    return this.readings.recordReading(reading);
  }

  /** A device status change, shown to the assistant and the kiosk. */
  acceptDeviceStatus(status: DeviceStatus): void {
    this.readings.acceptDeviceStatus(status);
  }

  view(): SessionView {
    return this.session.view();
  }

  /**
   * A change of the booth's local alert: an incident of the session in the
   * store (synced to the hub's record like every session event), on the
   * assistant panel's list, and in the log (no patient data: the reason and
   * how it was answered only).
   */
  private recordAlert(sessionId: string | null, record: AlertRecord): void {
    const code = ALERT_INCIDENT[record.change];
    const at = new Date(this.deps.clock?.now() ?? Date.now()).toISOString();
    const incident = { code, message: alertIncidentMessage(record.change, record.reason, record.by), at };
    this.log.warn({ code, alertId: record.alertId, reason: record.reason, via: record.by?.via }, 'booth alert');
    this.incidents.note(incident);
    this.emit('kioskEvent', { name: 'incident', data: incident });
    if (!sessionId) return;
    void this.recordSessionEvent({
      id: uuidv7(), sessionId, type: 'incident', at,
      data: { code, alertId: record.alertId, reason: record.reason, ...(record.by ? { by: record.by } : {}) },
    });
  }

  /**
   * Sends an event only the host may send (hub: QUEUE_UPDATE, CLAIMED,
   * MEASUREMENT_REQUESTED, CALL_ENDED, PRESCRIPTION_RECEIVED; devices;
   * network; assistant panel). The renderer cannot: KioskApi's sendEvent
   * accepts only SessionUiEvent. Returns whether the machine took it.
   */
  sendHostEvent(event: SessionHostEvent): boolean {
    return this.session.send(event);
  }

  private recordTransition(sessionId: string | null, record: TransitionRecord): void {
    if (!sessionId) return;
    const event: SessionEvent = {
      id: uuidv7(),
      sessionId,
      type: 'transition',
      at: new Date(this.deps.clock?.now() ?? Date.now()).toISOString(),
      data: { from: record.from, to: record.to, event: record.event },
    };
    this.emit('sessionEvent', event);
  }
}

/** The PEM authority of kiosk-config `hub.caFile`; a ConfigError naming the field when it cannot be read. */
function hubAuthority(file: string): Buffer {
  try {
    const pem = readFileSync(file);
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
    return pem;
  } catch (cause) {
    throw new ConfigError('kiosk-config', [{ path: 'hub.caFile', expected: `a readable PEM certificate of the authority that signed the hub's certificate (${codeOf(cause) ?? (cause as Error).message} at ${file})` }], cause);
  }
}
