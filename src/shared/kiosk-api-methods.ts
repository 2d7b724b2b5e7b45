/**
 * The names of the KioskApi requests, with no dependency, so that the preload
 * (bundled to CommonJS, sandboxed) can expose exactly these and nothing else.
 * `src/shared/kiosk-api.ts` holds their schemas; a test keeps both in step.
 */
export const KIOSK_METHODS = [
  'getSnapshot',
  'getSettings',
  'sendEvent',
  'requestMeasurement',
  'assistantLogin',
  'assistantLogout',
  'mediaSignal',
  'capturePhoto',
  'getPhoto',
  'assistantSetIdentity',
  'assistantIntake',
  'assistantAction',
  'assistantIncidents',
  'getPrescription',
  'reprintPrescription',
  'assistantAlert',
  'binaryBegin',
  'binaryChunk',
  'binaryEnd',
  'clipState',
  'saveClip',
  'saveExamVideo',
  'reportInstrumentCamera',
] as const;
export type KioskMethod = (typeof KIOSK_METHODS)[number];

/** The one method whose call carries raw bytes beside its params (a chunk of a binary transfer). */
export const KIOSK_CHUNK_METHOD = 'binaryChunk' satisfies KioskMethod;

export const KIOSK_EVENTS = [
  'snapshot',
  'reading',
  'deviceStatus',
  'networkStatus',
  'updateStatus',
  'incident',
  'mediaNotification',
  'clipCommand',
] as const;
export type KioskEventName = (typeof KIOSK_EVENTS)[number];

/** IPC channel names (Electron transport): the only two. */
export const IPC_CHANNELS = { call: 'cabine:kiosk-call', event: 'cabine:kiosk-event' } as const;

/** The one subprotocol of the WebSocket transport; the secret travels as a second one. */
export const WS_PROTOCOL = 'cabine.kiosk.v1';
export const WS_SECRET_PREFIX = 'secret.';
