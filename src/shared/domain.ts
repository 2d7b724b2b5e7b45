/**
 * Domain types shared by the host, the hub, the renderers and the devices.
 * Values are zod schemas so that every boundary can validate on arrival; the
 * TypeScript types are inferred from them.
 */
import { z } from 'zod';

export const MEASUREMENT_KINDS = ['temperature', 'blood-pressure', 'cuff-pressure', 'spo2', 'dermatoscope-photo', 'otoscope-photo'] as const;
export const MeasurementKind = z.enum(MEASUREMENT_KINDS);
export type MeasurementKind = z.infer<typeof MeasurementKind>;

export const DEVICE_KINDS = ['thermometer', 'bp-cuff', 'oximeter', 'dermatoscope', 'otoscope', 'stethoscope'] as const;
export const DeviceKind = z.enum(DEVICE_KINDS);
export type DeviceKind = z.infer<typeof DeviceKind>;

/** The ear an otoscope still is of: the only body sites the otoscope has (never free text). */
export const EAR_SIDES = ['left', 'right'] as const;
export const Ear = z.enum(EAR_SIDES);
export type Ear = z.infer<typeof Ear>;

/** Which instrument's camera took a still: absent on rows stored before the otoscope (they are the dermatoscope's). */
export const PhotoModality = z.enum(['dermatoscope', 'otoscope']);
export type PhotoModality = z.infer<typeof PhotoModality>;

/**
 * Units are UCUM codes (https://ucum.org): `Cel`, `[degF]`, `mm[Hg]`, `kPa`,
 * `/min`, `%`. Never free text.
 */
export const UcumUnit = z.enum(['Cel', '[degF]', 'mm[Hg]', 'kPa', '/min', '%', '1']);
export type UcumUnit = z.infer<typeof UcumUnit>;

/** One measured quantity. `code` is its LOINC code (8310-5 body temperature…). */
export const Quantity = z.object({
  code: z.string().min(1),
  name: z.string().min(1),
  value: z.number().finite(),
  unit: UcumUnit,
});
export type Quantity = z.infer<typeof Quantity>;

/** Every device says hello: each reading carries who measured it. */
export const DeviceInfo = z.object({
  id: z.string().min(1),
  kind: DeviceKind,
  model: z.string(),
  serial: z.string(),
  firmware: z.string(),
});
export type DeviceInfo = z.infer<typeof DeviceInfo>;

export const DeviceState = z.enum(['connecting', 'ready', 'measuring', 'error', 'disconnected']);
export type DeviceState = z.infer<typeof DeviceState>;

export const DeviceStatus = z.object({
  deviceId: z.string(),
  kind: DeviceKind,
  state: DeviceState,
  info: DeviceInfo.optional(),
  error: z.object({ code: z.string(), message: z.object({ fr: z.string(), en: z.string() }) }).optional(),
  at: z.string(),
});
export type DeviceStatus = z.infer<typeof DeviceStatus>;

/** Quality and safety flags; `out-of-range` readings are never shown as valid. */
export const READING_FLAGS = [
  'out-of-range',
  'body-movement',
  'cuff-too-loose',
  'irregular-pulse',
  'pulse-rate-out-of-range',
  'improper-position',
  'finger-out',
  'searching',
  'low-perfusion',
  'sensor-fault',
  'intermediate',
] as const;
export const ReadingFlag = z.enum(READING_FLAGS);
export type ReadingFlag = z.infer<typeof ReadingFlag>;

export const Reading = z.object({
  /** UUIDv7: sortable by creation time, unique across booths. */
  id: z.uuid(),
  sessionId: z.string().nullable(),
  kind: MeasurementKind,
  /** LOINC code of the whole observation (85354-9 for the BP panel). */
  code: z.string(),
  values: z.array(Quantity).min(1),
  /** When the device took it (device clock if it sent one), ISO 8601. */
  takenAt: z.iso.datetime({ offset: true }),
  /** When the host received it, ISO 8601. */
  receivedAt: z.iso.datetime({ offset: true }),
  device: DeviceInfo,
  flags: z.array(ReadingFlag),
  /** Extra detail the device reported (temperature site, BP user id). */
  meta: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type Reading = z.infer<typeof Reading>;

/** A stored trace of what happened in a session (transition, incident…). */
export const SessionEvent = z.object({
  id: z.uuid(),
  sessionId: z.string(),
  type: z.string().min(1),
  at: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type SessionEvent = z.infer<typeof SessionEvent>;

/** LOINC codes used by the booth (DESIGN §3). */
export const LOINC = {
  bodyTemperature: '8310-5',
  bpPanel: '85354-9',
  systolic: '8480-6',
  diastolic: '8462-4',
  meanArterial: '8478-0',
  heartRate: '8867-4',
  spo2: '59408-5',
  spo2Arterial: '2708-6',
  cuffPressure: '8478-0',
} as const;

/** Values a human body can produce (DESIGN §3); outside → `out-of-range`. */
export const PHYSIOLOGICAL_RANGES = {
  temperatureCel: [30, 45],
  systolicMmHg: [50, 280],
  diastolicMmHg: [20, 200],
  pulsePerMin: [20, 250],
  spo2Percent: [50, 100],
} as const satisfies Record<string, readonly [number, number]>;
