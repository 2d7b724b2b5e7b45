/**
 * The media, queue and room messages between the booth, the hub and the
 * specialist's console (DESIGN §1, §6), beside the consultation's data plane
 * (./consult-protocol.ts): the waiting queue, the claim, the room's life
 * (closed, resumed, a side away, another tab holding the call) and the
 * mediasoup signaling both sides speak.
 *
 * Names are hub-protocol method names (`HubFrame.m`). Every params object,
 * answer and note is a zod schema checked on arrival by whoever receives it;
 * `parseMediaNote` and `parseMediaResult` refuse a malformed one with a
 * `MediaProtocolError` (stable `code`) rather than let it be acted on.
 *
 * Flows:
 * - Queue: the booth `queue.join`s (patient context) and hears
 *   `queue.position` on each queue change; consoles hear `queue.updated`
 *   (every waiting booth with its ETA) and `queue.claim` one. The claimed
 *   booth hears `queue.claimed`.
 * - Media: each side asks `media.capabilities`, creates its transports,
 *   produces and consumes; the other side hears `media.newProducer` /
 *   `media.producerClosed`, a consumer whose producer went hears
 *   `media.consumerClosed`. A side whose network lets no media through
 *   says so (`media.pathReport`); the other side hears `media.peerPath`.
 *   The kiosk's renderer reaches only these
 *   methods, relayed by its host (`RELAYED_MEDIA_METHODS`).
 * - Room: `room.closed` ends the call, `room.resumed` asks a side to rebuild
 *   its media, `room.peerLeft` says the other side dropped; the console
 *   alone hears `room.elsewhere` / `room.released` (several tabs of one
 *   doctor) and `room.boothOffline` / `room.boothOnline`.
 */
import { z } from 'zod';
import type { types as ms } from 'mediasoup-client';
import { CabineError } from './errors';
import { DoctorPhotoUrl } from './doctor-photo';
import { DoctorIntake } from './intake';
import { ExceptionReason, Pathway } from './session-view';

export const MEDIA = {
  // either side → hub (requests): the media path
  capabilities: 'media.capabilities',
  createTransport: 'media.createTransport',
  connectTransport: 'media.connectTransport',
  restartIce: 'media.restartIce',
  produce: 'media.produce',
  consume: 'media.consume',
  resumeConsumer: 'media.resumeConsumer',
  pauseConsumer: 'media.pauseConsumer',
  closeConsumer: 'media.closeConsumer',
  pauseProducer: 'media.pauseProducer',
  resumeProducer: 'media.resumeProducer',
  closeProducer: 'media.closeProducer',
  // the video layers this side's own consumer forwards, and the call's quality figures for the record
  setPreferredLayers: 'media.setPreferredLayers',
  qualityReport: 'media.qualityReport',
  // whether this side's media finds a path to the SFU at all (a network that blocks it), told to the other side
  pathReport: 'media.pathReport',
  // hub → either side (notes)
  newProducer: 'media.newProducer',
  producerClosed: 'media.producerClosed',
  consumerClosed: 'media.consumerClosed',
  peerPath: 'media.peerPath',
} as const;

export const QUEUE = {
  // booth → hub (requests)
  join: 'queue.join',
  leave: 'queue.leave',
  // console → hub (requests)
  list: 'queue.list',
  claim: 'queue.claim',
  // hub → booth (notes)
  position: 'queue.position',
  claimed: 'queue.claimed',
  // hub → console (notes)
  updated: 'queue.updated',
} as const;

export const ROOM = {
  // either side → hub (request)
  leave: 'room.leave',
  // booth → hub (request): the booth came back without a session
  reset: 'session.reset',
  // console → hub (requests)
  mine: 'room.mine',
  takeOver: 'room.takeOver',
  // hub → either side (notes)
  closed: 'room.closed',
  resumed: 'room.resumed',
  peerLeft: 'room.peerLeft',
  // hub → console (notes)
  elsewhere: 'room.elsewhere',
  released: 'room.released',
  boothOffline: 'room.boothOffline',
  boothOnline: 'room.boothOnline',
  // hub → either side (note): in a network of hub nodes, the room lives on another node
  moved: 'room.moved',
} as const;

