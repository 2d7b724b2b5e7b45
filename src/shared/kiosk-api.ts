/**
 * KioskApi: the one contract between the kiosk renderer and the host
 * (DESIGN §2). Two transports carry it — Electron IPC and a loopback
 * WebSocket — and both validate every message on arrival with these schemas.
 */
import { z } from 'zod';
import { PrescriptionItem } from './consult-protocol';
import { DeviceStatus, Ear, MeasurementKind, PhotoModality, Reading } from './domain';
import { BinaryBegin, BinaryChunkHeader, BinaryEnd, MAX_PHOTO_BYTES, PHOTO_CONTENT_TYPES } from './binary-transfer';
import { ClipFailureCode, ClipRequested } from './clip-protocol';
import { ApiValidationError, type LocalisedMessage } from './errors';
import { KIOSK_CHUNK_METHOD, KIOSK_EVENTS, KIOSK_METHODS, type KioskEventName, type KioskMethod } from './kiosk-api-methods';
import { Intake } from './intake';
import { Identity, SessionUiEvent, SessionView } from './session-view';
import { MediaNotification, MediaSignalParams } from './media-protocol';
import { MediaSelection } from './media-devices';
import { MAX_VIDEO_BYTES, MAX_VIDEO_MS } from './case-record';

export { KIOSK_CHUNK_METHOD, KIOSK_EVENTS, KIOSK_METHODS, type KioskEventName, type KioskMethod };

const Empty = z.object({}).strict();

/** Dermatoscope stills travel as a binary transfer (binaryBegin/Chunk/End), never inside a JSON message; capped. */
export { MAX_PHOTO_BYTES, PHOTO_CONTENT_TYPES };
/** Largest binary transfer the host accepts from the kiosk for a still or a clip; an exam video may reach MAX_VIDEO_BYTES. */
export const MAX_UPLOAD_BYTES = MAX_PHOTO_BYTES;
export { MAX_VIDEO_BYTES, MAX_VIDEO_MS };

export const Incident = z.object({
  code: z.string(),
  message: z.object({ fr: z.string(), en: z.string() }),
  at: z.string(),
});

/** The session's prescription as the kiosk shows it (wrap-up): kept by the host for the session only. */
export const PrescriptionView = z.object({
  number: z.string(),
  issuedAt: z.string(),
  prescriber: z.object({ name: z.string(), specialty: z.string() }),
  items: z.array(PrescriptionItem),
  instructions: z.string(),
  /** The QR code as an SVG document rendered by the host (quiet zone included). */
  qrSvg: z.string().max(200_000),
  /** Printed by the pharmacy's printer, or saved to a session-only file. */
  pdf: z.object({ printed: z.boolean(), file: z.string().optional() }),
});

