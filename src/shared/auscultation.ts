/**
 * Where the doctor listens: the four classic heart auscultation areas and the
 * lungs front and back, left and right. The console picks a point on its
 * body diagram, the kiosk shows the patient (or the pharmacist) where to put
 * the chest piece, and a recorded clip keeps its point as its body site in
 * the record and the FHIR export.
 *
 * Names are stable identifiers on the wire; the words are here once for the
 * console, the kiosk (fr, en) and the report. "Left" and "right" are the
 * patient's own.
 */
import { z } from 'zod';
import type { Language } from './language';

export const AUSCULTATION_POINTS = [
  'aortic',
  'pulmonary',
  'tricuspid',
  'mitral',
  'lung-front-left',
  'lung-front-right',
  'lung-back-left',
  'lung-back-right',
] as const;
export const AuscultationPoint = z.enum(AUSCULTATION_POINTS);
export type AuscultationPoint = z.infer<typeof AuscultationPoint>;

/** Heart points are listened to with the bell (low sounds), lung points with the diaphragm. */
export type AuscultationArea = 'heart' | 'lungs';

export interface PointWording {
  readonly area: AuscultationArea;
  /** The point's name for the doctor and the report ("Foyer mitral"). */
  readonly name: string;
  /** Where the chest piece goes, in the patient's words. */
  readonly placement: Readonly<Record<Language, string>>;
}

export const AUSCULTATION_WORDING: Readonly<Record<AuscultationPoint, PointWording>> = {
  aortic: {
    area: 'heart',
    name: 'Foyer aortique',
    placement: {
      fr: 'Posez le stéthoscope en haut de la poitrine, à droite du sternum, sous la clavicule.',
      en: 'Place the stethoscope high on the chest, right of the breastbone, below the collarbone.',
    },
  },
  pulmonary: {
    area: 'heart',
    name: 'Foyer pulmonaire',
    placement: {
      fr: 'Posez le stéthoscope en haut de la poitrine, à gauche du sternum, sous la clavicule.',
      en: 'Place the stethoscope high on the chest, left of the breastbone, below the collarbone.',
    },
  },
  tricuspid: {
    area: 'heart',
    name: 'Foyer tricuspide',
    placement: {
      fr: 'Posez le stéthoscope en bas du sternum, légèrement à gauche.',
      en: 'Place the stethoscope at the bottom of the breastbone, slightly to the left.',
    },
  },
  mitral: {
    area: 'heart',
    name: 'Foyer mitral',
    placement: {
      fr: 'Posez le stéthoscope sous le sein gauche, un peu vers l’aisselle.',
      en: 'Place the stethoscope below the left breast, a little towards the armpit.',
    },
  },
  'lung-front-left': {
    area: 'lungs',
    name: 'Poumon gauche, en avant',
    placement: {
      fr: 'Posez le stéthoscope sur le haut de la poitrine, côté gauche.',
      en: 'Place the stethoscope on the upper chest, left side.',
    },
  },
  'lung-front-right': {
    area: 'lungs',
    name: 'Poumon droit, en avant',
    placement: {
      fr: 'Posez le stéthoscope sur le haut de la poitrine, côté droit.',
      en: 'Place the stethoscope on the upper chest, right side.',
    },
  },
  'lung-back-left': {
    area: 'lungs',
    name: 'Poumon gauche, dans le dos',
    placement: {
      fr: 'Posez le stéthoscope dans le dos, sous l’omoplate gauche.',
      en: 'Place the stethoscope on the back, below the left shoulder blade.',
    },
  },
  'lung-back-right': {
    area: 'lungs',
    name: 'Poumon droit, dans le dos',
    placement: {
      fr: 'Posez le stéthoscope dans le dos, sous l’omoplate droite.',
      en: 'Place the stethoscope on the back, below the right shoulder blade.',
    },
  },
};

/** What the doctor may ask the patient to do with their breath while listening. */
export const BreathInstruction = z.enum(['deep', 'hold', 'normal']);
export type BreathInstruction = z.infer<typeof BreathInstruction>;

export const BREATH_WORDING: Readonly<Record<BreathInstruction, Readonly<Record<Language, string>>>> = {
  deep: { fr: 'Respirez profondément, par la bouche.', en: 'Breathe deeply, through your mouth.' },
  hold: { fr: 'Retenez votre respiration.', en: 'Hold your breath.' },
  normal: { fr: 'Respirez normalement.', en: 'Breathe normally.' },
};

/** A recorded clip's length: long enough for several breaths and a dozen heartbeats. */
export const CLIP_SECONDS = 15;
/** The clip's format, as captured at the booth from the device: uncompressed, nothing lost to a codec or the network. */
export const CLIP_SAMPLE_RATE = 48_000;
export const CLIP_BITS_PER_SAMPLE = 16;

/**
 * Why the booth cannot send its stethoscope: the kiosk's MediaDeviceMissing
 * codes (src/shared/media-devices.ts), the device unplugged while listening
 * (its track ended), a device opened that is not the configured one, or
 * any other failure to send it.
 */
export const STETHOSCOPE_ERRORS = ['MEDIA_DEVICE_NOT_CONFIGURED', 'MEDIA_DEVICE_NOT_FOUND', 'MEDIA_DEVICE_AMBIGUOUS', 'STETHOSCOPE_WRONG_DEVICE', 'STETHOSCOPE_UNPLUGGED', 'STETHOSCOPE_FAILED'] as const;
export const StethoscopeError = z.enum(STETHOSCOPE_ERRORS);
export type StethoscopeError = z.infer<typeof StethoscopeError>;

/** What the doctor and the pharmacist read for each stethoscope error. */
export const STETHOSCOPE_ERROR_WORDING: Readonly<Record<StethoscopeError, { fr: string; en: string }>> = {
  MEDIA_DEVICE_NOT_CONFIGURED: {
    fr: 'Cette cabine n’a pas de stéthoscope configuré (kiosk-config media.stethoscope).',
    en: 'This booth has no stethoscope configured (kiosk-config media.stethoscope).',
  },
  MEDIA_DEVICE_NOT_FOUND: {
    fr: 'Le stéthoscope n’est pas branché : le pharmacien peut le brancher, puis réessayer.',
    en: 'The stethoscope is not plugged in: the pharmacist can plug it in, then try again.',
  },
  MEDIA_DEVICE_AMBIGUOUS: {
    fr: 'Plusieurs micros ressemblent au stéthoscope : le pharmacien doit préciser kiosk-config media.stethoscope.',
    en: 'Several microphones look like the stethoscope: the pharmacist must make kiosk-config media.stethoscope precise.',
  },
  STETHOSCOPE_WRONG_DEVICE: {
    fr: 'Le navigateur a ouvert un autre micro que le stéthoscope : rien n’est envoyé. Le pharmacien peut rebrancher le stéthoscope, puis réessayer.',
    en: 'The browser opened another microphone than the stethoscope: nothing is sent. The pharmacist can plug the stethoscope back in, then try again.',
  },
  STETHOSCOPE_UNPLUGGED: {
    fr: 'Le stéthoscope a été débranché pendant l’écoute : le pharmacien peut le rebrancher, puis réessayer.',
    en: 'The stethoscope was unplugged while listening: the pharmacist can plug it back in, then try again.',
  },
  STETHOSCOPE_FAILED: {
    fr: 'Le son du stéthoscope ne part pas : réessayez ; si cela se répète, prévenez le pharmacien.',
    en: 'The stethoscope’s sound is not being sent: try again; if it happens again, call the pharmacist.',
  },
};
