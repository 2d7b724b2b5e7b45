/**
 * Every KioskApi handler of the host: what the kiosk and the assistant panel
 * may ask, each answered through the session, the devices, the store's
 * writer, the media relay or the consultation. The transports reach these
 * only through `createDispatcher` (validated on arrival).
 */
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import type { Driver } from '../../devices/contracts';
import { ApiRequestError } from '../shared/errors';
import { acceptIntake } from '../shared/intake';
import { CLIP_CONTENT_TYPES } from '../shared/binary-transfer';
import { VIDEO_CONTENT_TYPES } from '../shared/case-record';
import { PHOTO_CONTENT_TYPES, type KioskHandlers } from '../shared/kiosk-api';
import type { MediaSelection } from '../shared/media-devices';
import { SCREEN_TAPS, screenOf } from '../shared/session-view';
import { EAR_WORDING } from '../shared/wording';
import type { AssistantAuth } from './assistant-auth';
import type { CaptureButton } from './capture-button';
import type { BoothClips } from './clips';
import type { BoothConsult } from './consult';
import type { BoothExam } from './exam';
import type { DeviceManager } from './devices';
import type { IncidentLog } from './incidents';
import type { InstrumentCameras } from './instrument-cameras';
import { KioskUploads } from './kiosk-uploads';
import type { MediaRelay } from './media-relay';
import type { HostSession } from './session';
import type { PhotoInput } from './store/store';

/** What the handlers act on: the host's parts, each by its own narrow face. */
export interface KioskHandlerPorts {
  session: HostSession;
  devices: Pick<DeviceManager, 'measure' | 'driverFor'>;
  assistantAuth: Pick<AssistantAuth, 'login'>;
  media: Pick<MediaRelay, 'signal'>;
  consult: Pick<BoothConsult, 'prescription' | 'reprint'>;
  clips: Pick<BoothClips, 'state' | 'save'>;
  /** A forwarded case's exam: the patient's video. */
  exam: Pick<BoothExam, 'saveVideo'>;
  incidents: Pick<IncidentLog, 'list'>;
  /** What the kiosk takes from kiosk-config (`kiosk.screenDiagonalInches`, `session.wipeAfterPromptSeconds`, `media`). */
  settings: { screenDiagonalInches: number; inactivityWipeSeconds: number; media: MediaSelection };
  /** The instrument cameras the renderer looks for (the otoscope). */
  cameras: Pick<InstrumentCameras, 'report' | 'info'>;
  /** Stores a photo (sealed chunks, queued for the hub); resolves once it is on disk. */
  recordPhoto(photo: PhotoInput): Promise<void>;
  now(): number;
  log: Logger;
}

function notAvailable(what: string): never {
  throw new ApiRequestError('NOT_AVAILABLE', {
    fr: `Cette fonction n'est pas encore disponible sur cette cabine (${what}).`,
    en: `This function is not available on this booth yet (${what}).`,
  });
}

