/**
 * The kiosk's view of the session as a contract: every view the machine
 * gives along a patient's journey is accepted, and a view missing a field
 * the screens read (or carrying a value they cannot show) is refused on
 * arrival, before a screen reads it.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Quantity } from '../../../src/shared/domain';
import { SessionView } from '../../../src/shared/session-view';
import { sessionMachine, type SessionMachineEvent } from '../../../src/session/machine';
import { toSessionView } from '../../../src/session/view';

const identity = { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' };
const bp: Quantity[] = [
  { code: '8480-6', name: 'systolic', value: 128, unit: 'mm[Hg]' },
  { code: '8462-4', name: 'diastolic', value: 81, unit: 'mm[Hg]' },
];

/** The views of one whole session, from the attract screen to the wrap-up's goodbye, the pharmacist called on the way. */
function journey(): SessionView[] {
  const machine = sessionMachine.provide({ actions: { recordTransition: () => undefined, startMeasurement: () => undefined, notifyWipe: () => undefined } });
  const actor = createActor(machine, { input: { language: 'fr', measuringDevices: { 'blood-pressure': 'bp-cuff-1' } } });
  actor.start();
  const views = [toSessionView(actor.getSnapshot())];
  const events: SessionMachineEvent[] = [
    { type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }, { type: 'ASSISTANT_LOGIN' },
    { type: 'SET_IDENTITY', identity },
    { type: 'QUEUE_UPDATE', position: 2, etaMinutes: 9 }, { type: 'CLAIMED' }, { type: 'CALL_PHARMACIST' },
    { type: 'MEASUREMENT_REQUESTED', kind: 'blood-pressure', requestId: 'r-1', note: 'bras gauche' }, { type: 'START_MEASURE' },
    { type: 'READING', kind: 'cuff-pressure', deviceId: 'bp-cuff-1', values: [{ code: '8478-0', name: 'cuff', value: 92, unit: 'mm[Hg]' }], intermediate: true },
    { type: 'READING', kind: 'blood-pressure', deviceId: 'bp-cuff-1', values: bp, intermediate: false },
    { type: 'DEVICE_FAULT', deviceId: 'bp-cuff-1', kind: 'bp-cuff', code: 'DISCONNECTED' },
    { type: 'PRESCRIPTION_RECEIVED', note: 'repos', number: 'ORD-1' }, { type: 'CALL_ENDED' }, { type: 'NEXT' }, { type: 'NEXT' }, { type: 'ACCEPT' },
  ];
  for (const event of events) {
    actor.send(event);
    views.push(toSessionView(actor.getSnapshot(), { chime: { volume: 0.5 } }));
  }
  actor.stop();
  return views;
}

/** A consultation view with a measurement on screen, as JSON (what the transport carries). */
function measuringView(): Record<string, unknown> {
  const view = journey().find((v) => v.state === 'consultation.measuring' && v.context.measurement);
  if (!view) throw new Error('the journey has no measuring screen');
  return JSON.parse(JSON.stringify(view)) as Record<string, unknown>;
}

describe('the session view contract', () => {
  it('accepts every view of a whole session, from attract to goodbye', () => {
    const views = journey();
    expect(views.map((v) => v.state)).toContain('wrapUp.goodbye');
    for (const view of views) expect(SessionView.safeParse(JSON.parse(JSON.stringify(view))).success, view.state).toBe(true);
  });

  it('gives the screens the measurement as they read it', () => {
    const parsed = SessionView.parse(measuringView());
    expect(parsed.context.measurement).toMatchObject({ kind: 'blood-pressure', step: 0, stepCount: 4, requestId: 'r-1', note: 'bras gauche' });
  });

  it('refuses a measurement missing a field the consultation screen reads', () => {
    for (const field of ['kind', 'step', 'stepCount', 'live', 'liveUnit', 'result', 'error', 'requestId', 'note', 'bodySite']) {
      const view = measuringView();
      const context = view.context as { measurement: Record<string, unknown> };
      delete context.measurement[field];
      expect(SessionView.safeParse(view).success, field).toBe(false);
    }
  });

  it('refuses a view missing a field every screen reads', () => {
    for (const field of ['overlay', 'network', 'alert', 'deviceFault', 'muted', 'canBack', 'canCancel']) {
      const view = measuringView();
      delete (view.context as Record<string, unknown>)[field];
      expect(SessionView.safeParse(view).success, field).toBe(false);
    }
  });

  it('refuses values a screen cannot show: an unknown measurement kind, a network state or an alert reason', () => {
    const kind = measuringView();
    (kind.context as { measurement: Record<string, unknown> }).measurement.kind = 'glucose';
    expect(SessionView.safeParse(kind).success).toBe(false);
    const network = measuringView();
    (network.context as Record<string, unknown>).network = 'flaky';
    expect(SessionView.safeParse(network).success).toBe(false);
    const alert = measuringView();
    (alert.context as { alert: Record<string, unknown> }).alert.reason = 'boredom';
    expect(SessionView.safeParse(alert).success).toBe(false);
  });
});

describe("the doctor's photo in the view", () => {
  const png = `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString('base64')}`;
  const withPhoto = (photo: string): Record<string, unknown> => {
    const view = measuringView();
    (view.context as Record<string, unknown>).doctor = { name: 'Dr Claire Martin', specialty: 'Médecine générale', photo };
    return view;
  };

  it('reaches the screens as the hub sent it, a PNG or JPEG data: URL', () => {
    expect(SessionView.parse(withPhoto(png)).context.doctor?.photo).toBe(png);
    const jpeg = 'data:image/jpeg;base64,/9j/4AAQ';
    expect(SessionView.parse(withPhoto(jpeg)).context.doctor?.photo).toBe(jpeg);
  });

  it('is refused when it is anything else: an address to fetch, another image type, or larger than the hub takes', () => {
    for (const photo of ['https://example.org/martin.png', 'data:image/svg+xml;base64,PHN2Zz4=', 'data:image/png,raw', 'javascript:alert(1)',
      `data:image/png;base64,${'A'.repeat(400 * 1024)}`]) {
      expect(SessionView.safeParse(withPhoto(photo)).success, photo.slice(0, 40)).toBe(false);
    }
  });
});
