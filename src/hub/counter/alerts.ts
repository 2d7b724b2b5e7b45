/**
 * The counter's side of the booths' alerts (src/shared/counter-protocol.ts
 * says the flows): one alert per booth at most, rung on the counter pages
 * of that booth's pharmacy and never another's, acknowledged only by staff
 * of that pharmacy, rung again while nobody answers. No patient data: the
 * alert's reason and state, the booth's screen kind and step.
 */
import type { Clock } from '../../shared/clock';
import {
  COUNTER, COUNTER_ERRORS,
  type AcknowledgeAlertParams, type AlertDelivery, type AlertReport, type Board, type BoardAlert, type BoardBooth, type BoothActivity,
  type CounterAcknowledge, type EmergencyNote, type RingNote,
} from '../../shared/counter-protocol';
import { refused } from '../peer';

/** A signed-in member of staff, as the routing needs them. */
export interface StaffRef {
  staffId: string;
  firstName: string;
  pharmacyId: string;
}

/** One open counter page. */
export interface CounterPage extends StaffRef {
  notify(method: string, params: unknown): void;
  /** The page's address at connect (the access journal's `from`), when known. */
  from?: string;
}

export interface CounterAlertsOptions {
  booths: readonly { boothId: string; pharmacyId?: string | undefined; pharmacy: { name: string; city: string } }[];
  /** hub `counter.ringAgainSeconds`, in ms. */
  ringAgainMs: number;
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** Requests of a booth's connection (rejects when it is offline). */
  booth: { request(boothId: string, method: string, params: unknown): Promise<unknown> };
  /** Each change worth a line in the hub's log (no patient data). */
  onChange?: (event: { boothId: string; alertId: string; change: 'raised' | 'acknowledged' | 'resolved' | 'rang-again'; counters: number; staffId?: string }) => void;
}

type Whereabouts = { position: number | null; doctor: string | null };

interface BoothState {
  boothId: string;
  pharmacyId: string | null;
  online: boolean;
  activity: Omit<BoothActivity, 'alertId'> | null;
  alert: BoardAlert | null;
  timer: unknown;
  /** The place and doctor last put on a board: a change of the queue re-sends the boards it moves. */
  shown: Whereabouts;
}

export class CounterAlerts {
  private readonly booths = new Map<string, BoothState>();
  private readonly pages = new Set<CounterPage>();
  /** A look-up of every booth's place and doctor as of now (read once per board or check, not once per booth). */
  private whereabouts: () => (boothId: string) => Whereabouts = () => () => ({ position: null, doctor: null });
  private readonly alertListeners = new Set<(boothId: string, report: AlertReport) => void>();

  constructor(private readonly opts: CounterAlertsOptions) {
    for (const b of opts.booths) {
      this.booths.set(b.boothId, { boothId: b.boothId, pharmacyId: b.pharmacyId ?? null, online: false, activity: null, alert: null, timer: null, shown: { position: null, doctor: null } });
    }
  }

  /** Where the queue and the rooms put the booths now (a hub with media); nowhere without. */
  setWhereabouts(fn: () => (boothId: string) => Whereabouts): void {
    this.whereabouts = fn;
  }

  /**
   * The queue or the rooms changed: each pharmacy with a counter page open
   * whose booth's place or doctor is no longer what its board shows gets
   * its board again (one, however many of its booths moved).
   */
  whereaboutsMayHaveChanged(): void {
    const moved = new Set<string>();
    const where = this.whereabouts();
    for (const b of this.booths.values()) {
      if (b.pharmacyId === null || moved.has(b.pharmacyId) || this.counters(b.pharmacyId) === 0) continue;
      const now = where(b.boothId);
      if (now.position !== b.shown.position || now.doctor !== b.shown.doctor) moved.add(b.pharmacyId);
    }
    for (const pharmacyId of moved) this.broadcast(pharmacyId);
  }

  /** Hears each change of a booth's alert as the booth reported it (the console's emergency banner). */
  onAlert(listener: (boothId: string, report: AlertReport) => void): void {
    this.alertListeners.add(listener);
  }

