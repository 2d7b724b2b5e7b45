/** Message catalogues: every word on the kiosk lives here, French first. */
import type { Language } from '../../../shared/session-view';

export const messages = {
  fr: {
    'attract.title': 'Bienvenue dans la cabine de téléconsultation',
    'attract.touch': "Touchez l'écran pour commencer",
    'attract.languageChoice': 'Choisissez votre langue',
    'language.title': 'Choisissez votre langue',
    'language.fr': 'Français',
    'language.en': 'English',
    'step': 'Étape {n} sur 5',
    'back': 'Retour',
    'consent.title': 'Votre accord',
    'notReady': 'Connexion à la cabine…',
  },
  en: {
    'attract.title': 'Welcome to the teleconsultation booth',
    'attract.touch': 'Touch the screen to start',
    'attract.languageChoice': 'Choose your language',
    'language.title': 'Choose your language',
    'language.fr': 'Français',
    'language.en': 'English',
    'step': 'Step {n} of 5',
    'back': 'Back',
    'consent.title': 'Your agreement',
    'notReady': 'Connecting to the booth…',
  },
} satisfies Record<Language, Record<string, string>>;

export type MessageKey = keyof (typeof messages)['fr'];

export function t(lang: Language, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text: string = messages[lang][key] ?? messages.fr[key];
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}
