/**
 * The pharmacy counter on the hub: staff sign-in (./staff-auth.ts), the
 * counter page's build at `/counter/`, its WebSocket at `/counter/ws`
 * (session cookie and an allowed Origin, like the console's), and the
 * booths' `counter.*` methods, routed by ./alerts.ts to the pages of each
 * booth's own pharmacy; a page's intake goes to the booth by ./intake.ts.
 *
 * The access journal (../journal): each page's first view of the board is
 * journaled (`counter.board`) before the board is sent, and an intake
 * handed to a booth (`counter.intake`, a write) before it goes; a page whose
 * board cannot be journaled is closed (1011, JOURNAL_UNAVAILABLE) and asks
 * again. A signed-in member of staff refused another pharmacy's booth is
 * journaled as a refusal.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { z } from 'zod';
import { serveStatic } from '../../node/static-files';
import { systemClock, type Clock } from '../../shared/clock';
import {
  AcknowledgeAlertParams, AlertReport, BoothActivity, COUNTER, COUNTER_ERRORS, COUNTER_PAGE_PATH, COUNTER_WS_PATH, SetIntakeParams,
} from '../../shared/counter-protocol';
import type { AuthOptions } from '../auth';
import { refuseUpgrade } from '../booth-gateway';
import { FloodLog } from '../flood-log';
import { TotpStep } from '../second-factor';
import { localSignInState, type SignInState } from '../state/sign-in-state';
import { Peer, refused, type Method } from '../peer';
import { watchPeerSessions } from '../session-watch';
import type { HubPorts } from '../ports';
import { journaled, journalRefusal, callerAddress } from '../journal/report';
import { codeOf } from '../../shared/errors';
import { addressKey } from '../throttle';
import { CounterAlerts, type CounterPage, type StaffRef } from './alerts';
import { forwardIntake } from './intake';
import { StaffAuth } from './staff-auth';

export interface HubCounter {
  readonly auth: StaffAuth;
  readonly alerts: CounterAlerts;
  /** Registers a counter page method; `run` gets the signed-in staff member (asked at each call, like the counter's own). */
  handlePage<P extends z.ZodType>(name: string, params: P, run: (staff: StaffRef, params: z.output<P>, from: string | undefined) => unknown): void;
  /** The counter pages open on this node for a pharmacy. */
  pagesOf(pharmacyId: string): CounterPage[];
  /** Hears each page that opens on this node; returns an unsubscribe. */
  onPageConnected(listener: (page: CounterPage) => void): () => void;
}

export interface CounterOptions {
  /** The counter page's build (dist/renderer/counter). */
  dir: string;
  /** Content-Security-Policy of its HTML (the console's). */
  csp: string;
  auth?: AuthOptions;
  /** The used TOTP steps and pending sign-ins (the hub state store, shared by the nodes); this process's memory when absent. */
  signInState?: () => SignInState;
  /** The re-ring timer's clock (tests). */
  clock?: Clock;
}

type CounterPorts = Pick<HubPorts, 'booths' | 'directory' | 'config' | 'limits' | 'url' | 'journal' | 'log' | 'addRoute' | 'addUpgrade' | 'onClose'>;

