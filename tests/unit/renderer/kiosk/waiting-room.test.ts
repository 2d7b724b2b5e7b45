/**
 * The waiting room says plainly when no doctor is connected (the hub's
 * `queue.position` counts the consoles open), offers the pharmacist at once,
 * and goes back to the usual waiting text as soon as a doctor connects.
 * The hub's side is in tests/integration/hub/hub-state.test.ts.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { WaitingRoomScreen } from '../../../../src/renderer/kiosk/src/screens/Steps';
import type { KioskApi } from '../../../../src/shared/kiosk-api';
import type { Language } from '../../../../src/shared/language';
import { sessionMachine, type SessionMachineEvent } from '../../../../src/session/machine';
import { toSessionView } from '../../../../src/session/view';

function waitingRoom(language: Language, ...events: SessionMachineEvent[]): string {
  const actor = createActor(sessionMachine, { input: { language, measuringDevices: {} } }).start();
  for (const e of [
    { type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language }, { type: 'ACCEPT' }, { type: 'ASSISTANT_LOGIN' },
    { type: 'SET_IDENTITY', identity: { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' } }, { type: 'ASSISTANT_LOGOUT' },
    ...events,
  ] as SessionMachineEvent[]) actor.send(e);
  const view = toSessionView(actor.getSnapshot());
  actor.stop();
  expect(view.state).toBe('waitingRoom');
  return renderToStaticMarkup(createElement(WaitingRoomScreen, { view, send: () => undefined, api: {} as KioskApi, openAssistant: () => undefined }));
}

describe('the waiting room when no doctor is connected', () => {
  it('says so plainly and offers to call the pharmacist', () => {
    const html = waitingRoom('fr', { type: 'QUEUE_UPDATE', position: 1, etaMinutes: 12, doctorsOnline: 0 });
    expect(html).toContain('Aucun médecin n’est connecté pour le moment. Vous pouvez attendre ou appeler le pharmacien.');
    expect(html).toMatch(/data-testid="no-doctor-call"[^>]*>Appeler le pharmacien</);
    expect(html).not.toContain('Attente estimée');
  });

  it('says so in English too', () => {
    const html = waitingRoom('en', { type: 'QUEUE_UPDATE', position: 1, etaMinutes: 12, doctorsOnline: 0 });
    expect(html).toContain('No doctor is connected at the moment. You can wait or call the pharmacist.');
    expect(html).toMatch(/data-testid="no-doctor-call"[^>]*>Call the pharmacist</);
  });

  it('goes back to the usual waiting text as soon as a doctor connects', () => {
    const html = waitingRoom('fr', { type: 'QUEUE_UPDATE', position: 1, etaMinutes: 12, doctorsOnline: 0 }, { type: 'QUEUE_UPDATE', position: 1, etaMinutes: 12, doctorsOnline: 1 });
    expect(html).not.toContain('Aucun médecin');
    expect(html).not.toContain('no-doctor-call');
    expect(html).toContain('Vous êtes n° 1 dans la file.');
    expect(html).toContain('Attente estimée : environ 12 minutes.');
  });

  it('keeps the usual text when the hub did not say how many doctors are connected', () => {
    expect(waitingRoom('fr', { type: 'QUEUE_UPDATE', position: 2, etaMinutes: 24 })).not.toContain('Aucun médecin');
  });
});
