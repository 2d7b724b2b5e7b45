/**
 * The rooms and who is where: the waiting queue's owner (./queue.ts holds
 * the queue itself), claims, each room's two sides, their grace periods,
 * the restore after a hub restart and the rebuild after a worker's death.
 * A booth is known by its link's authentication and reaches only its own
 * room; a specialist reaches only the room they claimed. The gateways'
 * methods that reach it are in ./methods.ts.
 *
 * Recovery: a flicker must not end the consultation. The queue and the
 * claims are written to the hub state store and restored on start, under
 * the same room ids; a room gets a router again when its first side comes
 * back. A side that drops out (network flicker, console reload, hub
 * restart) has a grace period (`graceMs`, 60 s) to come back before the
 * room ends; on its return it is told `room.resumed` and rebuilds its
 * media. A dead mediasoup worker's rooms are rebuilt on a router of the
 * replacement worker.
 *
 * One doctor, several console tabs: exactly one connection holds the
 * specialist's side of a room (the side's peer), so the booth never gets
 * two doctors' streams. A tab that opens while another connection of the
 * account holds it hears `room.elsewhere` {reason: 'opened'} and is refused
 * media (`ELSEWHERE`) until the doctor takes over there (`room.takeOver`);
 * the tab that lost it hears `room.elsewhere` {reason: 'takenOver'}. The
 * booth's side is never touched: it only sees the doctor's producers close
 * and new ones appear. When the holder's connection closes and another tab
 * of the account is still open, that tab hears `room.released` and no grace
 * period starts (the doctor is still at a console); the grace starts only
 * when the account has no console open at all. A connection that arrives
 * while nobody holds the side (reload, flicker, hub restart) holds it at once.
 *
 * The booth side as the console sees it: while the booth is away in its
 * grace period the doctor's consoles hear `room.boothOffline` {awayMs,
 * endsInMs} (durations, so the console counts down on its own clock), again
 * whenever one of them comes back to the room, and `room.boothOnline` once
 * the booth is back.
 *
 * Every waiting booth hears `queue.position` on each queue change; consoles
 * hear `queue.updated` with every booth's ETA.
 *
 * A network of hub nodes (../cluster, one PostgreSQL): the waiting queue is
 * the network's, kept in the shared store; each node holds a copy, written
 * through and re-read when another node says it changed (`queue` events:
 * ids only). A room lives on the node whose console claimed it (its router
 * is there); the booth, connected wherever it is, hears `room.moved` with
 * that node's address from its own node and goes there, where it hears
 * `queue.claimed`. A side that connects to a node not holding its room (a
 * second tab, a failover that landed elsewhere) is sent on the same way;
 * after a node died, once a survivor adopted its rooms (`rooms` events).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { HubConfig } from '../directory';
import { codeOf } from '../../shared/errors';
import { QUEUE, ROOM, type CallQuality, type Elsewhere, type MediaNoteParams, type QueueJoin, type ResumeReason, type RoomRef } from '../../shared/media-protocol';
import { refused, type Peer } from '../peer';
import { tell } from './notes';
import { WaitingQueue, type QueueEntry } from './queue';
import { newRoomId, Room, type SideName } from './room';
import type { WorkerPool } from './workers';
import type { ClusterEvent, ClusterNode } from '../cluster/index';
import type { HubStateRepository, StoredClaim } from '../state/repository';
import { iceServersFor, type IceServer } from '../turn';

export type { ResumeReason } from '../../shared/media-protocol';

/** What `persisted` holds for a booth whose last write failed: it matches no state, so the next change is written whatever it is. */
const UNSAVED = '';

/** How long a claim waits for this node to take a new lease after losing it (a stall), before the doctor is told. */
const LEASE_WAIT_MS = 3_000;

/** How long a side may stay away before its room ends. */
export const DEFAULT_GRACE_MS = 60_000;
/**
 * How often a node of a network sends on again the sides connected to it
 * whose room another node holds. The adopting node's event does that at
 * once; this is for an event lost (NOTIFY is lost while a node is not
 * listening, ../cluster/bus.ts), which would leave a side away from its call
 * for good.
 */
export const STRAY_SWEEP_MS = 3_000;

export interface MediaServiceOptions {
  /** Where the queue and claims outlive the process; memory only when absent. */
  state?: HubStateRepository | null;
  graceMs?: number;
  /**
   * This node's membership of a network of hub nodes on one PostgreSQL
   * (../cluster): the rooms it holds are written in the room directory,
   * another node's live rooms are left alone at start, and a dead node's
   * rooms are adopted under their ids. Absent on one hub.
   */
  cluster?: ClusterNode | null;
}

/** Where the booths' connections are: who is online, by booth id. */
export interface BoothPresence {
  peer(id: string): Peer | undefined;
}

export interface MediaServiceEvents {
  /** A specialist claimed a waiting booth: the room, with the queue entry it came from. */
  claimed: [Room];
  /** A room ended (`reason`: ended, mediaLost, boothLost, specialistLost…). */
  roomClosed: [Room, string];
  /** A side of a room came back, or the room was rebuilt on a new worker. */
  resumed: [Room, ResumeReason];
  /** A side reported the call's quality figures (the record keeps them). */
  quality: [Room, SideName, CallQuality];
  /** The queue changed (a booth joined, left or was claimed, here or on another node): positions may have moved. */
  queueChanged: [];
}

