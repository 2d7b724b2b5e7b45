/**
 * A booth's tile on the counter page, rendered (static markup): who answered
 * its alert — a member of staff from the counter by name, or the pharmacist
 * who unlocked the booth with the PIN (the PIN names no one).
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { BoothTile } from '../../../../src/renderer/counter/src/App';
import type { BoardBooth } from '../../../../src/shared/counter-protocol';
import type { AlertAcknowledger } from '../../../../src/shared/session-view';

const text = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const tile = (state: 'raised' | 'acknowledged', acknowledgedBy: AlertAcknowledger | null): string => {
  const booth: BoardBooth = {
    boothId: 'demo-booth-1', online: true, activity: null, position: null, doctor: null,
    alert: { alertId: '0190a000-0000-7000-8000-000000000001', reason: 'help', state, raisedAt: null, acknowledgedBy, rings: 1 },
  };
  return text(renderToStaticMarkup(createElement(BoothTile, { booth, lang: 'fr', onAcknowledge: () => undefined, onIntake: null })));
};

describe('a booth\'s alert on the counter page', () => {
  it('offers « J’arrive » while nobody answered', () => {
    expect(tile('raised', null)).toContain('J’arrive');
  });

  it('names who is going when answered from the counter', () => {
    expect(tile('acknowledged', { via: 'counter', staffId: 'marie', name: 'Marie' })).toContain('Marie y va');
  });

  it('says it is taken care of at the booth when the pharmacist unlocked the booth, naming nobody', () => {
    const shown = tile('acknowledged', { via: 'booth' });
    expect(shown).toContain('Pris en charge à la cabine');
    expect(shown).not.toContain('y va');
    expect(shown).not.toContain('J’arrive');
    expect(tile('acknowledged', { via: 'booth', name: 'Marie' })).toContain('Marie est à la cabine');
  });
});