// ---- shapes shared by several messages ------------------------------------------

const Id = z.string().min(1).max(64);
const Empty = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });
export const Pharmacy = z.object({ name: z.string(), city: z.string() });
export type Pharmacy = z.infer<typeof Pharmacy>;
export const SideName = z.enum(['booth', 'specialist']);
export type SideName = z.infer<typeof SideName>;
export const MediaSource = z.enum(['camera', 'microphone', 'dermatoscope', 'otoscope', 'stethoscope']);
export type MediaSource = z.infer<typeof MediaSource>;
export const MediaKind = z.enum(['audio', 'video']);

/**
 * A mediasoup parameters object (capabilities, DTLS, RTP, ICE): mediasoup
 * validates its shape deeply on either end; here it is bounded in size and
 * must be an object, and typed as mediasoup's own type.
 */
function mediasoupObject<T>() {
  return z.custom<T>((v) => v !== null && typeof v === 'object' && !Array.isArray(v) && JSON.stringify(v).length < 32_768, 'a mediasoup parameters object under 32 KiB');
}
const RtpCapabilities = mediasoupObject<ms.RtpCapabilities>();
const RtpParameters = mediasoupObject<ms.RtpParameters>();
const DtlsParameters = mediasoupObject<ms.DtlsParameters>();
const IceParameters = mediasoupObject<ms.IceParameters>();
const IceCandidates = z.array(mediasoupObject<ms.IceCandidate>()).max(16);

/**
 * A TURN server with a short-lived credential of this side's own (the hub's
 * src/hub/turn.ts): what the page passes to its transports as `iceServers`.
 */
export const IceServer = z.object({
  urls: z.array(z.string().regex(/^turns?:/).max(300)).min(1).max(4),
  username: z.string().max(300),
  credential: z.string().max(300),
}).strict();
export type IceServer = z.infer<typeof IceServer>;

/**
 * Spatial and temporal layer counts of a scalability mode ('L3T3',
 * 'L1T3_KEY', 'S2T1'); none named: one of each. Null for anything else or
 * beyond 3 of either: what the hub accepts from a producer and what a
 * consumer may ask for are both read from it.
 */
export function parseLayers(mode: string | undefined): { spatial: number; temporal: number } | null {
  if (mode === undefined) return { spatial: 1, temporal: 1 };
  const m = /^[LS]([1-3])T([1-3])(_KEY)?(h)?$/.exec(mode);
  return m ? { spatial: Number(m[1]), temporal: Number(m[2]) } : null;
}

const LineState = z.enum(['good', 'degraded', 'audioOnly']);
const Count = z.number().int().min(0).max(10_000_000);
const Kbps = z.number().min(0).max(100_000);
const Pixels = z.number().int().min(0).max(8192).nullable();

/**
 * A call's quality as one side measured it, from its browser's own
 * statistics since its media path started: technical data for the
 * consultation's traceability (no patient data). Sent now and then during
 * the call (`media.qualityReport`), each report replacing the last.
 */
export const CallQuality = z.object({
  durationSeconds: z.number().min(0).max(86_400),
  receive: z.object({
    /** Concealed audio samples over all received samples (0..1). */
    audioConcealedRatio: z.number().min(0).max(1),
    videoFreezeCount: Count,
    videoFreezeSeconds: z.number().min(0).max(86_400),
    videoFps: z.number().min(0).max(240).nullable(),
    videoWidth: Pixels,
    videoHeight: Pixels,
    videoKbps: Kbps,
    audioKbps: Kbps,
  }).strict(),
  send: z.object({ videoKbps: Kbps, audioKbps: Kbps, videoWidth: Pixels, videoHeight: Pixels }).strict(),
  rttMs: z.number().min(0).max(60_000).nullable(),
  /** How the media travels: straight to the SFU (udp, tcp) or through the TURN server (relay over udp, tcp or tls). */
  path: z.enum(['udp', 'tcp', 'relay-udp', 'relay-tcp', 'relay-tls', 'unknown']),
  /** Seconds this side spent with the video suspended (either direction audio-only). */
  audioOnlySeconds: z.number().min(0).max(86_400),
  /** Times the video was suspended. */
  audioOnlyEpisodes: Count,
  /** The line's state when the report was made, per direction as this side sees it. */
  line: z.object({ receive: LineState, send: LineState }).strict(),
}).strict();
export type CallQuality = z.infer<typeof CallQuality>;

