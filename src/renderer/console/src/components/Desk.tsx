import { useCallback, useEffect, useRef, useState } from 'react';
import { systemClock, type Clock } from '../../../../shared/clock';
import type { BoothAway } from '../format';
import { HubClient } from '../hub-client';
import { CASE, CaseQueueNote, type CaseSummary } from '../../../../shared/case-protocol';
import { orderCases } from '../case-queue';
import { BoothOffline, CONSOLE_REQUESTS, Elsewhere as ElsewhereNote, QUEUE, QueueUpdated, ROOM, RoomClosed } from '../../../../shared/media-protocol';
import type { CallInfo, Me, Presence, Waiting } from '../types';
import { prefetchCallMedia } from './call-media-lazy';
import { CaseQueue } from './CaseQueue';
import { CaseReview } from './CaseReview';
import { Consultation } from './Consultation';
import { Elsewhere } from './Elsewhere';
import { WaitingRoom } from './WaitingRoom';

const labelOf = (w: Pick<Waiting, 'boothId' | 'pharmacy'>): string => (w.pharmacy ? `${w.pharmacy.name}, ${w.pharmacy.city}` : w.boothId);

/**
 * The logged-in doctor's desk: the hub connection, the waiting room, and the
 * consultation (live, then its wrap-up until the doctor goes back); beside
 * the waiting room, the deferred cases ("Examens différés") and the review
 * of the one opened. A live patient claimed comes first: the review is kept
 * to return to after the call.
 *
 * One doctor may open the console in several tabs; the hub lets one
 * connection hold the call (src/hub/media/rooms.ts). A tab that does
 * not hold it shows only the offer to take it over (`Elsewhere`), never the
 * call's media; the doctor's click moves the call here (`room.takeOver`).
 * While the booth is away the hub's `room.boothOffline` gives how long and
 * how long before the call ends; it is dated here on this page's clock.
 */