export function createKioskHandlers(ports: KioskHandlerPorts): KioskHandlers {
  const { session, devices, assistantAuth, media, consult, log } = ports;
  const sendHostEvent = session.send;
  // The kiosk's binary call: stills and clips arrive here in chunks before capturePhoto or saveClip takes them.
  const uploads = new KioskUploads();

  const requireAssistant = (): void => {
    if (session.assistantOn()) return;
    throw new ApiRequestError('ASSISTANT_REQUIRED', {
      fr: 'Réservé au pharmacien : entrez d’abord le code du mode assistant.',
      en: 'For the pharmacist only: enter the assistant mode PIN first.',
    });
  };

  return {
    getSnapshot: () => session.view(),
    getSettings: () => ports.settings,
    sendEvent: ({ event, screen }) => {
      if (screen !== undefined && SCREEN_TAPS.has(event.type) && screen !== screenOf(session.view())) {
        log.info({ event: event.type }, 'a tap made on a screen the session has left is not applied');
        return { accepted: false };
      }
      return { accepted: session.send(event) };
    },
    requestMeasurement: ({ kind }) => devices.measure(kind),
    assistantLogin: async ({ pin }) => {
      const result = await assistantAuth.login(pin);
      log.info({ ok: result.ok, triesLeft: result.triesLeft, locked: result.lockedUntil !== null }, 'assistant login');
      if (result.ok) sendHostEvent({ type: 'ASSISTANT_LOGIN' });
      return result;
    },
    assistantLogout: () => {
      sendHostEvent({ type: 'ASSISTANT_LOGOUT' });
      return { ok: true };
    },
    assistantSetIdentity: ({ identity }) => {
      requireAssistant();
      return { accepted: sendHostEvent({ type: 'SET_IDENTITY', identity }) };
    },
    assistantIntake: ({ intake }) => {
      requireAssistant();
      const checked = acceptIntake(intake, { now: ports.now });
      if (!checked.ok) throw new ApiRequestError('INVALID_INTAKE', checked.message);
      // The PIN is shared by the pharmacy's staff: the booth's intake names no one.
      return { accepted: sendHostEvent({ type: 'SET_INTAKE', intake: checked.intake, by: { via: 'booth' } }) };
    },
    assistantAction: (params) => {
      requireAssistant();
      switch (params.action) {
        case 'start-measurement':
          return { accepted: sendHostEvent({ type: 'ASSISTANT_START_MEASUREMENT', kind: params.kind }) };
        case 'repeat-measurement': {
          const kind = session.context().measurement?.kind;
          return { accepted: kind ? sendHostEvent({ type: 'ASSISTANT_START_MEASUREMENT', kind }) : false };
        }
        case 'skip-device':
          return { accepted: sendHostEvent({ type: 'ASSISTANT_SKIP_DEVICE' }) };
        case 'restart-session':
          return { accepted: sendHostEvent({ type: 'ASSISTANT_RESTART' }) };
        case 'end-session':
          return { accepted: sendHostEvent({ type: 'ASSISTANT_END' }) };
      }
    },
    assistantAlert: ({ action, alertId }) => {
      requireAssistant();
      // NOTE: the PIN is shared by the pharmacy's staff: it names no one. The counter page will name who.
      const by = { via: 'booth' as const };
      const event = action === 'acknowledge'
        ? { type: 'ALERT_ACKNOWLEDGED' as const, by, ...(alertId ? { alertId } : {}) }
        : { type: 'ALERT_RESOLVED' as const, by, ...(alertId ? { alertId } : {}) };
      return { accepted: sendHostEvent(event) };
    },
    assistantIncidents: () => {
      requireAssistant();
      return { incidents: ports.incidents.list() };
    },
    mediaSignal: ({ method, data }) => media.signal(method, data),
    ...uploads.handlers(),
    reportInstrumentCamera: ({ present, label }) => ports.cameras.report(present, label),
    capturePhoto: async (params) => {
      const { contentType: mime, bytes } = uploads.take(params.uploadId, PHOTO_CONTENT_TYPES);
      const photoId = uuidv7();
      if (params.modality === 'otoscope') {
        // The ear is the body site: coded for the record, in French words for whoever reads the site alone.
        const ear = params.ear ?? session.context().measurement?.ear ?? undefined;
        const device = ports.cameras.info();
        await ports.recordPhoto({
          id: photoId, sessionId: session.view().sessionId, mime, width: params.width, height: params.height,
          takenAt: new Date(ports.now()).toISOString(), polarisation: 'none', modality: 'otoscope',
          ...(ear ? { ear, bodySite: EAR_WORDING[ear].fr } : {}), ...(device ? { device } : {}), bytes,
        });
        sendHostEvent({ type: 'PHOTO_CAPTURED', photoId });
        return { photoId };
      }
      const dermDriver = devices.driverFor('dermatoscope-photo');
      const derm = dermDriver?.status().info;
      // The lighting mode the instrument reports wins over the renderer's guess; the requested body site fills a blank one.
      const lighting = dermDriver as (Driver & Partial<CaptureButton>) | undefined;
      const polarisation = typeof lighting?.polarisation === 'function' && ['ready', 'measuring'].includes(lighting.status().state) ? lighting.polarisation() : params.polarisation;
      const bodySite = params.bodySite ?? session.context().measurement?.bodySite ?? undefined;
      // Written before it is shown (DESIGN §4); then the session moves on.
      await ports.recordPhoto({
        id: photoId, sessionId: session.view().sessionId, mime, width: params.width, height: params.height,
        takenAt: new Date(ports.now()).toISOString(), polarisation,
        ...(bodySite ? { bodySite } : {}), ...(derm ? { device: derm } : {}), bytes,
      });
      sendHostEvent({ type: 'PHOTO_CAPTURED', photoId });
      return { photoId };
    },
    getPhoto: () => notAvailable('dermatoscope'),
    clipState: (params) => ports.clips.state(params),
    saveClip: ({ requestId, uploadId }) => ports.clips.save(requestId, uploads.take(uploadId, CLIP_CONTENT_TYPES)),
    saveExamVideo: ({ uploadId, ...params }) => ports.exam.saveVideo(params, uploads.take(uploadId, VIDEO_CONTENT_TYPES)),
    getPrescription: () => ({ prescription: consult.prescription() }),
    reprintPrescription: () => consult.reprint(),
  };
}