/** A producer of the other side, as `media.capabilities` lists it and `media.newProducer` announces it. */
export const RemoteProducer = z.object({ producerId: z.string(), kind: MediaKind, source: z.string() });
export type RemoteProducer = z.infer<typeof RemoteProducer>;

// ---- the queue ---------------------------------------------------------------------

/** What the booth tells the hub when it queues (no surname, no birth date: first name and age suffice there). */
export const QueueJoin = z.object({
  reason: z.string().max(200).optional(),
  patient: z.object({ firstName: z.string().max(60).optional(), age: z.number().int().min(0).max(130).optional() }).strict().optional(),
  pathway: Pathway.optional(),
  exceptionReason: ExceptionReason.optional(),
  sessionId: z.string().max(64).optional(),
  language: z.enum(['fr', 'en']).optional(),
  /** The pharmacist's intake as the doctor may see it; kept for the claiming doctor only, never in `queue.updated`. */
  intake: DoctorIntake.optional(),
}).strict();
export type QueueJoin = z.input<typeof QueueJoin>;

/** A waiting booth as the hub keeps it, and as consoles see it in `queue.updated`. */
export const QueueEntry = z.object({
  boothId: z.string(),
  pharmacy: Pharmacy.nullable(),
  reason: z.string().nullable(),
  firstName: z.string().nullable(),
  age: z.number().nullable(),
  /** Reimbursement pathway rule the booth recorded (parcours de soins), and its exception reason. */
  pathway: Pathway.nullable(),
  exceptionReason: ExceptionReason.nullable(),
  sessionId: z.string().nullable(),
  language: z.enum(['fr', 'en']).nullable(),
  since: z.string(),
  /** Estimated wait in minutes (computed when the queue is sent). */
  etaMinutes: z.number().optional(),
  /** The intake for the doctor who claims the booth (absent in entries restored from before it existed, and from the list every console gets). */
  intake: DoctorIntake.nullish(),
});
export type QueueEntry = z.infer<typeof QueueEntry>;

/**
 * A `queue.updated` entry as a console reads it: an entry the hub restored
 * from a state file written before a field existed lacks that field.
 */
export const WaitingBooth = QueueEntry.extend({
  pathway: Pathway.nullish(),
  exceptionReason: ExceptionReason.nullish(),
  sessionId: z.string().nullish(),
  language: z.enum(['fr', 'en']).nullish(),
  etaMinutes: z.number().nullish(),
});
export type WaitingBooth = z.infer<typeof WaitingBooth>;
export const QueueUpdated = z.object({ booths: z.array(WaitingBooth) });

export const RoomRef = z.object({ roomId: z.string(), boothId: z.string() });
export type RoomRef = z.infer<typeof RoomRef>;

// ---- requests: name → params schema and answer schema ---------------------------------

