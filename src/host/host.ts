/**
 * The booth's brain (DESIGN §1): owns the session machine, the device
 * drivers, the store and its outbox to the hub, the hub link and the
 * consultation. Plain Node: it never imports `electron`, so the browser
 * transport and the tests run the same host as the shell (the updater lives
 * in the main process). Transports call it only through KioskApi handlers.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { assign, createActor, type Actor } from 'xstate';
import type { KioskConfig } from '../shared/config';
import { MEASUREMENT_KINDS, type DeviceStatus, type MeasurementKind, type Reading } from '../shared/domain';
import { ApiRequestError } from '../shared/errors';
import type { KioskEvent, KioskHandlers } from '../shared/kiosk-api';
import { createLogger } from '../node/logger';
import type { SessionView } from '../shared/session-view';
import { sessionMachine, type AlertRecord, type MeasuringDevices, type SessionHostEvent, type SessionMachine, type TransitionRecord } from '../session/machine';
import { isIntermediate, recordsReading } from '../session/readings';
import { ALERT_INCIDENT, alertIncidentMessage } from '../shared/alert';
import { v7 as uuidv7 } from 'uuid';
import { PHOTO_CONTENT_TYPES, type EventData } from '../shared/kiosk-api';
import { KioskUploads } from './kiosk-uploads';
import { AssistantAuth } from './assistant-auth';
import { flowPath, toSessionView } from '../session/view';
import { createDispatcher, type Dispatch } from './api-dispatch';
import { HubLink } from './hub-link';
import { MediaRelay } from './media-relay';
import type { Driver } from '../../devices/contracts';
import { createDefaultRegistry, type DeviceRegistry } from '../../devices/registry';
import { DeviceManager } from './devices';
import { resolve as resolvePath } from 'node:path';
import type { SessionEvent } from '../shared/domain';
import type { StoreError } from '../node/store-errors';
import { FileKeyProvider, type KeyProvider } from '../node/keys';
import { BoothStore, type PhotoInput } from './store/store';
import { DurableWriter } from './store/writer';
import { OutboxSync } from './sync/outbox-sync';
import { BoothConsult, queueJoinDetails } from './consult';
import { PrescriptionPrinter } from './prescription';
import type { CaptureRequest } from '../../devices/drivers/dermatoscope/driver';
import { attachCrashRecovery } from './crash-recovery';

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
  /** The store's clock, for retention (tests). */
  now?: () => number;
}

export interface HostEvents {
  /** Every KioskApi event, for whichever transports are attached. */
  kioskEvent: [KioskEvent];
  /** Every session machine transition, as a SessionEvent to store (traceability, DESIGN §5). */
  sessionEvent: [SessionEvent];
}

/** The dermatoscope driver's capture button and lighting mode (devices/drivers/dermatoscope; its fake has the button only). */
interface CaptureButton {
  onCapture(listener: (request: CaptureRequest) => void): () => void;
  polarisation(): CaptureRequest['polarisation'];
}

/** Reading flags that mean "put the instrument back right", each with its own recovery screen. */
const RECOVERABLE_FLAGS = new Set(['cuff-too-loose', 'improper-position', 'body-movement', 'finger-out', 'low-perfusion', 'sensor-fault', 'out-of-range']);
const MAX_INCIDENTS = 20;

function notAvailable(what: string): never {
  throw new ApiRequestError('NOT_AVAILABLE', {
    fr: `Cette fonction n'est pas encore disponible sur cette cabine (${what}).`,
    en: `This function is not available on this booth yet (${what}).`,
  });
}

export class Host extends EventEmitter<HostEvents> {
  readonly config: KioskConfig;
  readonly log: Logger;
  readonly dispatch: Dispatch;
  private readonly actor: Actor<SessionMachine>;
  readonly devices: DeviceManager;
  /** The booth's one authenticated connection to the hub (media signaling, outbox sync). */
  readonly hubLink: HubLink;
  /** Relays the renderer's media signaling and the waiting-room queue over `hubLink`. */
  readonly media: MediaRelay;
  /** The consultation with the specialist: requests, progress, devices, record events, prescription. */
  readonly consult: BoothConsult;
  /** Every reading, photo and session event goes through here first (write before show). */
  readonly writer: DurableWriter;
  private storeHandle: BoothStore | null;
  private readonly ownsStore: boolean;
  private sync: OutboxSync | null = null;
  private purgeTimer: NodeJS.Timeout | null = null;
  private readonly deps: HostDeps;
  private readonly assistantAuth: AssistantAuth;
  /** The last incidents (newest first), for the assistant panel. */
  private readonly incidents: EventData<'incident'>[] = [];
  /** The kiosk's binary call: stills arrive here in chunks before capturePhoto takes them. */
  private readonly uploads = new KioskUploads();

