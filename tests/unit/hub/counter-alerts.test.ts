/**
 * The counter's alert routing on the hub: a booth's alert reaches the
 * counter pages of its own pharmacy only, a flood of raises is one alert, an
 * acknowledgement from another pharmacy or for an alert that no longer
 * stands is refused, and an alert nobody answered rings again after the
 * configured time, on the pages and at the booth.
 */
import { describe, expect, it } from 'vitest';
import { CounterAlerts, type CounterPage } from '../../../src/hub/counter/alerts';
import { FakeClock } from '../../../src/shared/fake-clock';
import type { AlertReport } from '../../../src/shared/counter-protocol';

const BOOTHS = [
  { boothId: 'b1', pharmacyId: 'place', pharmacy: { name: 'Pharmacie de la Place', city: 'Aurillac' } },
  { boothId: 'b2', pharmacyId: 'marche', pharmacy: { name: 'Pharmacie du Marché', city: 'Mauriac' } },
];
const MARIE = { staffId: 'marie', firstName: 'Marie', pharmacyId: 'place' };
const PAUL = { staffId: 'paul', firstName: 'Paul', pharmacyId: 'marche' };

function page(staff: typeof MARIE): CounterPage & { notes: [string, unknown][] } {
  const notes: [string, unknown][] = [];
  return { ...staff, notes, notify: (m, p) => notes.push([m, p]) };
}

function setup() {
  const clock = new FakeClock(Date.UTC(2026, 11, 1, 9));
  const toBooth: [string, string, unknown][] = [];
  const alerts = new CounterAlerts({
    booths: BOOTHS,
    ringAgainMs: 60_000,
    clock,
    booth: {
      request: async (boothId, method, params) => {
        toBooth.push([boothId, method, params]);
        return { accepted: true };
      },
    },
  });
  return { clock, alerts, toBooth };
}

const raised = (alertId: string, reason: AlertReport['reason'] = 'help'): AlertReport => ({
  alertId, reason, state: 'raised', raisedAt: '2026-12-01T09:00:00.000Z', acknowledgedBy: null,
});
const rings = (p: { notes: [string, unknown][] }) => p.notes.filter(([m]) => m === 'counter.ring').map(([, n]) => n);