export class MediaService extends EventEmitter<MediaServiceEvents> {
  private readonly queue: WaitingQueue;
  private readonly rooms = new Map<string, Room>();
  private readonly specialists = new Set<Peer>();
  /** Rooms that ended while their booth was away: told when it comes back. */
  private readonly missedClose = new Map<string, { roomId: string; reason: string }>();
  private readonly state: HubStateRepository | null;
  /** Booths whose claim is being written, with the specialist claiming: one claim at a time per booth and per doctor. */
  private readonly claiming = new Map<string, string>();
  private readonly graceMs: number;
  private readonly cluster: ClusterNode | null;
  private closed = false;

  constructor(
    private readonly pool: WorkerPool,
    private readonly config: HubConfig,
    private readonly log: Logger,
    private readonly booths: BoothPresence,
    opts: MediaServiceOptions = {},
  ) {
    super();
    this.state = opts.state ?? null;
    this.graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
    this.cluster = opts.cluster ?? null;
    if (this.cluster) this.joinNetwork(this.cluster);
    this.queue = new WaitingQueue({
      graceMs: this.graceMs,
      onGraceOver: (boothId) => {
        if (!this.booths.peer(boothId)) this.boothLeaves(boothId);
      },
    });
    pool.on('workerDied', () => void this.onWorkerDied());
  }

  /**
   * Restores the queue, the claims and the last rooms' durations of the
   * state store (at start, before anyone connects). Restored rooms have no
   * router until a side comes back; each side has the grace period to return.
   */
  async restore(): Promise<{ queued: number; rooms: number }> {
    if (!this.state) return { queued: 0, rooms: 0 };
    const [entries, claims, durations] = await Promise.all([this.state.queue(), this.state.claims(), this.state.recentDurations()]);
    // Newest first in the store; recorded oldest first so the newest ends up first again.
    for (const ms of [...durations].reverse()) this.queue.recordDuration(ms);
    const mine = await this.claimsToRestore(claims);
    for (const entry of entries) {
      this.queue.restore(entry);
      this.persisted.set(entry.boothId, JSON.stringify(entry));
      // In a network, another live node's booths are not this node's to count out: only a node alone starts their grace.
      if (mine.queueToo && !this.booths.peer(entry.boothId)) this.queue.startGrace(entry.boothId);
    }
    // Sides already connected are taken back by attachMedia as it starts.
    for (const claim of mine.claims) this.restoreRoom(claim, false);
    if (this.queue.size || this.rooms.size) this.log.info({ queued: this.queue.size, rooms: this.rooms.size }, 'hub state restored');
    return { queued: this.queue.size, rooms: this.rooms.size };
  }

  /**
   * The claims this node rebuilds at start: all of them on one hub; in a
   * network, those of dead nodes (adopted now) and those nobody holds (a
   * single hub's, before the network), never a live node's room.
   */
  private async claimsToRestore(claims: StoredClaim[]): Promise<{ claims: StoredClaim[]; queueToo: boolean }> {
    const cluster = this.cluster;
    if (!cluster) return { claims, queueToo: true };
    const adopted = new Set(await cluster.rooms.adoptOrphans());
    const mine: StoredClaim[] = [];
    for (const claim of claims) {
      if (adopted.has(claim.roomId)) mine.push(claim);
      else if (!(await cluster.rooms.locate(claim.roomId)) && (await cluster.rooms.own(claim.roomId)).owned) mine.push(claim);
    }
    return { claims: mine, queueToo: (await cluster.liveNodes()).length <= 1 };
  }

  /** A claim back as a room without a router: each side has the grace period to return (`rejoinPresent`: one already here rejoins now). */
  private restoreRoom(claim: StoredClaim, rejoinPresent: boolean): void {
    const room = new Room(claim.boothId, claim.specialistId, null, this.config.media, claim.roomId);
    room.entry = claim.entry;
    room.claimedAt = claim.claimedAt;
    room.restoredSides.add('booth').add('specialist');
    this.rooms.set(claim.boothId, room);
    if (this.queue.leave(claim.boothId)) this.persistQueue(claim.boothId);
    for (const name of ['booth', 'specialist'] as const) this.startGrace(room, name);
    if (!rejoinPresent) return;
    // Adopted from a dead node: its booth and console may have failed over here already.
    const booth = this.booths.peer(claim.boothId);
    if (booth) void this.rejoin(room, 'booth', booth);
    const console = this.consolesOf(claim.specialistId)[0];
    if (console) void this.rejoin(room, 'specialist', console);
  }

  /** Rooms of a node whose lease lapsed, now this node's: rebuilt under their ids from the shared state. */
  private async adopt(roomIds: string[]): Promise<void> {
    if (!this.state || this.closed) return;
    const wanted = new Set(roomIds);
    try {
      const claims = (await this.state.claims()).filter((c) => wanted.has(c.roomId) && !this.rooms.has(c.boothId));
      for (const claim of claims) this.restoreRoom(claim, true);
      this.log.info({ rooms: claims.length }, 'rooms of a node gone adopted');
      // Sides that failed over to another node are sent here.
      if (claims.length > 0) this.publish('rooms', 'adopted', claims.map((c) => c.roomId));
    } catch (error) {
      this.log.error({ code: codeOf(error) }, 'hub state: adopted rooms not read');
    }
  }

  // ---- the network of hub nodes -----------------------------------------------