export function registerCounter(ports: CounterPorts, opts: CounterOptions): HubCounter {
  const { booths, config } = ports;
  const log = ports.log.child({ module: 'hub.counter' });
  const { journal } = ports;
  const signInState = opts.signInState ?? localSignInState(ports.limits.clock);
  const secondStep = new TotpStep({
    role: 'staff', requireTotp: config.localSignIn.requireTotp, state: signInState, secretOf: (id) => ports.directory.staffById(id)?.totpSecret, journal: ports.journal, log, clock: ports.limits.clock, logWindowMs: ports.limits.logWindowMs,
  });
  const auth = new StaffAuth(ports.directory, log, signInState, { limits: ports.limits, secondStep, journal, ...opts.auth });
  const clock = opts.clock ?? systemClock;
  const booth = {
    request: (boothId: string, method: string, params: unknown): Promise<unknown> => {
      const peer = booths.peer(boothId);
      return peer ? peer.request(method, params) : Promise.reject(refused('PEER_GONE', 'booth offline'));
    },
  };
  const alerts = new CounterAlerts({
    booths: config.booths,
    ringAgainMs: config.counter.ringAgainSeconds * 1000,
    clock,
    booth,
    onChange: (e) => log.info(e, 'counter alert'),
  });

  // Booths: their alert and their screen's kind; always about themselves (the connection names the booth).
  booths.handle(COUNTER.alert, AlertReport, (peer, report) => alerts.report(peer.id, report));
  booths.handle(COUNTER.activity, BoothActivity, (peer, activity) => { alerts.activity(peer.id, activity); });
  booths.on('connected', (peer) => alerts.boothConnected(peer.id));
  booths.on('disconnected', (peer) => { if (!booths.peer(peer.id)) alerts.boothDisconnected(peer.id); });
  for (const id of booths.connectedBooths()) alerts.boothConnected(id);

  // Counter pages.
  const own = new URL(ports.url);
  const origins = [own.origin, `http://localhost:${own.port}`, ...config.allowedOrigins];
  const floods = new FloodLog(log, { windowMs: ports.limits.logWindowMs });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const methods = new Map<string, Method>();
  const pages = new Map<Peer, { page: CounterPage; token: string }>();
  const pageListeners = new Set<(page: CounterPage) => void>();
  // A page lives no longer than its session: signed out here, on another node, or expired.
  const watch = watchPeerSessions(auth, { role: 'staff', everyMs: ports.limits.sessionCheckMs, log });
  /** Who acts through a page, asked at each act: signed out (here or in another tab) since it connected is refused, and the page asks to sign in again. */
  const staffOf = async (peer: Peer): Promise<StaffRef> => {
    const open = pages.get(peer);
    const session = open ? await auth.sessionOfToken(open.token) : null;
    if (!session) throw refused(COUNTER_ERRORS.notLoggedIn, 'signed out');
    return { staffId: session.staffId, firstName: session.firstName, pharmacyId: session.pharmacyId };
  };
  methods.set(COUNTER.acknowledgeAlert, method(AcknowledgeAlertParams, async (peer, params) => alerts.acknowledge(await staffOf(peer), params)));
  methods.set(COUNTER.setIntake, method(SetIntakeParams, async (peer, params) => {
    const staff = await staffOf(peer);
    const entry = { actor: { role: 'staff', id: staff.staffId }, action: 'write', resource: 'counter.intake', sessionId: params.sessionId, boothId: params.boothId, from: peer.from } as const;
    try {
      return await forwardIntake({
        booths: config.booths, booth, clock, onForwarded: (e) => log.info(e, 'counter intake'),
        // After the hub's checks, before the booth has it: an intake the journal cannot record is not sent.
        beforeForward: () => journaled(journal, { ...entry, outcome: 'allowed' }, log),
      }, staff, params);
    } catch (error) {
      if (codeOf(error) === COUNTER_ERRORS.notYourPharmacy) await journalRefusal(journal, { ...entry, reason: COUNTER_ERRORS.notYourPharmacy }, log);
      throw error;
    }
  }));
  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const origin = String(req.headers.origin ?? '');
    const address = addressKey(req.socket.remoteAddress);
    if (!origins.includes(origin)) {
      floods.warn(`origin:${address}`, { address, origin: origin.slice(0, 100) }, 'refused a counter connection: origin not allowed');
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    const token = auth.tokenOf(req);
    const session = token ? await auth.sessionOfToken(token) : null;
    if (!token || !session) {
      floods.warn(`session:${address}`, { address }, 'refused a counter connection: not signed in');
      return refuseUpgrade(socket, 401, 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const peer = new Peer({ ws, identity: { role: 'staff', id: session.staffId }, methods, log, ratePerSecond: 20, burst: 100, floods });
      const from = callerAddress(req);
      const page: CounterPage = { staffId: session.staffId, firstName: session.firstName, pharmacyId: session.pharmacyId, from, notify: (m, p) => peer.notify(m, p) };
      pages.set(peer, { page, token });
      watch.add(token, peer);
      ws.on('close', () => {
        pages.delete(peer);
        watch.remove(peer);
        alerts.pageDisconnected(page);
      });
      const opened = (): void => {
        if (!pages.has(peer)) return; // closed while its entry was written
        alerts.pageConnected(page);
        for (const listener of pageListeners) {
          try {
            listener(page);
          } catch (error) {
            log.error({ err: error }, 'a counter page listener failed');
          }
        }
      };
      journaled(journal, { actor: { role: 'staff', id: session.staffId }, action: 'read', resource: 'counter.board', outcome: 'allowed', from }, log)
        .then(opened, () => peer.close(1011, 'JOURNAL_UNAVAILABLE'));
    });
  };
  ports.addRoute(auth.route);
  ports.addUpgrade(COUNTER_WS_PATH, upgrade);
  ports.addRoute(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/counter') {
      res.writeHead(308, { Location: COUNTER_PAGE_PATH }).end();
      return true;
    }
    if (!path.startsWith(COUNTER_PAGE_PATH)) return false;
    // The build is served from its own folder: the path inside it is what follows /counter.
    req.url = (req.url ?? '/').slice(COUNTER_PAGE_PATH.length - 1);
    await serveStatic(req, res, { root: opts.dir, csp: opts.csp });
    return true;
  });
  ports.onClose(() => {
    watch.stop();
    for (const peer of pages.keys()) peer.ws.terminate();
    wss.close();
    floods.close();
    alerts.close();
    auth.close();
  });
  return {
    auth,
    alerts,
    handlePage: (name, params, run) => methods.set(name, method(params, async (peer, p) => run(await staffOf(peer), p, peer.from))),
    pagesOf: (pharmacyId) => [...pages.values()].map((o) => o.page).filter((page) => page.pharmacyId === pharmacyId),
    onPageConnected: (listener) => {
      pageListeners.add(listener);
      return () => pageListeners.delete(listener);
    },
  };
}

function method<P extends z.ZodType>(params: P, run: (peer: Peer, params: z.output<P>) => unknown): Method {
  return { params, run: run as Method['run'] };
}
