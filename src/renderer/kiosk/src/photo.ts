/**
 * Dermatoscope still: the image comes from the dermatoscope's UVC camera in
 * the renderer (the HID driver only knows the capture button). One frame is
 * grabbed, sent to the host through its own capturePhoto call (never inside
 * another message), and the camera is released at once.
 */
import type { KioskApi } from '../../../shared/kiosk-api';

/** The dermatoscope camera if its label says so, else the first camera. */
async function dermatoscopeConstraints(): Promise<MediaStreamConstraints> {
  try {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const derm = devices.find((d) => d.kind === 'videoinput' && /derm/i.test(d.label));
    if (derm) return { video: { deviceId: { exact: derm.deviceId } } };
  } catch { /* fall back to any camera */ }
  return { video: true };
}

function toBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export async function captureDermatoscopePhoto(api: KioskApi): Promise<string> {
  const stream = await navigator.mediaDevices.getUserMedia(await dermatoscopeConstraints());
  try {
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
    const { photoId } = await api.capturePhoto({
      mime: 'image/jpeg', width: canvas.width, height: canvas.height, polarisation: 'polarised', data: toBase64(await blob.arrayBuffer()),
    });
    return photoId;
  } finally {
    for (const track of stream.getTracks()) track.stop();
  }
}