  private joinNetwork(cluster: ClusterNode): void {
    cluster.on('adopted', (roomIds) => void this.adopt(roomIds));
    cluster.on('lost', (reason) => this.dropRooms(reason));
    cluster.on('resync', () => {
      this.refreshQueue();
      this.publish('queue', 'who', []);
      // After a resync: every side here whose room is elsewhere.
      void this.directSides(() => true);
    });
    const mine = (handler: (event: ClusterEvent) => void | Promise<void>) => (event: ClusterEvent) => (event.from === cluster.nodeId || this.closed ? undefined : handler(event));
    cluster.bus.subscribe('queue', mine((event) => {
      if (event.kind === 'here') {
        for (const boothId of event.ids) {
          this.boothsElsewhere.set(boothId, event.from);
          this.queue.stopGrace(boothId);
        }
      } else if (event.kind === 'away') {
        for (const boothId of event.ids) if (this.boothsElsewhere.get(boothId) === event.from) this.boothsElsewhere.delete(boothId);
      } else if (event.kind === 'who') this.announceBooths();
      else this.refreshQueue();
    }));
    // Which waiting booths are connected to which node: asked once on joining.
    this.publish('queue', 'who', []);
    cluster.bus.subscribe('claims', mine(async (event) => {
      // A booth of this node claimed by a console on another: it leaves this copy of the queue and goes to its room.
      // A read of the shared queue begun before the claim was stored is stale: it would put the booth back (refreshQueue reads again).
      this.writesStarted += 1;
      for (const boothId of event.ids) {
        if (this.queue.leave(boothId)) this.persisted.delete(boothId);
      }
      this.broadcastQueue();
      for (const boothId of event.ids) {
        const peer = this.booths.peer(boothId);
        if (peer) await this.direct(peer);
      }
    }));
    cluster.bus.subscribe('rooms', mine(async (event) => {
      if (event.kind !== 'adopted') return;
      const adopted = new Set(event.ids);
      await this.directSides((claim) => adopted.has(claim.roomId));
    }));
    this.straySweep = setInterval(() => {
      if (this.sweeping || this.closed) return;
      this.sweeping = this.directSides(() => true).finally(() => {
        this.sweeping = null;
      });
    }, STRAY_SWEEP_MS);
    this.straySweep.unref();
  }

  /** Sends on, every STRAY_SWEEP_MS, sides here whose room is elsewhere (one sweep at a time). */
  private straySweep: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  /** Waiting booths connected to another node, with that node's id (its `here` and `away` events). */
  private readonly boothsElsewhere = new Map<string, string>();

  /** Tells the other nodes which waiting booths are connected here (asked by a node that joined or listens again). */
  private announceBooths(): void {
    const here = [...this.queue.ids()].filter((boothId) => this.booths.peer(boothId));
    // A NOTIFY payload is small: a few hundred ids per event.
    for (let i = 0; i < here.length; i += 200) this.publish('queue', 'here', here.slice(i, i + 200));
  }

  /** An event for the other nodes: ids only; a failure is logged, the others re-read on their next event or resync. */
  private publish(topic: 'queue' | 'claims' | 'rooms', kind: string, ids: string[]): void {
    this.cluster?.bus.publish(topic, { kind, ids }).catch((error: unknown) => this.log.error({ code: codeOf(error), topic, kind }, 'hub network: event not sent'));
  }

  /** Booths whose queue write is under way: a re-read of the shared queue keeps this node's view of them until it lands. */
  private readonly writing = new Map<string, number>();
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  /** Counts this node's queue writes: a re-read that began before one started is stale and read again. */
  private writesStarted = 0;

  /** Marks a write about a booth's queue place under way; call the returned function once it landed or failed. */
  private writingFor(boothId: string): () => void {
    this.writesStarted += 1;
    this.writing.set(boothId, (this.writing.get(boothId) ?? 0) + 1);
    return () => {
      const left = (this.writing.get(boothId) ?? 1) - 1;
      if (left > 0) this.writing.set(boothId, left);
      else this.writing.delete(boothId);
    };
  }

