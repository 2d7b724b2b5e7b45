/**
 * What each device problem is called and how the patient fixes it, in both
 * languages: the kiosk shows and speaks these on its recovery screens
 * (src/renderer/kiosk/src/i18n.ts spreads them into its catalogue), and the
 * host sends the same words to the specialist with the measurement's
 * `error` progress (consult-protocol MeasurementProgress). Codes are the
 * device error codes (devices/contracts.ts) and the reading quality flags
 * (domain READING_FLAGS); `other` is the fallback.
 */
import type { LocalisedMessage } from './errors';

export const RECOVERY_MESSAGES = {
  fr: {
    'recovery.cuff-too-loose.title': 'Le brassard est mal placé',
    'recovery.cuff-too-loose.fix': 'Resserrez le brassard : on doit pouvoir glisser deux doigts dessous, pas plus.',
    'recovery.improper-position.title': 'Le brassard est mal placé',
    'recovery.improper-position.fix': 'Placez-le deux doigts au-dessus du coude, le tuyau vers la main, le bras à hauteur du cœur.',
    'recovery.body-movement.title': 'Vous avez bougé pendant la mesure',
    'recovery.body-movement.fix': 'Restez assis, sans parler ni bouger, jusqu’à la fin de la mesure.',
    'recovery.finger-out.title': 'Le doigt n’est pas dans la pince',
    'recovery.finger-out.fix': 'Enfoncez l’index jusqu’au fond de la pince, l’ongle vers le haut.',
    'recovery.low-perfusion.title': 'Le signal est trop faible',
    'recovery.low-perfusion.fix': 'Frottez vos mains pour les réchauffer, puis remettez le doigt dans la pince.',
    'recovery.sensor-fault.title': 'L’appareil signale un problème',
    'recovery.sensor-fault.fix': 'Appelez le pharmacien pour qu’il vérifie l’appareil, puis touchez « Réessayer ».',
    'recovery.out-of-range.title': 'La valeur n’a pas pu être lue',
    'recovery.out-of-range.fix': 'Remettez l’appareil bien en place, puis réessayez.',
    'recovery.TIMEOUT.title': 'La mesure n’a pas abouti',
    'recovery.TIMEOUT.fix': 'Vérifiez que l’appareil est bien en place et allumé, puis réessayez.',
    'recovery.DISCONNECTED.title': 'L’appareil n’est pas branché',
    'recovery.DISCONNECTED.fix': 'Appelez le pharmacien pour qu’il le rebranche, puis touchez « Réessayer ».',
    'recovery.DEVICE_REPORTED_ERROR.title': 'L’appareil signale un problème',
    'recovery.DEVICE_REPORTED_ERROR.fix': 'Appelez le pharmacien pour qu’il vérifie l’appareil, puis touchez « Réessayer ».',
    'recovery.DEVICE_NOT_CONFIGURED.title': 'Cet appareil n’est pas installé ici',
    'recovery.DEVICE_NOT_CONFIGURED.fix': 'Dites-le au médecin. Vous pouvez revenir à l’appel.',
    'recovery.PORT_NOT_FOUND.title': 'L’appareil n’est pas branché',
    'recovery.PORT_NOT_FOUND.fix': 'Appelez le pharmacien pour qu’il vérifie le câble, puis touchez « Réessayer ».',
    'recovery.DRIVER_UNAVAILABLE.title': 'La cabine ne peut pas utiliser cet appareil',
    'recovery.DRIVER_UNAVAILABLE.fix': 'Appelez le pharmacien : le médecin peut poursuivre sans cette mesure.',
    'recovery.PERMISSION_DENIED.title': 'L’appareil n’est pas accessible',
    'recovery.PERMISSION_DENIED.fix': 'Appelez le pharmacien pour qu’il redémarre l’appareil, puis touchez « Réessayer ».',
    'recovery.PORT_BUSY.title': 'L’appareil est déjà occupé',
    'recovery.PORT_BUSY.fix': 'Attendez un instant, puis touchez « Réessayer ».',
    'recovery.BAD_FRAME.title': 'L’appareil a mal transmis la mesure',
    'recovery.BAD_FRAME.fix': 'Gardez l’appareil en place et touchez « Réessayer ».',
    'recovery.OUT_OF_RANGE.title': 'La valeur n’a pas pu être lue',
    'recovery.OUT_OF_RANGE.fix': 'Remettez l’appareil bien en place, puis réessayez.',
    'recovery.other.title': 'La mesure n’a pas marché',
    'recovery.other.fix': 'Remettez l’appareil en place et réessayez. Le pharmacien peut vous aider.',
  },
  en: {
    'recovery.cuff-too-loose.title': 'The cuff is not placed correctly',
    'recovery.cuff-too-loose.fix': 'Tighten the cuff: two fingers should slide under it, no more.',
    'recovery.improper-position.title': 'The cuff is not placed correctly',
    'recovery.improper-position.fix': 'Place it two fingers above the elbow, tube towards the hand, arm at heart level.',
    'recovery.body-movement.title': 'You moved during the measurement',
    'recovery.body-movement.fix': 'Stay seated, without talking or moving, until the end.',
    'recovery.finger-out.title': 'The finger is not in the clip',
    'recovery.finger-out.fix': 'Push your index finger all the way into the clip, nail facing up.',
    'recovery.low-perfusion.title': 'The signal is too weak',
    'recovery.low-perfusion.fix': 'Rub your hands to warm them, then put your finger back in the clip.',
    'recovery.sensor-fault.title': 'The device reports a problem',
    'recovery.sensor-fault.fix': 'Call the pharmacist to check the device, then touch "Try again".',
    'recovery.out-of-range.title': 'The value could not be read',
    'recovery.out-of-range.fix': 'Put the device back in place, then try again.',
    'recovery.TIMEOUT.title': 'The measurement did not finish',
    'recovery.TIMEOUT.fix': 'Check the device is in place and switched on, then try again.',
    'recovery.DISCONNECTED.title': 'The device is not plugged in',
    'recovery.DISCONNECTED.fix': 'Call the pharmacist to plug it back in, then touch "Try again".',
    'recovery.DEVICE_REPORTED_ERROR.title': 'The device reports a problem',
    'recovery.DEVICE_REPORTED_ERROR.fix': 'Call the pharmacist to check the device, then touch "Try again".',
    'recovery.DEVICE_NOT_CONFIGURED.title': 'This device is not installed here',
    'recovery.DEVICE_NOT_CONFIGURED.fix': 'Tell the doctor. You can go back to the call.',
    'recovery.PORT_NOT_FOUND.title': 'The device is not plugged in',
    'recovery.PORT_NOT_FOUND.fix': 'Call the pharmacist to check the cable, then touch "Try again".',
    'recovery.DRIVER_UNAVAILABLE.title': 'The booth cannot use this device',
    'recovery.DRIVER_UNAVAILABLE.fix': 'Call the pharmacist: the doctor can carry on without this measurement.',
    'recovery.PERMISSION_DENIED.title': 'The device cannot be reached',
    'recovery.PERMISSION_DENIED.fix': 'Call the pharmacist to restart the device, then touch "Try again".',
    'recovery.PORT_BUSY.title': 'The device is busy',
    'recovery.PORT_BUSY.fix': 'Wait a moment, then touch "Try again".',
    'recovery.BAD_FRAME.title': 'The device sent the measurement badly',
    'recovery.BAD_FRAME.fix': 'Keep the device in place and touch "Try again".',
    'recovery.OUT_OF_RANGE.title': 'The value could not be read',
    'recovery.OUT_OF_RANGE.fix': 'Put the device back in place, then try again.',
    'recovery.other.title': 'The measurement did not work',
    'recovery.other.fix': 'Put the device back in place and try again. The pharmacist can help you.',
  },
} as const;

type RecoveryKey = keyof typeof RECOVERY_MESSAGES.fr;

function has(key: string): key is RecoveryKey {
  return key in RECOVERY_MESSAGES.fr;
}

/** The title and the fix of a device problem, for the specialist ("Le brassard est mal placé — Resserrez…"). */
export function recoveryMessage(code: string | null): LocalisedMessage {
  const base = code && has(`recovery.${code}.title`) ? code : 'other';
  const title = `recovery.${base}.title` as RecoveryKey;
  const fix = `recovery.${base}.fix` as RecoveryKey;
  return {
    fr: `${RECOVERY_MESSAGES.fr[title]} — ${RECOVERY_MESSAGES.fr[fix]}`,
    en: `${RECOVERY_MESSAGES.en[title]} — ${RECOVERY_MESSAGES.en[fix]}`,
  };
}
