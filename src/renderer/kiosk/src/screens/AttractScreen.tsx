import { describeReopening, describeWeek } from '../../../../shared/opening-hours';
import type { Language } from '../../../../shared/language';
import type { SessionViewContext } from '../../../../shared/session-view';
import { t } from '../i18n';
import type { KioskScreenProps } from './Layout';

/**
 * The attract screen: one huge target to start, and the language choice;
 * outside opening hours (the host decided, with its clock), that
 * teleconsultation is closed and when it opens, in both languages, and
 * nothing to touch: the host would refuse a session anyway.
 */
export function AttractScreen({ view, send }: Pick<KioskScreenProps, 'view' | 'send'>) {
  const closed = view.context.closed;
  if (closed) {
    return (
      <main className="screen screen--attract" data-testid="attract-closed">
        {(['fr', 'en'] as const).map((l) => <ClosedNotice key={l} lang={l} closed={closed} />)}
      </main>
    );
  }
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

function ClosedNotice({ lang, closed }: { lang: Language; closed: NonNullable<SessionViewContext['closed']> }) {
  const week = describeWeek(closed.hours, lang);
  const Heading = lang === 'fr' ? 'h1' : 'h2';
  return (
    <section className="closed-notice" lang={lang} data-testid={`closed-${lang}`}>
      <Heading className="title">{t(lang, 'attract.closed.title')}</Heading>
      {week && <p className="lead">{t(lang, 'attract.closed.hours', { hours: week })}</p>}
      {closed.reopens && <p className="lead">{describeReopening(closed.reopens, lang)}</p>}
      <p className="lead">{t(lang, 'attract.closed.counter')}</p>
    </section>
  );
}