  pageConnected(page: CounterPage): void {
    this.pages.add(page);
    page.notify(COUNTER.boardNote, this.board(page.pharmacyId, page));
    // An alert raised before the page opened rings there now, not at the next ring again.
    for (const b of this.raisedIn(page.pharmacyId)) page.notify(COUNTER.ringNote, this.ringNote(b, b.alert!));
    if (this.counters(page.pharmacyId) === 1) this.tellHeard(page.pharmacyId, 1);
  }

  pageDisconnected(page: CounterPage): void {
    if (!this.pages.delete(page)) return;
    if (this.counters(page.pharmacyId) === 0) this.tellHeard(page.pharmacyId, 0);
  }

  /** The booth's emergency while it stands (raised or answered), as the doctor's console shows it; null when none. */
  openEmergency(boothId: string): EmergencyNote | null {
    const a = this.booths.get(boothId)?.alert;
    if (!a || a.reason !== 'emergency') return null;
    return { boothId, alertId: a.alertId, state: a.state, acknowledgedBy: a.acknowledgedBy };
  }

  /** The counter pages open for a pharmacy. */
  counters(pharmacyId: string | null): number {
    let n = 0;
    for (const p of this.pages) if (p.pharmacyId === pharmacyId) n += 1;
    return n;
  }

  boothConnected(boothId: string): void {
    this.update(boothId, (b) => { b.online = true; });
  }

  boothDisconnected(boothId: string): void {
    this.update(boothId, (b) => { b.online = false; });
  }

  /** What the booth's screen shows, and the alert standing there: another alert the hub still holds is resolved. */
  activity(boothId: string, { alertId, ...activity }: BoothActivity): void {
    const b = this.booths.get(boothId);
    if (!b) return;
    b.activity = activity;
    const stale = alertId !== undefined && b.alert && b.alert.alertId !== alertId ? b.alert : null;
    if (stale) this.report(boothId, { alertId: stale.alertId, reason: stale.reason, state: 'resolved', raisedAt: stale.raisedAt, acknowledgedBy: stale.acknowledgedBy });
    else this.broadcast(b.pharmacyId);
  }

  /** A booth's report of its alert; answers how many counter pages heard it. */
  report(boothId: string, r: AlertReport): AlertDelivery {
    const b = this.booths.get(boothId);
    if (!b) return { counters: 0 };
    const counters = this.counters(b.pharmacyId);
    const current = b.alert;
    if (r.state === 'raised') {
      // The same alert again (a reconnect, a flood of presses): nothing rings twice.
      if (current?.alertId === r.alertId && current.state === 'raised') return { counters };
      this.stopRinging(b);
      b.alert = { alertId: r.alertId, reason: r.reason, state: 'raised', raisedAt: r.raisedAt, acknowledgedBy: null, rings: 1, ...(r.lost ? { lost: r.lost } : {}) };
      this.ring(b, b.alert);
      this.startRinging(b);
    } else if (r.state === 'acknowledged') {
      this.stopRinging(b);
      const lost = r.lost ?? (current?.alertId === r.alertId ? current.lost : undefined);
      b.alert = { alertId: r.alertId, reason: r.reason, state: 'acknowledged', raisedAt: r.raisedAt, acknowledgedBy: r.acknowledgedBy, rings: current?.alertId === r.alertId ? current.rings : 1, ...(lost ? { lost } : {}) };
    } else {
      if (current && current.alertId !== r.alertId) return { counters };
      this.stopRinging(b);
      b.alert = null;
    }
    this.opts.onChange?.({ boothId, alertId: r.alertId, change: r.state, counters });
    for (const l of this.alertListeners) l(boothId, r);
    this.broadcast(b.pharmacyId);
    return { counters };
  }

