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
import { VideoArea } from './screens/VideoArea';

export interface ScreenProps {
  view: SessionView;
  send: (event: SessionUiEvent) => void;
}

export function App({ api }: { api: KioskApi }) {
  const [view, setView] = useState<SessionView | null>(null);
  // The hub's claim (relayed by the host) opens the video, whatever the machine's state names are.
  const [inCall, setInCall] = useState(false);

  useEffect(() => {
    const off = api.onEvent((event) => {
      if (event.name === 'snapshot') setView(event.data);
      if (event.name === 'mediaNotification' && event.data.method === 'queue.claimed') setInCall(true);
      if (event.name === 'mediaNotification' && event.data.method === 'room.closed') setInCall(false);
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
  if (inCall || view.state.split('.')[0] === 'consultation') {
    return <main className="screen screen--video"><VideoArea api={api} language={lang} /></main>;
  }
  switch (view.state.split('.')[0]) {
    case 'attract':
      return <AttractScreen view={view} send={send} />;
    case 'language':
      return <LanguageScreen view={view} send={send} />;
    default:
      return <PlaceholderScreen view={view} send={send} title={t(lang, 'consent.title')} />;
  }
}
