/**
 * The counter page: sign-in, then the pharmacy's booths live, each alert
 * with its sound and notification (once "Activer les alertes" was tapped),
 * "J'arrive" (the booth then shows "Le pharmacien arrive" with the staff
 * member's first name), and the intake of a booth whose patient is at the
 * identity step or in the waiting room — for a live consultation or an
 * "Examen différé" — and the pharmacy's deferred cases, whose urgent
 * answers ring like an alert until someone has called the patient.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { systemClock } from '../../../shared/clock';
import { COUNTER_API, COUNTER_ERRORS, type Board, type BoardBooth, type BoothActivity, type RingNote } from '../../../shared/counter-protocol';
import type { Intake } from '../../../shared/intake';
import type { AlertAcknowledger } from '../../../shared/session-view';
import { draftOf, type IntakeDraft } from '../../../shared/intake-draft';
import { sendTotpCode, signIn } from '../../../shared/sign-in';
import type { CounterCase } from '../../../shared/case-protocol';
import { formatPickupCode, type CaseRequestInput } from '../../../shared/case-record';
import { armAlerts, ring, type Armed } from './alerting';
import { CaseRings, CasesSection } from './CasesSection';
import type { DeferredDraft } from './deferred';
import { CounterClient, CounterError } from './client';
import { reasonWords, t, type Lang } from './i18n';
import { describeKeyLoss } from '../../../shared/key-loss';
import { IntakeForm, type IntakeOutcome } from './IntakeForm';
import { OidcSignIn, useOidcConfig } from './OidcSignIn';

interface Me { id: string; name: string; firstName: string; pharmacy: { name: string; city: string } | null }

/**
 * The session a booth takes an intake for: its patient at the identity step
 * (the kiosk's step 3) or in the waiting room. A hint for the page only: the
 * booth checks its own state and refuses past it.
 */
const IDENTITY_STEP = 3;
function intakeSession(b: BoardBooth): string | null {
  const a: BoothActivity | null = b.activity;
  if (!b.online || !a?.sessionId) return null;
  return (a.kind === 'steps' && a.step === IDENTITY_STEP) || a.kind === 'waiting' ? a.sessionId : null;
}

function refusalWords(lang: Lang, code: string, message = ''): string {
  switch (code) {
    // The hub words its refusal of a case in English only: the French page says what to check, the English one adds the detail.
    case COUNTER_ERRORS.invalidCase: return t(lang, 'intake.refused.case', { why: lang === 'en' ? message : '' }).trim();
    case COUNTER_ERRORS.notYourPharmacy: case 'OTHER_PHARMACY': return t(lang, 'intake.refused.pharmacy');
    case COUNTER_ERRORS.invalidIntake: return t(lang, 'intake.refused.invalid');
    case COUNTER_ERRORS.boothOffline: case 'CLOSED': return t(lang, 'intake.refused.offline');
    default: return t(lang, 'intake.refused.other', { why: code });
  }
}

export function CounterApp() {
  const [lang, setLang] = useState<Lang>('fr');
  const [me, setMe] = useState<Me | null | 'loading'>('loading');
  useEffect(() => {
    fetch(COUNTER_API.me).then(async (r) => setMe(r.ok ? (await r.json()) as Me : null), () => setMe(null));
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t(lang, 'title');
  }, [lang]);
  const other: Lang = lang === 'fr' ? 'en' : 'fr';
  const switcher = <button type="button" className="link" lang={other} data-testid="lang" onClick={() => setLang(other)}>{t(lang, 'lang.other')}</button>;
  if (me === 'loading') return null;
  if (!me) return <Login lang={lang} switcher={switcher} onLogin={setMe} />;
  return <Desk lang={lang} switcher={switcher} me={me} onSignedOut={() => setMe(null)} />;
}

