/**
 * The booth's brain (DESIGN §1): owns the session machine, and — as later
 * work lands — the device drivers, the store, the sync and the update
 * policy. Plain Node: it never imports `electron`. Transports call it only
 * through KioskApi handlers.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { createActor, type Actor } from 'xstate';
import type { KioskConfig } from '../shared/config';
import type { DeviceStatus, Reading } from '../shared/domain';
import { ApiRequestError } from '../shared/errors';
import type { KioskEvent, KioskHandlers } from '../shared/kiosk-api';
import { createLogger } from '../shared/logger';
import type { SessionView } from '../shared/session-view';
import { sessionMachine, type SessionMachine } from '../session/machine';
import { toSessionView } from '../session/view';
import { createDispatcher, type Dispatch } from './api-dispatch';
import { HubLink } from './hub-link';
import { MediaRelay } from './media-relay';
import type { Driver } from '../../devices/contracts';
import { createDefaultRegistry, type DeviceRegistry } from '../../devices/registry';
import { DeviceManager } from './devices';
import { resolve as resolvePath } from 'node:path';
import type { SessionEvent } from '../shared/domain';
import type { StoreError } from './store/errors';
import { FileKeyProvider, type KeyProvider } from './store/keys';
import { BoothStore, type PhotoInput } from './store/store';
import { DurableWriter } from './store/writer';
import { OutboxSync } from './sync/outbox-sync';

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
}

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
  /** Every reading, photo and session event goes through here first (write before show). */
  readonly writer: DurableWriter;
  private storeHandle: BoothStore | null;
  private readonly ownsStore: boolean;
  private sync: OutboxSync | null = null;
  private purgeTimer: NodeJS.Timeout | null = null;
  private readonly deps: HostDeps;

  constructor(config: KioskConfig, log: Logger = createLogger('host'), deps: HostDeps = {}) {
    super();
    this.config = config;
    this.log = log;
    this.actor = createActor(sessionMachine, { input: { language: config.languages[0] } });
    this.actor.subscribe((snapshot) => {
      this.emit('kioskEvent', { name: 'snapshot', data: toSessionView(snapshot) });
    });
    this.hubLink = new HubLink({ url: config.hub.url, boothId: config.boothId, token: config.hub.token, log: log.child({ module: 'host.hub' }) });
    this.media = new MediaRelay({
      link: this.hubLink,
      log: log.child({ module: 'host.media' }),
      emit: (event) => this.emit('kioskEvent', event),
      actor: this.actor,
    });
    this.devices = new DeviceManager({
      sink: this,
      sessionId: () => this.view().sessionId,
      log: log.child({ module: 'host.devices' }),
      ...(deps.drivers ? { drivers: deps.drivers } : { registry: deps.registry ?? createDefaultRegistry(), configs: config.devices }),
    });
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
    // Session events: stored whenever the session layer emits them (another part adds that event).
    (this as unknown as EventEmitter).on('sessionEvent', (event: SessionEvent) => void this.recordSessionEvent(event));
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
    this.emit('kioskEvent', { name: 'incident', data: { code: error.code, message: error.userMessage, at: new Date().toISOString() } });
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
    this.writer.stop();
    this.sync?.stop();
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    return this.hubLink.stop().finally(() => {
      if (this.ownsStore) this.storeHandle?.close();
    });
  }

  /**
   * The one path of a reading from a driver to the screen and the hub:
   * written to the store first (DESIGN §4: write before show), then shown.
   * The devices layer calls this; the store and the relay hook in here.
   */
  async acceptReading(reading: Reading): Promise<void> {
    await this.writer.write({ kind: 'reading', reading });
    this.emit('kioskEvent', { name: 'reading', data: reading });
  }

  /** A device status change, shown to the assistant and the kiosk. */
  acceptDeviceStatus(status: DeviceStatus): void {
    this.emit('kioskEvent', { name: 'deviceStatus', data: status });
  }

  view(): SessionView {
    return toSessionView(this.actor.getSnapshot());
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
      assistantLogin: () => notAvailable('assistant mode'),
      assistantLogout: () => ({ ok: true }),
      mediaSignal: ({ method, data }) => this.media.signal(method, data),
      capturePhoto: () => notAvailable('dermatoscope'),
      getPhoto: () => notAvailable('dermatoscope'),
    };
  }
}
