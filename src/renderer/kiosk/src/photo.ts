/**
 * Instrument stills (dermatoscope, otoscope): the image comes from the
 * instrument's UVC camera in the renderer (the dermatoscope's HID driver
 * only knows the capture button; the otoscope has no driver). The camera is
 * opened at its native maximum ("full resolution", DESIGN §4: at least
 * 1920×1080; we ask for 4096×2160 and then the track's own maximum), one
 * frame is grabbed, sent to the host as a binary transfer (in chunks,
 * never inside a JSON message) then named by its capturePhoto call, and the
 * camera is released at once.
 *
 * While the dermatoscope or otoscope measurement is on screen, the same
 * camera also goes to the specialist as a live view (a video producer of its
 * own): see {@link openInstrument} and ConsultationScreen. The otoscope is
 * the same kind of UVC camera, its still kept with the ear.
 */
import type { KioskApi } from '../../../shared/kiosk-api';
import { uploadBinary } from './api-client';
import type { Ear } from '../../../shared/domain';
import { browserMediaDevices, openInstrumentCamera } from './media-devices';

/** The instruments whose camera takes stills. */
export type InstrumentRole = 'dermatoscope' | 'otoscope';

/** What we ask of the dermatoscope camera: the largest frame it has. */
export const FULL_RESOLUTION = { width: { ideal: 4096 }, height: { ideal: 2160 } } as const;

/**
 * Opens the instrument camera kiosk-config names (`media.dermatoscope`,
 * `media.otoscope`; MediaDeviceMissing when it is absent: never another
 * camera) at its native maximum: the ideal 4096×2160, then raised to what
 * `getCapabilities()` says the sensor can do if the browser settled lower.
 */
export async function openInstrument(api: KioskApi, role: InstrumentRole): Promise<MediaStream> {
  const { media } = await api.getSettings({});
  const stream = await openInstrumentCamera(role, media, FULL_RESOLUTION, browserMediaDevices());
  const track = stream.getVideoTracks()[0];
  const caps = track?.getCapabilities?.();
  const settings = track?.getSettings();
  if (track && caps?.width?.max && caps.height?.max && settings
    && ((settings.width ?? 0) < caps.width.max || (settings.height ?? 0) < caps.height.max)) {
    await track.applyConstraints({ width: { ideal: caps.width.max }, height: { ideal: caps.height.max } }).catch(() => undefined);
  }
  return stream;
}

/** The dermatoscope's camera at its native maximum (see {@link openInstrument}). */
export function openDermatoscope(api: KioskApi): Promise<MediaStream> {
  return openInstrument(api, 'dermatoscope');
}

export interface CaptureOptions {
  /** Where on the body (the specialist's request): kept with the photo. */
  bodySite?: string;
  /** An already open instrument stream (the live view's): used and left open. */
  stream?: MediaStream;
}

/** One full-resolution frame of `stream` as a JPEG, with its size. */
async function grabStill(stream: MediaStream): Promise<{ bytes: Uint8Array; width: number; height: number }> {
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  await video.play();
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth || 640;
  canvas.height = video.videoHeight || 480;
  canvas.getContext('2d')!.drawImage(video, 0, 0, canvas.width, canvas.height);
  video.srcObject = null;
  const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('no image'))), 'image/jpeg', 0.92));
  return { bytes: new Uint8Array(await blob.arrayBuffer()), width: canvas.width, height: canvas.height };
}

export async function captureDermatoscopePhoto(api: KioskApi, options: CaptureOptions = {}): Promise<string> {
  const stream = options.stream ?? await openDermatoscope(api);
  try {
    const { bytes, width, height } = await grabStill(stream);
    const { uploadId } = await uploadBinary(api, 'image/jpeg', bytes);
    const { photoId } = await api.capturePhoto({
      width, height, polarisation: 'polarised',
      ...(options.bodySite ? { bodySite: options.bodySite.slice(0, 120) } : {}),
      uploadId,
    });
    return photoId;
  } finally {
    if (!options.stream) for (const track of stream.getTracks()) track.stop();
  }
}

/** An otoscope still of `ear`, at the camera's full resolution, stored by the host as the otoscope's. */
export async function captureOtoscopePhoto(api: KioskApi, options: { ear?: Ear; stream?: MediaStream } = {}): Promise<string> {
  const stream = options.stream ?? await openInstrument(api, 'otoscope');
  try {
    const { bytes, width, height } = await grabStill(stream);
    const { uploadId } = await uploadBinary(api, 'image/jpeg', bytes);
    const { photoId } = await api.capturePhoto({
      width, height, polarisation: 'none', modality: 'otoscope', ...(options.ear ? { ear: options.ear } : {}), uploadId,
    });
    return photoId;
  } finally {
    if (!options.stream) for (const track of stream.getTracks()) track.stop();
  }
}