  /** "J'arrive" from a counter page: refused unless the staff member's pharmacy is the booth's and the alert still stands. */
  async acknowledge(staff: StaffRef, p: AcknowledgeAlertParams): Promise<{ accepted: boolean }> {
    const b = this.booths.get(p.boothId);
    // An unknown booth is refused like another pharmacy's: a page cannot probe which booths exist.
    if (!b || b.pharmacyId === null || b.pharmacyId !== staff.pharmacyId) {
      throw refused(COUNTER_ERRORS.notYourPharmacy, 'this booth is not one of your pharmacy\'s');
    }
    if (!b.alert || b.alert.alertId !== p.alertId) throw refused(COUNTER_ERRORS.unknownAlert, 'this alert no longer stands');
    const ack: CounterAcknowledge = { alertId: p.alertId, by: { via: 'counter', staffId: staff.staffId, name: staff.firstName } };
    let answer: unknown;
    try {
      answer = await this.opts.booth.request(p.boothId, COUNTER.acknowledge, ack);
    } catch {
      throw refused(COUNTER_ERRORS.boothOffline, 'the booth cannot be reached');
    }
    const accepted = typeof answer === 'object' && answer !== null && 'accepted' in answer && answer.accepted === true;
    if (accepted && b.alert?.alertId === p.alertId && b.alert.state === 'raised') {
      // The booth reports it too; the page need not wait for that to see who is going.
      this.report(p.boothId, { alertId: p.alertId, reason: b.alert.reason, state: 'acknowledged', raisedAt: b.alert.raisedAt, acknowledgedBy: ack.by });
    }
    this.opts.onChange?.({ boothId: p.boothId, alertId: p.alertId, change: 'acknowledged', counters: this.counters(b.pharmacyId), staffId: staff.staffId });
    return { accepted };
  }

  /** The board of a pharmacy, as its counter pages get it. */
  board(pharmacyId: string, staff?: StaffRef): Board {
    const booths: BoardBooth[] = [];
    let pharmacy = { name: '', city: '' };
    const where = this.whereabouts();
    for (const cfg of this.opts.booths) {
      if (cfg.pharmacyId !== pharmacyId) continue;
      pharmacy = { name: cfg.pharmacy.name, city: cfg.pharmacy.city };
      const b = this.booths.get(cfg.boothId)!;
      b.shown = where(b.boothId);
      booths.push({ boothId: b.boothId, online: b.online, activity: b.activity, ...b.shown, alert: b.alert });
    }
    return { pharmacy, staff: { id: staff?.staffId ?? '', name: staff?.firstName ?? '' }, booths };
  }

  close(): void {
    for (const b of this.booths.values()) this.stopRinging(b);
  }

  private update(boothId: string, change: (b: BoothState) => void): void {
    const b = this.booths.get(boothId);
    if (!b) return;
    change(b);
    this.broadcast(b.pharmacyId);
  }

  private broadcast(pharmacyId: string | null): void {
    if (pharmacyId === null) return;
    for (const p of this.pages) if (p.pharmacyId === pharmacyId) p.notify(COUNTER.boardNote, this.board(pharmacyId, p));
  }

  private ring(b: BoothState, alert: BoardAlert): void {
    const note = this.ringNote(b, alert);
    for (const p of this.pages) if (p.pharmacyId === b.pharmacyId) p.notify(COUNTER.ringNote, note);
  }

  private ringNote(b: BoothState, alert: BoardAlert): RingNote {
    return { boothId: b.boothId, alertId: alert.alertId, reason: alert.reason, ring: alert.rings };
  }

  /** The booths of a pharmacy whose alert still waits for someone. */
  private raisedIn(pharmacyId: string): BoothState[] {
    return [...this.booths.values()].filter((b) => b.pharmacyId === pharmacyId && b.alert?.state === 'raised');
  }

  /** Tells each booth of the pharmacy with a standing alert whether a counter page now hears it (first page opened, last closed). */
  private tellHeard(pharmacyId: string, counters: number): void {
    for (const b of this.raisedIn(pharmacyId)) {
      this.opts.booth.request(b.boothId, COUNTER.heard, { alertId: b.alert!.alertId, counters }).catch(() => undefined);
    }
  }

  private startRinging(b: BoothState): void {
    b.timer = this.opts.clock.setTimeout(() => {
      b.timer = null;
      const alert = b.alert;
      if (!alert || alert.state !== 'raised') return;
      alert.rings += 1;
      this.ring(b, alert);
      this.opts.booth.request(b.boothId, COUNTER.ringAgain, { alertId: alert.alertId, ring: alert.rings }).catch(() => undefined);
      this.opts.onChange?.({ boothId: b.boothId, alertId: alert.alertId, change: 'rang-again', counters: this.counters(b.pharmacyId) });
      this.broadcast(b.pharmacyId);
      this.startRinging(b);
    }, this.opts.ringAgainMs);
  }

  private stopRinging(b: BoothState): void {
    if (b.timer !== null) this.opts.clock.clearTimeout(b.timer);
    b.timer = null;
  }
}
