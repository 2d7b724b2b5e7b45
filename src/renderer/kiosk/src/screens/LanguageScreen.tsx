import type { ScreenProps } from '../App';
import { t } from '../i18n';
import { StepHeader } from './StepHeader';

export function LanguageScreen({ view, send }: ScreenProps) {
  return (
    <main className="screen">
      <StepHeader view={view} send={send} />
      <h1 className="title">{t(view.language, 'language.title')}</h1>
      <div className="column">
        <button type="button" lang="fr" className="btn btn--primary" onClick={() => send({ type: 'CHOOSE_LANGUAGE', language: 'fr' })}>{t('fr', 'language.fr')}</button>
        <button type="button" lang="en" className="btn btn--primary" onClick={() => send({ type: 'CHOOSE_LANGUAGE', language: 'en' })}>{t('en', 'language.en')}</button>
      </div>
    </main>
  );
}
