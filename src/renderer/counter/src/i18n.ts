/** The counter page's words, French first, English complete. */
import type { AlertReason } from '../../../shared/session-view';

export type Lang = 'fr' | 'en';

const fr = {
  title: 'Cabine — comptoir',
  'login.heading': 'Comptoir de la pharmacie',
  'login.email': 'Adresse e-mail',
  'login.password': 'Mot de passe',
  'login.submit': 'Se connecter',
  'login.refused': 'Connexion refusée.',
  'login.unreachable': 'Serveur injoignable.',
  logout: 'Se déconnecter',
  'alerts.arm': 'Activer les alertes',
  'alerts.armed': 'Alertes activées : son et notification.',
  'alerts.armedNoNotification': 'Alertes activées : son seulement (notifications refusées par le navigateur).',
  'alerts.notArmed': 'Touchez « Activer les alertes » : sans ce geste, le navigateur ne laisse ni sonner ni notifier.',
  offline: 'Connexion au serveur perdue : reconnexion en cours. Les cabines sonnent sur place en attendant.',
  'booth.offline': 'Hors ligne',
  'booth.idle': 'Libre',
  'booth.steps': 'Patient à l’étape {step} sur 5',
  'booth.waiting': 'En salle d’attente',
  'booth.call': 'En consultation',
  'booth.waitingAt': 'En salle d’attente, position {n}',
  'booth.callWith': 'En consultation avec {doctor}',
  'booth.ending': 'Fin de séance',
  'booth.unknown': 'État inconnu',
  'alert.help': 'Demande d’aide',
  'alert.emergency': 'URGENCE',
  'alert.since': 'depuis {time}',
  'alert.rings': 'sonne pour la {n}e fois',
  'alert.coming': '{name} y va',
  'alert.ack': 'J’arrive',
  'alert.refused': 'Refusé : {why}',
  'notify.title': 'Cabine {booth} : {what}',
  'reason.help': 'Le patient demande le pharmacien.',
  'reason.device-fault': 'Un appareil ne répond plus.',
  'reason.video-failed': 'La vidéo n’a pas démarré.',
  'reason.call-not-recovering': 'L’appel ne se rétablit pas.',
  'reason.technical-incident': 'Un incident technique a interrompu la consultation.',
  'reason.emergency': 'Le patient a appuyé sur « Urgence ». Appelez le 15 ou le 112 si besoin.',
  'lang.other': 'English',
} as const;

type Key = keyof typeof fr;

const en: Record<Key, string> = {
  title: 'Cabine — counter',
  'login.heading': 'Pharmacy counter',
  'login.email': 'E-mail address',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.refused': 'Sign-in refused.',
  'login.unreachable': 'Server unreachable.',
  logout: 'Sign out',
  'alerts.arm': 'Turn alerts on',
  'alerts.armed': 'Alerts on: sound and notification.',
  'alerts.armedNoNotification': 'Alerts on: sound only (the browser refused notifications).',
  'alerts.notArmed': 'Tap "Turn alerts on": without that tap the browser neither rings nor notifies.',
  offline: 'Connection to the server lost: reconnecting. Meanwhile the booths ring on site.',
  'booth.offline': 'Offline',
  'booth.idle': 'Free',
  'booth.steps': 'Patient at step {step} of 5',
  'booth.waiting': 'In the waiting room',
  'booth.call': 'In consultation',
  'booth.waitingAt': 'In the waiting room, position {n}',
  'booth.callWith': 'In consultation with {doctor}',
  'booth.ending': 'Session ending',
  'booth.unknown': 'State unknown',
  'alert.help': 'Help requested',
  'alert.emergency': 'EMERGENCY',
  'alert.since': 'since {time}',
  'alert.rings': 'ringing for the {n}th time',
  'alert.coming': '{name} is going',
  'alert.ack': 'I am coming',
  'alert.refused': 'Refused: {why}',
  'notify.title': 'Booth {booth}: {what}',
  'reason.help': 'The patient asks for the pharmacist.',
  'reason.device-fault': 'A device does not respond.',
  'reason.video-failed': 'The video did not start.',
  'reason.call-not-recovering': 'The call is not coming back.',
  'reason.technical-incident': 'A technical incident interrupted the consultation.',
  'reason.emergency': 'The patient pressed "Emergency". Call 15 or 112 if needed.',
  'lang.other': 'Français',
};

export function t(lang: Lang, key: Key, vars: Record<string, string | number> = {}): string {
  const text: string = lang === 'fr' ? fr[key] : en[key];
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

export function reasonWords(lang: Lang, reason: AlertReason): string {
  return t(lang, `reason.${reason}`);
}