export const kioskRequests = {
  getSnapshot: { params: Empty, result: SessionView },
  /**
   * What the kiosk takes from kiosk-config: the screen's diagonal (it sizes
   * text and targets from it), how long the inactivity prompt lasts before
   * the wipe (its countdown), and which camera and microphone play which
   * part (`media`: the page opens them).
   */
  getSettings: {
    params: Empty,
    result: z.object({ screenDiagonalInches: z.number().positive(), inactivityWipeSeconds: z.number().int().positive(), media: MediaSelection }),
  },
  /** `screen`: `screenOf` the view the tap was made on; a screen tap (SCREEN_TAPS) made on a screen the session has left is not applied. */
  sendEvent: { params: z.object({ event: SessionUiEvent, screen: z.string().max(300).optional() }).strict(), result: z.object({ accepted: z.boolean() }) },
  requestMeasurement: {
    params: z.object({ kind: MeasurementKind }).strict(),
    result: z.object({ accepted: z.boolean() }),
  },
  assistantLogin: {
    params: z.object({ pin: z.string().regex(/^\d{4,8}$/, 'a PIN of 4 to 8 digits') }).strict(),
    result: z.object({ ok: z.boolean(), triesLeft: z.number().int(), lockedUntil: z.string().nullable() }),
  },
  assistantLogout: { params: Empty, result: z.object({ ok: z.boolean() }) },
  /** Renderer signaling for mediasoup, relayed by the host to the hub (DESIGN §6). */
  mediaSignal: {
    params: MediaSignalParams,
    // The hub's answer, checked against the method's schema by the renderer's media session.
    result: z.unknown(),
  },
  /**
   * The binary call: declare a transfer (refused at once above MAX_UPLOAD_BYTES),
   * send its chunks in order — each chunk's bytes travel beside its params,
   * never in JSON — then close it; the upload id names the bytes for the one
   * call that uses them (capturePhoto).
   */
  binaryBegin: { params: BinaryBegin, result: z.object({ chunkBytes: z.number().int().positive() }) },
  binaryChunk: { params: BinaryChunkHeader, result: z.object({ received: z.number().int().positive() }) },
  binaryEnd: { params: BinaryEnd, result: z.object({ uploadId: z.uuid(), byteLength: z.number().int().positive() }) },
  capturePhoto: {
    params: z.object({
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      polarisation: z.enum(['none', 'polarised', 'uv']),
      bodySite: z.string().max(120).optional(),
      /** Whose camera took it; absent: the dermatoscope's. */
      modality: PhotoModality.optional(),
      /** An otoscope still's ear (else the measurement's). */
      ear: Ear.optional(),
      /** A closed binary transfer of an image/jpeg or image/png: used once. */
      uploadId: z.uuid(),
    }).strict(),
    result: z.object({ photoId: z.string() }),
  },
  /**
   * The renderer looked for an instrument's camera kiosk-config names (the
   * otoscope: a UVC camera no driver sees): found or not, with the label the
   * browser lists. The host lists it among the devices. `accepted: false`
   * when kiosk-config names no such camera.
   */
  reportInstrumentCamera: {
    params: z.object({ role: z.literal('otoscope'), present: z.boolean(), label: z.string().max(200).optional() }).strict(),
    result: z.object({ accepted: z.boolean() }),
  },
  getPhoto: {
    params: z.object({ photoId: z.string().min(1) }).strict(),
    result: z.object({ mime: z.string(), data: z.string() }),
  },
  /**
   * The kiosk's answer to a `clipCommand`: `recording` once the stethoscope
   * is open and capturing, `failed` when it could not start or stopped
   * before the end (the clip is then not sent). `ok: false`: the host no
   * longer waits for that clip.
   */
  clipState: {
    params: z.discriminatedUnion('state', [
      z.object({ state: z.literal('recording'), requestId: z.uuid() }).strict(),
      z.object({ state: z.literal('failed'), requestId: z.uuid(), code: z.enum(['NO_STETHOSCOPE', ...ClipFailureCode.options]) }).strict(),
    ]),
    result: z.object({ ok: z.boolean() }),
  },
  /** A whole clip: a closed binary transfer of an audio/wav (16-bit PCM), used once; stored sealed and queued for the hub. */
  saveClip: { params: z.object({ requestId: z.uuid(), uploadId: z.uuid() }).strict(), result: z.object({ clipId: z.uuid() }) },
  /**
   * The exam's video, kept by the patient after the replay: a closed binary
   * transfer of a video/webm (at most MAX_VIDEO_BYTES, MAX_VIDEO_MS long),
   * used once; stored sealed and queued for the hub. Refused (VIDEO_TOO_LARGE,
   * VIDEO_REFUSED, NOT_IN_EXAM) in words the patient can act on.
   */
  saveExamVideo: {
    params: z.object({
      uploadId: z.uuid(),
      durationMs: z.number().int().positive().max(MAX_VIDEO_MS + 1_000),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
    }).strict(),
    result: z.object({ videoId: z.uuid() }),
  },
  /** Assistant panel (after assistantLogin): the patient's identity, typed by the pharmacist. */
  assistantSetIdentity: { params: z.object({ identity: Identity }).strict(), result: z.object({ accepted: z.boolean() }) },
  /**
   * Assistant panel: the pharmacist's intake (identity traits, reason,
   * pathway, GP), at the identity step or in the waiting room. Refused with
   * INVALID_INTAKE (each problem in words) when a check fails, e.g. a birth
   * date after today; `accepted: false` when the session is elsewhere.
   */
  assistantIntake: { params: z.object({ intake: Intake }).strict(), result: z.object({ accepted: z.boolean() }) },
  /** Assistant panel: start or repeat a measurement, skip a faulty device, restart or end the session. */
  assistantAction: {
    params: z.discriminatedUnion('action', [
      z.object({ action: z.literal('start-measurement'), kind: MeasurementKind }).strict(),
      z.object({ action: z.literal('repeat-measurement') }).strict(),
      z.object({ action: z.literal('skip-device') }).strict(),
      z.object({ action: z.literal('restart-session') }).strict(),
      z.object({ action: z.literal('end-session') }).strict(),
    ]),
    result: z.object({ accepted: z.boolean() }),
  },
  /** Assistant panel: the last incidents (device, store, network), newest first. */
  assistantIncidents: { params: Empty, result: z.object({ incidents: z.array(Incident) }) },
  /** The prescription of this session (null when the specialist made none). */
  getPrescription: { params: Empty, result: z.object({ prescription: PrescriptionView.nullable() }) },
  /** Prints the session's prescription again ("Imprimer à nouveau"). */
  reprintPrescription: { params: Empty, result: z.object({ printed: z.boolean() }) },
  /**
   * Assistant panel: the pharmacist at the booth acknowledges the raised alert
   * ("Je m'en occupe"), then resolves it. `alertId` names the alert answered
   * (refused if another one is current); without it, the current one.
   */
  assistantAlert: {
    params: z.object({ action: z.enum(['acknowledge', 'resolve']), alertId: z.string().min(1).max(64).optional() }).strict(),
    result: z.object({ accepted: z.boolean() }),
  },
} as const satisfies Record<KioskMethod, { params: z.ZodType; result: z.ZodType }>;

