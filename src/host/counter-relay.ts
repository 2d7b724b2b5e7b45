/**
 * The booth's side of the pharmacy counter (src/shared/counter-protocol.ts):
 * each change of the session's alert goes to the hub, which rings the
 * counter pages of this booth's pharmacy; the hub's answer says whether any
 * page heard it. When none did, or the hub cannot be reached, the booth's
 * own chime is the only one and the kiosk says so (`reach: 'booth'`). A
 * counter's "J'arrive" comes back as `counter.acknowledge`, and the session
 * takes it like the pharmacist's at the booth, naming who is coming. The
 * screen's kind (idle, step N, waiting, in call) goes with it, never who the
 * patient is.
 */
import type { Logger } from 'pino';
import { codeOf } from '../shared/errors';
import type { KeyLossReport } from '../shared/key-loss';
import {
  AlertDelivery, AlertHeard, COUNTER, CounterAcknowledge, RingAgain, type AlertReport, type BoothActivity,
} from '../shared/counter-protocol';
import type { HubChannel } from './hub-link';
import type { HostSession } from './session';

export interface CounterRelayOptions {
  link: HubChannel;
  session: HostSession;
  log: Logger;
  /** Called when what the kiosk shows of the alert changed outside the machine (who heard it, a ring again). */
  changed: () => void;
}

type Reach = 'counter' | 'booth' | null;

export class CounterRelay {
  /** The alert last reported, to tell a change from a repeat and to resolve the one that left. */
  private reported: AlertReport | null = null;
  private reachOf: { alertId: string; reach: Reach; ring: number } | null = null;
  private lastActivity = '';
  /** The booth's own alert while it is out of service (its key file lost): it stands in for the session's. */
  private standing: AlertReport | null = null;
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: CounterRelayOptions) {
    const { link, session } = opts;
    this.unsubscribe = session.subscribe(() => this.onSession());
    link.on('status', (status) => {
      if (status === 'online') this.resend();
      else if (this.reachOf && this.reported?.state === 'raised') this.setReach(this.reachOf.alertId, 'booth');
    });
    link.handle(COUNTER.acknowledge, (params) => {
      const ack = CounterAcknowledge.parse(params);
      if (this.standing?.alertId === ack.alertId) {
        // Someone is coming to the booth that is out of service: the board says who; the alert stays until it is repaired.
        this.standing = { ...this.standing, state: 'acknowledged', acknowledgedBy: ack.by };
        this.onSession();
        return { accepted: true };
      }
      const accepted = session.send({ type: 'ALERT_ACKNOWLEDGED', alertId: ack.alertId, by: ack.by });
      return { accepted };
    });
    link.handle(COUNTER.ringAgain, (params) => {
      const r = RingAgain.parse(params);
      if (this.reachOf?.alertId === r.alertId && r.ring > this.reachOf.ring) {
        this.reachOf = { ...this.reachOf, ring: r.ring };
        opts.changed();
      }
      return { ok: true };
    });
    link.handle(COUNTER.heard, (params) => {
      const h = AlertHeard.parse(params);
      if (this.reachOf?.alertId === h.alertId && this.reported?.state === 'raised') this.setReach(h.alertId, h.counters > 0 ? 'counter' : 'booth');
      return { ok: true };
    });
  }

  /** What the view shows of an alert: who heard it, how many times it rang. */
  reach(alertId: string): { reach: Reach; ring: number } {
    return this.reachOf?.alertId === alertId ? { reach: this.reachOf.reach, ring: this.reachOf.ring } : { reach: null, ring: 1 };
  }

  /**
   * The booth is out of service (issue #21): an alert of its own, with the
   * report of what is lost, rings at the counter (on every reconnect too, once
   * per alert) and stands for as long as this host runs.
   */
  outOfService(alert: { alertId: string; raisedAt: string; lost: KeyLossReport }): void {
    this.standing = { alertId: alert.alertId, reason: 'out-of-service', state: 'raised', raisedAt: alert.raisedAt, acknowledgedBy: null, lost: alert.lost };
    this.onSession();
  }

  dispose(): void {
    this.unsubscribe();
  }

  private onSession(): void {
    const view = this.opts.session.view();
    const a = view.context.alert;
    const next: AlertReport | null = this.standing ?? (a
      ? { alertId: a.id, reason: a.reason, state: a.state, raisedAt: a.raisedAt, acknowledgedBy: a.acknowledgedBy }
      : null);
    const prev = this.reported;
    if (next && (prev?.alertId !== next.alertId || prev.state !== next.state)) {
      if (prev?.alertId !== next.alertId) this.reachOf = { alertId: next.alertId, reach: null, ring: 1 };
      this.reported = next;
      this.send(next);
    } else if (!next && prev) {
      this.reported = null;
      this.reachOf = null;
      this.send({ ...prev, state: 'resolved' });
    }
    // The standing alert goes with the screen, so that a hub holding another one (this host restarted) drops it.
    const activity: BoothActivity = { ...activityOf(view.state, view.step), sessionId: view.sessionId, alertId: next?.alertId ?? null };
    const key = JSON.stringify(activity);
    if (key !== this.lastActivity) {
      this.lastActivity = key;
      if (this.opts.link.status === 'online') this.opts.link.notify(COUNTER.activity, activity);
    }
  }

  /** After a reconnect: the hub hears the standing alert again (it rings once per alert, never twice) and the screen. */
  private resend(): void {
    if (this.reported) this.send(this.reported);
    if (this.lastActivity) this.opts.link.notify(COUNTER.activity, JSON.parse(this.lastActivity) as BoothActivity);
  }

  private send(report: AlertReport): void {
    if (this.opts.link.status !== 'online') {
      if (report.state === 'raised') this.setReach(report.alertId, 'booth');
      return;
    }
    this.opts.link.request(COUNTER.alert, report).then(
      (answer) => {
        const delivery = AlertDelivery.safeParse(answer);
        if (report.state === 'raised') this.setReach(report.alertId, delivery.success && delivery.data.counters > 0 ? 'counter' : 'booth');
      },
      (error: unknown) => {
        this.opts.log.warn({ code: codeOf(error), alertId: report.alertId }, 'the counter could not be told of the alert: it rings here only');
        if (report.state === 'raised') this.setReach(report.alertId, 'booth');
      },
    );
  }

  private setReach(alertId: string, reach: Reach): void {
    if (this.reachOf?.alertId !== alertId || this.reachOf.reach === reach) return;
    this.reachOf = { ...this.reachOf, reach };
    this.opts.changed();
  }
}

/** The board's reading of a kiosk screen. */
export function activityOf(state: string, step: number | null): BoothActivity {
  const top = state.split('.')[0];
  if (top === 'attract' || top === 'privacyWipe') return { kind: 'idle', step: null };
  if (top === 'waitingRoom') return { kind: 'waiting', step: null };
  if (top === 'consultation') return { kind: 'call', step: null };
  if (top === 'exam') return { kind: 'exam', step: null };
  if (step !== null) return { kind: 'steps', step };
  return { kind: 'ending', step: null };
}