  constructor(config: KioskConfig, log: Logger = createLogger('host'), deps: HostDeps = {}) {
    super();
    this.config = config;
    this.log = log;
    this.assistantAuth = new AssistantAuth({ ...config.assistant, ...(deps.now ? { now: deps.now } : {}) });
    this.devices = new DeviceManager({
      sink: this,
      sessionId: () => this.view().sessionId,
      log: log.child({ module: 'host.devices' }),
      ...(deps.drivers ? { drivers: deps.drivers } : { registry: deps.registry ?? createDefaultRegistry(), configs: config.devices }),
    });
    // The machine knows which instrument takes each measurement: only that one's readings are the measurement's.
    const measuringDevices: MeasuringDevices = {};
    for (const kind of MEASUREMENT_KINDS) {
      const id = this.devices.driverFor(kind)?.id;
      if (id) measuringDevices[kind] = id;
    }
    this.actor = createActor(sessionMachine.provide({
      actions: {
        startSession: assign({ sessionId: () => uuidv7() as string | null }),
        recordTransition: ({ context }, params: TransitionRecord) => this.recordTransition(context.sessionId, params),
        startMeasurement: (_, params: { kind: MeasurementKind }) => {
          this.devices.measure(params.kind).catch((error: unknown) => {
            const code = (error as { code?: string }).code ?? 'DEVICE_REPORTED_ERROR';
            this.log.warn({ code, kind: params.kind }, 'measurement could not start');
            queueMicrotask(() => this.sendHostEvent({ type: 'MEASUREMENT_ERROR', code }));
          });
        },
        notifyWipe: () => {
          this.consult.wipe();
          this.log.info('privacy wipe: patient data dropped from the session');
        },
        stampAlert: assign({
          alert: ({ context }) => (context.alert ? { ...context.alert, id: uuidv7(), raisedAt: new Date(deps.now?.() ?? Date.now()).toISOString() } : null),
        }),
        recordAlert: ({ context }, params: AlertRecord) => this.recordAlert(context.sessionId, params),
      },
      delays: {
        inactivityPrompt: config.session.inactivityPromptSeconds * 1000,
        inactivityWipe: config.session.wipeAfterPromptSeconds * 1000,
        networkAlert: config.alert.reconnectAlertSeconds * 1000,
      },
    }), { input: { language: config.languages[0], measuringDevices } });
    this.actor.subscribe((snapshot) => {
      this.emit('kioskEvent', { name: 'snapshot', data: this.viewOf(snapshot) });
    });
    this.hubLink = new HubLink({ url: config.hub.url, boothId: config.boothId, token: config.hub.token, log: log.child({ module: 'host.hub' }) });
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
    this.media = new MediaRelay({
      link: this.hubLink,
      log: log.child({ module: 'host.media' }),
      emit: (event) => this.emit('kioskEvent', event),
      actor: this.actor,
      queueDetails: () => queueJoinDetails(this.actor.getSnapshot().context, deps.now?.() ?? Date.now()),
    });
    this.consult = new BoothConsult({
      link: this.hubLink,
      actor: this.actor,
      config,
      printer: new PrescriptionPrinter(config.printer, log.child({ module: 'host.print' })),
      log: log.child({ module: 'host.consult' }),
      sendHostEvent: (event) => this.sendHostEvent(event),
      recordSessionEvent: (event) => this.recordSessionEvent(event),
      deviceStatuses: () => this.devices.drivers.map((d) => d.status()),
      ...(deps.now ? { now: deps.now } : {}),
    });
    this.watchCaptureButton();
    this.dispatch = createDispatcher(this.handlers(), log.child({ module: 'host.api' }));
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
  }

