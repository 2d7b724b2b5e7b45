/**
 * The call's side panel ("Votre médecin"): the doctor's photo beside the name
 * when the hub sent one, round and described for a screen reader; the name
 * alone otherwise, with no empty frame where a photo would be.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { ConsultationScreen } from '../../../../src/renderer/kiosk/src/screens/ConsultationScreen';
import type { KioskApi } from '../../../../src/shared/kiosk-api';
import type { Language } from '../../../../src/shared/language';
import type { DoctorView } from '../../../../src/shared/session-view';
import { sessionMachine, type SessionMachineEvent } from '../../../../src/session/machine';
import { toSessionView } from '../../../../src/session/view';

const PHOTO = 'data:image/png;base64,iVBORw0KGgo=';

function callScreen(language: Language, doctor: DoctorView): string {
  const actor = createActor(sessionMachine, { input: { language, measuringDevices: {} } }).start();
  for (const e of [
    { type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language }, { type: 'ACCEPT' }, { type: 'ASSISTANT_LOGIN' },
    { type: 'SET_IDENTITY', identity: { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' } }, { type: 'ASSISTANT_LOGOUT' },
    { type: 'CLAIMED', doctor },
  ] as SessionMachineEvent[]) actor.send(e);
  const view = toSessionView(actor.getSnapshot());
  actor.stop();
  expect(view.state).toBe('consultation.call');
  return renderToStaticMarkup(createElement(ConsultationScreen, { view, send: () => undefined, api: {} as KioskApi, openAssistant: () => undefined }));
}

/** The "Votre médecin" card's markup. */
const card = (html: string) => /<div class="doctor-card[^"]*" data-testid="call-doctor">.*?<\/p><\/div><\/div>/.exec(html)?.[0] ?? '';

describe('the doctor on the call\'s side panel', () => {
  it('shows the photo the hub sent beside the name, described by the name', () => {
    const html = card(callScreen('fr', { name: 'Dr Claire Martin', specialty: 'Médecin généraliste', photo: PHOTO }));
    expect(html).toMatch(/<img [^>]*data-testid="call-doctor-photo"/);
    expect(html).toContain(`src="${PHOTO}"`);
    expect(html).toContain('alt="Photo du Dr Claire Martin"');
    expect(html).toContain('Dr Claire Martin · Médecin généraliste');
  });

  it('describes it in English too', () => {
    expect(card(callScreen('en', { name: 'Dr Claire Martin', specialty: '', photo: PHOTO }))).toContain('alt="Photo of Dr Claire Martin"');
  });

  it('shows the name alone when the doctor has no photo: no image, no empty frame', () => {
    const html = callScreen('fr', { name: 'Dr Claire Martin', specialty: 'Médecin généraliste' });
    expect(card(html)).toContain('Dr Claire Martin · Médecin généraliste');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('doctor-card__photo');
  });
});