export function Desk({ me, onLogout, clock = systemClock }: { me: Me; onLogout: () => void; clock?: Pick<Clock, 'now'> }) {
  const [hub] = useState(() => new HubClient());
  const [online, setOnline] = useState(false);
  const [queue, setQueue] = useState<Waiting[]>([]);
  // The deferred cases of the doctor's specialties, whole on each `case.queue` note; the one under review.
  const [cases, setCases] = useState<CaseSummary[]>([]);
  const [reviewing, setReviewing] = useState<string | null>(null);
  const [call, setCall] = useState<CallInfo | null>(null);
  const [live, setLive] = useState(false);
  const [presence, setPresence] = useState<Presence>('here');
  const [away, setAway] = useState<BoothAway | null>(null);
  const [endedReason, setEndedReason] = useState<string | null>(null);
  const [claiming, setClaiming] = useState<string | null>(null);
  const [taking, setTaking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const presenceRef = useRef(presence);
  presenceRef.current = presence;
  const clockRef = useRef(clock);
  clockRef.current = clock;
  useEffect(prefetchCallMedia, []);
  // A hub node that no longer knows the session: back to the login.
  useEffect(() => {
    hub.onSignedOut = onLogout;
  }, [hub, onLogout]);

  useEffect(() => {
    const off = hub.onNotification((m, d) => {
      if (m === QUEUE.updated) {
        const q = QueueUpdated.safeParse(d);
        if (q.success) setQueue(q.data.booths);
      } else if (m === CASE.queueNote) {
        const q = CaseQueueNote.safeParse(d);
        if (q.success) setCases(orderCases(q.data.cases));
      } else if (m === ROOM.closed) {
        setLive(false);
        setAway(null);
        setEndedReason(RoomClosed.safeParse(d).data?.reason ?? null);
        // A tab that did not hold the call has no wrap-up of its own: back to the waiting room.
        if (presenceRef.current !== 'here') setCall(null);
        setPresence('here');
      } else if (m === ROOM.elsewhere) {
        const n = ElsewhereNote.safeParse(d);
        if (!n.success) return;
        const { roomId, boothId, pharmacy, reason } = n.data;
        setCall((c) => (c && c.boothId === boothId ? c : { boothId, roomId, label: pharmacy ? labelOf({ boothId, pharmacy }) : boothId, entry: null }));
        setLive(true);
        setAway(null);
        setPresence(reason);
      } else if (m === ROOM.released) {
        setPresence((p) => (p === 'here' ? p : 'released'));
      } else if (m === ROOM.resumed) {
        setPresence('here');
        setAway(null);
      } else if (m === ROOM.boothOffline) {
        const n = BoothOffline.safeParse(d);
        if (n.success) setAway({ awayMs: n.data.awayMs, endsInMs: n.data.endsInMs, receivedAt: clockRef.current.now() });
      } else if (m === ROOM.boothOnline) {
        setAway(null);
      }
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
      const list = CONSOLE_REQUESTS[QUEUE.list].result.safeParse(await hub.request(QUEUE.list, {}).catch(() => null));
      if (list.success) setQueue(list.data.booths);
      // The cases changed while we were away: listed again (a hub without cases answers nothing usable, and the section stays empty).
      const listed = CaseQueueNote.safeParse(await hub.request(CASE.list, {}).catch(() => null));
      if (listed.success) setCases(orderCases(listed.data.cases));
      // A reloaded console returns to its call (the hub keeps the room).
      const parsed = CONSOLE_REQUESTS[ROOM.mine].result.safeParse(await hub.request(ROOM.mine, {}).catch(() => null));
      const mine = parsed.success ? parsed.data : null;
      const room = mine?.room;
      if (room) {
        setCall((c) => (c && c.boothId === room.boothId ? c : { boothId: room.boothId, roomId: room.roomId, label: room.boothId, entry: null }));
        setLive(true);
      } else if (mine) {
        // The room ended while we were away: what is on screen becomes the wrap-up.
        setLive(false);
        setAway(null);
        if (presenceRef.current !== 'here') setCall(null);
        setPresence('here');
      }
    };
    hub.connect().catch((e: Error) => setError(e.message));
    return () => { off(); offStatus(); hub.close(); };
  }, [hub]);

  const claim = async (w: Waiting): Promise<void> => {
    setError(null);
    setClaiming(w.boothId);
    try {
      const r = CONSOLE_REQUESTS[QUEUE.claim].result.safeParse(await hub.request(QUEUE.claim, { boothId: w.boothId }));
      setCall({ boothId: w.boothId, roomId: r.success ? r.data.roomId : null, label: labelOf(w), entry: w });
      setLive(true);
      setPresence('here');
      setEndedReason(null);
    } catch (e) {
      setError(`Prise en charge impossible : ${(e as Error).message}`);
    } finally {
      setClaiming(null);
    }
  };
  const end = useCallback(async (): Promise<void> => {
    setLive(false);
    setAway(null);
    setEndedReason('ended');
    await hub.request(ROOM.leave, {}).catch(() => undefined);
  }, [hub]);
  /** The doctor's click: the call moves to this tab; the tab that had it stops its media. */
  const takeOver = async (): Promise<void> => {
    setError(null);
    setTaking(true);
    try {
      await hub.request(ROOM.takeOver, {});
      setPresence('here');
    } catch (e) {
      setError(`Reprise impossible : ${(e as Error).message}`);
    } finally {
      setTaking(false);
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
        <span className={online ? 'online' : 'offline'} role="status">{online ? 'Connecté' : 'Hors ligne'}</span>
        <button type="button" onClick={() => void logout()} disabled={live}>Se déconnecter</button>
      </header>
      {!call && !online && <p className="banner" role="alert">Connexion perdue, reconnexion…</p>}
      {error && <p className="error" role="alert">{error}</p>}
      <main>
        {call && live && presence !== 'here' ? (
          <Elsewhere presence={presence} label={call.label} busy={taking || !online} onTakeOver={() => void takeOver()} />
        ) : call ? (
          <Consultation
            key={`${call.boothId}:${call.roomId ?? ''}`} hub={hub} call={call} live={live} online={online} away={away} endedReason={endedReason} clock={clock} waiting={queue.length}
            onEnd={() => void end()} onBack={() => setCall(null)}
          />
        ) : reviewing ? (
          <CaseReview key={reviewing} hub={hub} caseId={reviewing} answeredBy={cases.find((c) => c.caseId === reviewing)?.answeredBy ?? null} onBack={() => setReviewing(null)} />
        ) : (
          <div className="desk__queues">
            <WaitingRoom queue={queue} onClaim={(w) => void claim(w)} busy={claiming} />
            <CaseQueue cases={cases} onOpen={(c) => setReviewing(c.caseId)} busy={null} />
          </div>
        )}
      </main>
    </div>
  );
}