  /** The booth store, opened on first use; throws a StoreError (DB_CORRUPT, KEY_UNAVAILABLE…) if it cannot be. */
  private openStore(): BoothStore {
    if (!this.storeHandle) {
      const keys = this.deps.keys ?? new FileKeyProvider(resolvePath(this.config.store.keyFile));
      this.storeHandle = BoothStore.open({ path: resolvePath(this.config.store.path), keys, boothId: this.config.boothId, ...(this.deps.now ? { now: this.deps.now } : {}) });
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
    this.noteIncident(incident);
    this.emit('kioskEvent', { name: 'incident', data: incident });
  }

  /** Stores a session event (a machine transition, an incident…); resolves once it is on disk. */
  recordSessionEvent(event: SessionEvent): Promise<void> {
    return this.writer.write({ kind: 'sessionEvent', event });
  }

  /** Stores a dermatoscope photo (sealed chunks, queued for the hub); resolves once it is on disk. */
  recordPhoto(photo: PhotoInput): Promise<void> {
    return this.writer.write({ kind: 'photo', photo });
  }

  /** Deletes acknowledged data older than `store.retentionDays` (never unacknowledged data). */
  purgeExpired(): void {
    try {
      const removed = this.openStore().purge(this.config.store.retentionDays);
      this.log.info(removed, 'purged acknowledged data past retention');
    } catch (error) {
      this.log.warn({ code: (error as { code?: string }).code }, 'purge skipped');
    }
  }

  start(): void {
    this.actor.start();
    this.hubLink.start();
    void this.devices.start();
    try {
      this.openStore();
    } catch (error) {
      this.raiseIncident(error as StoreError);
    }
    // An interrupted last session gets its incident; the hub hears when this booth holds no call, so a room kept for it ends instead of waiting.
    attachCrashRecovery(this, this.deps.now);
    this.consult.sweepLeftovers();
    this.purgeExpired();
    this.purgeTimer = setInterval(() => this.purgeExpired(), 6 * 3_600_000);
    this.purgeTimer.unref();
    this.log.info({ boothId: this.config.boothId }, 'host started');
  }

  /** Stops the machine, the devices and the hub link (the promise settles once the link is closed). */
  stop(): Promise<void> {
    this.actor.stop();
    void this.devices.stop();
    this.media.dispose();
    this.consult.dispose();
    if (this.writer.pending() > 0) this.log.error({ pending: this.writer.pending() }, 'stopping with writes not yet on disk (store incident unresolved)');
    this.writer.stop();
    this.sync?.stop();
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    return this.hubLink.stop().finally(() => {
      if (this.ownsStore) this.storeHandle?.close();
    });
  }

  /**
   * An instrument's reading (the devices layer calls this): it belongs to a
   * measurement the specialist or the pharmacist asked for, or it goes no
   * further — not stored, sent nor shown (clinical safety: the oximeter
   * streams every second whatever is measured). The device's status still
   * reaches the pharmacist.
   */
  async acceptReading(reading: Reading): Promise<void> {
    if (!this.belongsToMeasurement(reading)) {
      this.log.debug({ deviceId: reading.device.id, kind: reading.kind }, 'reading outside a requested measurement: not recorded');
      return;
    }
    await this.recordReading(reading);
  }

  /**
   * The one path of a measurement's reading to the screen and the hub:
   * written to the store first (DESIGN §4: write before show), then shown,
   * then given to the session (live value, result or recovery screen).
   */
  async recordReading(reading: Reading): Promise<void> {
    await this.writer.write({ kind: 'reading', reading });
    this.emit('kioskEvent', { name: 'reading', data: reading });
    // The session machine shows it: a live value, the result, or a recovery screen.
    const problem = reading.flags.find((f) => RECOVERABLE_FLAGS.has(f));
    if (problem) {
      this.sendHostEvent({ type: 'MEASUREMENT_ERROR', code: problem, deviceId: reading.device.id });
      return;
    }
    this.sendHostEvent({ type: 'READING', kind: reading.kind, deviceId: reading.device.id, values: reading.values, intermediate: isIntermediate(reading) });
  }

  /** Whether this reading belongs to the measurement in progress, as the session stands now. */
  private belongsToMeasurement(reading: Reading): boolean {
    const snapshot = this.actor.getSnapshot();
    if (snapshot.status !== 'active') return false;
    const { sessionId, measurement } = snapshot.context;
    return recordsReading({ flow: flowPath(snapshot.value), sessionId, measurement }, reading);
  }

  /** A device status change, shown to the assistant and the kiosk. */
  acceptDeviceStatus(status: DeviceStatus): void {
    this.emit('kioskEvent', { name: 'deviceStatus', data: status });
    this.consult?.sendDevices();
    if (status.state === 'error' && status.error) {
      this.noteIncident({ code: status.error.code, message: status.error.message, at: status.at });
      this.sendHostEvent({ type: 'MEASUREMENT_ERROR', code: status.error.code, deviceId: status.deviceId });
    } else if (status.state === 'disconnected') {
      this.noteIncident({ code: 'DISCONNECTED', message: status.error?.message ?? { fr: `Appareil débranché (${status.deviceId}).`, en: `Device unplugged (${status.deviceId}).` }, at: status.at });
      this.sendHostEvent({ type: 'DEVICE_FAULT', deviceId: status.deviceId, kind: status.kind, code: status.error?.code ?? 'DISCONNECTED' });
    } else if (status.state === 'ready') {
      this.sendHostEvent({ type: 'DEVICE_RECOVERED', deviceId: status.deviceId });
    }
  }

  /**
   * The dermatoscope's HID capture button: in the dermatoscope guidance it
   * means "I am ready" (the kiosk takes the still on entering `measuring`);
   * on the result or recovery screen it takes the photo again.
   */
  private watchCaptureButton(): void {
    const derm = this.devices.driverFor('dermatoscope-photo') as (Driver & Partial<CaptureButton>) | undefined;
    if (typeof derm?.onCapture !== 'function') return;
    derm.onCapture(() => {
      const snapshot = this.actor.getSnapshot();
      if (snapshot.context.measurement?.kind !== 'dermatoscope-photo') return;
      const sub = flowPath(snapshot.value);
      const event = sub === 'consultation.guidance' ? { type: 'START_MEASURE' as const } : { type: 'RETRY' as const };
      if (snapshot.status === 'active' && snapshot.can(event)) this.actor.send(event);
    });
  }

  view(): SessionView {
    return this.viewOf(this.actor.getSnapshot());
  }

  private viewOf(snapshot: ReturnType<Actor<SessionMachine>['getSnapshot']>): SessionView {
    const chime = this.config.alert.chime;
    return toSessionView(snapshot, { chime: chime.enabled ? { volume: chime.volume } : null });
  }

  /**
   * A change of the booth's local alert: an incident of the session in the
   * store (synced to the hub's record like every session event), on the
   * assistant panel's list, and in the log (no patient data: the reason and
   * how it was answered only).
   */
  private recordAlert(sessionId: string | null, record: AlertRecord): void {
    const code = ALERT_INCIDENT[record.change];
    const at = new Date(this.deps.now?.() ?? Date.now()).toISOString();
    const incident = { code, message: alertIncidentMessage(record.change, record.reason, record.by), at };
    this.log.warn({ code, alertId: record.alertId, reason: record.reason, via: record.by?.via }, 'booth alert');
    this.noteIncident(incident);
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
    const snapshot = this.actor.getSnapshot();
    if (snapshot.status !== 'active' || !snapshot.can(event)) return false;
    this.actor.send(event);
    return true;
  }

  private recordTransition(sessionId: string | null, record: TransitionRecord): void {
    if (!sessionId) return;
    const event: SessionEvent = {
      id: uuidv7(),
      sessionId,
      type: 'transition',
      at: new Date(this.deps.now?.() ?? Date.now()).toISOString(),
      data: { from: record.from, to: record.to, event: record.event },
    };
    this.emit('sessionEvent', event);
  }

  private noteIncident(incident: EventData<'incident'>): void {
    this.incidents.unshift(incident);
    this.incidents.length = Math.min(this.incidents.length, MAX_INCIDENTS);
  }

  private assistantOn(): boolean {
    return (this.actor.getSnapshot().value as unknown as Record<string, unknown>).assistant === 'on';
  }

  private requireAssistant(): void {
    if (this.assistantOn()) return;
    throw new ApiRequestError('ASSISTANT_REQUIRED', {
      fr: 'Réservé au pharmacien : entrez d’abord le code du mode assistant.',
      en: 'For the pharmacist only: enter the assistant mode PIN first.',
    });
  }

  private handlers(): KioskHandlers {
    return {
      getSnapshot: () => this.view(),
      sendEvent: ({ event }) => {
        const snapshot = this.actor.getSnapshot();
        if (!snapshot.can(event)) return { accepted: false };
        this.actor.send(event);
        return { accepted: true };
      },
      requestMeasurement: ({ kind }) => this.devices.measure(kind),
      assistantLogin: async ({ pin }) => {
        const result = await this.assistantAuth.login(pin);
        this.log.info({ ok: result.ok, triesLeft: result.triesLeft, locked: result.lockedUntil !== null }, 'assistant login');
        if (result.ok) this.sendHostEvent({ type: 'ASSISTANT_LOGIN' });
        return result;
      },
      assistantLogout: () => {
        this.sendHostEvent({ type: 'ASSISTANT_LOGOUT' });
        return { ok: true };
      },
      assistantSetIdentity: ({ identity }) => {
        this.requireAssistant();
        return { accepted: this.sendHostEvent({ type: 'SET_IDENTITY', identity }) };
      },
      assistantAction: (params) => {
        this.requireAssistant();
        switch (params.action) {
          case 'start-measurement':
            return { accepted: this.sendHostEvent({ type: 'ASSISTANT_START_MEASUREMENT', kind: params.kind }) };
          case 'repeat-measurement': {
            const kind = this.actor.getSnapshot().context.measurement?.kind;
            return { accepted: kind ? this.sendHostEvent({ type: 'ASSISTANT_START_MEASUREMENT', kind }) : false };
          }
          case 'skip-device':
            return { accepted: this.sendHostEvent({ type: 'ASSISTANT_SKIP_DEVICE' }) };
          case 'restart-session':
            return { accepted: this.sendHostEvent({ type: 'ASSISTANT_RESTART' }) };
          case 'end-session':
            return { accepted: this.sendHostEvent({ type: 'ASSISTANT_END' }) };
        }
      },
      assistantAlert: ({ action, alertId }) => {
        this.requireAssistant();
        // NOTE: the PIN is shared by the pharmacy's staff: it names no one. A staff page at the counter, with its own logins, would name who.
        const by = { via: 'booth' as const };
        const event = action === 'acknowledge'
          ? { type: 'ALERT_ACKNOWLEDGED' as const, by, ...(alertId ? { alertId } : {}) }
          : { type: 'ALERT_RESOLVED' as const, by, ...(alertId ? { alertId } : {}) };
        return { accepted: this.sendHostEvent(event) };
      },
      assistantIncidents: () => {
        this.requireAssistant();
        return { incidents: [...this.incidents] };
      },
      mediaSignal: ({ method, data }) => this.media.signal(method, data),
      ...this.uploads.handlers(),
      capturePhoto: async (params) => {
        const { contentType: mime, bytes } = this.uploads.take(params.uploadId, PHOTO_CONTENT_TYPES);
        const photoId = uuidv7();
        const dermDriver = this.devices.driverFor('dermatoscope-photo');
        const derm = dermDriver?.status().info;
        // The lighting mode the instrument reports wins over the renderer's guess; the requested body site fills a blank one.
        const lighting = dermDriver as (Driver & Partial<CaptureButton>) | undefined;
        const polarisation = typeof lighting?.polarisation === 'function' && ['ready', 'measuring'].includes(lighting.status().state) ? lighting.polarisation() : params.polarisation;
        const bodySite = params.bodySite ?? this.actor.getSnapshot().context.measurement?.bodySite ?? undefined;
        // Written before it is shown (DESIGN §4); then the session moves on.
        await this.recordPhoto({
          id: photoId, sessionId: this.view().sessionId, mime, width: params.width, height: params.height,
          takenAt: new Date(this.deps.now?.() ?? Date.now()).toISOString(), polarisation,
          ...(bodySite ? { bodySite } : {}), ...(derm ? { device: derm } : {}), bytes,
        });
        this.sendHostEvent({ type: 'PHOTO_CAPTURED', photoId });
        return { photoId };
      },
      getPhoto: () => notAvailable('dermatoscope'),
      getPrescription: () => ({ prescription: this.consult.prescription() }),
      reprintPrescription: () => this.consult.reprint(),
    };
  }
}