/** The media path's requests, the same for both sides. */
export const MEDIA_REQUESTS = {
  [MEDIA.capabilities]: {
    params: Empty,
    result: z.object({
      roomId: z.string(), rtpCapabilities: RtpCapabilities, producers: z.array(RemoteProducer),
      /** None when the hub has no TURN server (and from a hub older than TURN). */
      iceServers: z.array(IceServer).max(4).default([]),
    }),
  },
  [MEDIA.createTransport]: {
    params: z.object({ direction: z.enum(['send', 'recv']) }).strict(),
    result: z.object({ id: z.string(), iceParameters: IceParameters, iceCandidates: IceCandidates, dtlsParameters: DtlsParameters }),
  },
  [MEDIA.connectTransport]: {
    params: z.object({ transportId: Id, dtlsParameters: DtlsParameters }).strict(),
    result: z.object({ connected: z.literal(true) }),
  },
  [MEDIA.restartIce]: {
    params: z.object({ transportId: Id }).strict(),
    result: z.object({ iceParameters: IceParameters }),
  },
  [MEDIA.produce]: {
    params: z.object({ transportId: Id, kind: MediaKind, rtpParameters: RtpParameters, source: MediaSource.default('camera') }).strict(),
    result: z.object({ id: z.string() }),
  },
  [MEDIA.consume]: {
    params: z.object({ transportId: Id, producerId: Id, rtpCapabilities: RtpCapabilities }).strict(),
    result: z.object({ id: z.string(), producerId: z.string(), kind: MediaKind, rtpParameters: RtpParameters, source: z.string() }),
  },
  [MEDIA.resumeConsumer]: { params: z.object({ consumerId: Id }).strict(), result: Ok },
  [MEDIA.pauseConsumer]: { params: z.object({ consumerId: Id }).strict(), result: Ok },
  [MEDIA.closeConsumer]: { params: z.object({ consumerId: Id }).strict(), result: Ok },
  [MEDIA.pauseProducer]: { params: z.object({ producerId: Id }).strict(), result: Ok },
  [MEDIA.resumeProducer]: { params: z.object({ producerId: Id }).strict(), result: Ok },
  [MEDIA.closeProducer]: { params: z.object({ producerId: Id }).strict(), result: Ok },
  /** Layers of one of this side's own consumers (0-based, below what its producer announced). */
  [MEDIA.setPreferredLayers]: {
    params: z.object({ consumerId: Id, spatialLayer: z.number().int().min(0).max(15), temporalLayer: z.number().int().min(0).max(15).optional() }).strict(),
    result: Ok,
  },
  [MEDIA.qualityReport]: { params: CallQuality, result: Ok },
  /** `blocked`: none of this side's transports finds a path to the SFU (no UDP, TCP or relay); false again once one does. */
  [MEDIA.pathReport]: { params: z.object({ blocked: z.boolean() }).strict(), result: Ok },
} as const;

/** Queue and room requests of the booth (its host calls them; the kiosk's renderer never does). */
export const BOOTH_REQUESTS = {
  [QUEUE.join]: { params: QueueJoin, result: z.object({ position: z.number().int(), roomId: z.string().nullable() }) },
  [QUEUE.leave]: { params: Empty, result: Ok },
  [ROOM.reset]: { params: z.object({ reason: z.enum(['boothRestarted']) }).strict(), result: z.object({ ok: z.literal(true), roomClosed: z.boolean() }) },
  [ROOM.leave]: { params: Empty, result: Ok },
} as const;

/** Queue and room requests of the specialist's console. */
export const CONSOLE_REQUESTS = {
  [QUEUE.list]: { params: Empty, result: QueueUpdated },
  [QUEUE.claim]: { params: z.object({ boothId: Id }).strict(), result: RoomRef },
  [ROOM.mine]: { params: Empty, result: z.object({ room: RoomRef.nullable() }) },
  [ROOM.takeOver]: { params: Empty, result: RoomRef },
  [ROOM.leave]: { params: Empty, result: Ok },
} as const;

export type MediaMethod = keyof typeof MEDIA_REQUESTS;
export type BoothMethod = keyof typeof BOOTH_REQUESTS;
export type ConsoleMethod = keyof typeof CONSOLE_REQUESTS;
type Requests = typeof MEDIA_REQUESTS & typeof BOOTH_REQUESTS & typeof CONSOLE_REQUESTS;
export type RequestMethod = keyof Requests;
/** What a caller passes (defaults not yet applied). */
export type RequestParams<M extends RequestMethod> = z.input<Requests[M]['params']>;
/** What a handler receives once checked. */
export type CheckedParams<M extends RequestMethod> = z.output<Requests[M]['params']>;
export type RequestResult<M extends RequestMethod> = z.output<Requests[M]['result']>;
/** What a handler returns (the receiver checks it against the answer's schema). */
export type ResultSent<M extends RequestMethod> = z.input<Requests[M]['result']>;

