import type { Language } from '../../../../shared/language';
import { t } from '../i18n';

/**
 * The booth cannot read its own store (its key file is lost or replaced:
 * issue #21) and refuses every session. Nothing to touch; both languages,
 * French first; what to do is for the pharmacist. What is lost is told to
 * staff at the counter and to the operator, never on this screen.
 */
export function OutOfServiceScreen() {
  return (
    <main className="screen screen--attract screen--out-of-service" data-testid="out-of-service" role="alert">
      {(['fr', 'en'] as const).map((l) => <Notice key={l} lang={l} />)}
    </main>
  );
}

function Notice({ lang }: { lang: Language }) {
  const Heading = lang === 'fr' ? 'h1' : 'h2';
  return (
    <section className={`out-of-service out-of-service--${lang}`} lang={lang} data-testid={`out-of-service-${lang}`}>
      <Heading className={lang === 'fr' ? 'title title--huge title--alarm' : 'title title--alarm'}>{t(lang, 'outOfService.title')}</Heading>
      <p className="lead">{t(lang, 'outOfService.patient')}</p>
      <p className="out-of-service__staff">{t(lang, 'outOfService.staff')}</p>
    </section>
  );
}
