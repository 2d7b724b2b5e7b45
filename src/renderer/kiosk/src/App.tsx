/**
 * The kiosk: a view of the session machine's snapshot. It sends events; it
 * never decides the flow (DESIGN §1).
 */
import { useEffect, useState } from 'react';
import type { KioskApi } from '../../../shared/kiosk-api';
import type { SessionUiEvent, SessionView } from '../../../shared/session-view';
import { t } from './i18n';
import { AttractScreen } from './screens/AttractScreen';
import { LanguageScreen } from './screens/LanguageScreen';
import { PlaceholderScreen } from './screens/PlaceholderScreen';

export interface ScreenProps {
  view: SessionView;
  send: (event: SessionUiEvent) => void;
}

export function App({ api }: { api: KioskApi }) {
  const [view, setView] = useState<SessionView | null>(null);

  useEffect(() => {
    const off = api.onEvent((event) => {
      if (event.name === 'snapshot') setView(event.data);
    });
    api.getSnapshot({}).then(setView, () => undefined);
    return off;
  }, [api]);

  const send = (event: SessionUiEvent): void => {
    void api.sendEvent({ event }).catch(() => undefined);
  };

  if (!view) {
    return <main className="screen screen--center" aria-busy="true"><p className="lead">{t('fr', 'notReady')}</p></main>;
  }
  const lang = view.language;
  document.documentElement.lang = lang;
  switch (view.state.split('.')[0]) {
    case 'attract':
      return <AttractScreen view={view} send={send} />;
    case 'language':
      return <LanguageScreen view={view} send={send} />;
    default:
      return <PlaceholderScreen view={view} send={send} title={t(lang, 'consent.title')} />;
  }
}