/**
 * What the kiosk's renderer may ask the hub through its host: the media
 * path and nothing else (the queue and the room are the host's business).
 */
export const RELAYED_MEDIA_METHODS: ReadonlySet<string> = new Set(Object.keys(MEDIA_REQUESTS));

export function isMediaMethod(method: string): method is MediaMethod {
  return RELAYED_MEDIA_METHODS.has(method);
}

// ---- notes: name → params schema -------------------------------------------------------

export const ResumeReason = z.enum(['hubRestarted', 'mediaRestarted', 'reconnected']);
export type ResumeReason = z.infer<typeof ResumeReason>;

/**
 * `queue.position`: the booth's place, the estimate, and how many doctors have a console open
 * (0: the kiosk says no doctor is connected; absent from an older hub: unknown).
 */
export const QueuePosition = z.object({ position: z.number().int().min(0), etaMinutes: z.number().min(0).nullable(), doctorsOnline: z.number().int().min(0).optional() });
/** `queue.claimed`: who took the booth, as the hub's config names them; `photo` when their account has one. */
export const QueueClaimed = z.object({ roomId: z.string(), specialist: z.object({ name: z.string(), specialty: z.string(), photo: DoctorPhotoUrl.optional() }) });
/** `room.closed`: the call ended, and why (ended, boothLost, specialistLost, mediaLost, boothRestarted…). */
export const RoomClosed = z.object({ roomId: z.string(), reason: z.string() });
export const RoomResumed = z.object({ roomId: z.string(), reason: ResumeReason });
export const PeerLeft = z.object({ side: SideName });
/** `room.elsewhere`: another tab of this doctor holds the call (`opened`: this tab came second; `takenOver`: another tab took it). */
export const Elsewhere = RoomRef.extend({ pharmacy: Pharmacy.nullish(), reason: z.enum(['opened', 'takenOver']) });
export type Elsewhere = z.infer<typeof Elsewhere>;
/** `room.boothOffline`: the booth is away; durations as of when the hub sent it (each end counts on its own clock). */
export const BoothOffline = RoomRef.extend({ awayMs: z.number(), endsInMs: z.number() });

/**
 * `room.moved`: in a network of hub nodes a room lives on one node (its
 * mediasoup router); a side connected to another node is sent there. `url`
 * is that node's base address (http(s)://host:port), where its /booth and
 * /console answer. A booth follows only a node of its own config; a console
 * a node its page may connect to.
 */