  /** The shared queue read again (another node changed it): consoles and waiting booths hear the new order. */
  private refreshQueue(): void {
    if (!this.state || this.closed) return;
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    const state = this.state;
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        try {
          const before = this.writesStarted;
          const entries = await state.queue();
          if (this.closed) return;
          if (before !== this.writesStarted) {
            this.refreshAgain = true;
            continue;
          }
          this.queue.mirror(entries.filter((e) => !this.rooms.has(e.boothId)), (boothId) => this.writing.has(boothId));
          const stored = new Set(entries.map((e) => e.boothId));
          for (const entry of entries) if (!this.writing.has(entry.boothId)) this.persisted.set(entry.boothId, JSON.stringify(entry));
          for (const boothId of [...this.persisted.keys()]) if (!stored.has(boothId) && !this.writing.has(boothId)) this.persisted.delete(boothId);
          this.broadcastQueue();
        } catch (error) {
          this.log.error({ code: codeOf(error) }, 'hub network: shared queue not read');
        }
      } while (this.refreshAgain && !this.closed);
    })().finally(() => {
      this.refreshing = null;
    });
  }

  /**
   * Sends a side connected here to the node that holds its room, if another
   * node holds it on a live lease. A room whose node died waits for its
   * adoption (a `rooms` event then sends the side on).
   */
  private async direct(peer: Peer): Promise<void> {
    if (!this.cluster || !this.state || this.closed) return;
    try {
      const claim = (await this.state.claims()).find((c) => (peer.role === 'booth' ? c.boothId === peer.id : c.specialistId === peer.id));
      if (claim) await this.sendTowards(peer, claim);
    } catch (error) {
      this.log.error({ code: codeOf(error), side: peer.role }, 'hub state: claims not read');
    }
  }

  /** `direct` for a side whose claim is already read. */
  private async sendTowards(peer: Peer, claim: StoredClaim): Promise<void> {
    const cluster = this.cluster;
    if (!cluster || this.closed || this.rooms.has(claim.boothId)) return;
    try {
      const holder = await cluster.rooms.locate(claim.roomId);
      if (!holder?.live || holder.nodeId === cluster.nodeId || !peer.open) return;
      if (!holder.url) {
        this.log.error({ roomId: claim.roomId, nodeId: holder.nodeId }, 'hub network: the node holding this room has no address (node.url in its config): its sides cannot reach it');
        return;
      }
      tell(peer, ROOM.moved, { roomId: claim.roomId, url: new URL(holder.url).origin });
      this.log.info({ roomId: claim.roomId, side: peer.role, nodeId: holder.nodeId }, 'side sent to the node holding its room');
    } catch (error) {
      this.log.error({ code: codeOf(error), side: peer.role }, 'hub network: room not located');
    }
  }

  /** Both sides connected here of the claims `which` picks are sent on to their rooms' nodes (the claims read once). */
  private async directSides(which: (claim: StoredClaim) => boolean): Promise<void> {
    if (!this.state) return;
    for (const claim of (await this.state.claims().catch(() => [])).filter(which)) {
      const booth = this.booths.peer(claim.boothId);
      if (booth) await this.sendTowards(booth, claim);
      for (const console of this.consolesOf(claim.specialistId)) await this.sendTowards(console, claim);
    }
  }

  /**
   * This node lost its lease: its rooms are orphans now, adopted by a live
   * node (possibly this one, once it has a new lease). The routers close
   * here; the sides stay connected and are sent on (or rejoin) then.
   */
  private dropRooms(reason: string): void {
    this.log.error({ reason, rooms: this.rooms.size }, 'this node lost its lease in the hub network: its rooms go to the node that adopts them');
    for (const room of this.rooms.values()) {
      for (const name of ['booth', 'specialist'] as const) this.stopGrace(room, name);
      room.close();
    }
    this.rooms.clear();
  }

  /** The waiting booths in order, each with its ETA. */
  /** The queue as every console sees it: without the intake, which only the doctor who claims a booth gets (consult.context). */
  waiting(): QueueEntry[] {
    return this.queue.waiting(this.specialistsOnline()).map(({ intake: _intake, ...entry }) => entry);
  }

  /** Distinct specialists with a console open. */
  specialistsOnline(): number {
    return new Set([...this.specialists].map((p) => p.id)).size;
  }

  roomOfBooth(boothId: string): Room | undefined {
    return this.rooms.get(boothId);
  }

  /** The room a specialist claimed (by their id), if any. */
  roomOfSpecialist(specialistId: string): Room | undefined {
    for (const room of this.rooms.values()) if (room.specialistId === specialistId) return room;
    return undefined;
  }

  /** A side's quality figures: kept on the room (the latest replaces the last) and handed to the record. */
  reportQuality(room: Room, name: SideName, quality: CallQuality): void {
    room.quality[name] = quality;
    this.emit('quality', room, name, quality);
  }

  roomCount(): number {
    return this.rooms.size;
  }

  /** The open consoles of one doctor (one account may have several tabs). */
  private consolesOf(specialistId: string): Peer[] {
    return [...this.specialists].filter((p) => p.id === specialistId && p.open);
  }

  private toConsoles<M extends typeof ROOM.boothOffline | typeof ROOM.boothOnline>(room: Room, method: M, params: MediaNoteParams<M>): void {
    for (const peer of this.consolesOf(room.specialistId)) tell(peer, method, params);
  }

  /** This connection holds the specialist's side from now on; the doctor's other tabs hear the call is elsewhere. */
  private hold(room: Room, peer: Peer): void {
    room.bind('specialist', peer);
    for (const other of this.consolesOf(room.specialistId)) {
      if (other !== peer) tell(other, ROOM.elsewhere, this.elsewhere(room, 'takenOver'));
    }
  }

  /** `room.elsewhere`: the room, and the pharmacy so the tab can say which consultation it is about. */
  private elsewhere(room: Room, reason: Elsewhere['reason']): Elsewhere {
    const pharmacy = room.entry?.pharmacy ?? this.config.booths.find((b) => b.boothId === room.boothId)?.pharmacy ?? null;
    return { roomId: room.id, boothId: room.boothId, pharmacy, reason };
  }

  /** Where the booth is while away: how long since it dropped, and how long before the room ends without it. */
  private boothAway(room: Room): MediaNoteParams<typeof ROOM.boothOffline> | null {
    const since = room.awaySince.booth;
    if (since === undefined) return null;
    const awayMs = Math.max(0, Date.now() - since);
    return { roomId: room.id, boothId: room.boothId, awayMs, endsInMs: this.graceMs - awayMs };
  }

  /** Consoles hear the queue (with ETAs); every waiting booth hears its position. */
  private broadcastQueue(): void {
    const booths = this.waiting();
    for (const s of this.specialists) tell(s, QUEUE.updated, { booths });
    const doctorsOnline = this.specialistsOnline();
    booths.forEach((e, i) => tell(this.booths.peer(e.boothId), QUEUE.position, { position: i + 1, etaMinutes: e.etaMinutes ?? null, doctorsOnline }));
    this.emit('queueChanged');
  }

  /** What was last written per booth: a repeated identical `queue.join` writes nothing. */
  private readonly persisted = new Map<string, string>();

  private persistQueue(boothId: string): void {
    const entry = this.queue.get(boothId);
    const json = entry ? JSON.stringify(entry) : null;
    if ((this.persisted.get(boothId) ?? null) === json) return;
    if (json) this.persisted.set(boothId, json);
    else this.persisted.delete(boothId);
    const write = entry ? this.state?.putQueueEntry(entry) : this.state?.removeQueueEntry(boothId);
    if (!write) return;
    const written = this.writingFor(boothId);
    write.then(
      () => this.publish('queue', 'changed', [boothId]),
      (error: unknown) => {
        this.log.error({ code: codeOf(error), boothId }, 'hub state: queue not saved');
        // Whatever this booth's next change is, it is written.
        if ((this.persisted.get(boothId) ?? null) === json) this.persisted.set(boothId, UNSAVED);
      },
    ).finally(written);
  }

  /** A write the rooms do not wait for: a failure is logged by code and the room goes on. */
  private inBackground(write: Promise<unknown> | undefined, roomId: string, what: string): void {
    write?.catch((error: unknown) => this.log.error({ code: codeOf(error), roomId }, what));
  }

  /**
   * The store's word on a claim: false when another node (or a claim made
   * meanwhile) has the booth. In a network the same statement makes this
   * node the room's holder, fenced by its lease: a node that lost its lease,
   * or whose database failed, claims nothing (another node may be giving the
   * booth to another doctor). On one hub a store that fails is logged and
   * the claim goes on, as the rooms never stop for their store.
   */
  /**
   * The claim with this node's fence. A node that just lost its lease (a
   * stall: a busy event loop past the lease) takes a new one within a
   * moment: the doctor's click waits for it once rather than fail.
   */
  private async claimFenced(claim: StoredClaim): Promise<boolean> {
    const state = this.state!;
    try {
      return await state.claimWaiting(claim, this.cluster?.fence());
    } catch (error) {
      if (codeOf(error) !== 'FENCED' || !this.cluster || !(await this.cluster.leased(LEASE_WAIT_MS))) throw error;
      return await state.claimWaiting(claim, this.cluster.fence());
    }
  }

  private async claimInStore(claim: StoredClaim): Promise<boolean> {
    if (!this.state) return true;
    try {
      return await this.claimFenced(claim);
    } catch (error) {
      this.log.error({ code: codeOf(error), roomId: claim.roomId }, 'hub state: claim not saved');
      if (codeOf(error) === 'FENCED') throw refused('NODE_FENCED', 'this hub node lost its place in the network; your console reconnects to another node');
      if (this.cluster) throw refused('CLAIM_NOT_SAVED', 'the hub could not save this claim: try again in a few seconds');
      return true;
    }
  }

  // ---- grace periods ----------------------------------------------------------

  private startGrace(room: Room, name: SideName): void {
    clearTimeout(room.graceTimers[name]);
    if (room.graceTimers[name] === undefined) room.awaySince[name] = Date.now();
    const timer = setTimeout(() => {
      delete room.graceTimers[name];
      this.log.info({ roomId: room.id, side: name }, 'a side did not come back within the grace period');
      this.teardown(room, name === 'booth' ? 'boothLost' : 'specialistLost');
    }, this.graceMs);
    timer.unref?.();
    room.graceTimers[name] = timer;
  }

  private stopGrace(room: Room, name: SideName): void {
    clearTimeout(room.graceTimers[name]);
    delete room.graceTimers[name];
    delete room.awaySince[name];
  }

  /** A router for a room that has none (restored, or its worker died); one creation at a time. */
  async ready(room: Room): Promise<void> {
    if (room.hasRouter) return;
    room.routerPending ??= this.pool.createRouter().then((router) => {
      if (room.closed) router.close();
      else room.router = router;
    }).finally(() => {
      room.routerPending = null;
    });
    await room.routerPending;
  }

  /**
   * A side (re)connected while its room exists: it holds its side from now
   * (at once, so a second tab arriving meanwhile sees it held) and is told
   * to rebuild its media once the room has a router.
   */
  private async rejoin(room: Room, name: SideName, peer: Peer): Promise<void> {
    this.stopGrace(room, name);
    const reason: ResumeReason = room.restoredSides.delete(name) ? 'hubRestarted' : 'reconnected';
    if (name === 'specialist') this.hold(room, peer);
    else room.bind(name, peer);
    if (!(await this.readyOrTeardown(room, 'no router for a returning side'))) return;
    // Closed, gone, or taken over by another tab meanwhile.
    if (room.closed || !peer.open || room.sides[name]?.peer !== peer) return;
    if (name === 'booth' && !room.boothTold) {
      // Claimed from another node's console: the booth arrives here for its call.
      room.boothTold = true;
      tell(peer, QUEUE.claimed, this.claimedNote(room));
      this.toConsoles(room, ROOM.boothOnline, { roomId: room.id, boothId: room.boothId });
      this.log.info({ roomId: room.id }, 'claimed booth arrived from another node');
      return;
    }
    tell(peer, ROOM.resumed, { roomId: room.id, reason });
    if (name === 'booth') this.toConsoles(room, ROOM.boothOnline, { roomId: room.id, boothId: room.boothId });
    else {
      const away = this.boothAway(room);
      if (away) tell(peer, ROOM.boothOffline, away);
    }
    this.log.info({ roomId: room.id, side: name, reason }, 'side back in its room');
    this.emit('resumed', room, reason);
  }

  // ---- booths -------------------------------------------------------------

  /** A booth's link came up: it keeps its place in the queue, or is put back in its room. */
  boothConnected(peer: Peer): void {
    if (this.closed) return;
    this.queue.stopGrace(peer.id);
    const room = this.rooms.get(peer.id);
    if (room) {
      void this.rejoin(room, 'booth', peer);
      return;
    }
    if (this.cluster) {
      // The other nodes stop counting its grace; a booth whose room is elsewhere goes there.
      this.boothsElsewhere.delete(peer.id);
      if (this.queue.has(peer.id)) this.publish('queue', 'here', [peer.id]);
      void this.direct(peer);
    }
    const missed = this.missedClose.get(peer.id);
    if (missed) {
      this.missedClose.delete(peer.id);
      tell(peer, ROOM.closed, missed);
    }
    const position = this.queue.position(peer.id);
    if (position > 0) tell(peer, QUEUE.position, { position, etaMinutes: this.waiting()[position - 1]?.etaMinutes ?? null, doctorsOnline: this.specialistsOnline() });
  }

  /**
   * A booth's link went down. A clean close (1000/1001: the host stopping)
   * is a departure from the queue; any other (network flicker, crash) keeps
   * its place for the grace period. Its room waits for it either way.
   */
  boothDisconnected(peer: Peer, code: number): void {
    if (this.closed) return;
    // A replaced connection is not a departure.
    if (this.booths.peer(peer.id)) return;
    if (this.cluster && this.queue.has(peer.id)) this.publish('queue', 'away', [peer.id]);
    if (code === 1000 || code === 1001) this.boothLeaves(peer.id);
    else if (this.queue.has(peer.id)) this.queue.startGrace(peer.id);
    const room = this.rooms.get(peer.id);
    if (!room) return;
    if (room.sides.booth?.peer === peer) {
      room.sides.booth.close();
      room.sides.booth = null;
    }
    tell(room.sides.specialist?.peer, ROOM.peerLeft, { side: 'booth' });
    this.startGrace(room, 'booth');
    const away = this.boothAway(room);
    if (away) this.toConsoles(room, ROOM.boothOffline, away);
  }

  boothJoins(peer: Peer, params: QueueJoin): { position: number; roomId: string | null } {
    const existing = this.rooms.get(peer.id);
    if (existing) return { position: 0, roomId: existing.id };
    const booth = this.config.booths.find((b) => b.boothId === peer.id);
    this.queue.join(peer.id, {
      pharmacy: booth?.pharmacy ?? null,
      reason: params.reason ?? null,
      firstName: params.patient?.firstName ?? null,
      age: params.patient?.age ?? null,
      pathway: params.pathway ?? null,
      exceptionReason: params.exceptionReason ?? null,
      sessionId: params.sessionId ?? null,
      language: params.language ?? null,
      intake: params.intake ?? null,
    });
    this.persistQueue(peer.id);
    if (this.cluster) this.publish('queue', 'here', [peer.id]);
    this.broadcastQueue();
    return { position: this.queue.position(peer.id), roomId: null };
  }

  /**
   * The booth came back without a session (restarted after a crash, or at
   * attract): it leaves the queue and a room kept for it ends with the reason
   * `boothRestarted`, so the specialist sees the call ended rather than
   * waiting out the grace period.
   */
  boothRestarted(boothId: string): { ok: true; roomClosed: boolean } {
    this.boothLeaves(boothId);
    const room = this.rooms.get(boothId);
    if (room) this.teardown(room, 'boothRestarted');
    this.missedClose.delete(boothId);
    return { ok: true, roomClosed: room !== undefined };
  }

  boothLeaves(boothId: string): void {
    if (!this.queue.leave(boothId)) return;
    this.persistQueue(boothId);
    this.broadcastQueue();
  }

  // ---- specialists ---------------------------------------------------------

  specialistConnected(peer: Peer): void {
    if (this.closed) return;
    const before = this.specialistsOnline();
    this.specialists.add(peer);
    if (this.specialistsOnline() !== before) this.broadcastQueue();
    else tell(peer, QUEUE.updated, { booths: this.waiting() });
    const room = this.roomOfSpecialist(peer.id);
    if (!room) {
      void this.direct(peer);
      return;
    }
    const holder = room.sides.specialist?.peer;
    // Another tab of this doctor holds the call: this one waits for the doctor's click (room.takeOver).
    if (holder && holder !== peer && holder.open) tell(peer, ROOM.elsewhere, this.elsewhere(room, 'opened'));
    else void this.rejoin(room, 'specialist', peer);
  }

  /**
   * A console went away (tab closed, reload, flicker). Its room waits for
   * the doctor for the grace period only when none of their consoles is
   * left open; if another tab is open, that tab is told it may take over.
   */
  specialistDisconnected(peer: Peer): void {
    if (this.closed) return;
    const before = this.specialistsOnline();
    this.specialists.delete(peer);
    if (this.specialistsOnline() !== before) this.broadcastQueue();
    const room = this.roomOfSpecialist(peer.id);
    if (!room) return;
    const others = this.consolesOf(peer.id);
    if (room.sides.specialist?.peer === peer) {
      room.sides.specialist.close();
      room.sides.specialist = null;
      tell(this.booths.peer(room.boothId), ROOM.peerLeft, { side: 'specialist' });
      for (const other of others) tell(other, ROOM.released, { roomId: room.id, boothId: room.boothId });
    }
    // Nobody holds the call and no console of this doctor is left: the grace period runs.
    if (!room.sides.specialist && others.length === 0) this.startGrace(room, 'specialist');
  }

  /** The doctor's click in a tab that does not hold the call: it holds it from now; the tab that held it is told. */
  async takeOver(peer: Peer): Promise<RoomRef> {
    const room = this.roomOfSpecialist(peer.id);
    if (!room) throw refused('NO_ROOM', 'you have not claimed a booth');
    if (room.sides.specialist?.peer !== peer) {
      this.stopGrace(room, 'specialist');
      // The old tab's transports close with its side: the booth sees the doctor's producers close, its own stay.
      this.hold(room, peer);
      this.log.info({ roomId: room.id }, 'consultation taken over by another console of the same doctor');
    }
    await this.ready(room);
    const away = this.boothAway(room);
    if (away) tell(peer, ROOM.boothOffline, away);
    return { roomId: room.id, boothId: room.boothId };
  }

  /**
   * The caller's room, for a reloaded console returning to its call. In a
   * network it may be held by another node, or be between a dead node and
   * its adopter: the claim in the shared state says the call goes on (the
   * console is sent on, or told room.resumed, when the room has a node).
   */
  async mine(peer: Peer): Promise<{ room: RoomRef | null }> {
    const room = this.roomOfSpecialist(peer.id);
    if (room) return { room: { roomId: room.id, boothId: room.boothId } };
    if (!this.cluster || !this.state) return { room: null };
    try {
      const claim = (await this.state.claims()).find((c) => c.specialistId === peer.id);
      return { room: claim ? { roomId: claim.roomId, boothId: claim.boothId } : null };
    } catch (error) {
      this.log.error({ code: codeOf(error) }, 'hub state: claims not read');
      throw refused('STATE_UNAVAILABLE', 'the hub cannot read the consultations right now: try again in a few seconds');
    }
  }

  async claim(peer: Peer, boothId: string): Promise<RoomRef> {
    for (const room of this.rooms.values()) {
      if (room.specialistId === peer.id) {
        if (room.boothId === boothId) return { roomId: room.id, boothId };
        throw refused('BUSY', 'end your current consultation before claiming another booth');
      }
    }
    if (this.rooms.has(boothId)) throw refused('NOT_WAITING', 'this booth is already in a consultation with another specialist');
    if (!this.queue.has(boothId)) throw refused('NOT_WAITING', 'this booth is not waiting (already claimed or gone)');
    // A booth briefly offline keeps its place; it can be claimed once it is back. In a network it may be on another node.
    if (!this.booths.peer(boothId) && !this.boothsElsewhere.has(boothId)) throw refused('BOOTH_OFFLINE', 'this booth is momentarily offline: try again in a few seconds');
    if (this.claiming.has(boothId)) throw refused('NOT_WAITING', 'another specialist is claiming this booth');
    if ([...this.claiming.values()].includes(peer.id)) throw refused('BUSY', 'end your current consultation before claiming another booth');
    const { etaMinutes: _eta, ...waiting } = this.queue.get(boothId)!;
    const claim: StoredClaim = { roomId: newRoomId(boothId), boothId, specialistId: peer.id, claimedAt: new Date().toISOString(), entry: waiting };
    this.claiming.set(boothId, peer.id);
    // The claim takes the booth's row out of the shared queue: a re-read meanwhile must not be taken for the booth leaving.
    const written = this.writingFor(boothId);
    let won: boolean;
    try {
      won = await this.claimInStore(claim);
    } finally {
      this.claiming.delete(boothId);
      written();
    }
    if (!won) throw refused('NOT_WAITING', 'this booth was claimed by another specialist');
    // The booth left, or restarted, while its claim was being written.
    if (!this.queue.has(boothId)) {
      this.inBackground(this.state?.removeClaim(claim.roomId, this.cluster?.fence()), claim.roomId, 'hub state: claim of a booth gone not undone');
      throw refused('NOT_WAITING', 'this booth is not waiting any more (it left)');
    }
    const stored = this.queue.take(boothId)!;
    this.persisted.delete(boothId);
    let router;
    try {
      router = await this.pool.createRouter();
    } catch (error) {
      this.inBackground(this.state?.removeClaim(claim.roomId, this.cluster?.fence()), claim.roomId, 'hub state: claim without a room not undone');
      throw error;
    }
    const room = new Room(boothId, peer.id, router, this.config.media, claim.roomId);
    room.claimedAt = claim.claimedAt;
    room.entry = stored;
    this.rooms.set(boothId, room);
    this.hold(room, peer);
    const boothPeer = this.booths.peer(boothId);
    if (boothPeer) tell(boothPeer, QUEUE.claimed, this.claimedNote(room));
    else {
      // On another node (or away): it hears the claim when it arrives here, within the grace period.
      room.boothTold = false;
      this.startGrace(room, 'booth');
    }
    if (this.cluster) this.publish('claims', 'claimed', [boothId]);
    this.broadcastQueue();
    this.log.info({ roomId: room.id, boothId, specialistId: peer.id }, 'booth claimed');
    this.emit('claimed', room);
    return { roomId: room.id, boothId };
  }

  /** `queue.claimed`: the room, and the doctor as the hub's config names them. */
  private claimedNote(room: Room): MediaNoteParams<typeof QUEUE.claimed> {
    const specialist = this.config.specialists.find((s) => s.id === room.specialistId);
    return { roomId: room.id, specialist: { name: specialist?.name ?? '', specialty: specialist?.specialty ?? '', ...(specialist?.photoUrl ? { photo: specialist.photoUrl } : {}) } };
  }

  /** One side leaves on purpose (`room.leave`): the specialist leaving ends the room; a booth may come back. */
  leave(room: Room, name: SideName): void {
    const side = room.sides[name];
    side?.close();
    room.sides[name] = null;
    if (name === 'specialist') tell(room.sides.booth?.peer, ROOM.peerLeft, { side: name });
    else tell(room.sides.specialist?.peer, ROOM.peerLeft, { side: name });
    const specialistGone = name === 'specialist' || !room.sides.specialist;
    const boothGone = name === 'booth' || !room.sides.booth;
    if (name === 'specialist' || (specialistGone && boothGone)) this.teardown(room, 'ended');
  }

  private teardown(room: Room, reason: string): void {
    if (this.rooms.get(room.boothId) !== room) return;
    this.rooms.delete(room.boothId);
    // A booth that never bound a side still hears the room ended; one that is away hears it when back.
    const boothPeer = room.sides.booth?.peer.open ? room.sides.booth.peer : this.booths.peer(room.boothId);
    if (boothPeer) tell(boothPeer, ROOM.closed, { roomId: room.id, reason });
    else this.missedClose.set(room.boothId, { roomId: room.id, reason });
    // Every tab of the doctor hears it, the one holding the call and the others.
    const consoles = new Set([...this.consolesOf(room.specialistId), ...(room.sides.specialist ? [room.sides.specialist.peer] : [])]);
    for (const peer of consoles) tell(peer, ROOM.closed, { roomId: room.id, reason });
    room.close();
    const duration = Date.now() - Date.parse(room.claimedAt);
    // In a network the claim and the room's holder go together, fenced: FENCED means another node holds the room now, and keeps it.
    this.inBackground(this.state?.removeClaim(room.id, this.cluster?.fence()), room.id, 'hub state: closed room not saved (FENCED: another node holds it now)');
    // Only consultations that took place count for the ETA.
    if (reason === 'ended' && Number.isFinite(duration)) {
      this.queue.recordDuration(duration);
      this.inBackground(this.state?.recordDuration(duration), room.id, 'hub state: closed room not saved');
    }
    this.log.info({ roomId: room.id, reason }, 'room closed');
    this.emit('roomClosed', room, reason);
    if (this.queue.size) this.broadcastQueue();
  }

  /** The room's router, or the room ends (`mediaLost`) when none can be had; false then. */
  private async readyOrTeardown(room: Room, why: string): Promise<boolean> {
    try {
      await this.ready(room);
      return true;
    } catch (error) {
      this.log.error({ roomId: room.id, err: (error as Error).message }, why);
      this.teardown(room, 'mediaLost');
      return false;
    }
  }

  /** Rooms of a dead worker move to a router of its replacement: same room, both sides rebuild their media. */
  private async onWorkerDied(): Promise<void> {
    const dead = [...this.rooms.values()].filter((room) => !room.hasRouter && !room.routerPending && room.restoredSides.size < 2);
    await Promise.all(dead.map(async (room) => {
      room.resetSides();
      if (!(await this.readyOrTeardown(room, 'could not rebuild a room on a new worker'))) return;
      if (room.closed) return;
      for (const side of [room.sides.booth, room.sides.specialist]) tell(side?.peer, ROOM.resumed, { roomId: room.id, reason: 'mediaRestarted' });
      this.log.info({ roomId: room.id }, 'room rebuilt on a new worker');
      this.emit('resumed', room, 'mediaRestarted');
    }));
  }

  close(): void {
    this.closed = true;
    if (this.straySweep) clearInterval(this.straySweep);
    for (const room of this.rooms.values()) room.close();
    this.rooms.clear();
    this.queue.close();
  }

  /**
   * The caller's room and side, or a refusal: identity comes from the
   * connection, never from params. A specialist's connection acts on its
   * room only while it holds the side (another tab may hold it).
   */
  /** A TURN credential of the peer's own (none without a turn section): only ever asked by an authenticated side of a room. */
  iceServers(peer: Peer): IceServer[] {
    return iceServersFor(this.config.turn, peer.id);
  }

  sideOf(peer: Peer): { room: Room; name: SideName } {
    if (peer.role === 'booth') {
      const room = this.rooms.get(peer.id);
      if (!room) throw refused('NO_ROOM', 'this booth has not been claimed by a specialist');
      return { room, name: 'booth' };
    }
    const room = this.roomOfSpecialist(peer.id);
    if (!room) throw refused('NO_ROOM', 'you have not claimed a booth');
    if (room.sides.specialist?.peer !== peer) throw refused('ELSEWHERE', 'this consultation is held by another console of yours: take it over (room.takeOver) first');
    return { room, name: 'specialist' };
  }
}
