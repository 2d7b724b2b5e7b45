/**
 * The doctor's photo, from the hub's config to the kiosk: a PNG or JPEG as a
 * `data:` URL inside the typed messages that already carry the doctor's name
 * (queue.claimed, then the session view), so no route of its own serves it.
 * Staff data, not health data; it still leaves the kiosk with the session.
 */
import { z } from 'zod';

/** The largest photo file the hub takes: a portrait shown at about 96 px needs far less. */
export const MAX_DOCTOR_PHOTO_BYTES = 256 * 1024;

export const DOCTOR_PHOTO_TYPES = ['image/png', 'image/jpeg'] as const;
export type DoctorPhotoType = (typeof DOCTOR_PHOTO_TYPES)[number];

// The longest prefix, then base64 (4 characters per 3 bytes, padded) of the largest file.
const MAX_URL_LENGTH = 'data:image/jpeg;base64,'.length + 4 * Math.ceil(MAX_DOCTOR_PHOTO_BYTES / 3);

/** A PNG or JPEG `data:` URL no longer than the largest photo the hub takes; nothing else (no http:, no SVG). */
export const DoctorPhotoUrl = z.string()
  .max(MAX_URL_LENGTH, `a photo of at most ${MAX_DOCTOR_PHOTO_BYTES / 1024} KiB`)
  .regex(/^data:image\/(png|jpeg);base64,[A-Za-z0-9+/]+={0,2}$/, 'a PNG or JPEG data: URL');
export type DoctorPhotoUrl = z.infer<typeof DoctorPhotoUrl>;

/** PNG or JPEG by the file's first bytes (its name says nothing); null for anything else. */
export function doctorPhotoType(bytes: Uint8Array): DoctorPhotoType | null {
  const starts = (magic: number[]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  return null;
}