export const RoomMoved = z.object({ roomId: z.string(), url: z.string().regex(/^https?:\/\/[^\s/?#]+$/, 'a node\'s base address, http(s)://host:port') });

/** The WebSocket address of `path` (/booth, /console) on the node at `base` (http(s)://host:port). */
export function nodeSocketUrl(base: string, path: string): string {
  const u = new URL(base);
  return `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}${path}`;
}

export const MEDIA_NOTES = {
  [MEDIA.newProducer]: RemoteProducer,
  [MEDIA.producerClosed]: z.object({ producerId: z.string() }),
  [MEDIA.consumerClosed]: z.object({ consumerId: z.string() }),
  /** `media.peerPath`: the other side's network blocks its media (or no longer does), as it reported it. */
  [MEDIA.peerPath]: z.object({ side: SideName, blocked: z.boolean() }),
  [QUEUE.position]: QueuePosition,
  [QUEUE.claimed]: QueueClaimed,
  [QUEUE.updated]: QueueUpdated,
  [ROOM.closed]: RoomClosed,
  [ROOM.resumed]: RoomResumed,
  [ROOM.peerLeft]: PeerLeft,
  [ROOM.elsewhere]: Elsewhere,
  [ROOM.released]: RoomRef,
  [ROOM.boothOffline]: BoothOffline,
  [ROOM.boothOnline]: RoomRef,
  [ROOM.moved]: RoomMoved,
} as const;

export type MediaNoteMethod = keyof typeof MEDIA_NOTES;
/** A note's params as they are sent (the hub) and as they are read once checked. */
export type MediaNoteParams<M extends MediaNoteMethod> = z.infer<(typeof MEDIA_NOTES)[M]>;
/** One checked note: narrow on `method` to get its params' type. */
export type MediaNote = { [M in MediaNoteMethod]: { method: M; params: MediaNoteParams<M> } }[MediaNoteMethod];

export function isMediaNote(method: string): method is MediaNoteMethod {
  return Object.hasOwn(MEDIA_NOTES, method);
}

/** A media, queue or room message that is not in the catalogue, or does not match its schema. */
export class MediaProtocolError extends CabineError {
  constructor(code: 'UNKNOWN_MESSAGE' | 'MALFORMED_MESSAGE', readonly method: string, detail: string) {
    super(code, {
      fr: 'Message vidéo refusé : il ne respecte pas le protocole.',
      en: 'Video message refused: it does not match the protocol.',
    }, { detail: `${method.slice(0, 64)}: ${detail.slice(0, 300)}` });
  }
}

/** Checks a note from the hub; throws a MediaProtocolError for an unknown or malformed one. */
export function parseMediaNote(method: string, params: unknown): MediaNote {
  if (!isMediaNote(method)) throw new MediaProtocolError('UNKNOWN_MESSAGE', method, 'not a media, queue or room note');
  const parsed = MEDIA_NOTES[method].safeParse(params);
  if (!parsed.success) throw new MediaProtocolError('MALFORMED_MESSAGE', method, z.prettifyError(parsed.error));
  return { method, params: parsed.data } as MediaNote;
}

/** Checks the hub's answer to a request; throws a MediaProtocolError for a malformed one. */
export function parseMediaResult<M extends RequestMethod>(method: M, answer: unknown): RequestResult<M> {
  const entry = (MEDIA_REQUESTS as Partial<Requests>)[method] ?? (BOOTH_REQUESTS as Partial<Requests>)[method] ?? (CONSOLE_REQUESTS as Partial<Requests>)[method];
  if (!entry) throw new MediaProtocolError('UNKNOWN_MESSAGE', method, 'not a media, queue or room request');
  const parsed = entry.result.safeParse(answer);
  if (!parsed.success) throw new MediaProtocolError('MALFORMED_MESSAGE', method, z.prettifyError(parsed.error));
  return parsed.data as RequestResult<M>;
}

/**
 * The kiosk's envelopes around the media path (KioskApi `mediaSignal` and the
 * `mediaNotification` event): the method is one of the catalogue's, and its
 * data must match that method's schema. The data is passed on as it came
 * (the hub applies the schema's defaults itself).
 */
const mediaMethods = Object.keys(MEDIA_REQUESTS) as [MediaMethod, ...MediaMethod[]];
const noteMethods = Object.keys(MEDIA_NOTES) as [MediaNoteMethod, ...MediaNoteMethod[]];

export const MediaSignalParams = z.object({ method: z.enum(mediaMethods), data: z.unknown() }).strict().superRefine(({ method, data }, ctx) => {
  const checked = MEDIA_REQUESTS[method].params.safeParse(data);
  if (!checked.success) ctx.addIssue({ code: 'custom', path: ['data'], message: z.prettifyError(checked.error) });
});
export type MediaSignalParams = z.infer<typeof MediaSignalParams>;

export const MediaNotification = z.object({ method: z.enum(noteMethods), data: z.unknown() }).superRefine(({ method, data }, ctx) => {
  const checked = MEDIA_NOTES[method].safeParse(data);
  if (!checked.success) ctx.addIssue({ code: 'custom', path: ['data'], message: z.prettifyError(checked.error) });
});
export type MediaNotification = z.infer<typeof MediaNotification>;
