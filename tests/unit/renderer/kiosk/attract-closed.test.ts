/**
 * Outside opening hours the attract screen says teleconsultation is closed
 * and when it opens, in French and in English, and offers nothing to touch
 * that would start a session (the host refuses it anyway:
 * tests/unit/host/opening-hours.test.ts).
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { AttractScreen } from '../../../../src/renderer/kiosk/src/screens/AttractScreen';
import type { SessionViewContext } from '../../../../src/shared/session-view';
import { sessionMachine } from '../../../../src/session/machine';
import { toSessionView } from '../../../../src/session/view';

const day: [string, string][] = [['09:00', '19:00']];
const hours = { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: [] };

function attract(closed: SessionViewContext['closed']): string {
  const actor = createActor(sessionMachine, { input: { language: 'fr', measuringDevices: {} } }).start();
  const view = toSessionView(actor.getSnapshot(), { closed });
  actor.stop();
  return renderToStaticMarkup(createElement(AttractScreen, { view, send: () => undefined }));
}

describe('the attract screen outside opening hours', () => {
  it('says it is closed and when it opens, in French and English, with nothing to start', () => {
    const html = attract({ hours, reopens: { day: 'mon', time: '09:00', inDays: 1 } });
    expect(html).toContain('Téléconsultation fermée.');
    expect(html).toContain('Ouverte du lundi au samedi, 9 h – 19 h.');
    expect(html).toContain('Réouverture demain à 9 h.');
    expect(html).toContain('Teleconsultation closed.');
    expect(html).toContain('Open Monday to Saturday, 9 am – 7 pm.');
    expect(html).toContain('Opens again tomorrow at 9 am.');
    expect(html).not.toContain('data-testid="start"');
    expect(html).not.toContain('data-testid="lang-');
  });

  it('invites a touch during opening hours', () => {
    const html = attract(null);
    expect(html).toContain('data-testid="start"');
    expect(html).not.toContain('fermée');
  });
});