function Login({ lang, switcher, onLogin }: { lang: Lang; switcher: React.ReactNode; onLogin: (me: Me) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Set once the password was right and the hub asks for the code of the authenticator app.
  const [pending, setPending] = useState<string | null>(null);
  const oidc = useOidcConfig();
  const submit = async (e: FormEvent<HTMLFormElement>): Promise<void> => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    const outcome = pending === null
      ? await signIn<Me>(COUNTER_API.login, form.get('email'), form.get('password'))
      : await sendTotpCode<Me>(COUNTER_API.login, pending, form.get('code'));
    setBusy(false);
    if (outcome.ok) onLogin(outcome.me);
    else if (outcome.reason === 'totp') setPending(outcome.pending);
    else if (outcome.reason === 'refused') {
      // A pending sign-in that died (expired, too many wrong codes) starts again at the password.
      if (outcome.retry === 'password') setPending(null);
      // The hub words its refusals in French only.
      setError(lang === 'fr' ? (outcome.message ?? t(lang, 'login.refused')) : t(lang, 'login.refused'));
    } else setError(t(lang, 'login.unreachable'));
  };
  return (
    <main className="card login">
      <header className="bar"><h1>{t(lang, 'login.heading')}</h1>{switcher}</header>
      {oidc?.enabled && pending === null && <OidcSignIn config={oidc} />}
      {pending === null
        ? (oidc?.allowPasswords !== false && (
          <form key="password" onSubmit={(e) => void submit(e)}>
            <label>{t(lang, 'login.email')}<input name="email" type="email" autoComplete="username" required data-testid="email" /></label>
            <label>{t(lang, 'login.password')}<input name="password" type="password" autoComplete="current-password" required data-testid="password" /></label>
            {error && <p className="error" role="alert">{error}</p>}
            <button type="submit" className="primary" disabled={busy} data-testid="sign-in">{t(lang, 'login.submit')}</button>
          </form>
        ))
        : (
          <form key="code" onSubmit={(e) => void submit(e)}>
            <label>
              {t(lang, 'login.code')}
              <input
                name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} minLength={6}
                required autoFocus aria-describedby="code-help" data-testid="code"
              />
            </label>
            <p id="code-help" className="muted">{t(lang, 'login.codeHelp')}</p>
            {error && <p className="error" role="alert">{error}</p>}
            <button type="submit" className="primary" disabled={busy} data-testid="code-submit">{t(lang, 'login.codeSubmit')}</button>
          </form>
        )}
    </main>
  );
}

