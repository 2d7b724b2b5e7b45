/**
 * The specialist's console, first version: login, the live waiting list,
 * claiming a booth, and the call (remote video large, self view small).
 */
import { StrictMode, useEffect, useRef, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { MediaSession } from '../../../media/session';
import type { CallStats, Quality } from '../../../media/quality';
import { HubClient } from './hub-client';
import './console.css';

declare global {
  interface Window {
    /** Test hook: summed WebRTC stats of the current call. */
    __cabineStats?: () => Promise<CallStats | null>;
  }
}

interface Me { id: string; name: string; specialty: string }
interface Waiting { boothId: string; pharmacy: { name: string; city: string } | null; reason: string | null; firstName: string | null; age: number | null; since: string }

function Login({ onLogin }: { onLogin: (me: Me) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>): Promise<void> => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: form.get('email'), password: form.get('password') }),
      });
      const body = (await res.json()) as Me & { message?: string };
      if (!res.ok) setError(body.message ?? 'Connexion refusée.');
      else onLogin(body);
    } catch {
      setError('Serveur injoignable.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="card login">
      <h1>Cabine — console du médecin</h1>
      <form onSubmit={(e) => void submit(e)}>
        <label>Adresse e-mail<input name="email" type="email" autoComplete="username" required /></label>
        <label>Mot de passe<input name="password" type="password" autoComplete="current-password" required /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>Se connecter</button>
      </form>
    </main>
  );
}

const qualityLabel: Record<Quality, string> = { good: 'Connexion bonne', fair: 'Connexion moyenne', poor: 'Connexion faible', unknown: 'Connexion en cours' };

function Call({ hub, boothLabel, onEnd }: { hub: HubClient; boothLabel: string; onEnd: () => void }) {
  const remote = useRef<HTMLVideoElement>(null);
  const self = useRef<HTMLVideoElement>(null);
  const [quality, setQuality] = useState<Quality>('unknown');
  const [state, setState] = useState('connecting');
  const [error, setError] = useState<string | null>(null);
  const session = useRef<MediaSession | null>(null);
  useEffect(() => {
    const s = new MediaSession({
      signaling: hub,
      events: {
        state: setState,
        quality: setQuality,
        remoteStream: (m) => { if (remote.current && remote.current.srcObject !== m) remote.current.srcObject = m; },
        localStream: (m) => { if (self.current) self.current.srcObject = m; },
        error: (e) => setError(e.message),
      },
    });
    session.current = s;
    window.__cabineStats = () => s.stats();
    window.__cabineTimeline = () => s.timeline;
    s.start().catch((e: unknown) => setError((e as Error).message));
    return () => {
      s.close();
      delete window.__cabineStats;
      delete window.__cabineTimeline;
    };
  }, [hub]);
  const end = async (): Promise<void> => {
    session.current?.close();
    await hub.request('room.leave', {}).catch(() => undefined);
    onEnd();
  };
  return (
    <section className="call" aria-label="Consultation en cours">
      <header className="call__bar">
        <h2>{boothLabel}</h2>
        <span className={`quality quality--${quality}`} role="status">{qualityLabel[quality]}</span>
        <span className="state">{state === 'connected' ? 'En communication' : state === 'reconnecting' ? 'Reconnexion…' : state === 'closed' ? 'Terminée' : 'Connexion…'}</span>
        <button type="button" className="danger" onClick={() => void end()}>Terminer la consultation</button>
      </header>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="call__videos">
        <video ref={remote} className="call__remote" autoPlay playsInline aria-label="Vidéo du patient" />
        <video ref={self} className="call__self" autoPlay playsInline muted aria-label="Votre vidéo" />
      </div>
    </section>
  );
}

function waitedFor(since: string): string {
  const min = Math.max(0, Math.round((Date.now() - Date.parse(since)) / 60_000));
  return min < 1 ? 'à l’instant' : `depuis ${min} min`;
}

function Desk({ me, onLogout }: { me: Me; onLogout: () => void }) {
  const [hub] = useState(() => new HubClient());
  const [online, setOnline] = useState(false);
  const [queue, setQueue] = useState<Waiting[]>([]);
  const [call, setCall] = useState<{ boothId: string; label: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const off = hub.onNotification((m, d) => {
      if (m === 'queue.updated') setQueue((d.booths as Waiting[]) ?? []);
      if (m === 'room.closed') setCall(null);
    });
    hub.onClose = () => setOnline(false);
    hub.connect().then(() => setOnline(true), (e: Error) => setError(e.message));
    return () => { off(); hub.close(); };
  }, [hub]);
  const claim = async (w: Waiting): Promise<void> => {
    setError(null);
    try {
      await hub.request('queue.claim', { boothId: w.boothId });
      setCall({ boothId: w.boothId, label: w.pharmacy ? `${w.pharmacy.name}, ${w.pharmacy.city}` : w.boothId });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const logout = async (): Promise<void> => {
    await fetch('/api/logout', { method: 'POST' }).catch(() => undefined);
    hub.close();
    onLogout();
  };
  return (
    <div className="desk">
      <header className="topbar">
        <h1>Cabine — console</h1>
        <span>{me.name} · {me.specialty}</span>
        <span className={online ? 'online' : 'offline'}>{online ? 'Connecté' : 'Hors ligne'}</span>
        <button type="button" onClick={() => void logout()}>Se déconnecter</button>
      </header>
      {error && <p className="error" role="alert">{error}</p>}
      {call ? (
        <Call hub={hub} boothLabel={call.label} onEnd={() => setCall(null)} />
      ) : (
        <section className="card" aria-labelledby="waiting-title">
          <h2 id="waiting-title">Salle d’attente</h2>
          {queue.length === 0 ? <p>Aucune cabine en attente.</p> : (
            <ul className="queue">
              {queue.map((w) => (
                <li key={w.boothId} data-booth={w.boothId}>
                  <div>
                    <strong>{w.pharmacy ? w.pharmacy.name : w.boothId}</strong>
                    {w.pharmacy && <span> — {w.pharmacy.city}</span>}
                    <div className="meta">
                      {[w.firstName, w.age !== null ? `${w.age} ans` : null, w.reason].filter(Boolean).join(' · ') || 'Motif non précisé'} · {waitedFor(w.since)}
                    </div>
                  </div>
                  <button type="button" onClick={() => void claim(w)}>Prendre en charge</button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}

function ConsoleApp() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    fetch('/api/me').then(async (r) => setMe(r.ok ? ((await r.json()) as Me) : null), () => setMe(null));
  }, []);
  if (me === undefined) return <p className="card">Chargement…</p>;
  if (me === null) return <Login onLogin={setMe} />;
  return <Desk me={me} onLogout={() => setMe(null)} />;
}

createRoot(document.getElementById('root')!).render(<StrictMode><ConsoleApp /></StrictMode>);
