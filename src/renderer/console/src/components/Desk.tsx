import { useCallback, useEffect, useState } from 'react';
import { HubClient } from '../hub-client';
import { QueueNote, RoomMine, type CallInfo, type Me, type Waiting } from '../types';
import { Consultation } from './Consultation';
import { WaitingRoom } from './WaitingRoom';

const labelOf = (w: Pick<Waiting, 'boothId' | 'pharmacy'>): string => (w.pharmacy ? `${w.pharmacy.name}, ${w.pharmacy.city}` : w.boothId);

/**
 * The logged-in doctor's desk: the hub connection, the waiting room, and the
 * consultation (live, then its wrap-up until the doctor goes back).
 */
export function Desk({ me, onLogout }: { me: Me; onLogout: () => void }) {
  const [hub] = useState(() => new HubClient());
  const [online, setOnline] = useState(false);
  const [queue, setQueue] = useState<Waiting[]>([]);
  const [call, setCall] = useState<CallInfo | null>(null);
  const [live, setLive] = useState(false);
  const [claiming, setClaiming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const off = hub.onNotification((m, d) => {
      if (m === 'queue.updated') {
        const q = QueueNote.safeParse(d);
        if (q.success) setQueue(q.data.booths);
      }
      if (m === 'room.closed') setLive(false);
    });
    // The client reconnects by itself; each return re-reads the queue and the room.
    const offStatus = hub.onStatus((s) => {
      setOnline(s === 'online');
      if (s === 'online') {
        setError(null);
        void afterConnect();
      }
    });
    const afterConnect = async (): Promise<void> => {
      const list = QueueNote.safeParse(await hub.request('queue.list', {}).catch(() => null));
      if (list.success) setQueue(list.data.booths);
      // A reloaded console returns to its call (the hub keeps the room).
      const parsed = RoomMine.safeParse(await hub.request('room.mine', {}).catch(() => null));
      const mine = parsed.success ? parsed.data : null;
      const room = mine?.room;
      if (room) {
        setCall((c) => (c && c.boothId === room.boothId ? c : { boothId: room.boothId, roomId: room.roomId, label: room.boothId, entry: null }));
        setLive(true);
      } else if (mine) {
        // The room ended while we were away: what is on screen becomes the wrap-up.
        setLive(false);
      }
    };
    hub.connect().catch((e: Error) => setError(e.message));
    return () => { off(); offStatus(); hub.close(); };
  }, [hub]);

  const claim = async (w: Waiting): Promise<void> => {
    setError(null);
    setClaiming(w.boothId);
    try {
      const r = await hub.request('queue.claim', { boothId: w.boothId });
      setCall({ boothId: w.boothId, roomId: typeof r.roomId === 'string' ? r.roomId : null, label: labelOf(w), entry: w });
      setLive(true);
    } catch (e) {
      setError(`Prise en charge impossible : ${(e as Error).message}`);
    } finally {
      setClaiming(null);
    }
  };
  const end = useCallback(async (): Promise<void> => {
    setLive(false);
    await hub.request('room.leave', {}).catch(() => undefined);
  }, [hub]);
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
        <span className={online ? 'online' : 'offline'} role="status">{online ? 'Connecté' : 'Hors ligne'}</span>
        <button type="button" onClick={() => void logout()} disabled={live}>Se déconnecter</button>
      </header>
      {!call && !online && <p className="banner" role="alert">Connexion perdue, reconnexion…</p>}
      {error && <p className="error" role="alert">{error}</p>}
      <main>
        {call ? (
          <Consultation key={`${call.boothId}:${call.roomId ?? ''}`} hub={hub} call={call} live={live} online={online} onEnd={() => void end()} onBack={() => setCall(null)} />
        ) : (
          <WaitingRoom queue={queue} onClaim={(w) => void claim(w)} busy={claiming} />
        )}
      </main>
    </div>
  );
}
