/**
 * Opens the camera and microphone kiosk-config names for each part (its
 * `media` section, from getSettings; the choice is src/shared/media-devices.ts):
 * the call's own, and an instrument's camera such as the dermatoscope's. A
 * configured device that is absent opens nothing: the screen says which one
 * is missing instead of showing the wrong camera to the doctor.
 */
import { CabineError } from '../../../shared/errors';
import { STETHOSCOPE_ERROR_WORDING } from '../../../shared/auscultation';
import { MEDIA_ROLE_KIND, pickDevice, type MediaDeviceFailure, type MediaDeviceLike, type MediaRole, type MediaSelection } from '../../../shared/media-devices';

/** The part of `navigator.mediaDevices` used here (the page passes it; tests a stand-in). */
export interface MediaDevicesLike<S extends { getTracks(): { stop(): void }[] }> {
  enumerateDevices(): Promise<MediaDeviceLike[]>;
  getUserMedia(constraints: MediaStreamConstraints): Promise<S>;
}

const ROLE_NAME: Record<MediaRole, { fr: string; en: string }> = {
  patientCamera: { fr: 'la caméra de la cabine', en: "the booth's camera" },
  patientMicrophone: { fr: 'le micro de la cabine', en: "the booth's microphone" },
  dermatoscope: { fr: 'la caméra du dermatoscope', en: "the dermatoscope's camera" },
  otoscope: { fr: 'la caméra de l’otoscope', en: "the otoscope's camera" },
  stethoscope: { fr: 'le stéthoscope', en: 'the stethoscope' },
};

/** The configured device of a role is not there (or not configured, or not told apart from another): nothing was opened. */
export class MediaDeviceMissing extends CabineError {
  constructor(readonly failure: MediaDeviceFailure) {
    const name = ROLE_NAME[failure.role];
    // Labels only (what the pharmacist can compare with kiosk-config), never device ids.
    const detail = failure.code === 'MEDIA_DEVICE_NOT_FOUND' ? `seen: ${failure.seen.map((l) => JSON.stringify(l)).join(', ') || 'none'}`
      : failure.code === 'MEDIA_DEVICE_AMBIGUOUS' ? `matched: ${failure.matched.map((l) => JSON.stringify(l)).join(', ')}`
        : `kiosk-config media.${failure.role} is not set`;
    super(failure.code, {
      fr: `Introuvable : ${name} (kiosk-config media.${failure.role}).`,
      en: `Not found: ${name} (kiosk-config media.${failure.role}).`,
    }, { detail });
  }
}

/** The devices of one kind with their labels: a page that has not opened a device yet gets them blank, so one is opened and released first. */
async function listWithLabels<S extends { getTracks(): { stop(): void }[] }>(md: MediaDevicesLike<S>, kind: 'videoinput' | 'audioinput'): Promise<MediaDeviceLike[]> {
  const listed = await md.enumerateDevices();
  if (!listed.some((d) => d.kind === kind && d.label === '')) return listed;
  const probe = await md.getUserMedia(kind === 'videoinput' ? { video: true } : { audio: true });
  for (const track of probe.getTracks()) track.stop();
  return md.enumerateDevices();
}

/** The id of the role's configured device, null for the browser's default; throws MediaDeviceMissing. */
async function deviceIdFor<S extends { getTracks(): { stop(): void }[] }>(role: MediaRole, selection: MediaSelection, md: MediaDevicesLike<S>): Promise<string | null> {
  const selector = selection[role];
  const pick = pickDevice(selector ? await listWithLabels(md, MEDIA_ROLE_KIND[role]) : [], selector, role);
  if (!pick.ok) throw new MediaDeviceMissing(pick);
  return pick.device?.deviceId ?? null;
}

/** The call's camera and microphone: those kiosk-config names, else the default ones (as every call did before roles were named). */
export async function openPatientMedia<S extends { getTracks(): { stop(): void }[] }>(selection: MediaSelection, md: MediaDevicesLike<S>): Promise<S> {
  const camera = await deviceIdFor('patientCamera', selection, md);
  const microphone = await deviceIdFor('patientMicrophone', selection, md);
  return md.getUserMedia({
    audio: microphone ? { deviceId: { exact: microphone } } : true,
    video: { ...(camera ? { deviceId: { exact: camera } } : {}), width: 640, height: 480 },
  });
}

