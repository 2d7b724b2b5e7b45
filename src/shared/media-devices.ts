/**
 * Which camera or microphone plays which part at the booth: kiosk-config's
 * `media` section names each one by a label pattern and/or a USB
 * vendor:product id, and {@link pickDevice} finds it among what the browser
 * lists. Nothing is guessed: an instrument's camera taken by its position in
 * the list would be the otoscope as soon as one is plugged in beside the
 * dermatoscope.
 *
 * Chromium writes a USB camera's ids at the end of its label,
 * "HD Pro Webcam C920 (046d:082d)" (VideoCaptureDeviceDescriptor's
 * GetNameAndModel, read from sysfs on Linux); a microphone's label on Linux
 * is the sound server's description, usually without them, so a microphone
 * is best chosen by a label pattern.
 */
import { z } from 'zod';

export const MEDIA_ROLES = ['patientCamera', 'patientMicrophone', 'dermatoscope', 'otoscope', 'stethoscope'] as const;
export type MediaRole = (typeof MEDIA_ROLES)[number];

/** What each role is, as `MediaDeviceInfo.kind` says it. */
export const MEDIA_ROLE_KIND: Readonly<Record<MediaRole, 'videoinput' | 'audioinput'>> = {
  patientCamera: 'videoinput',
  patientMicrophone: 'audioinput',
  dermatoscope: 'videoinput',
  otoscope: 'videoinput',
  stethoscope: 'audioinput',
};

/** The roles that keep the browser's default device when kiosk-config names none: the call's own camera and microphone. */
const DEFAULT_ALLOWED: ReadonlySet<MediaRole> = new Set(['patientCamera', 'patientMicrophone']);

function isPattern(source: string): boolean {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    return false;
  }
}

const USB_ID = /^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/;

export const MediaSelector = z.object({
  /** A regular expression (JavaScript syntax, case ignored) the device's label must match. */
  label: z.string().min(1, 'a regular expression the label must match, e.g. "DermLite"')
    .refine(isPattern, 'a valid regular expression (JavaScript syntax), e.g. "DermLite" or "^USB Camera"').optional(),
  /** "vendor:product" in hexadecimal, as the browser shows it at the end of the label: "(046d:0825)". */
  usb: z.string().regex(USB_ID, 'a USB id "vendor:product" in hexadecimal, e.g. "046d:0825"').optional(),
}).strict().refine((s) => s.label !== undefined || s.usb !== undefined, { message: 'a "label" pattern, a "usb" id, or both' });
export type MediaSelector = z.infer<typeof MediaSelector>;

/** kiosk-config `media`: a selector per role; the otoscope and the stethoscope only where the booth has them. */
export const MediaSelection = z.object({
  patientCamera: MediaSelector.optional(),
  patientMicrophone: MediaSelector.optional(),
  dermatoscope: MediaSelector.optional(),
  otoscope: MediaSelector.optional(),
  stethoscope: MediaSelector.optional(),
}).strict();
export type MediaSelection = z.infer<typeof MediaSelection>;

/** The part of `MediaDeviceInfo` a choice needs. */
export interface MediaDeviceLike {
  deviceId: string;
  label: string;
  kind: string;
}

export type MediaDevicePick<D extends MediaDeviceLike> =
  /** `device` null: the browser's default device (the patient's camera or microphone with no selector). */
  | { ok: true; device: D | null }
  /** Nothing listed matches: `seen` holds the labels of the role's kind (never device ids). */
  | { ok: false; code: 'MEDIA_DEVICE_NOT_FOUND'; role: MediaRole; seen: string[] }
  /** More than one device matches: taking either would be a guess. */
  | { ok: false; code: 'MEDIA_DEVICE_AMBIGUOUS'; role: MediaRole; matched: string[] }
  /** An instrument's camera or microphone kiosk-config does not name. */
  | { ok: false; code: 'MEDIA_DEVICE_NOT_CONFIGURED'; role: MediaRole };

export type MediaDeviceFailure = Extract<MediaDevicePick<MediaDeviceLike>, { ok: false }>;

// Chromium and Windows list the default (and communications) microphone twice: once under these ids, once as itself.
const ALIAS_IDS: ReadonlySet<string> = new Set(['default', 'communications']);

function matches(device: MediaDeviceLike, selector: MediaSelector): boolean {
  if (selector.label !== undefined && !new RegExp(selector.label, 'i').test(device.label)) return false;
  if (selector.usb !== undefined && !device.label.toLowerCase().includes(`(${selector.usb.toLowerCase()})`)) return false;
  return true;
}

/**
 * The device kiosk-config selects for `role` among `devices`
 * (`navigator.mediaDevices.enumerateDevices()`), or why there is none.
 */
export function pickDevice<D extends MediaDeviceLike>(devices: readonly D[], selector: MediaSelector | undefined, role: MediaRole): MediaDevicePick<D> {
  if (!selector) return DEFAULT_ALLOWED.has(role) ? { ok: true, device: null } : { ok: false, code: 'MEDIA_DEVICE_NOT_CONFIGURED', role };
  const candidates = devices.filter((d) => d.kind === MEDIA_ROLE_KIND[role] && !ALIAS_IDS.has(d.deviceId));
  const found = candidates.filter((d) => matches(d, selector));
  if (found.length === 1) return { ok: true, device: found[0]! };
  if (found.length > 1) return { ok: false, code: 'MEDIA_DEVICE_AMBIGUOUS', role, matched: found.map((d) => d.label) };
  return { ok: false, code: 'MEDIA_DEVICE_NOT_FOUND', role, seen: candidates.map((d) => d.label) };
}
