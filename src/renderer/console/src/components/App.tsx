import { useEffect, useState } from 'react';
import type { Me } from '../types';
import { Desk } from './Desk';
import { Login } from './Login';

/** Who is logged in decides the page: the login form, or the desk. */
export function ConsoleApp() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    fetch('/api/me').then(async (r) => setMe(r.ok ? ((await r.json()) as Me) : null), () => setMe(null));
  }, []);
  if (me === undefined) return <p className="card">Chargement…</p>;
  if (me === null) return <Login onLogin={setMe} />;
  return <Desk me={me} onLogout={() => setMe(null)} />;
}
