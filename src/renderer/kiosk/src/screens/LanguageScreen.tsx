import { t } from '../i18n';
import { StepScreen, type KioskScreenProps } from './Layout';

export function LanguageScreen(p: KioskScreenProps) {
  return (
    <StepScreen {...p} testid="language" title={t(p.view.language, 'language.title')}>
      <div className="choices choices--one">
        <button type="button" lang="fr" className="btn btn--choice" data-testid="choose-fr" onClick={() => p.send({ type: 'CHOOSE_LANGUAGE', language: 'fr' })}>{t('fr', 'language.fr')}</button>
        <button type="button" lang="en" className="btn btn--choice" data-testid="choose-en" onClick={() => p.send({ type: 'CHOOSE_LANGUAGE', language: 'en' })}>{t('en', 'language.en')}</button>
      </div>
    </StepScreen>
  );
}