function Desk({ lang, switcher, me, onSignedOut }: { lang: Lang; switcher: React.ReactNode; me: Me; onSignedOut: () => void }) {
  const [board, setBoard] = useState<Board | null>(null);
  const [online, setOnline] = useState(true);
  const [armed, setArmed] = useState<Armed>('no');
  const [refusal, setRefusal] = useState<string | null>(null);
  // The booth and session whose intake is open; the drafts by session, so a form closed and opened again keeps what was typed.
  const [intakeFor, setIntakeFor] = useState<{ boothId: string; sessionId: string } | null>(null);
  const [drafts, setDrafts] = useState<ReadonlyMap<string, IntakeDraft>>(new Map());
  const [deferredDrafts, setDeferredDrafts] = useState<ReadonlyMap<string, DeferredDraft | null>>(new Map());
  const [cases, setCases] = useState<CounterCase[]>([]);
  const [calling, setCalling] = useState<string | null>(null);
  // "Examen différé lancé": the form closes as the booth leaves the intake, so the page says it once, above the board.
  const [started, setStarted] = useState<string | null>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const armedRef = useRef<Armed>('no');
  const langRef = useRef(lang);
  langRef.current = lang;
  const client = useRef<CounterClient | null>(null);
  useEffect(() => {
    const c = new CounterClient({
      board: setBoard,
      status: (up: boolean) => {
        setOnline(up);
        // Each connection lists the cases again: notes missed while away are not replayed.
        if (up) c.listCases().then(setCases, () => undefined);
      },
      cases: setCases,
      caseRing: (note) => {
        const l = langRef.current;
        const code = formatPickupCode(note.pickupCode);
        if (audio.current) void ring(audio.current, armedRef.current, { alertId: note.caseId, ring: note.ring, urgent: true, title: t(l, 'notify.case', { code }), body: t(l, 'cases.called') });
      },
      refused: onSignedOut,
      ring: (note: RingNote) => {
        const l = langRef.current;
        const urgent = note.reason === 'emergency';
        const what = urgent ? t(l, 'alert.emergency') : t(l, 'alert.help');
        if (audio.current) void ring(audio.current, armedRef.current, { alertId: note.alertId, ring: note.ring, urgent, title: t(l, 'notify.title', { booth: note.boothId, what }), body: reasonWords(l, note.reason) });
      },
    });
    client.current = c;
    c.connect();
    return () => c.close();
  }, []);
  const arm = async (): Promise<void> => {
    if (!audio.current) return;
    const a = await armAlerts(audio.current);
    armedRef.current = a;
    setArmed(a);
  };
  const acknowledge = (b: BoardBooth): void => {
    if (!b.alert) return;
    setRefusal(null);
    client.current?.acknowledge({ boothId: b.boothId, alertId: b.alert.alertId }).catch((e: unknown) => {
      if (e instanceof CounterError && e.code === 'NOT_LOGGED_IN') onSignedOut();
      else setRefusal(t(lang, 'alert.refused', { why: e instanceof CounterError ? e.code : String(e) }));
    });
  };
  const calledPatient = (cs: CounterCase): void => {
    setRefusal(null);
    setCalling(cs.caseId);
    client.current?.acknowledgeCase(cs.caseId).catch((e: unknown) => {
      if (e instanceof CounterError && e.code === COUNTER_ERRORS.notLoggedIn) onSignedOut();
      else setRefusal(t(lang, 'cases.refused', { why: e instanceof CounterError ? e.code : String(e) }));
    }).finally(() => setCalling(null));
  };
  const sendIntake = async (boothId: string, sessionId: string, intake: Intake, deferred?: CaseRequestInput): Promise<IntakeOutcome> => {
    const c = client.current;
    if (!c) return { kind: 'refused', message: t(lang, 'intake.refused.offline') };
    try {
      const r = await c.setIntake({ boothId, sessionId, intake, ...(deferred ? { deferred } : {}) });
      if (r.accepted && deferred) setStarted(t(lang, 'deferred.saved', { booth: boothId }));
      if (r.accepted) return { kind: 'saved' };
      return { kind: 'refused', message: t(lang, r.reason === 'session' ? 'intake.refused.session' : 'intake.refused.step') };
    } catch (e) {
      if (e instanceof CounterError && e.code === COUNTER_ERRORS.notLoggedIn) onSignedOut();
      return { kind: 'refused', message: e instanceof CounterError ? refusalWords(lang, e.code, e.message) : refusalWords(lang, String(e)) };
    }
  };
  // The form stays open while the booth still takes an intake for the session it was opened for: a new patient closes it.
  const openBooth = intakeFor ? board?.booths.find((b) => b.boothId === intakeFor.boothId && intakeSession(b) === intakeFor.sessionId) : undefined;
  const signOut = async (): Promise<void> => {
    await fetch(COUNTER_API.logout, { method: 'POST' }).catch(() => undefined);
    onSignedOut();
  };
  const pharmacy = board?.pharmacy ?? me.pharmacy;
  return (
    <main className="desk">
      <header className="bar">
        <h1>{pharmacy ? `${pharmacy.name} — ${pharmacy.city}` : t(lang, 'title')}</h1>
        <span className="who">{me.firstName}</span>
        {switcher}
        <button type="button" className="link" onClick={() => void signOut()}>{t(lang, 'logout')}</button>
      </header>
      <audio ref={audio} src="audio/chime.wav" preload="auto" data-testid="chime" />
      <CaseRings lang={lang} cases={cases} onCalled={calledPatient} busy={calling} />
      <section className={`arming arming--${armed === 'no' ? 'off' : 'on'}`} data-testid="arming" data-armed={armed}>
        {armed === 'no'
          ? <><p>{t(lang, 'alerts.notArmed')}</p><button type="button" className="primary" data-testid="arm" onClick={() => void arm()}>{t(lang, 'alerts.arm')}</button></>
          : <p>{armed === 'sound+notification' ? t(lang, 'alerts.armed') : t(lang, 'alerts.armedNoNotification')}</p>}
      </section>
      {!online && <p className="offline" role="alert" data-testid="offline">{t(lang, 'offline')}</p>}
      {refusal && <p className="error" role="alert">{refusal}</p>}
      {started && <p className="notice" role="status" data-testid="deferred-started">{started} <button type="button" className="link" onClick={() => setStarted(null)}>{t(lang, 'intake.close')}</button></p>}
      <ul className="board" data-testid="board">
        {board?.booths.map((b) => (
          <BoothTile key={b.boothId} booth={b} lang={lang} onAcknowledge={() => acknowledge(b)}
            onIntake={intakeSession(b) ? () => setIntakeFor({ boothId: b.boothId, sessionId: intakeSession(b)! }) : null} />
        ))}
      </ul>
      {intakeFor && openBooth && (
        <IntakeForm key={intakeFor.sessionId} lang={lang} boothId={intakeFor.boothId} clock={systemClock}
          draft={drafts.get(intakeFor.sessionId) ?? draftOf(null)}
          onDraft={(d) => setDrafts((prev) => new Map(prev).set(intakeFor.sessionId, d))}
          deferred={deferredDrafts.get(intakeFor.sessionId) ?? null}
          onDeferred={(d) => setDeferredDrafts((prev) => new Map(prev).set(intakeFor.sessionId, d))}
          send={(intake, deferred) => sendIntake(intakeFor.boothId, intakeFor.sessionId, intake, deferred)}
          onClose={() => setIntakeFor(null)} />
      )}
      <CasesSection lang={lang} cases={cases} />
    </main>
  );
}

