/**
 * What each device error says to the pharmacist, in French and English, per
 * device ("Le tensiomètre n'est pas branché : vérifiez le câble USB.").
 */
import type { LocalisedMessage } from '../../src/shared/errors';
import { DeviceError, type DeviceErrorCode, type DeviceKind } from '../contracts';

interface Names {
  /** Sentence subject: "Le tensiomètre". */
  fr: string;
  /** Lower case, after a verb: "le tensiomètre". */
  frObj: string;
  en: string;
  enObj: string;
}

// NOTE: every device name is masculine in French, so one set of
// sentences fits them all ("branché", "débranché").
const NAMES: Record<DeviceKind, Names> = {
  thermometer: { fr: 'Le thermomètre', frObj: 'le thermomètre', en: 'The thermometer', enObj: 'the thermometer' },
  'bp-cuff': { fr: 'Le tensiomètre', frObj: 'le tensiomètre', en: 'The blood-pressure monitor', enObj: 'the blood-pressure monitor' },
  oximeter: { fr: 'L’oxymètre', frObj: 'l’oxymètre', en: 'The pulse oximeter', enObj: 'the pulse oximeter' },
  dermatoscope: { fr: 'Le dermatoscope', frObj: 'le dermatoscope', en: 'The dermatoscope', enObj: 'the dermatoscope' },
  otoscope: { fr: 'L’otoscope', frObj: 'l’otoscope', en: 'The otoscope', enObj: 'the otoscope' },
  stethoscope: { fr: 'Le stéthoscope', frObj: 'le stéthoscope', en: 'The stethoscope', enObj: 'the stethoscope' },
};

const TEMPLATES: Record<DeviceErrorCode, (n: Names, kind: DeviceKind) => LocalisedMessage> = {
  PORT_NOT_FOUND: (n) => ({
    fr: `${n.fr} n'est pas branché : vérifiez le câble USB.`,
    en: `${n.en} is not connected: check the USB cable.`,
  }),
  PERMISSION_DENIED: (n) => ({
    fr: `La cabine n'a pas le droit d'ouvrir ${n.frObj} : appelez le support technique (droits d'accès au port).`,
    en: `The booth is not allowed to open ${n.enObj}: call technical support (port access rights).`,
  }),
  PORT_BUSY: (n) => ({
    fr: `${n.fr} est déjà utilisé par un autre programme : fermez ce programme ou redémarrez la cabine.`,
    en: `${n.en} is already used by another program: close that program or restart the booth.`,
  }),
  TIMEOUT: (n, kind) =>
    kind === 'bp-cuff'
      ? {
          fr: `${n.fr} n'a pas terminé la mesure à temps : le brassard se dégonfle, refaites la mesure.`,
          en: `${n.en} did not finish the measurement in time: the cuff is deflating, measure again.`,
        }
      : {
          fr: `${n.fr} ne répond pas : refaites la mesure ; si cela se répète, débranchez-le et rebranchez-le.`,
          en: `${n.en} does not answer: measure again; if it happens again, unplug it and plug it back in.`,
        },
  BAD_FRAME: (n) => ({
    fr: `${n.fr} envoie des données illisibles : si cela se répète, débranchez-le et rebranchez-le.`,
    en: `${n.en} sends unreadable data: if it keeps happening, unplug it and plug it back in.`,
  }),
  OUT_OF_RANGE: (n) => ({
    fr: `La valeur donnée par ${n.frObj} est impossible pour un corps humain : refaites la mesure.`,
    en: `The value from ${n.enObj} is impossible for a human body: measure again.`,
  }),
  DEVICE_REPORTED_ERROR: (n, kind) =>
    kind === 'bp-cuff'
      ? {
          fr: `${n.fr} signale une erreur : vérifiez que le brassard est bien serré, puis refaites la mesure.`,
          en: `${n.en} reports an error: check that the cuff is snug, then measure again.`,
        }
      : {
          fr: `${n.fr} signale une erreur : refaites la mesure ; si cela se répète, redémarrez-le.`,
          en: `${n.en} reports an error: measure again; if it happens again, restart it.`,
        },
  DISCONNECTED: (n) => ({
    fr: `${n.fr} a été débranché : rebranchez le câble USB.`,
    en: `${n.en} was unplugged: plug the USB cable back in.`,
  }),
  // The booth's own software cannot reach the USB layer: no cable will fix it.
  DRIVER_UNAVAILABLE: (n) => ({
    fr: `La cabine ne peut pas dialoguer avec ${n.frObj} (pilote USB absent) : appelez le support technique.`,
    en: `The booth cannot talk to ${n.enObj} (USB driver missing): call technical support.`,
  }),
};

/** The message for `code` on a device of `kind`. */
export function deviceMessage(kind: DeviceKind, code: DeviceErrorCode): LocalisedMessage {
  return TEMPLATES[code](NAMES[kind], kind);
}

/** A DeviceError with the device's own wording. */
export function deviceError(
  kind: DeviceKind,
  deviceId: string,
  code: DeviceErrorCode,
  options?: { cause?: unknown; detail?: string },
): DeviceError {
  return new DeviceError(code, deviceId, deviceMessage(kind, code), options);
}
