/**
 * "Urgence" during a call on the console: the consultation holds the
 * booth's open emergency from the hub's notes and from its catch-up (a
 * console opened or reloaded while it stands), until the alert is resolved;
 * while it is open the call view enlarges the patient's video and the banner
 * says whether the pharmacy answered. The whole path in Chromium is in
 * tests/e2e/console-emergency.test.ts.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { EmergencyBanner } from '../../../../src/renderer/console/src/components/EmergencyBanner';
import { consultLayout, consultReducer, emptyConsult, type ConsultAction, type ConsultState } from '../../../../src/renderer/console/src/consult-state';
import type { ContextNote } from '../../../../src/shared/consult-protocol';
import type { EmergencyNote } from '../../../../src/shared/counter-protocol';

const run = (actions: ConsultAction[], from: ConsultState = emptyConsult): ConsultState => actions.reduce(consultReducer, from);
const note = (state: EmergencyNote['state'], alertId = 'alert-3', name?: string): EmergencyNote =>
  ({ boothId: 'demo-booth-1', alertId, state, acknowledgedBy: name ? { via: 'counter', staffId: 'marie', name } : null });
const context: ContextNote = {
  boothId: 'demo-booth-1', roomId: 'room-1', pharmacy: null, devices: [],
  patient: { sessionId: 's1', firstName: 'Jeanne', age: 85, reason: null, pathway: null, exceptionReason: null, language: 'fr', intake: null },
};

describe('the emergency in the consultation\'s state', () => {
  it('holds the emergency from its note until the alert is resolved, through the pharmacy\'s answer', () => {
    const raised = run([{ type: 'emergency', note: note('raised') }]);
    expect(raised.emergency).toMatchObject({ alertId: 'alert-3', state: 'raised' });
    const answered = run([{ type: 'emergency', note: note('acknowledged', 'alert-3', 'Marie') }], raised);
    expect(answered.emergency).toMatchObject({ state: 'acknowledged', acknowledgedBy: { name: 'Marie' } });
    expect(run([{ type: 'emergency', note: note('resolved') }], answered).emergency).toBeNull();
  });

  it('keeps an open emergency when an older alert\'s end arrives late', () => {
    const s = run([{ type: 'emergency', note: note('raised', 'alert-4') }, { type: 'emergency', note: note('resolved', 'alert-3') }]);
    expect(s.emergency).toMatchObject({ alertId: 'alert-4', state: 'raised' });
  });

  it('learns of an emergency already open from the catch-up of a console that opens or reloads, and of its end the same way', () => {
    const caught = run([{ type: 'context', note: context, emergency: note('raised') }]);
    expect(caught.emergency).toMatchObject({ alertId: 'alert-3', state: 'raised' });
    // A context note (no emergency field) changes nothing; a catch-up that finds none ends it.
    expect(run([{ type: 'context', note: context }], caught).emergency).toMatchObject({ state: 'raised' });
    expect(run([{ type: 'context', note: context, emergency: null }], caught).emergency).toBeNull();
  });
});

describe('the call view during an emergency', () => {
  it('enlarges the patient\'s video while the emergency is open, and only during the call', () => {
    expect(consultLayout({ live: true, emergency: null })).toBe('consult consult--live');
    expect(consultLayout({ live: true, emergency: note('raised') }).split(' ')).toContain('consult--emergency');
    expect(consultLayout({ live: true, emergency: note('acknowledged', 'alert-3', 'Marie') }).split(' ')).toContain('consult--emergency');
    expect(consultLayout({ live: false, emergency: note('raised') })).toBe('consult consult--ended');
  });

  it('shows a banner that says the pharmacy is alerted, then who is coming, and nothing once it is over', () => {
    const raised = renderToStaticMarkup(createElement(EmergencyBanner, { note: note('raised') }));
    expect(raised).toContain('role="alert"');
    expect(raised).toContain('URGENCE');
    expect(raised).toContain('La pharmacie est alertée');
    const answered = renderToStaticMarkup(createElement(EmergencyBanner, { note: note('acknowledged', 'alert-3', 'Marie') }));
    expect(answered).toContain('Marie se rend à la cabine');
    const atBooth = renderToStaticMarkup(createElement(EmergencyBanner, { note: { ...note('acknowledged'), acknowledgedBy: { via: 'booth' } } }));
    expect(atBooth).toContain('le pharmacien est à la cabine');
    expect(atBooth).not.toContain('se rend');
    const namedAtBooth = renderToStaticMarkup(createElement(EmergencyBanner, { note: { ...note('acknowledged'), acknowledgedBy: { via: 'booth', name: 'Marie' } } }));
    expect(namedAtBooth).toContain('Marie est à la cabine');
    expect(renderToStaticMarkup(createElement(EmergencyBanner, { note: null }))).toBe('');
  });
});