function activityWords(lang: Lang, b: BoardBooth): string {
  if (!b.online) return t(lang, 'booth.offline');
  // Out of service, the booth waits on its attract screen (idle): it is not free for a patient.
  if (b.alert?.reason === 'out-of-service') return t(lang, 'booth.outOfService');
  const a = b.activity;
  if (!a) return t(lang, 'booth.unknown');
  if (a.kind === 'steps') return t(lang, 'booth.steps', { step: a.step ?? '' });
  if (a.kind === 'waiting' && b.position !== null) return t(lang, 'booth.waitingAt', { n: b.position });
  if (a.kind === 'call' && b.doctor !== null) return t(lang, 'booth.callWith', { doctor: b.doctor });
  return t(lang, `booth.${a.kind}`);
}

function timeOf(iso: string | null, lang: Lang): string | null {
  if (!iso) return null;
  return new Date(iso).toLocaleTimeString(lang === 'fr' ? 'fr-FR' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
}

/** Who answered: "Marie y va" from the counter; at the booth (the PIN names no one), "Pris en charge à la cabine". */
function comingWords(lang: Lang, by: AlertAcknowledger | null): string {
  if (by?.via === 'booth') return by.name ? t(lang, 'alert.namedAtBooth', { name: by.name }) : t(lang, 'alert.atBooth');
  return t(lang, 'alert.coming', { name: by?.name ?? '—' });
}

export function BoothTile({ booth, lang, onAcknowledge, onIntake }: { booth: BoardBooth; lang: Lang; onAcknowledge: () => void; onIntake: (() => void) | null }) {
  const a = booth.alert;
  const urgent = a?.reason === 'emergency';
  const state = a ? (urgent ? 'emergency' : 'help') : booth.online ? 'ok' : 'offline';
  const since = timeOf(a?.raisedAt ?? null, lang);
  return (
    <li className={`tile tile--${state}`} data-testid={`booth-${booth.boothId}`} data-state={state}>
      <h2>{booth.boothId}</h2>
      <p className="tile__activity" data-testid={`activity-${booth.boothId}`}>{activityWords(lang, booth)}</p>
      {onIntake && <button type="button" className="primary" data-testid={`intake-${booth.boothId}`} onClick={onIntake}>{t(lang, 'intake.open')}</button>}
      {a && (
        <div className="tile__alert" role={a.state === 'raised' ? 'alert' : 'status'} data-testid={`alert-${booth.boothId}`} data-alert={a.state}>
          <p className="tile__what">{urgent ? t(lang, 'alert.emergency') : a.reason === 'out-of-service' ? t(lang, 'alert.outOfService') : t(lang, 'alert.help')}{since ? ` · ${t(lang, 'alert.since', { time: since })}` : ''}{a.rings > 1 ? ` · ${t(lang, 'alert.rings', { n: a.rings })}` : ''}</p>
          <p>{reasonWords(lang, a.reason)}</p>
          {a.lost && (
            <>
              <p className="tile__lost" data-testid={`lost-${booth.boothId}`}>{describeKeyLoss(a.lost, lang)}</p>
              <p>{t(lang, 'outOfService.todo')}</p>
            </>
          )}
          {a.state === 'raised'
            ? <button type="button" className="primary big" data-testid={`ack-${booth.boothId}`} onClick={onAcknowledge}>{t(lang, 'alert.ack')}</button>
            : <p className="tile__coming" data-testid={`coming-${booth.boothId}`}>
              {comingWords(lang, a.acknowledgedBy)}
            </p>}
        </div>
      )}
    </li>
  );
}
