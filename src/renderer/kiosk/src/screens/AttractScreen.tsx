import { t } from '../i18n';
import type { KioskScreenProps } from './Layout';

/** The attract screen: one huge target to start, and the language choice. */
export function AttractScreen({ send }: Pick<KioskScreenProps, 'view' | 'send'>) {
  return (
    <main className="screen screen--attract">
      <h1 className="title">{t('fr', 'attract.title')}</h1>
      <button type="button" className="btn btn--primary btn--huge" data-testid="start" onClick={() => send({ type: 'TOUCH' })}>
        {t('fr', 'attract.touch')}
      </button>
      <section className="language-choice" aria-label={t('fr', 'attract.languageChoice')}>
        <p className="lead">{t('fr', 'attract.languageChoice')} · {t('en', 'attract.languageChoice')}</p>
        <div className="row">
          <button type="button" lang="fr" className="btn btn--secondary" data-testid="lang-fr" onClick={() => send({ type: 'CHOOSE_LANGUAGE', language: 'fr' })}>
            {t('fr', 'language.fr')}
          </button>
          <button type="button" lang="en" className="btn btn--secondary" data-testid="lang-en" onClick={() => send({ type: 'CHOOSE_LANGUAGE', language: 'en' })}>
            {t('en', 'language.en')}
          </button>
        </div>
      </section>
    </main>
  );
}