describe('the counter\'s alerts', () => {
  it('rings the counter pages of the booth\'s own pharmacy only, and says how many heard it', () => {
    const { alerts } = setup();
    const marie = page(MARIE);
    const paul = page(PAUL);
    alerts.pageConnected(marie);
    alerts.pageConnected(paul);
    expect(alerts.report('b1', raised('a1'))).toEqual({ counters: 1 });
    expect(rings(marie)).toEqual([{ boothId: 'b1', alertId: 'a1', reason: 'help', ring: 1 }]);
    expect(rings(paul)).toEqual([]);
    expect(JSON.stringify(paul.notes)).not.toContain('a1');
    expect(alerts.board(MARIE.pharmacyId).booths.find((b) => b.boothId === 'b1')?.alert).toMatchObject({ alertId: 'a1', state: 'raised' });
  });

  it('answers that nobody heard it when no counter page of the pharmacy is open', () => {
    const { alerts } = setup();
    alerts.pageConnected(page(PAUL));
    expect(alerts.report('b1', raised('a1'))).toEqual({ counters: 0 });
  });

  it('coalesces a flood of raises into one alert that rings once', () => {
    const { alerts } = setup();
    const marie = page(MARIE);
    alerts.pageConnected(marie);
    for (let i = 0; i < 50; i++) alerts.report('b1', raised('a1'));
    expect(rings(marie)).toHaveLength(1);
    // A new alert while one is open replaces it: still one alert on the booth's tile.
    alerts.report('b1', raised('a2', 'emergency'));
    expect(alerts.board('place').booths.filter((b) => b.alert)).toHaveLength(1);
    expect(alerts.board('place').booths[0]!.alert).toMatchObject({ alertId: 'a2', reason: 'emergency' });
  });

  it('drops an alert the booth no longer has when the booth says which alert stands (a host restarted, or another host took the booth\'s id), and stops ringing it', async () => {
    const { alerts, clock } = setup();
    const marie = page(MARIE);
    alerts.pageConnected(marie);
    alerts.report('b1', raised('a1', 'emergency'));
    // The booth's new host has no alert: its screen says so.
    alerts.activity('b1', { kind: 'steps', step: 3, sessionId: 's2', alertId: null });
    expect(alerts.board('place').booths[0]!.alert).toBeNull();
    expect(alerts.openEmergency('b1')).toBeNull();
    await clock.advance(5 * 60_000);
    expect(rings(marie)).toHaveLength(1);
    // The alert the booth names stands; an earlier release that names none changes nothing.
    alerts.report('b1', raised('a2'));
    alerts.activity('b1', { kind: 'waiting', step: null, sessionId: 's2', alertId: 'a2' });
    alerts.activity('b1', { kind: 'waiting', step: null, sessionId: 's2' });
    expect(alerts.board('place').booths[0]!.alert).toMatchObject({ alertId: 'a2', state: 'raised' });
    expect(alerts.board('place').booths[0]!.activity).toEqual({ kind: 'waiting', step: null, sessionId: 's2' });
  });

  it('sends a counter acknowledgement to the booth, naming the staff member', async () => {
    const { alerts, toBooth } = setup();
    alerts.report('b1', raised('a1'));
    await expect(alerts.acknowledge(MARIE, { boothId: 'b1', alertId: 'a1' })).resolves.toEqual({ accepted: true });
    expect(toBooth).toEqual([['b1', 'counter.acknowledge', { alertId: 'a1', by: { via: 'counter', staffId: 'marie', name: 'Marie' } }]]);
  });

  it('refuses an acknowledgement from staff of another pharmacy, and for a booth it does not know, alike', async () => {
    const { alerts, toBooth } = setup();
    alerts.report('b1', raised('a1'));
    await expect(alerts.acknowledge(PAUL, { boothId: 'b1', alertId: 'a1' })).rejects.toMatchObject({ code: 'NOT_YOUR_PHARMACY' });
    await expect(alerts.acknowledge(PAUL, { boothId: 'nowhere', alertId: 'a1' })).rejects.toMatchObject({ code: 'NOT_YOUR_PHARMACY' });
    expect(toBooth).toEqual([]);
  });

  it('refuses an acknowledgement of an alert that no longer stands', async () => {
    const { alerts } = setup();
    alerts.report('b1', raised('a1'));
    alerts.report('b1', { ...raised('a1'), state: 'resolved' });
    await expect(alerts.acknowledge(MARIE, { boothId: 'b1', alertId: 'a1' })).rejects.toMatchObject({ code: 'UNKNOWN_ALERT' });
  });

  it('rings again, on the pages and at the booth, while nobody acknowledges; no more once acknowledged', async () => {
    const { alerts, clock, toBooth } = setup();
    const marie = page(MARIE);
    alerts.pageConnected(marie);
    alerts.report('b1', raised('a1'));
    await clock.advance(59_000);
    expect(rings(marie)).toHaveLength(1);
    await clock.advance(1_000);
    expect(rings(marie).map((r) => (r as { ring: number }).ring)).toEqual([1, 2]);
    expect(toBooth).toEqual([['b1', 'counter.ringAgain', { alertId: 'a1', ring: 2 }]]);
    alerts.report('b1', { ...raised('a1'), state: 'acknowledged', acknowledgedBy: { via: 'booth' } });
    await clock.advance(600_000);
    expect(rings(marie)).toHaveLength(2);
  });

  it('tells a booth ringing alone when a counter page of its pharmacy opens, rings that page at once, and tells the booth again when the last page closes', () => {
    const { alerts, toBooth } = setup();
    expect(alerts.report('b1', raised('a1'))).toEqual({ counters: 0 });
    const paul = page(PAUL);
    alerts.pageConnected(paul);
    expect(toBooth).toEqual([]);
    const marie = page(MARIE);
    alerts.pageConnected(marie);
    expect(rings(marie)).toEqual([{ boothId: 'b1', alertId: 'a1', reason: 'help', ring: 1 }]);
    expect(toBooth).toEqual([['b1', 'counter.heard', { alertId: 'a1', counters: 1 }]]);
    // A second page of the same pharmacy: the booth already knows it is heard.
    const marie2 = page(MARIE);
    alerts.pageConnected(marie2);
    alerts.pageDisconnected(marie);
    expect(toBooth).toHaveLength(1);
    alerts.pageDisconnected(marie2);
    expect(toBooth).toEqual([['b1', 'counter.heard', { alertId: 'a1', counters: 1 }], ['b1', 'counter.heard', { alertId: 'a1', counters: 0 }]]);
    // Once acknowledged, pages coming and going are no news for the booth.
    alerts.report('b1', { ...raised('a1'), state: 'acknowledged', acknowledgedBy: { via: 'booth' } });
    alerts.pageConnected(page(MARIE));
    expect(toBooth).toHaveLength(2);
  });

  it('shows the booth offline when it disconnects, keeping its alert', () => {
    const { alerts } = setup();
    alerts.boothConnected('b1');
    alerts.report('b1', raised('a1'));
    alerts.activity('b1', { kind: 'steps', step: 2 });
    expect(alerts.board('place').booths[0]).toMatchObject({ online: true, activity: { kind: 'steps', step: 2 } });
    alerts.boothDisconnected('b1');
    expect(alerts.board('place').booths[0]).toMatchObject({ online: false, alert: { alertId: 'a1' } });
  });
});