/** An instrument's camera (the dermatoscope's, the otoscope's), with `video` constraints beside its id; never another camera. */
export async function openInstrumentCamera<S extends { getTracks(): { stop(): void }[] }>(
  role: 'dermatoscope' | 'otoscope', selection: MediaSelection, video: MediaTrackConstraints, md: MediaDevicesLike<S>,
): Promise<S> {
  const id = await deviceIdFor(role, selection, md);
  return md.getUserMedia({ video: { ...(id ? { deviceId: { exact: id } } : {}), ...video } });
}

declare global {
  interface Window {
    /**
     * Test seam: a generated source (a canvas's `captureStream`) in place of
     * the camera with this device id, or null for the real one. Chromium
     * serves one file-fed fake camera to every device it fakes, so a test
     * that needs each instrument's own scene (an eardrum for the otoscope)
     * puts it here from its init script; the booth never sets it.
     */
    __cabineCameraSource?: (deviceId: string, video: MediaTrackConstraints) => MediaStream | null;
  }
}

function exactDeviceId(video: MediaStreamConstraints['video']): string | null {
  if (!video || video === true) return null;
  const id = video.deviceId;
  if (typeof id === 'string') return id;
  if (id && !Array.isArray(id) && typeof id === 'object' && typeof id.exact === 'string') return id.exact;
  return null;
}

/** The page's `navigator.mediaDevices`, through the test seam above (a camera's id a test replaced opens its generated source). */
export function browserMediaDevices(): MediaDevicesLike<MediaStream> {
  const md = navigator.mediaDevices;
  return {
    enumerateDevices: () => md.enumerateDevices(),
    getUserMedia: async (constraints) => {
      const id = exactDeviceId(constraints.video);
      const injected = id && typeof constraints.video === 'object' ? window.__cabineCameraSource?.(id, constraints.video) : null;
      return injected ?? md.getUserMedia(constraints);
    },
  };
}

/**
 * Whether the camera kiosk-config names for `role` is there now, with its
 * label; null when kiosk-config names none (the booth has no such
 * instrument). Nothing stays open.
 */
export async function findInstrumentCamera<S extends { getTracks(): { stop(): void }[] }>(
  role: 'dermatoscope' | 'otoscope', selection: MediaSelection, md: MediaDevicesLike<S>,
): Promise<{ present: boolean; label?: string } | null> {
  const selector = selection[role];
  if (!selector) return null;
  const pick = pickDevice(await listWithLabels(md, MEDIA_ROLE_KIND[role]), selector, role);
  return pick.ok && pick.device ? { present: true, label: pick.device.label } : { present: false };
}

/** The browser opened another microphone than the configured stethoscope (its device id now names another device): nothing is sent. */
export class StethoscopeWrongDevice extends CabineError {
  constructor(label: string) {
    super('STETHOSCOPE_WRONG_DEVICE', STETHOSCOPE_ERROR_WORDING.STETHOSCOPE_WRONG_DEVICE, { detail: `opened: ${JSON.stringify(label)}` });
  }
}

/**
 * What the stethoscope is opened with. NOTE: echo cancellation, noise
 * suppression and automatic gain control are built for speech and take away
 * the low band where S1 and S2 lie (20–200 Hz); two channels keep the
 * device's own capture (and let Opus encode in stereo, not in voice mode).
 */
export const STETHOSCOPE_AUDIO: MediaTrackConstraints = {
  echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 2, sampleRate: 48_000,
};

/**
 * The stethoscope kiosk-config names (`media.stethoscope`, a USB audio-class
 * input), never another microphone: not configured, absent or ambiguous
 * throws MediaDeviceMissing; a device the browser opened under its id that
 * does not match the selector is stopped and refused (StethoscopeWrongDevice).
 */
export async function openStethoscope<S extends { getTracks(): { stop(): void }[]; getAudioTracks(): { label: string; stop(): void }[] }>(
  selection: MediaSelection, md: MediaDevicesLike<S>, audio: MediaTrackConstraints = STETHOSCOPE_AUDIO,
): Promise<S> {
  const id = await deviceIdFor('stethoscope', selection, md);
  const stream = await md.getUserMedia({ audio: { deviceId: { exact: id! }, ...audio }, video: false });
  const track = stream.getAudioTracks()[0];
  const selector = selection.stethoscope!;
  const label = track?.label ?? '';
  const pick = pickDevice([{ deviceId: 'opened', kind: 'audioinput', label }], selector, 'stethoscope');
  if (!track || !pick.ok) {
    for (const t of stream.getTracks()) t.stop();
    throw new StethoscopeWrongDevice(label);
  }
  return stream;
}