export const NetworkStatus = z.object({
  hub: z.enum(['online', 'connecting', 'offline']),
  pendingOutbox: z.number().int().min(0),
});
export const UpdateStatus = z.object({
  state: z.enum(['idle', 'checking', 'downloading', 'ready', 'installing', 'error']),
  currentVersion: z.string(),
  availableVersion: z.string().nullable(),
  message: z.string().optional(),
});

export const kioskEvents = {
  snapshot: SessionView,
  reading: Reading,
  deviceStatus: DeviceStatus,
  networkStatus: NetworkStatus,
  updateStatus: UpdateStatus,
  incident: Incident,
  mediaNotification: MediaNotification,
  /** The doctor asks for a stethoscope clip: record it now (whatever the screen shows). */
  clipCommand: ClipRequested,
} as const satisfies Record<KioskEventName, z.ZodType>;

export type Params<M extends KioskMethod> = z.input<(typeof kioskRequests)[M]['params']>;
export type Result<M extends KioskMethod> = z.output<(typeof kioskRequests)[M]['result']>;
export type EventData<E extends KioskEventName> = z.output<(typeof kioskEvents)[E]>;
export type KioskEvent = { [E in KioskEventName]: { name: E; data: EventData<E> } }[KioskEventName];

/** What travels beside a method's params: raw bytes for a chunk, nothing otherwise. */
export type Body<M extends KioskMethod> = M extends typeof KIOSK_CHUNK_METHOD ? [bytes: Uint8Array] : [];

/** What the renderer sees, whatever the transport. */
export type KioskApi = { [M in KioskMethod]: (params: Params<M>, ...body: Body<M>) => Promise<Result<M>> } & {
  onEvent(listener: (event: KioskEvent) => void): () => void;
};

/** What the host implements. */
export type KioskHandlers = {
  [M in KioskMethod]: (params: z.output<(typeof kioskRequests)[M]['params']>, ...body: Body<M>) => Promise<Result<M>> | Result<M>;
};

/** The error shape that crosses a transport. */
export interface WireError {
  code: string;
  message: string;
  userMessage?: LocalisedMessage;
}

export function isKioskMethod(name: unknown): name is KioskMethod {
  return typeof name === 'string' && (KIOSK_METHODS as readonly string[]).includes(name);
}

/** Validates a request's method and params; throws ApiValidationError. */
export function validateRequest<M extends KioskMethod>(method: unknown, params: unknown): { method: M; params: z.output<(typeof kioskRequests)[M]['params']> } {
  if (!isKioskMethod(method)) {
    throw new ApiValidationError(`unknown method ${typeof method === 'string' ? JSON.stringify(method.slice(0, 64)) : `of type ${typeof method}`}`);
  }
  const parsed = kioskRequests[method].params.safeParse(params);
  if (!parsed.success) throw new ApiValidationError(`${method}: ${z.prettifyError(parsed.error)}`, parsed.error);
  return { method: method as M, params: parsed.data as z.output<(typeof kioskRequests)[M]['params']> };
}

/** Validates an event on arrival in the renderer; throws ApiValidationError. */
export function validateEvent(name: unknown, data: unknown): KioskEvent {
  if (typeof name !== 'string' || !(KIOSK_EVENTS as readonly string[]).includes(name)) {
    throw new ApiValidationError(`unknown event ${typeof name === 'string' ? JSON.stringify(name.slice(0, 64)) : `of type ${typeof name}`}`);
  }
  const parsed = kioskEvents[name as KioskEventName].safeParse(data);
  if (!parsed.success) throw new ApiValidationError(`${name}: ${z.prettifyError(parsed.error)}`, parsed.error);
  return { name, data: parsed.data } as KioskEvent;
}

/** The WebSocket transport's envelopes. */
export const WsClientMessage = z.object({
  kind: z.literal('request'),
  id: z.number().int().nonnegative(),
  method: z.string(),
  params: z.unknown(),
}).strict();
export type WsClientMessage = z.infer<typeof WsClientMessage>;

export type WsServerMessage =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number | null; ok: false; error: WireError }
  | { kind: 'event'; name: KioskEventName; data: unknown };
